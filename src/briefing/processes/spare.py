"""A spare interpreter, started early and used later, for work that needs a lot of memory.

Merging a book holds every page's objects in qpdf. Done in the build's own process, that comes
on top of the project, WeasyPrint and the fonts, and a forked worker would inherit all of
those; a fresh interpreter holds only what the merge imports (docs/performance.md, "Binding
process"). It is started before the chapters are printed, so on a refresh (one chapter printing
on one core) its start-up runs on the idle core and costs no wall time.

The process hosts one object, made there as it starts (``Spare(Binder)`` makes a ``Binder()``);
each call runs one of its methods (``spare.call(Binder.bind, job)``). What the object keeps
between calls (a binder's merges started ahead) is its own state, living in that process.

It is a plain ``python -m briefing.processes`` reading pickled calls on stdin, not a
``multiprocessing`` spawn: spawn re-imports the caller's ``__main__``, which runs a build
script without an ``if __name__ == "__main__"`` guard a second time.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Generic, TypeVar

from briefing.errors import BriefingError, RenderError
from briefing.processes.lifetime import die_with_parent

H = TypeVar("H")  # the hosted object's class
T = TypeVar("T")
_PARENT_ENV = "BRIEFING_SPARE_PARENT"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # so the child imports this very copy


class Spare(Generic[H]):
    """One fresh process hosting an object of class ``host`` (made there at start, with no
    arguments); ``send`` and ``call`` run its methods there."""

    def __init__(self, host: type[H]) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_PACKAGE_ROOT,
                                                                        os.environ.get("PYTHONPATH")])))
        env[_PARENT_ENV] = str(os.getpid())  # it ends when this process does (lifetime.die_with_parent)
        self._process = subprocess.Popen([sys.executable, "-m", "briefing.processes", host.__module__,
                                          host.__qualname__], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._unread = 0  # answers to ``send`` not read yet

    def send(self, method: Callable[..., Any], *args: Any) -> None:
        """Start ``method(hosted, *args)`` there and go on: for work that only prepares a later
        ``call`` (its result, or its failure, is not reported)."""
        assert self._process.stdin is not None
        try:
            pickle.dump((method, args), self._process.stdin)
            self._process.stdin.flush()
        except BrokenPipeError:
            return  # the next call says the process died
        self._unread += 1

    def call(self, method: Callable[..., T], *args: Any) -> T:
        """``method(hosted, *args)`` in the spare process; any failure there is a RenderError here."""
        assert self._process.stdin is not None and self._process.stdout is not None
        name = getattr(method, "__name__", "work")
        try:
            pickle.dump((method, args), self._process.stdin)
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

    def __enter__(self) -> Spare[H]:
        return self

    def kill(self) -> None:
        """End it now, whatever it is doing (the run is being stopped)."""
        self._process.kill()
        self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe:
                with contextlib.suppress(OSError):
                    pipe.close()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if error is None:
            self.close()
        else:  # stopped (SIGTERM, Ctrl-C) or failed: what it was writing is no longer wanted
            self.kill()


def _serve(hosted: object, calls: BinaryIO, answers: BinaryIO) -> None:
    while True:
        try:
            method, args = pickle.load(calls)
        except EOFError:  # the build closed the pipe: done
            return
        try:
            answer: tuple[bool, Any] = (True, method(hosted, *args))
        except BriefingError as err:  # its message already says what to fix
            answer = (False, str(err))
        except Exception as err:  # noqa: BLE001 - every failure goes back to the build
            answer = (False, f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=-8)}")
        pickle.dump(answer, answers)
        answers.flush()


def host_main(module: str, qualname: str) -> None:
    """The spare process itself (``python -m briefing.processes MODULE CLASS``)."""
    if os.environ.get(_PARENT_ENV, "").isdigit():
        die_with_parent(int(os.environ[_PARENT_ENV]))
    host = functools.reduce(getattr, qualname.split("."), importlib.import_module(module))
    hosted = host()
    # the protocol owns stdout; anything printed by the work goes to stderr instead
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _serve(hosted, sys.stdin.buffer, answers)
