"""Templates to HTML: Jinja2 filled with validated data.

Autoescape is on for every template and ``StrictUndefined`` makes a missing field a render
error. The contexts built here are the whole contract between Python and the templates:
anchor ids come from ``anchors``, numbers from ``outline``, text filters from ``markup``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, meta
from jinja2 import __version__ as jinja_version

from briefing.data.model import BLOCK_KINDS, Block, Sponsor, date_end, format_date, walk_blocks
from briefing.errors import BriefingError
from briefing.files import write_atomic
from briefing.hashing import digest
from briefing.pdf.paper import PAGE_HEIGHT
from briefing.render.anchors import BOOK, ChapterAnchors, book_link
from briefing.render.chart_specs import chart_alt, chart_cards, first_timeline, is_small_chart
from briefing.render.edition import Edition
from briefing.render.markup import KEEP_ROWS, SEVERITY_LABEL, TemplateTypography, filters, typeset_book
from briefing.render.outline import Outline, outline
from briefing.render.palette import readable_accent, soften
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
    # the name carries the template-text typography's version: its output is compiled in
    return _SkippingCache(str(folder), f"__jinja2_%s.t{TemplateTypography.VERSION}.cache")


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


def make_env(templates: Path | list[Path], compiled: Path | None = None) -> Environment:
    """``templates``: the folders a template is looked up in, first match wins (the project's,
    then the package's: ``Paths.templates``); ``compiled``: a folder for compiled templates (the
    build's cache), or None."""
    env = Environment(
        loader=FileSystemLoader([str(t) for t in templates] if isinstance(templates, list) else str(templates)),
        bytecode_cache=_bytecode_cache(compiled),
        autoescape=True,  # every template, whatever its name (safety notes §2)
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=[TemplateTypography],  # the templates' own words typeset like the data's
    )
    env.filters.update(filters())
    env.globals.update(PAGE_HEIGHT=PAGE_HEIGHT, BOOK=BOOK, book_link=book_link, SEVERITY=SEVERITY_LABEL,
                       chart_alt=chart_alt, KEEP_ROWS=KEEP_ROWS,  # still named by projects' copied templates
                       is_small_chart=is_small_chart, chart_cards=chart_cards, risk_id=risk_id,
                       WATCHED=WATCHED)
    return env


def render(templates: Path | list[Path], name: str, *, compiled: Path | None = None, **context: Any) -> str:
    return make_env(templates, compiled).get_template(name).render(**context)


def reached(templates: list[Path], name: str, cache: Path | None = None) -> set[str]:
    """``name`` and every template it extends, includes or imports, found as a build finds them
    (the project's first): what a document's pages depend on, for its cache key. A name chosen at
    run time (``block.html`` includes its block kind's template) stands for every block template.
    ``cache``: a folder where each template's references are remembered by its text, between runs."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        path = next((folder / current for folder in templates if (folder / current).is_file()), None)
        if path is None:
            continue  # the render says so, naming the template
        info = path.stat()
        for ref in _references(path, info.st_size, info.st_mtime_ns, cache):
            todo += [ref] if ref is not None else [kind.template for kind in BLOCK_KINDS.values()]
    return seen


@lru_cache(maxsize=256)
def _references(path: Path, _size: int, _mtime: int, cache: Path | None = None) -> tuple[str | None, ...]:
    """The templates one template names (None for a name chosen at run time); parsed once per
    version of the file in a process, and once per text and Jinja version in ``cache``: parsing
    the chapter's 27 templates was most of planning a build (docs/performance.md, "Template
    references")."""
    text = path.read_text(encoding="utf-8")
    entry = cache / f"{digest(text, jinja_version, length=32)}.json" if cache else None
    if entry is not None:
        try:
            found = json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = None
        if isinstance(found, list) and all(ref is None or isinstance(ref, str) for ref in found):
            return tuple(found)
    refs = tuple(meta.find_referenced_templates(Environment().parse(text)))
    if entry is not None:
        try:
            write_atomic(entry, json.dumps(refs).encode())
        except (BriefingError, OSError):  # a full disk: the next run parses it again
            pass
    return refs


# --- what a sponsor's document shows ------------------------------------------------------

def critical_callout(sponsor: Sponsor) -> Block | None:
    return next((b for _, b in walk_blocks(sponsor)
                 if b.callout is not None and b.callout.severity == "critical"), None)


def top_people(sponsor: Sponsor, limit: int = 3) -> list[Any]:
    """The first people of the block marked `leadership: yes`, else of the first people block."""
    blocks = [b.people for _, b in walk_blocks(sponsor) if b.people is not None]
    chosen = next((p for p in blocks if p.leadership), blocks[0] if blocks else None)
    return list(chosen.items[:limit]) if chosen else []


def facts_age(sponsor: Sponsor, book: Any) -> str | None:
    """"9 months" when the sponsor's facts (``as_of``) are older than book.yaml's
    ``stale_after_days`` at the edition's date, which the cover and the at-a-glance page then
    tell the reader; None while they are fresh. Counted from the edition, not the day of the run,
    so the same edition always prints the same words."""
    edition = dt.date.fromisoformat(book.edition)
    end = date_end(sponsor.as_of)
    if (edition - end).days <= book.stale_after_days:
        return None
    months = (edition.year - end.year) * 12 + edition.month - end.month
    return f"{months} month{'s' if months != 1 else ''}" if months < 24 else f"{months // 12} years"



def accent_of(sponsor: Sponsor, primary: str) -> str:
    """The sponsor's own colour made readable, else the book's (``Palette.primary``)."""
    return readable_accent(sponsor.brand.colour or primary)


def brand_context(edition: Edition) -> dict[str, Any]:
    """book.yaml's brand as base.html and the book cover print it: its logo, cover image and fonts."""
    brand = edition.book.brand
    root = edition.paths.root

    def url(rel: str | None) -> str | None:
        return (root / rel).resolve().as_uri() if rel else None

    logo = {"url": url(brand.logo), "alt": f"{brand.name or edition.book.organisation} logo"} \
        if brand and brand.logo else None
    fonts = [{"family": family, "url": url(rel), "role": role} for family, rel, role in (
        ("Brand Text", brand.text_font if brand else None, "serif"),
        ("Brand Headings", brand.heading_font if brand else None, "sans")) if rel]
    return {"brand_logo": logo, "brand_cover": url(brand.cover_image) if brand else None, "brand_fonts": fonts}


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
            "accent": accent, "accent_soft": soften(accent), "second": edition.palette.secondary,
            "classification": classification,
            "edition": format_date(edition.book.edition),
            "audience": edition.audience_label} | brand_context(edition)


def sponsor_html(slug: str, sponsor: Sponsor, edition: Edition, *, chart_urls: dict[str, str],
                 logo_url: str | None, table_breaks: dict[int, list[int]] | None = None) -> str:
    """The HTML of one sponsor's chapter (or one-pager); ``table_breaks``: exhibit number -> the
    rows of that long table that began a new page when it was printed (the table is then printed
    in parts, each after the first under "Exhibit N (continued)")."""
    anchors = ChapterAnchors(slug)
    the_outline = outline(sponsor, anchors)
    changes = edition.changes_for(slug)
    context = page_context(edition, accent_of(sponsor, edition.palette.primary),
                           sponsor.classification or edition.book.classification)
    context.update(
        slug=slug, a=anchors, s=sponsor, outline=the_outline, critical=critical_callout(sponsor),
        risks=watch_list({slug: sponsor}),
        toc=sponsor_toc(sponsor, anchors, the_outline, edition.since, bool(changes)),
        timeline=first_timeline(sponsor), chart_urls=chart_urls, top_people=top_people, logo_url=logo_url,
        changes=changes, changes_since=edition.since, facts_age=facts_age(sponsor, edition.book),
        figures_source=sponsor.source or edition.book.source, table_breaks=table_breaks or {},
    )
    return render(edition.paths.templates, edition.document.template, compiled=edition.paths.template_cache,
                  **context)
