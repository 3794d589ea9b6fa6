"""What a book contains: front matter (cover, contents, overview, watch list, changes), then
every chapter without its own contents page, plus attached PDFs; page numbers run through.

The contents needs book-wide page numbers, which depend on the front matter's own length:
the front matter is printed, measured and printed again until the numbers agree (usually
twice; each distinct HTML is printed once and cached).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from briefing.data.load import Project
from briefing.data.model import Recipient, Sponsor, format_date, format_money
from briefing.documents.assemble import Assembly, Mark, Part, Runner, Written, assemble, in_this_process, info
from briefing.documents.attachments import appended
from briefing.documents.marks import chapter_marks, link_descriptions
from briefing.documents.meta import ChapterMeta, WatchEntry, book_pages
from briefing.documents.outputs import chapter_book_pdf, chapter_meta_path
from briefing.errors import BriefingError, RenderError
from briefing.files import write_atomic
from briefing.hashing import digest, theme_fingerprint
from briefing.pdf.printer import Printed, PrintOptions, print_html, warm_weasyprint
from briefing.pdf.structmerge import prepare
from briefing.processes import Job, run_jobs
from briefing.render.anchors import BOOK, ChapterAnchors, book_link
from briefing.render.chart_specs import book_charts, unconverted
from briefing.render.charts import draw_charts
from briefing.render.edition import Edition
from briefing.render.html import BOOK_TEMPLATE, TocLink, page_context, render
from briefing.render.markup import typeset, typeset_summary
from briefing.render.watchlist import most_severe_first

SETTLE_ROUNDS = 4
FRONT_TIMEOUT = 600.0  # seconds for one print of the front matter (the contents of a long book)


@dataclass(frozen=True)
class Placed:
    """Where one chapter lands, counted from the end of the front matter."""

    meta: ChapterMeta
    start: int
    page_of: dict[int, int]  # local page -> book page (0-based, after the front matter)
    appendices: list[tuple[str, int, str]]  # (title, first page, anchor)


@dataclass(frozen=True)
class Layout:
    parts: list[Part]
    chapters: list[Placed]


@dataclass(frozen=True)
class Front:
    """The printed front matter and where its own sections start (1-based pages)."""

    printed: Printed
    titles: list[tuple[str, str]]  # (title, anchor) of overview, watch list, changes
    found_at: dict[str, int] = field(default_factory=dict)


def lay_out(project: Project, edition: Edition, metas: list[ChapterMeta]) -> Layout:
    parts, chapters, cursor = [], [], 0
    for meta in metas:
        keep = book_pages(meta, edition.document)
        page_of = {p: cursor + i for i, p in enumerate(keep)}
        for p in sorted(set(range(meta.pages)) - set(keep)):  # a dropped page maps to the next kept one
            page_of[p] = cursor + sum(1 for k in keep if k < p)
        # the prepared file holds only the kept pages, so the part takes all of them (said here:
        # the merge would otherwise open each file once more just to count them)
        parts.append(Part(chapter_book_pdf(edition, meta.slug), pages=list(range(len(keep))),
                          unnumbered={0} if edition.document.cover_first else set(), title=meta.name))
        start, cursor = cursor, cursor + len(keep)
        extras = []
        for i, extra in enumerate(appended(project, meta.slug) if edition.document.appends_attachments else []):
            anchor = meta.ids.appendix(i)
            parts.append(Part(extra.path, dest=anchor, title=f"{meta.name}: appendix: {extra.title}"))
            extras.append((extra.title, cursor, anchor))
            cursor += extra.pages
        chapters.append(Placed(meta, start, page_of, extras))
    return Layout(parts, chapters)


def printed_parts(project: Project, edition: Edition, slugs: list[str], reprinting: set[str]) -> list[Part]:
    """The parts of a book whose chapters are printed already (all but ``reprinting``), for
    ``Binder.prebind``; none if the metadata of one of them cannot be read."""
    metas = []
    for slug in (s for s in slugs if s not in reprinting):
        try:
            metas.append(ChapterMeta.load(chapter_meta_path(edition, slug)))
        except (OSError, ValueError, TypeError, KeyError):
            return []
    return lay_out(project, edition, metas).parts


def contents(layout: Layout, front: Front, edition: Edition, front_pages: int) -> list[TocLink]:
    """Book-wide contents with printed (1-based) page numbers; level 0 is a sponsor."""
    def link(level: int, number: str, title: str, anchor: str, page: int) -> TocLink:
        return TocLink(level, number, title, book_link(anchor), page)

    toc = [link(1, "", title, anchor, front.found_at[anchor]) for title, anchor in front.titles]
    for ch in layout.chapters:
        toc.append(link(0, "", ch.meta.name, ch.meta.ids.cover, front_pages + ch.page_of[0] + 1))
        if edition.document.lists_headings:
            toc += [link(1, sec.number, sec.title, sec.anchor, front_pages + ch.page_of[sec.page] + 1)
                    for sec in ch.meta.sections]
        toc += [link(1, "", f"Appendix: {title}", anchor, front_pages + start + 1)
                for title, start, anchor in ch.appendices]
    return toc


def watch_page(layout: Layout, front_pages: int, *, sections: bool = True) -> list[dict[str, Any]]:
    """The watch list each chapter stored (``render.watchlist.watch_list``, as printed), merged most
    severe first, with book pages; the section only where the documents have numbered sections
    (a one-pager has none, so its line says only the page)."""
    items: list[tuple[WatchEntry, str, int]] = most_severe_first(
        ((w, ch.meta.name, front_pages + ch.page_of[w.page] + 1) for ch in layout.chapters for w in ch.meta.watch),
        lambda item: item[0].severity)
    return [{"title": w.title, "severity": w.severity, "section": w.section if sections else "",
             "link": book_link(w.anchor),
             "sponsor": name, "page": page} for w, name, page in items]


def _deal_line(sponsor: Sponsor) -> str:
    """``since January 2017 · through 2028 · ~$800 million``, for the book cover."""
    p = sponsor.partnership
    if p is None:
        return ", ".join(sponsor.categories) or "–"
    parts = [f"since {format_date(p.joined)}", f"through {p.through}"] + ([format_money(p.value)] if p.value else [])
    return " · ".join(parts)


def overview_rows(sponsors: dict[str, Sponsor]) -> list[dict[str, str]]:
    """One row per sponsor (slug -> the sponsor as printed)."""
    rows = []
    for slug, s in sponsors.items():
        p = s.partnership
        rows.append({
            "cover": ChapterAnchors(slug).cover, "name": s.name, "tier": s.tier or "–",
            "categories": ", ".join(s.categories) or "–",
            "since": format_date(p.joined) if p else "–", "through": str(p.through) if p else "–",
            "value": format_money(p.value) if p and p.value else "–", "as_of": format_date(s.as_of),
            "deal": _deal_line(s),
        })
    return rows


def _front_paths(html: str, svgs: dict[str, str], edition: Edition) -> tuple[Path, Path]:
    """Where the front matter printed from ``html`` is cached: the PDF and its page facts."""
    # the theme too: a stylesheet edit changes the pages, not the HTML; stored prepared: see _print_front
    key = digest(html, sorted(svgs), edition.pdf_variant, theme_fingerprint(edition.paths.root), "prepared",
                 length=24)
    pdf_path = edition.paths.cache / f"front-{key}.pdf"
    return pdf_path, pdf_path.with_suffix(".json")


def _print_cached(html: str, svgs: dict[str, str], edition: Edition) -> Printed:
    """Front matter printed once per distinct HTML: an unchanged contents costs nothing."""
    pdf_path, meta_path = _front_paths(html, svgs, edition)
    try:
        meta = json.loads(meta_path.read_text())
        return Printed(pdf=pdf_path.read_bytes(), pages=meta["pages"], anchors=meta["anchors"],
                       size=tuple(meta["size"]))
    except (OSError, ValueError, KeyError):
        pass
    # printed in a worker process: WeasyPrint's heap would otherwise stay with this process,
    # which goes on to hold the whole book for the merge (docs/performance.md, "Front matter in a worker")
    warm_weasyprint()  # once here, inherited warm by the forked workers

    outcome, = run_jobs([Job("book front matter", _print_front, (html, svgs, edition, pdf_path, meta_path))],
                        workers=1, timeout=FRONT_TIMEOUT)
    if not outcome.ok:
        raise RenderError(outcome.error)
    return outcome.value


def _print_front(html: str, svgs: dict[str, str], edition: Edition, pdf_path: Path, meta_path: Path) -> Printed:
    front = print_html(html, base=edition.paths.root, roots=edition.paths.readable, charts=svgs,
                       what="book front matter", options=PrintOptions(pdf_variant=edition.pdf_variant),
                       overlays=edition.paths.overlays)
    # prepared for the merge here, in the worker: a 50-sponsor contents holds ~46,000 marked
    # pieces that the merge would otherwise walk in the parent on every refresh
    front = replace(front, pdf=prepare(front.pdf, prefix="front:"))
    write_atomic(pdf_path, front.pdf)
    write_atomic(meta_path, json.dumps({"pages": front.pages, "anchors": front.anchors,
                                        "size": front.size}).encode())
    return front


@dataclass(frozen=True)
class BookRequest:
    """One book or personalised edition to assemble."""

    slugs: list[str]
    metas: list[ChapterMeta]
    recipient: Recipient | None = None


def _changed(project: Project, edition: Edition, request: BookRequest) -> list[dict[str, Any]]:
    names = {m.slug: m.name for m in request.metas}
    return [{"name": names.get(slug, slug), "lines": list(lines)} for slug, lines in edition.changes.items()
            if slug in request.slugs or slug not in project.sponsors]


def _prepared_for(edition: Edition, recipient: Recipient | None) -> str | None:
    if recipient is None:
        return edition.book.prepared_for
    return f"{recipient.name}, {recipient.title}" if recipient.title else recipient.name


@dataclass(frozen=True)
class _Draft:
    """A book's front matter before its page numbers are known: what every print of it shares."""

    layout: Layout
    titles: list[tuple[str, str]]  # (title, anchor) of overview, watch list, changes
    context: dict[str, Any]
    svgs: dict[str, str]
    seed: tuple[int, dict[str, int]]  # first guess: its page count, where its sections start
    settled_path: Path  # where the guess is remembered once the numbers settle


def _draft(project: Project, edition: Edition, request: BookRequest, layout: Layout) -> _Draft:
    changed = _changed(project, edition, request)
    titles = [("Overview", BOOK.overview), ("Watch list", BOOK.watch)]
    if changed:
        titles.append((f"Changes since {edition.since}", BOOK.changes))
    as_printed = {s: typeset_summary(project.sponsors[s]) for s in request.slugs}
    sponsors = list(as_printed.values())
    book_colour = edition.palette
    charts = draw_charts(book_charts(sponsors, book_colour), edition.paths)
    context = page_context(edition, book_colour.primary, edition.book.classification) | {
        "unconverted": unconverted(sponsors),
        "rows": overview_rows(as_printed), "chart_urls": charts.urls, "changes": changed,
        "changes_since": edition.since,
        "prepared_for": typeset(prepared, hyphenate=False) if (prepared := _prepared_for(edition, request.recipient))
        else None}
    front_pages = 4 + bool(changed)
    found_at = {anchor: 3 + i for i, (_, anchor) in enumerate(titles)}
    # where the book's front matter of the same chapters settled: an edition (the book for one
    # reader, whose name changes only the cover) then settles in its first print, not its second
    settled_path = edition.paths.cache / f"settled-{_settle_key(edition, request, layout, titles)}.json"
    try:
        seen = json.loads(settled_path.read_text())
        front_pages, found_at = int(seen["pages"]), {a: int(seen["found_at"][a]) for _, a in titles}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return _Draft(layout, titles, context, charts.svgs, (front_pages, found_at), settled_path)


def _front_html(draft: _Draft, edition: Edition, found_at: dict[str, int], front_pages: int) -> str:
    front = Front(Printed(b"", 0, {}, (0, 0)), draft.titles, found_at)
    return render(edition.paths.templates, BOOK_TEMPLATE, compiled=edition.paths.template_cache, **draft.context,
                  toc=contents(draft.layout, front, edition, front_pages),
                  watch=watch_page(draft.layout, front_pages, sections=edition.document.has_sections))


def print_fronts_ahead(project: Project, edition: Edition, requests: list[BookRequest], workers: int) -> None:
    """The first print of several books' front matter (personalised editions), ``workers`` at a
    time, into the cache ``_front_matter`` reads: assembling books one after another would
    otherwise print them one after another, on one core. Anything that fails here is left to
    that book's own step, which prints again and says what went wrong."""
    jobs: dict[Path, Job] = {}
    for request in requests:
        try:
            draft = _draft(project, edition, request, lay_out(project, edition, request.metas))
        except BriefingError:
            continue
        html = _front_html(draft, edition, draft.seed[1], draft.seed[0])
        pdf_path, meta_path = _front_paths(html, draft.svgs, edition)
        if not meta_path.is_file():
            jobs[pdf_path] = Job(f"front matter ahead {len(jobs)}", _print_front,
                                 (html, draft.svgs, edition, pdf_path, meta_path))
    if len(jobs) > 1:
        warm_weasyprint()  # once here, inherited warm by the forked workers
        run_jobs(list(jobs.values()), workers=workers, timeout=FRONT_TIMEOUT)


def _front_matter(project: Project, edition: Edition, request: BookRequest, layout: Layout) -> tuple[Front, int]:
    """Print the front matter until its page numbers settle; return it and its page count."""
    draft = _draft(project, edition, request, layout)
    titles = draft.titles
    front_pages, found_at = draft.seed
    front = Front(Printed(b"", 0, {}, (0, 0)), titles, found_at)
    for _ in range(SETTLE_ROUNDS):
        html = _front_html(draft, edition, front.found_at, front_pages)
        printed = _print_cached(html, draft.svgs, edition)
        now = {anchor: printed.anchors[anchor] + 1 for _, anchor in titles}
        settled = printed.pages == front_pages and now == front.found_at
        front, front_pages = Front(printed, titles, now), printed.pages
        if settled:
            if (front_pages, now) != draft.seed:
                write_atomic(draft.settled_path, json.dumps({"pages": front_pages, "found_at": now}).encode())
            return front, front_pages
    raise RenderError("book front matter: page numbers did not settle")  # a template bug


def _settle_key(edition: Edition, request: BookRequest, layout: Layout, titles: list[tuple[str, str]]) -> str:
    """What the front matter's page numbers depend on, but the reader: the chapters and where
    they land, the sections listed, the variant and page size (only a first guess: the loop in
    ``_front_matter`` checks it)."""
    return digest([(m.slug, m.key, m.pages) for m in request.metas], [c.start for c in layout.chapters], titles,
                  edition.document.name, edition.page_size, edition.pdf_variant, length=24)


def _descriptions(layout: Layout, front: Front) -> dict[str, str]:
    """What each link of the book is read as: chapter anchors, appendices, front-matter sections."""
    found = {BOOK.contents: "Contents", **{anchor: title for title, anchor in front.titles}}
    for ch in layout.chapters:
        found |= link_descriptions(ch.meta)
        found |= {anchor: f"{ch.meta.name}: appendix: {title}" for title, _, anchor in ch.appendices}
    return found


def assemble_book(project: Project, edition: Edition, request: BookRequest, target: Path,
                  runner: Runner = in_this_process) -> Written:
    """Write the book (or a personalised edition) to ``target``; return its page count and warnings.
    ``runner`` says where the merge runs (see ``merge.assemble``)."""
    layout = lay_out(project, edition, request.metas)
    front, front_pages = _front_matter(project, edition, request, layout)
    children = [Mark("Contents", front.printed.anchors.get(BOOK.contents, 1)),
                *(Mark(title, front.found_at[anchor] - 1) for title, anchor in front.titles)]
    for ch in layout.chapters:
        mapped = {p: front_pages + v for p, v in ch.page_of.items()}
        marks = chapter_marks(ch.meta, mapped) if edition.document.lists_headings else []
        chapter = Mark(ch.meta.name, front_pages + ch.start, marks)
        chapter.children += [Mark(f"Appendix: {t}", front_pages + s) for t, s, _ in ch.appendices]
        children.append(chapter)
    title = edition.book.title + edition.document.book_title_suffix
    names = ", ".join(m.name for m in request.metas)
    prepared = _prepared_for(edition, request.recipient)
    footer = f"Prepared for {prepared}" if request.recipient else ""
    doc = Assembly([Part(front.printed.pdf, pages=list(range(front_pages)), unnumbered={0}, title="Front matter",
                         role="Sect"), *layout.parts],
                   info(project, title, f"Briefings on {names}", names + ", sponsor briefing"),
                   [Mark(title, 0, children)], footer, _descriptions(layout, front))
    return assemble(doc, edition, target, runner)
