"""Templates to HTML: Jinja2 filled with validated data.

Autoescape is on for every template and ``StrictUndefined`` makes a missing field a render
error. The contexts built here are the whole contract between Python and the templates:
anchor ids come from ``anchors``, numbers from ``outline``, text filters from ``markup``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined

from briefing.data.model import Block, Sponsor, format_date, walk_blocks
from briefing.pdf.paper import PAGE_HEIGHT
from briefing.render.anchors import BOOK, ChapterAnchors, book_link
from briefing.render.chart_specs import chart_alt, chart_cards, first_timeline, is_small_chart
from briefing.render.edition import Edition
from briefing.render.markup import SEVERITY_LABEL, filters, typeset_book
from briefing.render.outline import Outline, outline
from briefing.render.palette import ACCENT, readable_accent, soften
from briefing.render.watchlist import WATCHED, risk_id, watch_list

BOOK_TEMPLATE = "book.html"
OVERLAY_TEMPLATE = "overlay.html"


def _finalize(value: Any) -> Any:
    # None or NaN reaching the page is a template bug: fail instead of printing "None"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise ValueError("a template printed an empty value (None/NaN); guard it with {% if %}")
    return value


def _bytecode_cache(folder: Path | None) -> FileSystemBytecodeCache | None:
    """Compiled templates kept between runs (Jinja checks each entry against its template's
    source): otherwise every worker compiles them again for each chapter (docs/performance.md, "Compiled templates")."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # an unwritable cache only costs the compile
    return _SkippingCache(str(folder))


class _SkippingCache(FileSystemBytecodeCache):
    """A compiled template that cannot be written (full disk, file-size limit, read-only) is
    left out, with one warning: a cache must never stop a build."""

    warned = False

    def dump_bytecode(self, bucket: Any) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as err:
            if not self.warned:
                self.warned = True
                logging.getLogger(__name__).warning("warning: compiled templates not cached in %s (%s); "
                                                    "the build goes on without", self.directory,
                                                    err.strerror or err)


def make_env(templates: Path, compiled: Path | None = None) -> Environment:
    """``compiled``: a folder for compiled templates (the build's cache), or None."""
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        bytecode_cache=_bytecode_cache(compiled),
        autoescape=True,  # every template, whatever its name (safety notes §2)
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters())
    env.globals.update(PAGE_HEIGHT=PAGE_HEIGHT, BOOK=BOOK, book_link=book_link, SEVERITY=SEVERITY_LABEL,
                       chart_alt=chart_alt,
                       is_small_chart=is_small_chart, chart_cards=chart_cards, risk_id=risk_id,
                       WATCHED=WATCHED)
    return env


def render(templates: Path, name: str, *, compiled: Path | None = None, **context: Any) -> str:
    return make_env(templates, compiled).get_template(name).render(**context)


# --- what a sponsor's document shows ------------------------------------------------------

def critical_callout(sponsor: Sponsor) -> Block | None:
    return next((b for _, b in walk_blocks(sponsor)
                 if b.callout is not None and b.callout.severity == "critical"), None)


def top_people(sponsor: Sponsor, limit: int = 3) -> list[Any]:
    """The first people of the block marked `leadership: yes`, else of the first people block."""
    blocks = [b.people for _, b in walk_blocks(sponsor) if b.people is not None]
    chosen = next((p for p in blocks if p.leadership), blocks[0] if blocks else None)
    return list(chosen.items[:limit]) if chosen else []


def accent_of(sponsor: Sponsor) -> str:
    return readable_accent(sponsor.brand.colour or ACCENT)


@dataclass(frozen=True)
class TocLink:
    """One line of a contents page; ``page`` is given in a book, counted by CSS in a chapter."""

    level: int
    number: str
    title: str
    href: str
    page: int | None = None


def sponsor_toc(sponsor: Sponsor, anchors: ChapterAnchors, the_outline: Outline, since: str | None,
                with_changes: bool) -> list[TocLink]:
    toc = [TocLink(1, "", "At a glance", "#" + anchors.at_a_glance)]
    if with_changes:
        toc.append(TocLink(1, "", f"Changes since {since}", "#" + anchors.changes))
    for sec in the_outline.sections:
        toc.append(TocLink(1, sec.number, sec.title, "#" + sec.anchor))
        toc += [TocLink(2, sub.number, sub.title, "#" + sub.anchor) for sub in sec.subsections]
    if sponsor.sources:
        toc.append(TocLink(1, "", "Sources", "#" + anchors.sources))
    return toc


def page_context(edition: Edition, accent: str, classification: str) -> dict[str, Any]:
    """What base.html needs, for every document."""
    return {"book": typeset_book(edition.book), "page_size": edition.page_size, "document": edition.document,
            "accent": accent, "accent_soft": soften(accent), "classification": classification,
            "edition": format_date(edition.book.edition),
            "audience": edition.audience_label}


def sponsor_html(slug: str, sponsor: Sponsor, edition: Edition, *, chart_urls: dict[str, str],
                 logo_url: str | None) -> str:
    """The HTML of one sponsor's chapter (or one-pager)."""
    anchors = ChapterAnchors(slug)
    the_outline = outline(sponsor, anchors)
    changes = edition.changes_for(slug)
    context = page_context(edition, accent_of(sponsor), sponsor.classification or edition.book.classification)
    context.update(
        slug=slug, a=anchors, s=sponsor, outline=the_outline, critical=critical_callout(sponsor),
        risks=watch_list({slug: sponsor}),
        toc=sponsor_toc(sponsor, anchors, the_outline, edition.since, bool(changes)),
        timeline=first_timeline(sponsor), chart_urls=chart_urls, top_people=top_people, logo_url=logo_url,
        changes=changes, changes_since=edition.since,
    )
    return render(edition.paths.templates, edition.document.template, compiled=edition.paths.template_cache,
                  **context)
