"""`briefing new DIR`: a project to start from, copied from the package's ``scaffold/`` folder."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

from briefing.errors import UsageError
from briefing.files import write_atomic

TODAY = "{today}"  # in the scaffold's YAML: today's date, so a new project is neither stale nor dated ahead
NEXT = ("briefing validate", "briefing build", "briefing build --for all")


def scaffold_root() -> Path:
    return Path(str(files("briefing") / "scaffold"))


def new_project(folder: Path, today: dt.date | None = None) -> list[Path]:
    """Write the scaffold into ``folder`` (made if missing; refused unless empty); return the files made."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; name a new or empty folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageError(f"{folder} is not empty; name a new or empty folder (nothing was written)")
    source = scaffold_root()
    date = (today or dt.date.today()).isoformat()
    made = []
    for path in sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        target = folder / path.relative_to(source)
        content = path.read_bytes()
        if path.suffix == ".yaml":
            content = content.replace(TODAY.encode(), date.encode())
        write_atomic(target, content)
        made.append(target)
    (folder / "output").mkdir(exist_ok=True)
    return made


