"""Input hashes: what each output was built from, so a run rebuilds only what changed.

A chapter's key covers everything its pages depend on; an output's key covers its chapters'
keys plus whatever the output adds (recipient, attachments). Keys and file hashes are kept
in ``OUT/.manifest.json``; an unreadable manifest only costs a full rebuild.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__
from .files import write_atomic
from .hashing import digest, file_sha256

__all__ = ["MANIFEST", "Manifest", "digest", "file_sha256", "theme_fingerprint"]

MANIFEST = ".manifest.json"


def theme_fingerprint(root: Path) -> str:
    """Templates, assets (CSS, fonts, logos), chart style and the package's own code.

    A build asks for it more than once (loading the data, planning each level); the ~15 MB of
    files are read once per process for as long as their sizes and modification times stand."""
    folders = (root / "templates", root / "assets", Path(__file__).parent)
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


@dataclass
class Manifest:
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # output name -> key, sha256, pages…

    @classmethod
    def load(cls, out: Path) -> Manifest:
        try:
            return cls(json.loads((out / MANIFEST).read_text()).get("outputs", {}))
        except (OSError, ValueError, AttributeError):
            return cls()  # missing or unreadable: everything is rebuilt, nothing is lost

    def fresh(self, out: Path, name: str, key: str) -> bool:
        """True when ``name`` was built from ``key`` and the file on disk is the one built."""
        entry = self.outputs.get(name)
        return bool(entry) and entry.get("key") == key and entry.get("sha256") == file_sha256(out / name)

    def record(self, out: Path, name: str, key: str, *, slugs: list[str], pages: int) -> None:
        self.outputs[name] = {"key": key, "sha256": file_sha256(out / name), "sponsors": slugs, "pages": pages}

    def pages(self, name: str) -> int:
        return self.outputs.get(name, {}).get("pages", 0)

    def save(self, out: Path, edition: str) -> None:
        data = {"version": __version__, "edition": edition, "outputs": self.outputs}
        write_atomic(out / MANIFEST, json.dumps(data, indent=1, sort_keys=True).encode())
