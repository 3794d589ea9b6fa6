"""Every anchor id that templates write and Python reads back, made in one place.

A book merges every chapter into one PDF, so a chapter's ids carry its slug as a prefix
(``alibaba--s2-1``). Templates get these objects as globals; Python code that looks a page up
by anchor uses the same objects, so a renamed id is renamed everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefing.pdf.binding import LINK_SCHEME

SEP = "--"


@dataclass(frozen=True)
class ChapterAnchors:
    """Ids inside one sponsor's chapter."""

    slug: str

    @property
    def prefix(self) -> str:
        return f"{self.slug}{SEP}"

    def __call__(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def owns(self, anchor: str) -> bool:
        return anchor.startswith(self.prefix)

    @property
    def cover(self) -> str:
        return self("cover")

    @property
    def glance(self) -> str:  # the section element; the heading carries `at_a_glance`
        return self("glance")

    @property
    def at_a_glance(self) -> str:
        return self("at-a-glance")

    @property
    def contents(self) -> str:
        return self("contents")

    @property
    def changes(self) -> str:
        return self("changes")

    @property
    def sources(self) -> str:
        return self("sources")

    @property
    def sponsor_name(self) -> str:
        return self("sponsor-name")

    def section(self, number: str) -> str:
        """``"2"`` -> ``slug--s2``; ``"2.1"`` -> ``slug--s2-1``."""
        return self("s" + number.replace(".", "-"))

    def source(self, number: int) -> str:
        return self(f"src-{number}")

    def source_number(self, anchor: str) -> int | None:
        """The N of ``slug--src-N``, or None for any other anchor."""
        tail = anchor.removeprefix(self("src-"))
        return int(tail) if tail != anchor and tail.isdigit() else None

    def risk(self, heading: str, index: int) -> str:
        """A watched (critical or high) callout: block ``index`` of the (sub)section ``heading``."""
        return self(f"risk-{heading.replace('.', '-')}-{index}")

    def appendix(self, index: int) -> str:
        return self(f"appendix-{index}")

    def row(self, exhibit: int, index: int) -> str:
        """A row of a long table (Exhibit ``exhibit``): where it lands says where the table breaks."""
        return self(f"x{exhibit}-row-{index}")

    def row_of(self, anchor: str) -> tuple[int, int] | None:
        """``(exhibit, row index)`` of a ``row`` anchor, else None."""
        head, _, index = anchor.removeprefix(self.prefix + "x").partition("-row-")
        if not anchor.startswith(self.prefix + "x") or not head.isdigit() or not index.isdigit():
            return None
        return int(head), int(index)

    def op_start(self, block: str) -> str:
        """Start of a one-pager block (see ``variants.ONE_PAGER.one_page_blocks``)."""
        return self(f"op-{block}")

    def op_end(self, block: str) -> str:
        return self(f"op-end-{block}")


@dataclass(frozen=True)
class BookAnchors:
    """Ids of the book's own front matter."""

    cover: str = f"book{SEP}cover"
    contents: str = f"book{SEP}contents"
    overview: str = f"book{SEP}overview"
    watch: str = f"book{SEP}watch"
    changes: str = f"book{SEP}changes"


BOOK = BookAnchors()


def book_link(anchor: str) -> str:
    """A link from the front matter to a named destination that the merge resolves."""
    return f"{LINK_SCHEME}{anchor}"
