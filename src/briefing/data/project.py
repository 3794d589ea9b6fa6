"""A project as every later step sees it: validated data and the folders files may be read from."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from briefing.data.levels import Levels
from briefing.data.model import Book, Distribution, Sponsor
from briefing.errors import Problem


@dataclass
class Project:
    """Everything a build reads: validated data plus the folders it may read files from."""

    root: Path  # holds templates/ and assets/
    data_dir: Path
    book: Book
    sponsors: dict[str, Sponsor]  # slug -> sponsor, in book order
    files: dict[str, Path]  # slug -> data file
    distribution: Distribution | None = None
    warnings: list[Problem] = field(default_factory=list)

    @cached_property
    def levels(self) -> Levels:
        """The book's audience levels, worked out once per project."""
        return Levels.of(self.book)

    def sponsor_path(self, slug: str) -> Path:
        return self.files[slug]

    def only(self, slug: str) -> Project:
        """The project as one sponsor's chapter reads it: that sponsor and its file alone (what
        the `build` command sends its held worker, pickled: 50 sponsors cost about 0.07 s)."""
        return replace(self, sponsors={slug: self.sponsors[slug]}, files={slug: self.files[slug]})
