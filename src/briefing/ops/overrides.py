"""`briefing theme list` and `briefing theme copy`: which theme files a project overrides, and a
default file copied into the project to edit."""

from __future__ import annotations

from pathlib import Path

from briefing.errors import UsageError
from briefing.files import write_atomic
from briefing.theme import FOLDERS, Theme, ThemeFile


def theme_files(root: Path) -> list[ThemeFile]:
    return Theme(root).files()


def copy_default(root: Path, rel: str, *, force: bool = False) -> Path:
    """Copy the package's ``rel`` (e.g. templates/partials/book_cover.html) into the project."""
    rel = Path(rel).as_posix().lstrip("./")
    theme = Theme(root)
    source = theme.default / rel
    if rel.split("/")[0] not in FOLDERS or ".." in rel.split("/") or not source.is_file():
        raise UsageError(f"{rel} is not a file of the default theme; `briefing theme list` names them "
                         "(e.g. templates/partials/book_cover.html)")
    target = root / rel
    if target.exists() and not force:
        if target.resolve() == source.resolve():
            raise UsageError(f"{target} is the default theme's own file (this checkout); edit it there")
        raise UsageError(f"{target} exists already; edit it, or add --force to start again from the default")
    write_atomic(target, source.read_bytes())
    return target
