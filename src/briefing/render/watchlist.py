"""The watch list: sponsors' critical and high callouts, most severe first.

Built here once for every place that shows it: the risk lines of a sponsor's at-a-glance page,
the chapter metadata the book's watch-list page is made from (its lines are typeset and its pages
known only once the chapter is printed, so the book merges the chapters' stored lists with
``most_severe_first``), and the body of each letter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from briefing.data.model import Block, Callout, Place, Sponsor, walk_blocks
from briefing.render.anchors import ChapterAnchors

WATCHED = ("critical", "high")  # most severe first
_RANK = {severity: i for i, severity in enumerate(WATCHED)}

T = TypeVar("T")


def risk_id(slug: str, place: Place) -> str:
    """The anchor of a watched callout: the at-a-glance page and the watch list link to it."""
    return ChapterAnchors(slug).risk(place.heading, place.index)


@dataclass(frozen=True)
class WatchItem:
    """A critical or high callout, the anchor of the callout itself and where its full text is."""

    slug: str
    sponsor: Sponsor
    block: Block  # the callout's block (the templates read its severity there)
    anchor: str
    heading: str  # "2.2": the (sub)section that prints the full text

    @property
    def callout(self) -> Callout:
        assert self.block.callout is not None
        return self.block.callout

    @property
    def severity(self) -> str:
        return self.callout.severity

    @property
    def line(self) -> str:
        """The one-line summary, else the title."""
        return self.callout.summary or self.callout.title


def most_severe_first(items: Iterable[T], severity: Callable[[T], str]) -> list[T]:
    """``items`` ordered by severity; within one, as given (sponsor by sponsor, in reading order)."""
    return sorted(items, key=lambda item: _RANK.get(severity(item), len(WATCHED)))


def watch_list(sponsors: Mapping[str, Sponsor]) -> list[WatchItem]:
    """The watched callouts of ``sponsors`` (slug -> sponsor, in book order), most severe first;
    their full text stays in their sections."""
    found = [WatchItem(slug, sponsor, block, risk_id(slug, place), place.heading)
             for slug, sponsor in sponsors.items() for place, block in walk_blocks(sponsor)
             if block.callout is not None and block.callout.severity in WATCHED]
    return most_severe_first(found, lambda item: item.severity)
