"""Content hashes for cache and manifest keys: one way to hash, used everywhere."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.theme import FOLDERS, Theme


def digest(*parts: Any, length: int = 64) -> str:
    """A hash of plain data (anything JSON can write, else its ``str``)."""
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(payload).hexdigest()[:length]


def stream_sha256(path: Path) -> str:
    """The file's hash, read in pieces (a 50 MB attachment is never held whole); OSError if it
    cannot be read."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_sha256(path: Path) -> str | None:
    """The file's hash, or None when it cannot be read (then it never matches)."""
    try:
        return stream_sha256(path)
    except OSError:
        return None


def theme_fingerprint(root: Path, templates: Iterable[str] | None = None) -> str:
    """The theme as the project ``root`` prints with it (its own templates/ and assets/, then the
    package's: ``briefing.theme``) and the package's own code.

    ``templates``: only these templates count (names under templates/, those a document reaches),
    so that editing one template rebuilds the documents that print it and no others; None: all.
    A build asks for it more than once (loading the data, planning each level); the files (fonts,
    mostly) are read once per process for as long as their sizes and modification times stand
    (docs/performance.md, "Theme fingerprint")."""
    chosen = None if templates is None else {f"templates/{name}" for name in templates}
    files = [(f.rel, f.path) for f in Theme(root).files()
             if chosen is None or not f.rel.startswith("templates/") or f.rel in chosen]
    files += _code_files()
    return _hash_files(tuple((rel, path, (info := path.stat()).st_size, info.st_mtime_ns) for rel, path in files))


def _code_files() -> list[tuple[str, Path]]:
    """The package's own files but its theme (counted above, through the project's view)."""
    code = Path(__file__).parent
    found = []
    for current, dirs, names in os.walk(code):  # the theme's folders are links in a checkout: not followed
        dirs[:] = [d for d in dirs if d != "__pycache__" and os.path.join(current, d) not in _THEME_FOLDERS]
        rel = os.path.relpath(current, code).replace(os.sep, "/")
        found += [(name if rel == "." else f"{rel}/{name}", Path(current, name)) for name in names]
    return sorted(found)


_THEME_FOLDERS = {os.path.join(Path(__file__).parent, "theme", folder) for folder in FOLDERS}


def _hash_files(files: tuple[tuple[str, Path, int, int], ...]) -> str:
    hashed = hashlib.sha256()
    for rel, path, size, mtime in files:
        hashed.update(rel.encode())
        hashed.update(_file_digest(path, size, mtime))
    return hashed.hexdigest() + __version__


@lru_cache(maxsize=1024)
def _file_digest(path: Path, _size: int, _mtime: int) -> bytes:
    """One file's hash, read once per process and version of the file (a document's subset of the
    theme and the whole share their fonts); read in pieces, which is faster for the fonts than
    reading each whole (docs/performance.md, "Theme fingerprint")."""
    return bytes.fromhex(stream_sha256(path))
