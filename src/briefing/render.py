"""HTML: Jinja2 templates filled with validated data; data is always text, never markup.

Autoescape is on for every template and ``StrictUndefined`` makes a missing field a render
error. Markdown in data goes through markdown-it with raw HTML, images and non-web links off,
so ``<script>`` or ``<img src=...>`` typed into YAML prints literally.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from .model import Block, Book, Money, Sponsor, format_date

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
_md.disable(["image", "html_inline", "html_block"])
_md.validateLink = lambda url: url.lower().startswith(("https://", "http://"))  # type: ignore[method-assign]

DEFAULT_ACCENT = "#1F3A5F"  # sober navy when a sponsor gives no brand colour
SEVERITY_LABEL = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Note"}


def markdown(text: str) -> Markup:
    return Markup(_md.render(text))  # markdown-it escapes all text it emits


def markdown_inline(text: str) -> Markup:
    return Markup(_md.renderInline(text))


def _finalize(value: Any) -> Any:
    # None or NaN reaching the page is a template bug: fail instead of printing "None"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise ValueError("a template printed an empty value (None/NaN); guard it with {% if %}")
    return value


def money(value: Money) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(value.currency, value.currency + " ")
    amount = f"{value.amount:,.{0 if value.amount.is_integer() else 1}f}"
    scale = f" {value.scale}" if value.scale else ""
    return f"{'~' if value.approximate else ''}{symbol}{amount}{scale}"


def is_number(text: str) -> bool:
    cleaned = text.replace(",", "").replace("%", "").replace("~", "").strip()
    try:
        float(cleaned)
        return True
    except ValueError:
        return False


def column_aligns(table: Any) -> list[str]:
    """Right-align columns whose every cell is a number (tabular figures line up)."""
    aligns = []
    for i, col in enumerate(table.columns):
        numeric = all(is_number(row[i]) or row[i] in ("–", "-") for row in table.rows)
        aligns.append(col.align or ("right" if numeric else "left"))
    return aligns


def make_env(templates: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,  # every template, whatever its name (safety notes §2)
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md=markdown, mdi=markdown_inline, date=format_date, money=money,
                       column_aligns=column_aligns)
    env.globals["block_id"] = id
    return env


@dataclass
class Outline:
    """Numbered sections, exhibits and citations for one sponsor, computed once."""

    sections: list[dict[str, Any]] = field(default_factory=list)
    exhibits: dict[int, int] = field(default_factory=dict)  # id(block) -> exhibit number
    citations: dict[str, int] = field(default_factory=dict)  # source id -> number


def outline(sponsor: Sponsor, prefix: str = "") -> Outline:
    out = Outline()
    exhibit = 0
    out.citations = {s.id: i + 1 for i, s in enumerate(sponsor.sources)}
    for i, section in enumerate(sponsor.sections, 1):
        subs = []
        for j, sub in enumerate(section.subsections, 1):
            subs.append({"number": f"{i}.{j}", "title": sub.title, "id": f"{prefix}s{i}-{j}",
                         "model": sub})
        out.sections.append({"number": str(i), "title": section.title, "id": f"{prefix}s{i}",
                             "model": section, "subsections": subs})
        for block in _blocks(section):
            if block.chart is not None or block.table is not None:
                exhibit += 1
                out.exhibits[id(block)] = exhibit
    return out


def _blocks(section: Any) -> list[Block]:
    return list(section.blocks) + [b for sub in section.subsections for b in sub.blocks]


def critical_callout(sponsor: Sponsor) -> Any:
    for section in sponsor.sections:
        for block in _blocks(section):
            if block.callout is not None and block.callout.severity == "critical":
                return block
    return None


def watch_items(sponsor: Sponsor, prefix: str = "") -> list[dict[str, Any]]:
    """Callouts marked critical or high, with the section anchor they live in."""
    items = []
    for i, section in enumerate(sponsor.sections, 1):
        places = [(f"{prefix}s{i}", section.blocks)] + [
            (f"{prefix}s{i}-{j}", sub.blocks) for j, sub in enumerate(section.subsections, 1)
        ]
        for anchor, blocks in places:
            for block in blocks:
                if block.callout is not None and block.callout.severity in ("critical", "high"):
                    items.append({"callout": block.callout, "anchor": anchor})
    return items


def top_people(sponsor: Sponsor, limit: int = 3) -> list[Any]:
    """The first people of the block marked `leadership: yes`, else of the first people block."""
    blocks = [b.people for sec in sponsor.sections for b in _blocks(sec) if b.people is not None]
    chosen = next((p for p in blocks if p.leadership), blocks[0] if blocks else None)
    return list(chosen.items[:limit]) if chosen else []


def first_timeline(sponsor: Sponsor) -> list[Any] | None:
    for section in sponsor.sections:
        for block in _blocks(section):
            if block.timeline is not None:
                return block.timeline
    return None


def chart_specs(sponsor: Sponsor, accent: str) -> dict[str, dict[str, Any]]:
    """Every chart of a sponsor as plain specs, keyed by a stable name."""
    specs: dict[str, dict[str, Any]] = {}
    timeline = first_timeline(sponsor)
    if sponsor.partnership and timeline:
        p = sponsor.partnership
        start = int(p.joined[:4])
        events = [{"year": start, "label": "Joined", "mark": "term"}]
        events += [{"year": e.year, "label": e.label, "mark": "games"} for e in timeline
                   if start <= e.year <= p.through]
        if not any(e["year"] == p.through for e in events):
            events.append({"year": p.through, "label": f"Term ends {p.through}", "mark": "term"})
        specs["timeline"] = {"kind": "timeline", "start": start, "end": p.through,
                             "events": events, "accent": accent}
    for section in sponsor.sections:
        for block in _blocks(section):
            if block.chart is not None:
                c = block.chart
                spec = {"kind": c.kind, "title": c.title, "unit": c.unit, "accent": accent,
                        "highlight": c.highlight,
                        "series": [{"name": s.name, "values": dict(s.values)} for s in c.series]}
                specs[f"chart-{id(block)}"] = spec
    return specs


def chart_alt(block: Block) -> str:
    c = block.chart
    assert c is not None
    parts = []
    for s in c.series:
        values = "; ".join(f"{k}: {v:g}" for k, v in s.values.items())
        parts.append(f"{s.name + ': ' if s.name else ''}{values}")
    return c.alt or f"{c.title}. {c.unit}, {c.period}. " + " | ".join(parts)


def sponsor_context(slug: str, sponsor: Sponsor, book: Book, *, page_size: str,
                    chart_urls: dict[str, str], variant: str = "full",
                    logo_url: str | None = None) -> dict[str, Any]:
    accent = readable_accent(sponsor.brand.colour or DEFAULT_ACCENT)
    px = f"{slug}--"  # anchors are unique across a book, whose PDF merges every chapter
    return {
        "slug": slug,
        "px": px,
        "s": sponsor,
        "book": book,
        "variant": variant,
        "page_size": page_size,
        "classification": sponsor.classification or book.classification,
        "edition": format_date(book.edition),
        "accent": accent,
        "accent_soft": soften(accent),
        "outline": outline(sponsor, px),
        "critical": critical_callout(sponsor),
        "timeline": first_timeline(sponsor),
        "chart_urls": chart_urls,
        "chart_alt": chart_alt,
        "top_people": top_people,
        "logo_url": logo_url,
        "SEVERITY": SEVERITY_LABEL,
    }


def soften(colour: str, amount: float = 0.9) -> str:
    """A pale tint of ``colour`` for card backgrounds."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02X}" for c in mix)


def readable_accent(colour: str) -> str:
    """Darken a brand colour until white text on it has contrast of at least 4.5:1."""
    def lum(c: tuple[float, float, float]) -> float:
        def ch(v: float) -> float:
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])

    rgb = tuple(float(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    while (1.05 / (lum(rgb) + 0.05)) < 4.5:  # type: ignore[arg-type]
        rgb = tuple(v * 0.92 for v in rgb)
    return "#" + "".join(f"{round(v):02X}" for v in rgb)
