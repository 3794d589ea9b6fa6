"""What the book needs to know about a printed chapter, without laying it out again.

Written as JSON beside each chapter's PDF by the worker that printed it, read back by the
book and by the sponsor PDF. Pages are 0-based indexes into the chapter.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from briefing.render.anchors import ChapterAnchors
from briefing.render.variants import DocumentVariant


@dataclass(frozen=True)
class SectionEntry:
    """A numbered (sub)section and the page it starts on."""

    number: str
    title: str
    anchor: str
    page: int
    subsections: tuple[SectionEntry, ...] = ()


@dataclass(frozen=True)
class WatchEntry:
    """A critical or high callout, for the book's watch list: its one-line summary and where the
    full text is (the text itself is printed once, in its section)."""

    title: str  # the callout's `summary`, else its title
    severity: str
    anchor: str  # the callout itself
    section: str  # "2.2": the (sub)section holding the full text
    page: int


@dataclass(frozen=True)
class ChapterMeta:
    slug: str
    name: str
    variant: str
    pages: int
    size: tuple[float, float]
    anchors: dict[str, int]  # anchor id -> page
    key: str = ""  # the chapter's input hash: a chapter on disk with another key is stale
    sections: tuple[SectionEntry, ...] = ()
    watch: tuple[WatchEntry, ...] = ()
    charts_drawn: int = 0
    findings: tuple[str, ...] = ()  # preflight: FILE:LINE: sponsor › section: problem
    # exhibit -> the rows its long table was printed in parts at (``chapter.table_breaks``): the
    # next print of this chapter starts from them
    table_breaks: dict[int, list[int]] = field(default_factory=dict)

    @property
    def ids(self) -> ChapterAnchors:
        return ChapterAnchors(self.slug)

    def page_of(self, anchor: str) -> int | None:
        return self.anchors.get(anchor)

    def contents_pages(self) -> set[int]:
        """Pages holding the chapter's own contents (a book drops them: it has its own)."""
        first = self.page_of(self.ids.contents)
        if first is None:
            return set()
        later = [p for name, p in self.anchors.items() if p > first and name != self.ids.contents]
        return set(range(first, min(later) if later else first + 1))

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=1).encode()

    @classmethod
    def load(cls, path: Path) -> ChapterMeta:
        data = json.loads(path.read_text())
        data["size"] = tuple(data["size"])
        data["sections"] = tuple(_section(s) for s in data["sections"])
        data["watch"] = tuple(WatchEntry(**w) for w in data["watch"])
        data["findings"] = tuple(data.get("findings", ()))
        data["table_breaks"] = {int(k): [int(r) for r in v] for k, v in data.get("table_breaks", {}).items()}
        return cls(**data)


def book_pages(meta: ChapterMeta, document: DocumentVariant) -> list[int]:
    """The chapter's pages a book keeps: all but its own contents (a one-pager keeps its page)."""
    dropped = meta.contents_pages() if document.has_contents else set()
    return [p for p in range(meta.pages) if p not in dropped]


def _section(data: dict[str, Any]) -> SectionEntry:
    return SectionEntry(**(data | {"subsections": tuple(_section(s) for s in data["subsections"])}))
