"""The CLI as a process ends without the interpreter's teardown (docs/performance.md), yet
keeps its exit codes, flushes what it printed and runs exit handlers."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner
from conftest import FICTION, make_project

from briefing.cli import EXIT_USAGE, main


def briefing(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefing.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_exit_codes_and_messages_survive_the_fast_exit(tmp_path):
    root = make_project(tmp_path / "project", FICTION / "data")
    done = briefing("validate", "--data", str(root / "data"))
    assert done.returncode == 0 and "are valid" in done.stdout  # stdout flushed before the exit
    unknown = briefing("build", "--data", str(root / "data"), "--out", str(tmp_path / "out"), "no-such-sponsor")
    assert unknown.returncode == EXIT_USAGE and "unknown sponsor" in unknown.stderr
    assert briefing("--version").returncode == 0


def test_exit_handlers_run_but_not_the_teardown(tmp_path):
    """An atexit handler registered during the run (as logging and tempfile do) still runs; an
    object left for the interpreter's teardown is not collected (the teardown is skipped)."""
    handler, teardown = tmp_path / "handler-ran", tmp_path / "teardown-ran"
    code = ("import atexit, pathlib, sys\n"
            f"atexit.register(pathlib.Path({str(handler)!r}).write_text, 'yes')\n"
            "class Left:\n"
            f"    def __del__(self): pathlib.Path({str(teardown)!r}).write_text('yes')\n"
            "left = Left()\n"
            "from briefing.cli import main\nsys.argv = ['briefing', '--version']\nmain()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "version" in done.stdout
    assert handler.read_text() == "yes"
    assert not teardown.exists()


def test_called_from_python_main_returns_as_click_does():
    """With explicit arguments (CliRunner, other Python callers) the process is not ended."""
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "version" in result.output


def test_imports_run_without_collections_and_are_frozen_only_in_a_process(tmp_path):
    import gc

    from briefing.processes import uncollected

    assert gc.isenabled()
    with uncollected():
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0  # not asked to freeze: nothing frozen
    args = ["build", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "out")]  # no such data
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and gc.isenabled() and gc.get_freeze_count() == 0  # called from Python
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, gc.isenabled()))\n"
            f"sys.argv = ['briefing', *{args!r}]\n"
            "from briefing.cli import main\nmain()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout.strip() == "frozen True True"  # as a process
