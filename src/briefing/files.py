"""Atomic writes: a reader never sees a half-written PDF or manifest.

A failed write names the output path and the stage that wrote it, with the reason in an
operator's words (disk full, read-only, permission): never the data file being printed.

A write into a folder whose run lock this process (or the run that started it) holds renames
its file into place only while that run still holds the lock (``ops/lock.run_lock`` records
the run in ``RUN_LOCK_ENV``, which workers and the binding process inherit): a worker left over
from a stopped run never writes over the next run's output.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from briefing.errors import OutputError

RUN_LOCK_ENV = "BRIEFING_RUN_LOCK"  # JSON [lock file, the run's token], set while a run holds it


def _still_held(path: Path) -> bool:
    """False when ``path`` lies in a folder locked by this run and the run no longer holds the lock."""
    held = os.environ.get(RUN_LOCK_ENV)
    if not held:
        return True
    try:
        lock_file, token = json.loads(held)
    except (ValueError, TypeError):
        return True
    lock = Path(lock_file)
    if not path.absolute().is_relative_to(lock.parent.absolute()):
        return True
    try:
        return lock.read_text(encoding="utf-8") == token
    except (OSError, UnicodeDecodeError):
        return False


def write_atomic(path: Path, data: bytes | Iterable[bytes], *, stage: str = "write") -> None:
    """Write ``data`` (bytes, or pieces of it) to a temporary file beside ``path``, fsync it, then
    rename over ``path``."""
    _write_via_temporary(path, data, stage, os.replace)
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_new(path: Path, data: bytes, *, stage: str = "write") -> None:
    """Like ``write_atomic``, but never replaces a file: if ``path`` exists (even if it appeared a
    moment ago), OutputError says so and nothing is written."""

    def link(tmp: str, target: Path) -> None:
        os.link(tmp, target)  # fails if the name is taken: a rename would silently replace the file
        with contextlib.suppress(OSError):
            os.unlink(tmp)

    try:
        _write_via_temporary(path, data, stage, link)
    except FileExistsError:
        raise OutputError(path, stage, "the file already exists; nothing was replaced") from None


def _write_via_temporary(path: Path, data: bytes | Iterable[bytes], stage: str,
                         place: Callable[[str, Path], None]) -> None:
    """A temporary file beside ``path`` holding ``data``, fsynced, then ``place``d at ``path`` if
    this run still holds the output folder's lock; no temporary file is left on any way out."""
    # without this, going over RLIMIT_FSIZE kills the process (SIGXFSZ) instead of raising EFBIG
    with contextlib.suppress(ValueError, OSError):  # ValueError: not the main thread
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            for piece in [data] if isinstance(data, bytes) else data:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are for others to read
        if not _still_held(path):
            raise OutputError(path, stage, "the run that was writing it was stopped (it no longer holds the "
                                           "output folder's lock); nothing was changed")
        place(tmp, path)
    except BaseException as err:  # an interrupted write leaves no temporary file either
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(err, OSError) and not isinstance(err, FileExistsError):
            raise OutputError(path, stage, err) from None
        raise
