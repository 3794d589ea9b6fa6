"""One sponsor's chapter: charts drawn (or taken from the cache), HTML, then PDF pages.

Runs inside a worker process. The pages it prints serve both the sponsor PDF and the
book; page numbers are stamped on later (see ``stamp``). Beside the PDF it writes the
chapter's metadata (``meta.ChapterMeta``): where each anchor landed, for contents and links.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from briefing.data.load import Project
from briefing.data.model import Sponsor
from briefing.documents.meta import ChapterMeta, SectionEntry, WatchEntry, book_pages
from briefing.documents.outputs import chapter_book_pdf, chapter_meta_path, chapter_pdf
from briefing.documents.preflight import Finding, chart_findings, inspect, lines_for
from briefing.errors import BriefingError, RenderError
from briefing.files import write_atomic
from briefing.pdf.printer import Printed, PrintOptions, print_html
from briefing.pdf.structmerge import prepare
from briefing.render.anchors import ChapterAnchors
from briefing.render.chart_specs import sponsor_charts
from briefing.render.charts import Drawn, draw_charts
from briefing.render.edition import Edition, Paths
from briefing.render.html import accent_of, sponsor_html
from briefing.render.markup import typeset_sponsor
from briefing.render.outline import Heading, outline
from briefing.render.watchlist import watch_list
from briefing.text.glyphs import where_in
from briefing.text.hyphens import Hyphens
from briefing.theme import Theme


def logo_url(sponsor: Sponsor, paths: Paths) -> str | None:
    return (paths.root / sponsor.brand.logo).resolve().as_uri() if sponsor.brand.logo else None


def data_file_name(project: Project, slug: str) -> str:
    """The sponsor's file as errors name it: relative to the folder holding data/."""
    return os.path.relpath(project.files[slug], project.data_dir.resolve().parent)


def chapter_html(project: Project, edition: Edition, slug: str, sponsor: Sponsor | None = None,
                 table_breaks: dict[int, list[int]] | None = None) -> tuple[str, Drawn]:
    """The chapter's HTML and its charts (drawn now or taken from the cache); ``sponsor`` is the
    sponsor as printed (typeset), when the caller has it already; ``table_breaks`` as
    ``sponsor_html`` takes them."""
    sponsor = sponsor or typeset_sponsor(project.sponsors[slug])
    try:
        charts = _draw(sponsor, edition)
    except RenderError as err:  # a chart that cannot be drawn: say which file it came from
        raise RenderError(f"{data_file_name(project, slug)}: {err}") from None
    html = sponsor_html(slug, sponsor, edition, chart_urls=charts.urls,
                        logo_url=logo_url(sponsor, edition.paths), table_breaks=table_breaks)
    return html, charts


def _draw(sponsor: Sponsor, edition: Edition) -> Drawn:
    colours = edition.palette
    return draw_charts(sponsor_charts(sponsor, accent_of(sponsor, colours.primary),
                                      block_charts=edition.document.block_charts, colours=colours), edition.paths)


def draw_charts_ahead(project: Project, edition: Edition, slug: str) -> int:
    """Draw the chapter's charts into the build's chart cache, as its print will want them, and
    return how many were not there: the `build` command does this while its held worker imports
    WeasyPrint (processes.Held), and the print finds them drawn. A chart that cannot be drawn is
    left for the print to report."""
    try:
        return _draw(_as_printed(project, edition, slug), edition).drawn
    except BriefingError:
        return 0


def _as_printed(project: Project, edition: Edition, slug: str) -> Sponsor:
    """The sponsor as its chapter prints it: typeset, with the words it hyphenates remembered in
    the build folder for the next run."""
    return typeset_sponsor(project.sponsors[slug], Hyphens(edition.paths.cache))


@dataclass(frozen=True)
class PrintedChapter:
    """A chapter just printed, not yet in the build folder: its metadata (without the preflight's
    findings), its PDF, and its preflight, run by ``keep_for_books``."""

    meta: ChapterMeta
    pdf: bytes
    preflight: Callable[[], list[str]]


def print_chapter(project: Project, edition: Edition, slug: str, key: str) -> PrintedChapter:
    """Print one sponsor's chapter; ``keep_for_books`` puts it in the build folder. What an editor
    waits for, the sponsor PDF, needs only the pages, so the rest waits until it is written."""
    data_file = data_file_name(project, slug)
    sponsor = project.sponsors[slug]
    printed_sponsor = _as_printed(project, edition, slug)
    laid_out: list[Any] = []  # the last print's pages, for its table cuts and the preflight
    options = PrintOptions(pdf_variant=edition.pdf_variant,
                           locate=lambda char: where_in(sponsor.model_dump(), char),
                           inspect=lambda document: laid_out.clear() or laid_out.append(document) or [])

    def print_with(breaks: dict[int, list[int]]) -> tuple[Printed, Drawn]:
        html, charts = chapter_html(project, edition, slug, printed_sponsor, breaks)
        return print_html(html, base=edition.paths.root, roots=edition.paths.readable, charts=charts.svgs,
                          what=data_file, options=options, overlays=edition.paths.overlays), charts

    # a long table that breaks across pages is printed in parts, the later ones under "Exhibit N
    # (continued)". The cuts of this chapter's last print are tried first: a chapter printed
    # again unchanged, or changed where its tables do not move, is printed once, not twice.
    printed, charts, breaks = _print_in_parts(print_with, _remembered_breaks(edition, slug),
                                              ChapterAnchors(slug), laid_out)
    if edition.document.one_page_blocks:
        _check_one_page(printed, ChapterAnchors(slug), data_file, edition.document.one_page_blocks)
    meta = replace(_meta(printed_sponsor, edition, printed, ChapterAnchors(slug), key), charts_drawn=charts.drawn,
                   table_breaks=breaks)
    check = preflight(project, slug, data_file, charts.overlaps)
    return PrintedChapter(meta, printed.pdf, lambda: check(laid_out[-1]))


def keep_for_books(edition: Edition, chapter: PrintedChapter, books: bool = True) -> ChapterMeta:
    """Write the printed chapter and, if ``books``, its book pages to the build folder, run its
    preflight, and write its metadata last: it marks the chapter as printed for its key, so a
    chapter whose worker stopped before this is printed again. Return that metadata.

    A build that binds no book leaves the book pages to the first build that does
    (``keep_book_pages``, from the chapter kept here), and removes those of an earlier print."""
    meta = replace(chapter.meta, findings=tuple(chapter.preflight()))
    slug = meta.slug
    if not books:
        chapter_book_pdf(edition, slug).unlink(missing_ok=True)
    write_atomic(chapter_pdf(edition, slug), chapter.pdf)
    if books:
        keep_book_pages(edition, meta, chapter.pdf)
    write_atomic(chapter_meta_path(edition, slug), meta.to_json())
    return meta


def keep_book_pages(edition: Edition, meta: ChapterMeta, printed: bytes | None = None) -> None:
    """Write the chapter's pages as books take them: ``printed``, else the chapter PDF in the build
    folder. They are prepared once, rather than in every book that contains the chapter; IDs get a
    prefix no other part of a book can have (merge gives unprepared parts "p<n>-")."""
    source = printed if printed is not None else chapter_pdf(edition, meta.slug)
    pages = book_pages(meta, edition.document)
    write_atomic(chapter_book_pdf(edition, meta.slug), prepare(source, pages, prefix=f"c:{meta.slug}:"))


def _print_in_parts(print_with: Callable[[dict[int, list[int]]], tuple[Printed, Drawn]],
                    start: dict[int, list[int]], ids: ChapterAnchors,
                    laid_out: list[Any]) -> tuple[Printed, Drawn, dict[int, list[int]]]:
    """Print from the table cuts ``start`` and mend them until the pages need no other (each
    round mends each table where its parts first go wrong: ``mend_cuts``). Return the last print
    and its cuts: the same for any ``start``, so a remembered guess never changes the pages."""
    breaks = {exhibit: list(rows) for exhibit, rows in start.items()}
    printed, charts = print_with(breaks)
    for _ in range(TABLE_ROUNDS):
        mended = mend_cuts(laid_out[-1], ids, breaks)
        if mended == breaks:
            break
        breaks = mended
        printed, charts = print_with(breaks)
    return printed, charts, breaks


def _remembered_breaks(edition: Edition, slug: str) -> dict[int, list[int]]:
    """The table cuts of this chapter's last print in this build folder (none: ``{}``)."""
    try:
        return ChapterMeta.load(chapter_meta_path(edition, slug)).table_breaks
    except (OSError, ValueError, TypeError, KeyError):
        return {}


TABLE_ROUNDS = 8  # prints after the first; a table of n pages printed from no cuts takes about n
FIT_SLACK = 1.0  # CSS px: a row this close to fitting might have fitted (the cut is taken out to know)


@dataclass(frozen=True)
class _Row:
    page: int  # the page it starts on
    height: float  # its margin box, on the page it starts on
    room: float  # what is left of the page it ends on, below it


def mend_cuts(document: Any, ids: ChapterAnchors, breaks: dict[int, list[int]]) -> dict[int, list[int]]:
    """The cuts of each long table in the laid-out ``document`` (printed with ``breaks``), mended
    where its parts first go wrong, in reading order:

    - a cut that need not be there is taken out: a part of fewer than two rows on either side of
      it, or a row after it that fits in what is left of the page before it (with the table's last
      row, which never begins a page alone);
    - a part that breaks across a page is cut where it broke, and the rest of the table is cut as
      often as that page held rows: a guess the next round mends.

    Unchanged cuts mean the pages are final. Cuts of a table that is no longer long are dropped."""
    rows: dict[int, dict[int, _Row]] = {}
    for index, page in enumerate(document.pages):
        page_box = page._page_box  # noqa: SLF001 - WeasyPrint's laid-out boxes are only reachable here
        bottom = page_box.content_box_y() + page_box.height
        for box in page_box.descendants():
            element = getattr(box, "element", None)
            if getattr(box, "element_tag", None) != "tr" or element is None:
                continue
            found = ids.row_of(element.get("id") or "")
            if found is None:
                continue
            exhibit, row = found
            room = bottom - box.position_y - box.margin_height()
            known = rows.setdefault(exhibit, {}).get(row)
            rows[exhibit][row] = (_Row(index, box.margin_height(), room) if known is None
                                  else replace(known, room=room))  # a row torn across pages ends on the last
    mended = {}
    for exhibit, table in rows.items():
        count = len(table)
        cuts = _mend_table(table, count, [c for c in breaks.get(exhibit, []) if 0 < c < count])
        if cuts:
            mended[exhibit] = cuts
    return mended


def _mend_table(table: dict[int, _Row], count: int, cuts: list[int]) -> list[int]:
    bounds = [0, *cuts, count]
    for k in range(len(bounds) - 1):
        begin, end = bounds[k], bounds[k + 1]
        if k and not _needed(table, count, bounds[k - 1], begin, end):
            return cuts[:k - 1] + cuts[k:]
        broke = next((row for row in range(begin + 1, end) if table[row].page != table[begin].page), None)
        if broke is not None:
            guesses = []
            if k:  # a continued part's first page: as many rows as each later page holds
                step = broke - begin
                guesses = list(range(broke + step, count - 1, step)) if step >= 2 else []
            return [*cuts[:k], broke, *guesses]
    return cuts


def _needed(table: dict[int, _Row], count: int, before: int, cut: int, end: int) -> bool:
    if cut - before < 2 or end - cut < 2:
        return False
    follows = [cut, cut + 1] if cut + 2 == count else [cut]
    return table[cut - 1].room < sum(table[row].height for row in follows) - FIT_SLACK


def preflight(project: Project, slug: str, data_file: str,
              overlaps: dict[str, list[str]] | None = None) -> Callable[[Any], list[str]]:
    """The preflight of this chapter: laid-out pages in, ``FILE:LINE: sponsor › section: problem`` out;
    ``overlaps``: the labels its charts drew over each other (``Drawn.overlaps``)."""
    from briefing.data.yamlsafe import load_file

    def check(document: Any) -> list[str]:
        anchors = ChapterAnchors(slug)
        by_name = {name: i for i, page in enumerate(document.pages) for name in page.anchors}
        # cover, at a glance, contents and changes each stand alone: short by design when the data is
        # short (the at-a-glance page is its heading's page: a second page of it is a finding)
        skip = {0} | {by_name[a] for a in (anchors.at_a_glance, anchors.contents, anchors.changes) if a in by_name}
        found = inspect(document, skip, tuple(Theme(project.root).font_files()))
        glance = [i for i, page in enumerate(document.pages) if anchors.glance in page.anchors]
        if len(glance) > 1:
            found.append(Finding("", f"the at-a-glance page runs onto page {glance[-1] + 1}: shorten the summary, "
                                     f"key points or key figures"))
        found += chart_findings(overlaps or {}, project.sponsors[slug])
        if not found:
            return []
        try:  # the file read again with positions, only to say where each finding is
            located = load_file(project.files[slug], data_file)
        except BriefingError:  # validated moments ago; without lines the findings still name the block
            located = None
        return lines_for(found, data_file=data_file, sponsor=project.sponsors[slug], located=located)

    return check


def _check_one_page(printed: Printed, anchors: ChapterAnchors, data_file: str, blocks: tuple[str, ...]) -> None:
    """Name the first of ``blocks`` (in print order) that ended (or started) past page 1."""
    if printed.pages <= 1:
        return
    spilled = [name for name in blocks if printed.anchors.get(anchors.op_end(name), 0) > 0]
    block = spilled[0] if spilled else "the last block"
    raise RenderError(f"{data_file}: one-pager does not fit on one page: '{block}' overflowed "
                      f"onto page 2 (shorten key_points, key_figures or the summary)")


def _meta(sponsor: Sponsor, edition: Edition, printed: Printed, anchors: ChapterAnchors, key: str) -> ChapterMeta:
    found = printed.anchors

    def entry(heading: Heading) -> SectionEntry:
        return SectionEntry(heading.number, heading.title, heading.anchor, found.get(heading.anchor, 0),
                            tuple(entry(sub) for sub in heading.subsections))

    # the watch list carries the one-line summary and a link; the full text stays in its section
    watch = tuple(WatchEntry(w.line, w.severity, w.anchor, w.heading, found.get(w.anchor, 0))
                  for w in watch_list({anchors.slug: sponsor}))
    return ChapterMeta(slug=anchors.slug, name=sponsor.name, variant=edition.document.name, pages=printed.pages,
                       size=printed.size, anchors=found, key=key,
                       sections=tuple(entry(h) for h in outline(sponsor, anchors).sections), watch=watch)
