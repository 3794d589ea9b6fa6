"""One run at a time per output folder (cron ticks overlap when a build runs long).

filelock's UnixFileLock is flock(2): the kernel releases it when the process dies, so a
killed run never leaves a stale lock behind.

While a run holds the lock, the lock file holds the run's token and ``RUN_LOCK_ENV`` names
both; every atomic write into the folder checks the token before its final rename
(``files.write_atomic``). The token is cleared before the lock is released, so a process left
over from this run (or one that outlived it) can no longer write into the folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from briefing.errors import Locked, OutputError
from briefing.files import RUN_LOCK_ENV

LOCK_NAME = ".briefing.lock"


@contextmanager
def run_lock(out: Path, *, wait: bool = False) -> Iterator[None]:
    lock_file = out / LOCK_NAME
    lock = FileLock(str(lock_file), timeout=-1 if wait else 0)
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise Locked(f"another briefing run is using {out} (lock file {lock_file}); "
                     "it will finish on its own, or run again with --wait") from None
    except OSError as err:  # (Timeout is an OSError too, hence second) read-only, not ours: name the folder
        raise OutputError(lock_file, "lock", err) from None
    token = f"{os.getpid()}-{secrets.token_hex(8)}"
    before = os.environ.get(RUN_LOCK_ENV)
    try:
        try:
            lock_file.write_text(token, encoding="utf-8")
        except OSError as err:
            raise OutputError(lock_file, "lock", err) from None
        os.environ[RUN_LOCK_ENV] = json.dumps([str(lock_file.absolute()), token])
        yield
    finally:
        with contextlib.suppress(OSError):
            lock_file.write_text("", encoding="utf-8")  # this run's writes end here
        if before is None:
            os.environ.pop(RUN_LOCK_ENV, None)
        else:
            os.environ[RUN_LOCK_ENV] = before
        lock.release()
