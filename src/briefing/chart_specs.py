"""Which charts a document draws, as plain specs keyed by a stable name.

A sponsor's charts are keyed by the block's path in the data (``sections[1].blocks[2]``), so
the same chart keeps its name from run to run; the book's overview charts by what they show.
"""

from __future__ import annotations

from typing import Any

from .model import Block, Partnership, Sponsor, date_start, walk_blocks
from .palette import ACCENT, SERIES

Spec = dict[str, Any]
TIMELINE = "timeline"
GANTT = "gantt"
DEALS = "deals"


def first_timeline(sponsor: Sponsor) -> list[Any] | None:
    return next((b.timeline for _, b in walk_blocks(sponsor) if b.timeline is not None), None)


def _timeline(partnership: Partnership, timeline: list[Any], accent: str) -> Spec:
    start = int(partnership.joined[:4])
    end = partnership.through
    events = [{"year": start, "label": "Joined", "mark": "term"}]
    events += [{"year": e.year, "label": e.label, "mark": "games"} for e in timeline if start <= e.year <= end]
    if not any(e["year"] == end for e in events):
        events.append({"year": end, "label": f"Term ends {end}", "mark": "term"})
    return {"kind": "timeline", "start": start, "end": end, "events": events, "accent": accent}


def _chart(block: Block, accent: str) -> Spec:
    c = block.chart
    assert c is not None
    return {"kind": c.kind, "title": c.title, "unit": c.unit, "accent": accent, "highlight": c.highlight,
            "palette": [accent, *SERIES[1:]],
            "series": [{"name": s.name, "values": dict(s.values)} for s in c.series]}


def sponsor_charts(sponsor: Sponsor, accent: str, *, one_pager: bool = False) -> dict[str, Spec]:
    """Every chart of a sponsor's document (the one-pager draws only the timeline)."""
    specs: dict[str, Spec] = {}
    timeline = first_timeline(sponsor)
    if sponsor.partnership and timeline:
        specs[TIMELINE] = _timeline(sponsor.partnership, timeline, accent)
    if not one_pager:
        for place, block in walk_blocks(sponsor):
            if block.chart is not None:
                specs[place.path] = _chart(block, accent)
    return specs


def chart_alt(block: Block) -> str:
    c = block.chart
    assert c is not None
    parts = []
    for s in c.series:
        values = "; ".join(f"{k}: {v:g}" for k, v in s.values.items())
        parts.append(f"{s.name + ': ' if s.name else ''}{values}")
    return c.alt or f"{c.title}. {c.unit}, {c.period}. " + " | ".join(parts)


_TO_MILLIONS = {"thousand": 1e-3, "million": 1.0, "billion": 1e3, None: 1e-6}


def book_charts(sponsors: list[Sponsor]) -> dict[str, Spec]:
    """The book overview's terms (Gantt) and deal-value charts."""
    specs: dict[str, Spec] = {}
    terms = [(s.name, s.partnership) for s in sponsors if s.partnership]
    if terms:
        specs[GANTT] = {"kind": "gantt", "accent": ACCENT, "rows": [
            {"label": n, "start": date_start(p.joined).year + (date_start(p.joined).month - 1) / 12,
             "end": p.through + 1.0, "text": f"{p.joined[:4]}–{p.through}"} for n, p in terms]}
    deals = {n: p.value.amount * _TO_MILLIONS[p.value.scale] for n, p in terms
             if p.value and p.value.currency == "USD"}
    if deals:
        specs[DEALS] = {"kind": "bar", "title": "Deal values", "unit": "US$ million", "accent": ACCENT,
                        "highlight": None,
                        "series": [{"name": None, "values": dict(sorted(deals.items(), key=lambda kv: -kv[1]))}]}
    return specs
