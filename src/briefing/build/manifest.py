"""Input hashes: what each output was built from, so a run rebuilds only what changed.

A chapter's key covers everything its pages depend on; an output's key covers its chapters'
keys plus whatever the output adds (recipient, attachments). Keys and file hashes are kept
in ``OUT/.manifest.json``; an unreadable manifest only costs a full rebuild.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.files import write_atomic
from briefing.hashing import digest, file_sha256

__all__ = ["MANIFEST", "Manifest", "digest", "file_sha256"]

MANIFEST = ".manifest.json"


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
