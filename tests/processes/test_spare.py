"""Spare: the book's binding runs in a fresh process hosting one object, not in a fork of the build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.errors import RenderError
from briefing.processes import Spare, spare

MARK = "set in the parent only"


class Probe:
    """What the tests host in the spare process."""

    def __init__(self) -> None:
        self.calls = 0

    def where(self) -> tuple[int, str | None]:
        return os.getpid(), getattr(spare, "_test_mark", None)

    def count(self) -> int:
        self.calls += 1
        return self.calls

    def fail(self, message: str) -> None:
        raise RenderError(message)

    def divide(self, a: int, b: int) -> float:
        return a / b

    def die(self) -> None:
        os._exit(3)


@pytest.fixture(autouse=True)
def importable_here(monkeypatch):
    """The spare process imports the class it hosts: this module too."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))


def test_runs_in_a_fresh_process_and_raises_its_errors_here(monkeypatch):
    monkeypatch.setattr(spare, "_test_mark", MARK, raising=False)
    with Spare(Probe) as process:
        pid, mark = process.call(Probe.where)
        assert pid != os.getpid()
        assert mark is None, "the process was forked: it inherited the parent's state (and memory)"
        with pytest.raises(RenderError, match="bad part"):
            process.call(Probe.fail, "bad part")
        with pytest.raises(RenderError, match="ZeroDivisionError"):
            process.call(Probe.divide, 1, 0)
        assert process.call(Probe.where)[0] == pid  # one process, reused


def test_the_hosted_object_keeps_its_state_between_calls():
    with Spare(Probe) as first, Spare(Probe) as second:
        first.send(Probe.count)
        assert first.call(Probe.count) == 2  # what was sent ran first, on the same object
        assert second.call(Probe.count) == 1  # each process hosts its own


def test_a_process_that_dies_is_a_render_error():
    with Spare(Probe) as process, pytest.raises(RenderError, match="die: its process died"):
        process.call(Probe.die)


def test_a_calling_script_without_a_main_guard_runs_once(tmp_path):
    # multiprocessing's spawn would import this script again in the child and run it twice
    script = tmp_path / "cron_job.py"
    script.write_text("import os\nfrom briefing.processes import Spare\nfrom test_spare import Probe\n"
                      "print('script ran', flush=True)\n"
                      "with Spare(Probe) as p:\n"
                      "    assert p.call(Probe.where)[0] != os.getpid()\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("script ran") == 1
