"""What changed between editions (filled in by the regeneration work)."""

from __future__ import annotations

from pathlib import Path


def changes_since(data_dir: Path, out_dir: Path, since: str | None) -> list[str]:
    return []
