"""Which charts a document draws, as plain specs keyed by a stable name.

A sponsor's charts are keyed by the block's path in the data (``sections[1].blocks[2]``), so
the same chart keeps its name from run to run; the book's overview charts by what they show.
"""

from __future__ import annotations

from typing import Any

from briefing.data.model import Block, Money, Partnership, Sponsor, date_start, format_date, walk_blocks
from briefing.render.charts import shortened_labels
from briefing.render.palette import Palette, palette

Spec = dict[str, Any]
TIMELINE = "timeline"
GANTT = "gantt"
DEALS = "deals"
MIN_BARS = 2  # a bar or column chart of fewer categories (one number) is printed as a key-figure card
PAIR = 2  # a bar or column chart of two categories is drawn as a pair of bars with their difference
MIN_OVERVIEW = 3  # the book overview draws terms and deal values from this many sponsors on


def first_timeline(sponsor: Sponsor) -> list[Any] | None:
    return next((b.timeline for _, b in walk_blocks(sponsor) if b.timeline is not None), None)


def _timeline(partnership: Partnership, timeline: list[Any], colours: dict[str, Any]) -> Spec:
    """Joined (a date the data gives), the Games editions of the term in order, by name (the name
    holds the year, which need not be when they were held) with their date only where the data
    gives one, and the end of the term."""
    start = int(partnership.joined[:4])
    end = partnership.through
    events = [{"label": f"Joined {format_date(partnership.joined)}", "mark": "term"}]
    events += [{"label": e.label, "mark": "games"} | ({"date": format_date(e.date)} if e.date else {})
               for e in timeline if start <= e.year <= end]
    events.append({"label": f"Term ends {end}", "mark": "term"})
    return {"kind": "timeline", "start": start, "end": end, "events": events} | colours


def is_small_chart(block: Block) -> bool:
    """One bar is one number: say it as a card, not as a chart."""
    c = block.chart
    return c is not None and c.kind in ("bar", "column") and len(c.series[0].values) < MIN_BARS


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if not float(value).is_integer() else f"{value:,.0f}"


def chart_cards(block: Block) -> list[dict[str, str]]:
    """A small chart as key-figure cards: one card per category (and series)."""
    c = block.chart
    assert c is not None
    percent = c.unit.strip().startswith("%")
    cards = []
    for series in c.series:
        for label, value in series.values.items():
            approx = c.approximate is True or (isinstance(c.approximate, list) and label in c.approximate)
            text = ("~" if approx else "") + _number(value) + ("%" if percent else "")
            named = label + (" (target)" if label in c.targets else "")
            cards.append({"label": named, "value": text, "unit": None if percent else c.unit, "change": None,
                          "period": series.name if len(c.series) > 1 else None,
                          "note": None, "source": None})  # unit, period and source: one line under all
    return cards


def is_pair(block: Block) -> bool:
    """Two numbers of one series: drawn as two bars and the change between them (issue 23)."""
    c = block.chart
    return (c is not None and c.kind in ("bar", "column") and len(c.series) == 1
            and len(c.series[0].values) == PAIR)


def _chart(block: Block, colours: dict[str, Any]) -> Spec:
    c = block.chart
    assert c is not None
    return {"kind": "pair" if is_pair(block) else c.kind, "title": c.title, "unit": c.unit,
            "highlight": c.highlight,
            "approximate": c.approximate, "targets": list(c.targets),
            "series": [{"name": s.name, "values": dict(s.values)} for s in c.series]} | colours


def _share_scales(specs: dict[str, Spec]) -> None:
    """Charts of one unit in one document are drawn to one scale, so they compare at a glance."""
    tops: dict[str, float] = {}
    for spec in specs.values():
        if spec["kind"] in ("bar", "column", "line", "pair"):
            top = max(v for s in spec["series"] for v in s["values"].values())
            tops[spec["unit"]] = max(tops.get(spec["unit"], 0.0), top)
    for spec in specs.values():
        if spec["kind"] in ("bar", "column", "line", "pair") and tops.get(spec["unit"], 0) > 0:
            spec["scale_max"] = tops[spec["unit"]]


def sponsor_charts(sponsor: Sponsor, accent: str, *, block_charts: bool = True,
                   colours: Palette | None = None) -> dict[str, Spec]:
    """Every chart of a sponsor's document: its timeline, and unless ``block_charts`` is off (the
    one-pager) its blocks' charts; small bar charts are printed as cards instead, so they draw nothing.
    ``colours``: the project's palette (default: the package's design tokens)."""
    specs: dict[str, Spec] = {}
    chart_colours = (colours or palette()).chart(accent)
    timeline = first_timeline(sponsor)
    if sponsor.partnership and timeline:
        specs[TIMELINE] = _timeline(sponsor.partnership, timeline, chart_colours)
    if block_charts:
        for place, block in walk_blocks(sponsor):
            if block.chart is not None and not is_small_chart(block):
                specs[place.path] = _chart(block, chart_colours)
    _share_scales(specs)
    return specs


def chart_alt(block: Block) -> str:
    c = block.chart
    assert c is not None
    parts = []
    for s in c.series:
        values = "; ".join(f"{k}: {v:g}{' (a target, not an actual value)' if k in c.targets else ''}"
                           for k, v in s.values.items())
        parts.append(f"{s.name + ': ' if s.name else ''}{values}")
    alt = c.alt or f"{c.title}. {c.unit}, {c.period}. " + " | ".join(parts)
    shortened = shortened_labels(_chart(block, {}))  # drawn with "…" to stay inside the figure
    return alt + (" Shortened on the chart: " + "; ".join(shortened) + "." if shortened else "")


_TO_MILLIONS = {"thousand": 1e-3, "million": 1.0, "billion": 1e3, None: 1e-6}


def usd_millions(value: Money) -> float | None:
    """The value in US$ million, converted only with a rate the data gives; else None."""
    rate = 1.0 if value.currency == "USD" else value.usd_rate
    return None if rate is None else value.amount * rate * _TO_MILLIONS[value.scale]


def unconverted(sponsors: list[Sponsor]) -> list[tuple[str, Money]]:
    """Deal values in another currency with no rate in the data: listed under the chart, not dropped."""
    return [(s.name, s.partnership.value) for s in sponsors
            if s.partnership and s.partnership.value and usd_millions(s.partnership.value) is None]


def book_charts(sponsors: list[Sponsor], colours: Palette | None = None) -> dict[str, Spec]:
    """The book overview's terms (Gantt) and deal-value charts, from three sponsors on (below
    that the overview table says it all), in the book's colour."""
    specs: dict[str, Spec] = {}
    book = colours or palette()
    chart_colours = book.chart(book.primary)
    terms = [(s.name, s.partnership) for s in sponsors if s.partnership]
    if len(terms) >= MIN_OVERVIEW:
        specs[GANTT] = chart_colours | {"kind": "gantt", "rows": [
            {"label": n, "start": date_start(p.joined).year + (date_start(p.joined).month - 1) / 12,
             "end": p.through + 1.0, "text": f"{p.joined[:4]}–{p.through}"} for n, p in terms]}
    deals = {n: usd for n, p in terms if p.value and (usd := usd_millions(p.value)) is not None}
    if len(deals) >= MIN_OVERVIEW:
        approximate = [n for n, p in terms if p.value and p.value.approximate]
        specs[DEALS] = chart_colours | {"kind": "bar", "title": "Deal values", "unit": "US$ million",
                                        "highlight": None, "approximate": approximate,
                        "series": [{"name": None, "values": dict(sorted(deals.items(), key=lambda kv: -kv[1]))}]}
    return specs
