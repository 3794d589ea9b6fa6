"""Content hashes for cache and manifest keys: one way to hash, used everywhere."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefing import __version__


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


def theme_fingerprint(root: Path) -> str:
    """Templates, assets (CSS, fonts, logos), chart style and the package's own code.

    A build asks for it more than once (loading the data, planning each level); the files (fonts,
    mostly) are read once per process for as long as their sizes and modification times stand
    (docs/performance.md, "Theme fingerprint")."""
    folders = (root / "templates", root / "assets", Path(__file__).parent)  # the package's own code
    files = [path for folder in folders
             for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)]
    return _hash_files(tuple((path, (info := path.stat()).st_size, info.st_mtime_ns) for path in files))


@lru_cache(maxsize=8)
def _hash_files(files: tuple[tuple[Path, int, int], ...]) -> str:
    hashed = hashlib.sha256()
    for path, _, _ in files:
        hashed.update(path.name.encode())
        hashed.update(path.read_bytes())
    return hashed.hexdigest() + __version__
