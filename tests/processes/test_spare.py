"""spare: the book's merge runs in a fresh (spawned) process, not in a fork of the build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.errors import RenderError
from briefing.processes import spare
from briefing.processes.spare import SpareProcess

MARK = "set in the parent only"


def where() -> tuple[int, str | None]:
    return os.getpid(), getattr(spare, "_test_mark", None)


def fail(message: str) -> None:
    raise RenderError(message)


def divide(a: int, b: int) -> float:
    return a / b


def die() -> None:
    os._exit(3)


@pytest.fixture(autouse=True)
def importable_here(monkeypatch):
    """The spare process imports the functions it is given: this module too."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))


def test_runs_in_a_fresh_process_and_raises_its_errors_here(monkeypatch):
    monkeypatch.setattr(spare, "_test_mark", MARK, raising=False)
    with SpareProcess("briefing.pdf.structmerge") as process:
        pid, mark = process.call(where)
        assert pid != os.getpid()
        assert mark is None, "the process was forked: it inherited the parent's state (and memory)"
        with pytest.raises(RenderError, match="bad part"):
            process.call(fail, "bad part")
        with pytest.raises(RenderError, match="ZeroDivisionError"):
            process.call(divide, 1, 0)
        assert process.call(where)[0] == pid  # one process, reused


def test_a_process_that_dies_is_a_render_error():
    with SpareProcess("briefing.pdf.structmerge") as process, pytest.raises(RenderError, match="process died"):
        process.call(die)


def test_a_calling_script_without_a_main_guard_runs_once(tmp_path):
    # multiprocessing's spawn would import this script again in the child and run it twice
    script = tmp_path / "cron_job.py"
    script.write_text("import os\nfrom briefing.processes.spare import SpareProcess\nprint('script ran', flush=True)\n"
                      "with SpareProcess('briefing.pdf.structmerge') as p:\n"
                      "    assert p.call(os.getpid) != os.getpid()\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("script ran") == 1
