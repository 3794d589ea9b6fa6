"""Atomic writes: a reader never sees a half-written PDF or manifest.

A failed write names the output path and the stage that wrote it, with the reason in an
operator's words (disk full, read-only, permission): never the data file being printed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterable
from pathlib import Path

from briefing.errors import OutputError


def write_atomic(path: Path, data: bytes | Iterable[bytes], *, stage: str = "write") -> None:
    """Write ``data`` (bytes, or pieces of it) to a temporary file beside ``path``, fsync it, then
    rename over ``path``."""
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
        os.replace(tmp, path)
    except OSError as err:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise OutputError(path, stage, err) from None
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_new(path: Path, data: bytes, *, stage: str = "write") -> None:
    """Like ``write_atomic``, but never replaces a file: if ``path`` exists (even if it appeared a
    moment ago), OutputError says so and nothing is written."""
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.link(tmp, path)  # fails if the name is taken: a rename would silently replace the file
    except FileExistsError:
        raise OutputError(path, stage, "the file already exists; nothing was replaced") from None
    except OSError as err:
        raise OutputError(path, stage, err) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
