"""One run at a time per output folder (cron ticks overlap when a build runs long).

filelock's UnixFileLock is flock(2): the kernel releases it when the process dies, so a
killed run never leaves a stale lock behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from briefing.errors import Locked, OutputError

LOCK_NAME = ".briefing.lock"


@contextmanager
def run_lock(out: Path, *, wait: bool = False) -> Iterator[None]:
    lock = FileLock(str(out / LOCK_NAME), timeout=-1 if wait else 0)
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise Locked(f"another briefing run is using {out} (lock file {out / LOCK_NAME}); "
                     "it will finish on its own, or run again with --wait") from None
    except OSError as err:  # (Timeout is an OSError too, hence second) read-only, not ours: name the folder
        raise OutputError(out / LOCK_NAME, "lock", err) from None
    try:
        yield
    finally:
        lock.release()
