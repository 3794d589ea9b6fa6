"""A compiled-template cache that cannot be written is skipped with a warning (issue 25, item 11)."""

from __future__ import annotations

import os
import resource
import subprocess

from conftest import BRIEFING, FICTION, make_project

LIMIT = 4096  # bytes: larger than none of the PDFs, larger than some compiled templates


def _small_files() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))  # what a full disk does to a write


def test_a_full_disk_under_the_template_cache_is_a_warning_not_a_traceback(tmp_path):
    root = make_project(tmp_path / "project", FICTION / "data")
    (tmp_path / "tmp").mkdir()
    env = dict(os.environ, TMPDIR=str(tmp_path / "tmp"))
    done = subprocess.run([str(BRIEFING), "build", "--no-book", "--jobs", "1"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=180, preexec_fn=_small_files)
    said = done.stdout + done.stderr
    assert "Traceback" not in said and "OSError" not in said, said
    assert "warning: compiled templates not cached in " in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    # what still cannot be written is the output error every other write gives
    assert errors and all("cannot write" in line and "file size limit" in line for line in errors), errors
    assert done.returncode == 1
