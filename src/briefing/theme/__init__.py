"""The default theme that ships inside the package, and a project's file-by-file overrides of it.

The theme is two folders, ``templates/`` and ``assets/`` (CSS, fonts with their licence, logos).
Their source is the repository's top-level folders; the wheel carries them here, in
``briefing/theme/`` (pyproject.toml maps them in), and in a checkout this folder holds two
symbolic links to them, so an editable install and a wheel find the theme the same way: through
``importlib.resources``. A project's own ``templates/`` and ``assets/`` come first, file by file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from importlib.resources import files
from pathlib import Path

from briefing.errors import EXIT_SYSTEM, BriefingError

FOLDERS = ("templates", "assets")
FONT_SUFFIXES = (".ttf", ".otf")
# what a build cannot print without: checked by `briefing doctor`, named when missing
ENTRY_TEMPLATES = ("sponsor.html", "onepager.html", "book.html", "overlay.html")
TOKENS = "assets/css/print/_tokens.css"


class ThemeMissing(BriefingError):
    """The installed package lacks its default theme (a wheel built without it): a broken install."""

    exit_code = EXIT_SYSTEM


def default_root() -> Path:
    """The package's own theme folder (read only)."""
    root = Path(str(files("briefing.theme")))
    missing = [name for name in FOLDERS if not (root / name).is_dir()]
    if missing:
        raise ThemeMissing(f"the installed briefing package has no default theme: {root} lacks "
                           f"{' and '.join(f'{m}/' for m in missing)}; reinstall briefing from a complete "
                           "wheel (pip install --force-reinstall briefing)")
    return root


@dataclass(frozen=True)
class ThemeFile:
    rel: str  # "templates/partials/cover.html"
    path: Path  # the file a build reads
    overridden: bool  # the project's own file, not the package's
    added: bool = False  # the project's only: no default file of that name (a logo, a font of its own)


@dataclass(frozen=True)
class Theme:
    """A project's view of the theme: its own files first, then the package's."""

    project: Path

    @cached_property
    def default(self) -> Path:
        return default_root()

    def layers(self, folder: str) -> list[Path]:
        """``folder`` (templates or assets) of the project, then of the package; once if they are one."""
        own, shipped = self.project / folder, self.default / folder
        return [shipped] if own.resolve() == shipped.resolve() else [own, shipped]

    @property
    def template_dirs(self) -> list[Path]:
        return self.layers("templates")

    @property
    def font_dirs(self) -> list[Path]:
        return [layer / "fonts" for layer in self.layers("assets")]

    @property
    def roots(self) -> list[Path]:
        """Folders WeasyPrint may read theme files from."""
        return self.template_dirs + self.layers("assets")

    @property
    def overlays(self) -> list[tuple[Path, Path]]:
        """(project folder, package folder): a file missing from the first is read from the second."""
        return [(self.project / f, self.default / f) for f in FOLDERS
                if (self.project / f).resolve() != (self.default / f).resolve()]

    def find(self, rel: str) -> Path:
        """The file ``rel`` (e.g. "assets/css/overlay.css") is read from: the project's, else the package's."""
        own = self.project / rel
        if own.is_file() and not self._shipped(own):
            return own
        return self.default / rel

    def _shipped(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.default.resolve())

    def font_files(self) -> list[Path]:
        """Every font, the project's first: a project font replaces the package's of the same name."""
        chosen: dict[str, Path] = {}
        for folder in self.font_dirs:
            if folder.is_dir():
                for path in sorted(folder.iterdir()):
                    if path.suffix.lower() in FONT_SUFFIXES:
                        chosen.setdefault(path.name, path)
        return [chosen[name] for name in sorted(chosen)]

    def files(self) -> list[ThemeFile]:
        """Every file of the default theme, and whether the project overrides it; then the project's
        own additions (a logo, a font of its own)."""
        own_folders = [f for f in FOLDERS if (self.project / f).is_dir()
                       and not (self.project / f).samefile(self.default / f)]  # this checkout: one folder
        found: dict[str, ThemeFile] = {}
        for rel, path in _walk(self.default, FOLDERS):
            own = self.project / rel
            overridden = rel.split("/", 1)[0] in own_folders and own.is_file()
            found[rel] = ThemeFile(rel, own if overridden else path, overridden)
        for rel, path in _walk(self.project, own_folders):
            if rel not in found:
                found[rel] = ThemeFile(rel, path, True, added=True)
        return [found[rel] for rel in sorted(found)]


def _walk(root: Path, folders: Iterable[str]) -> Iterator[tuple[str, Path]]:
    """Every file under ``root``'s ``folders`` (symlinked folders followed, as the theme's are in a
    checkout), as (relative name, path), sorted; with os.walk, as a build walks the theme several
    times and pathlib's rglob made most of a warm no-op build's fingerprinting."""
    found = []
    for folder in folders:
        for current, dirs, names in os.walk(root / folder, followlinks=True):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            rel = os.path.relpath(current, root).replace(os.sep, "/")
            found += [(f"{rel}/{name}", os.path.join(current, name)) for name in names
                      if os.path.isfile(os.path.join(current, name))]
    for rel, path in sorted(found):
        yield rel, Path(path)
