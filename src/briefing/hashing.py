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
