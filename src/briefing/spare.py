"""A spare interpreter, started early and used later, for work that needs a lot of memory.

Merging a 50-sponsor book holds every page's objects in qpdf (about 130 MB). Done in the
build's own process, that comes on top of the project, WeasyPrint and the fonts (about 95 MB),
and a forked worker would inherit all of those: measured 264 MB. A spawned process holds only
what the merge imports. It is started before the chapters are printed, so on a refresh (one
chapter printing on one core) its start-up runs on the idle core and costs no wall time.
"""

from __future__ import annotations

import importlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any, TypeVar

from .errors import RenderError

T = TypeVar("T")


def _import(name: str) -> None:
    importlib.import_module(name)  # the module itself cannot travel back: it is not picklable


class SpareProcess:
    """One fresh (spawned, not forked) process that imports ``warm`` as soon as it starts."""

    def __init__(self, warm: str) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        self._warming: Future[None] = self._pool.submit(_import, warm)

    def call(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` in the spare process; its exceptions are raised here."""
        try:
            return self._pool.submit(func, *args).result()
        except BrokenProcessPool:
            raise RenderError(f"{getattr(func, '__name__', 'work')}: its process died "
                              "(out of memory, or killed)") from None

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> SpareProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
