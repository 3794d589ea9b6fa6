"""One sponsor's chapter: charts drawn (or taken from the cache), HTML, then PDF pages.

Runs inside a worker process. The pages it prints serve both the sponsor PDF and the
book; page numbers are stamped on later (see ``stamp``). Beside the PDF it writes the
chapter's metadata (``meta.ChapterMeta``): where each anchor landed, for contents and links.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from briefing.data.load import Project
from briefing.data.model import Sponsor
from briefing.documents.meta import ChapterMeta, SectionEntry, WatchEntry, book_pages
from briefing.documents.outputs import chapter_book_pdf, chapter_meta_path, chapter_pdf
from briefing.documents.preflight import inspect, lines_for
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


def chapter_html(project: Project, edition: Edition, slug: str,
                 sponsor: Sponsor | None = None) -> tuple[str, Drawn]:
    """The chapter's HTML and its charts (drawn now or taken from the cache); ``sponsor`` is the
    sponsor as printed (typeset), when the caller has it already."""
    sponsor = sponsor or typeset_sponsor(project.sponsors[slug])
    try:
        colours = edition.palette
        charts = draw_charts(sponsor_charts(sponsor, accent_of(sponsor, colours.primary),
                                            block_charts=edition.document.block_charts, colours=colours), edition.paths)
    except RenderError as err:  # a chart that cannot be drawn: say which file it came from
        raise RenderError(f"{data_file_name(project, slug)}: {err}") from None
    html = sponsor_html(slug, sponsor, edition, chart_urls=charts.urls,
                        logo_url=logo_url(sponsor, edition.paths))
    return html, charts


def print_chapter(project: Project, edition: Edition, slug: str, key: str) -> ChapterMeta:
    """Print one sponsor's chapter into the build folder and return its metadata."""
    data_file = data_file_name(project, slug)
    sponsor = project.sponsors[slug]
    # the words this chapter hyphenates, remembered in the build folder for the next run
    printed_sponsor = typeset_sponsor(sponsor, Hyphens(edition.paths.cache))
    html, charts = chapter_html(project, edition, slug, printed_sponsor)
    options = PrintOptions(pdf_variant=edition.pdf_variant,
                           locate=lambda char: where_in(sponsor.model_dump(), char),
                           inspect=preflight(project, slug, data_file))
    printed = print_html(html, base=edition.paths.root, roots=edition.paths.readable, charts=charts.svgs,
                         what=data_file, options=options, overlays=edition.paths.overlays)
    if edition.document.one_page_blocks:
        _check_one_page(printed, ChapterAnchors(slug), data_file, edition.document.one_page_blocks)
    meta = replace(_meta(printed_sponsor, edition, printed, ChapterAnchors(slug), key),
                   charts_drawn=charts.drawn, findings=tuple(printed.findings))
    write_atomic(chapter_pdf(edition, slug), printed.pdf)
    # prepared here, once, rather than in every book that contains the chapter; IDs get a prefix
    # no other part of a book can have (merge gives unprepared parts "p<n>-")
    write_atomic(chapter_book_pdf(edition, slug), prepare(printed.pdf, book_pages(meta, edition.document),
                                                          prefix=f"c:{slug}:"))
    write_atomic(chapter_meta_path(edition, slug), meta.to_json())
    return meta


def preflight(project: Project, slug: str, data_file: str) -> Callable[[Any], list[str]]:
    """The preflight of this chapter: laid-out pages in, ``FILE:LINE: sponsor › section: problem`` out."""
    from briefing.data.yamlsafe import load_file

    def check(document: Any) -> list[str]:
        anchors = ChapterAnchors(slug)
        by_name = {name: i for i, page in enumerate(document.pages) for name in page.anchors}
        skip = {0} | {by_name[a] for a in (anchors.contents, anchors.changes) if a in by_name}
        try:
            located = load_file(project.files[slug], data_file)
        except BriefingError:  # validated moments ago; without lines the findings still name the block
            located = None
        return lines_for(inspect(document, skip, tuple(Theme(project.root).font_files())), data_file=data_file,
                         sponsor=project.sponsors[slug], located=located)

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
