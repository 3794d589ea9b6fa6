"""Content hashes for cache and manifest keys: one way to hash, used everywhere."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def digest(*parts: Any, length: int = 64) -> str:
    """A hash of plain data (anything JSON can write, else its ``str``)."""
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(payload).hexdigest()[:length]


def file_sha256(path: Path) -> str | None:
    """The file's hash, or None when it cannot be read (then it never matches)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


# --- file hashes remembered by size, times and inode --------------------------------------
# The theme key and the glyph coverage hash the same ~15 MB of fonts on every run (~0.035 s
# of a build, most of a no-op one). A file whose size, modification and change times and
# inode are those recorded keeps its recorded hash; the change time cannot be set back by
# `touch`, so an edited file is always hashed again.
MEMO_ENTRIES = 1000  # newest kept (~9 projects of ~110 files): a test run copies many projects
_memo: dict[str, list[Any]] | None = None
_memo_dirty = False


def _memo_file() -> Path | None:
    from .glyphs import cache_dir

    folder = cache_dir()
    return folder / "file-hashes.json" if folder else None


def _load_memo() -> dict[str, list[Any]]:
    global _memo
    if _memo is None:
        path = _memo_file()
        try:
            loaded = json.loads(path.read_text()) if path else {}
        except (OSError, ValueError):
            loaded = {}
        _memo = loaded if isinstance(loaded, dict) else {}
    return _memo


def file_digest(path: Path) -> bytes:
    """SHA-256 of the file's bytes (raises OSError as reading would)."""
    global _memo_dirty
    info = path.stat()
    stamp = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    memo = _load_memo()
    key = str(path.resolve())
    entry = memo.get(key)
    if isinstance(entry, list) and len(entry) == 2 and entry[0] == stamp and isinstance(entry[1], str):
        try:
            return bytes.fromhex(entry[1])
        except ValueError:
            pass  # a damaged entry: hashed again
    found = hashlib.sha256(path.read_bytes()).digest()
    memo.pop(key, None)  # re-inserted last: the newest entries are the ones kept
    memo[key] = [stamp, found.hex()]
    _memo_dirty = True
    return found


def save_file_digests() -> None:
    """Write the hashes worked out in this process; an unwritable cache only costs the hashing."""
    global _memo_dirty
    path = _memo_file()
    if not _memo_dirty or _memo is None or path is None:
        return
    from .errors import BriefingError
    from .files import write_atomic

    kept = dict(list(_memo.items())[-MEMO_ENTRIES:])
    try:
        write_atomic(path, json.dumps(kept).encode())
    except (OSError, BriefingError):
        return
    _memo_dirty = False
