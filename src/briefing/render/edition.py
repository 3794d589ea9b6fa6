"""What one build makes, decided once and carried whole through every step.

``Edition`` is the frozen result of combining a caller's ``build.options.Options`` with
``book.yaml`` and the previous edition; ``Paths`` says where the build may read and write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from briefing.data.model import Book
from briefing.errors import UsageError
from briefing.pdf.variants import PDF_UA, PDF_VARIANTS
from briefing.render.palette import Palette, palette
from briefing.render.variants import DocumentVariant
from briefing.theme import Theme


@dataclass(frozen=True)
class Paths:
    """Where a build may read from and write to."""

    root: Path  # the project: its own templates/ and assets/ override the package's theme file by file
    data_dir: Path
    out: Path

    @property
    def build(self) -> Path:
        return self.out / ".build"

    @property
    def cache(self) -> Path:
        return self.out / ".cache"

    @property
    def chart_cache(self) -> Path:
        return self.cache / "charts"

    @property
    def template_cache(self) -> Path:
        return self.cache / "templates"

    @property
    def template_references(self) -> Path:
        return self.cache / "template-references"

    @property
    def theme(self) -> Theme:
        return Theme(self.root)

    @property
    def templates(self) -> list[Path]:
        """Where templates are looked up: the project's templates/, then the package's."""
        return self.theme.template_dirs

    @property
    def fonts(self) -> tuple[Path, ...]:
        return tuple(self.theme.font_files())

    @property
    def readable(self) -> list[Path]:
        """The only folders WeasyPrint may read from: the theme's (the project's, then the package's,
        read only), the data folder and the build folder."""
        return [*self.theme.roots, self.data_dir, self.build]

    @property
    def overlays(self) -> list[tuple[Path, Path]]:
        return self.theme.overlays


@dataclass(frozen=True)
class Edition:
    """The settings every step of one build shares: immutable once planned."""

    book: Book
    paths: Paths
    page_size: str
    document: DocumentVariant  # the full briefing or the one-pager
    pdf_variant: str = PDF_UA  # what WeasyPrint prints and the merge claims: part of every cache key
    since: str | None = None  # "4 March 2026": the previous edition, when there is one
    changes: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    audience: str = ""  # the level every page of this edition is printed for
    audience_label: str = ""  # "Partner edition" on cover and footer; empty when the project has no levels

    def __post_init__(self) -> None:
        if self.pdf_variant not in PDF_VARIANTS:  # Options come from library callers too
            raise UsageError(f"unknown PDF variant {self.pdf_variant!r}: choose {' or '.join(PDF_VARIANTS)}")

    def __reduce__(self) -> tuple[Any, ...]:
        # sent to the `build` command's held worker (processes.Held); a mapping proxy does not pickle
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return _edition, (values | {"changes": dict(self.changes)},)

    @property
    def palette(self) -> Palette:
        """The project's design tokens with book.yaml's brand colours in place."""
        brand = self.book.brand
        return palette(self.paths.root, brand.primary if brand else None, brand.accent if brand else None)

    def changes_for(self, slug: str) -> list[str]:
        """Change lines printed in a chapter (the one-pager has no room for them)."""
        return list(self.changes.get(slug, ())) if self.document.change_lines else []


def _edition(values: dict[str, Any]) -> Edition:
    return Edition(**values | {"changes": MappingProxyType(values["changes"])})
