"""The numbered shape of one sponsor's document: sections, exhibits and citations.

Computed once from the data and handed to the templates and to the chapter's metadata, so
that the numbers printed in the text, in the contents and in the book agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from briefing.data.model import Block, Place, Sponsor, walk_blocks
from briefing.render.anchors import ChapterAnchors


@dataclass(frozen=True)
class PlacedBlock:
    """A block with everything the templates print around it."""

    place: Place
    block: Block
    exhibit: int | None = None  # for the kinds numbered as exhibits (charts and tables)

    @property
    def key(self) -> str:
        """Stable name of the block (its data path): keys its chart in the build."""
        return self.place.path


@dataclass(frozen=True)
class Heading:
    """A numbered section or subsection."""

    number: str  # "2" or "2.1"
    title: str
    anchor: str
    blocks: list[PlacedBlock] = field(default_factory=list)
    subsections: list[Heading] = field(default_factory=list)


@dataclass(frozen=True)
class Outline:
    sections: list[Heading]
    citations: dict[str, int]  # source id -> printed number

    def blocks(self) -> list[PlacedBlock]:
        found: list[PlacedBlock] = []
        for section in self.sections:
            found += section.blocks
            for sub in section.subsections:
                found += sub.blocks
        return found


def outline(sponsor: Sponsor, anchors: ChapterAnchors) -> Outline:
    placed: dict[str, list[PlacedBlock]] = {}
    exhibit = 0
    for place, block in walk_blocks(sponsor):
        number = None
        if block.spec.exhibit:
            exhibit += 1
            number = exhibit
        placed.setdefault(place.heading, []).append(PlacedBlock(place, block, number))
    sections = []
    for i, section in enumerate(sponsor.sections, 1):
        subs = [Heading(f"{i}.{j}", sub.title, anchors.section(f"{i}.{j}"), placed.get(f"{i}.{j}", []))
                for j, sub in enumerate(section.subsections, 1)]
        sections.append(Heading(str(i), section.title, anchors.section(str(i)), placed.get(str(i), []), subs))
    return Outline(sections, {s.id: i for i, s in enumerate(sponsor.sources, 1)})
