"""spare: the book's merge runs in a fresh (spawned) process, not in a fork of the build."""

from __future__ import annotations

import os

import pytest

from briefing import spare
from briefing.errors import RenderError
from briefing.spare import SpareProcess

MARK = "set in the parent only"


def where() -> tuple[int, str | None]:
    return os.getpid(), getattr(spare, "_test_mark", None)


def fail(message: str) -> None:
    raise RenderError(message)


def die() -> None:
    os._exit(3)


def test_runs_in_a_fresh_process_and_raises_its_errors_here(monkeypatch):
    monkeypatch.setattr(spare, "_test_mark", MARK, raising=False)
    with SpareProcess("briefing.structmerge") as process:
        pid, mark = process.call(where)
        assert pid != os.getpid()
        assert mark is None, "the process was forked: it inherited the parent's state (and memory)"
        with pytest.raises(RenderError, match="bad part"):
            process.call(fail, "bad part")
        assert process.call(where)[0] == pid  # one process, reused


def test_a_process_that_dies_is_a_render_error():
    with SpareProcess("briefing.structmerge") as process, pytest.raises(RenderError, match="process died"):
        process.call(die)
