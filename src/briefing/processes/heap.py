"""The garbage collector around imports, for processes that import much and end with ``os._exit``."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def uncollected(*, freeze: bool = False) -> Iterator[None]:
    """Run the block (imports) with the garbage collector off: imports make next to no garbage,
    yet their allocations set off collections that walk the whole, growing heap.

    With ``freeze``, everything that exists afterwards is moved out of the collector's sight:
    later collections skip it. Frozen objects are never freed, so only a process that ends
    with ``os._exit`` soon after (the CLI run as a process) asks for it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()
