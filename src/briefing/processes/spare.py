"""A spare interpreter, started early and used later, for work that needs a lot of memory.

Merging a 50-sponsor book holds every page's objects in qpdf (about 130 MB). Done in the
build's own process, that comes on top of the project, WeasyPrint and the fonts (about 95 MB),
and a forked worker would inherit all of those: measured 264 MB. A fresh interpreter holds
only what the merge imports. It is started before the chapters are printed, so on a refresh
(one chapter printing on one core) its start-up runs on the idle core and costs no wall time.

It is a plain ``python -m briefing.processes.spare`` reading pickled calls on stdin, not a
``multiprocessing`` spawn: spawn re-imports the caller's ``__main__``, which runs a build
script without an ``if __name__ == "__main__"`` guard a second time.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, TypeVar

from briefing.errors import BriefingError, RenderError

T = TypeVar("T")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # so the child imports this very copy


class SpareProcess:
    """One fresh process that imports ``warm`` as soon as it starts and then runs calls."""

    def __init__(self, warm: str) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_PACKAGE_ROOT,
                                                                        os.environ.get("PYTHONPATH")])))
        self._process = subprocess.Popen([sys.executable, "-m", "briefing.processes.spare", warm], env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._unread = 0  # answers to ``send`` not read yet

    def send(self, func: Callable[..., Any], *args: Any) -> None:
        """Start ``func(*args)`` there and go on: for work that only prepares a later ``call``
        (its result, or its failure, is not reported)."""
        assert self._process.stdin is not None
        try:
            pickle.dump((func, args), self._process.stdin)
            self._process.stdin.flush()
        except BrokenPipeError:
            return  # the next call says the process died
        self._unread += 1

    def call(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` in the spare process; any failure there is a RenderError here."""
        assert self._process.stdin is not None and self._process.stdout is not None
        name = getattr(func, "__name__", "work")
        try:
            pickle.dump((func, args), self._process.stdin)
            self._process.stdin.flush()
            for _ in range(self._unread):  # what was sent before, answered first
                pickle.load(self._process.stdout)
            self._unread = 0
            ok, value = pickle.load(self._process.stdout)
        except (BrokenPipeError, EOFError, pickle.UnpicklingError):
            raise RenderError(f"{name}: its process died (out of memory, or killed)") from None
        if not ok:
            raise RenderError(value)
        return value

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()

    def __enter__(self) -> SpareProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def _serve(calls: BinaryIO, answers: BinaryIO) -> None:
    while True:
        try:
            func, args = pickle.load(calls)
        except EOFError:  # the build closed the pipe: done
            return
        try:
            answer: tuple[bool, Any] = (True, func(*args))
        except BriefingError as err:  # its message already says what to fix
            answer = (False, str(err))
        except Exception as err:  # noqa: BLE001 - every failure goes back to the build
            answer = (False, f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=5)}")
        pickle.dump(answer, answers)
        answers.flush()


if __name__ == "__main__":
    importlib.import_module(sys.argv[1])
    # the protocol owns stdout; anything printed by the work goes to stderr instead
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _serve(sys.stdin.buffer, answers)
