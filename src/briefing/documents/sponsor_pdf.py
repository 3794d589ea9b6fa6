"""The single-sponsor PDF: its chapter as printed, then any attached PDFs, numbered and bookmarked."""

from __future__ import annotations

from pathlib import Path

from briefing.data.load import Project
from briefing.documents.assemble import Assembly, Info, Mark, Part, Written, assemble
from briefing.documents.attachments import appended
from briefing.documents.meta import ChapterMeta
from briefing.documents.outputs import chapter_pdf
from briefing.render.edition import Edition


def info(project: Project, title: str, subject: str, keywords: str) -> Info:
    book = project.book
    return Info(title=title, author=book.organisation, subject=subject, keywords=keywords,
                language=book.language, date=book.edition)


def chapter_marks(meta: ChapterMeta, page_of: dict[int, int]) -> list[Mark]:
    """Bookmarks of one full chapter, with its pages mapped into the final document."""
    ids = meta.ids
    marks = []
    for title, anchor in (("At a glance", ids.at_a_glance), ("Changes since the previous edition", ids.changes)):
        if anchor in meta.anchors:
            marks.append(Mark(title, page_of[meta.anchors[anchor]]))
    for sec in meta.sections:
        marks.append(Mark(f"{sec.number}  {sec.title}", page_of[sec.page],
                          [Mark(f"{sub.number}  {sub.title}", page_of[sub.page]) for sub in sec.subsections]))
    if ids.sources in meta.anchors:
        marks.append(Mark("Sources", page_of[meta.anchors[ids.sources]]))
    return marks


def link_descriptions(meta: ChapterMeta) -> dict[str, str]:
    """What a link to each anchor of a chapter is read as ("Go to <this>"), instead of an id."""
    ids = meta.ids
    found = {ids.cover: meta.name, ids.at_a_glance: f"{meta.name}: at a glance",
             ids.changes: f"{meta.name}: changes since the previous edition",
             ids.contents: f"{meta.name}: contents", ids.sources: f"{meta.name}: sources"}
    stack = list(meta.sections)
    while stack:
        sec = stack.pop()
        found[sec.anchor] = f"{meta.name}: section {sec.number}, {sec.title}"
        stack.extend(sec.subsections)
    for anchor in meta.anchors:  # citations link to numbered sources
        number = ids.source_number(anchor)
        if number is not None:
            found[anchor] = f"{meta.name}: source {number}"
    for item in meta.watch:  # the at-a-glance risk lines and the watch list link to the callouts
        found[item.anchor] = f"{meta.name}: {item.severity} item, {item.title}"
    return found


def finish_sponsor_pdf(project: Project, edition: Edition, meta: ChapterMeta, target: Path) -> Written:
    """Write ``target``; return its page count and warnings (an untagged attachment)."""
    slug = meta.slug
    sponsor = project.sponsors[slug]
    document = edition.document
    marks = chapter_marks(meta, {i: i for i in range(meta.pages)}) if document.lists_headings else []
    parts = [Part(chapter_pdf(edition, slug), unnumbered={0})]  # a cover, or a lone one-pager
    offset = meta.pages
    for extra in (appended(project, slug) if document.appends_attachments else []):
        parts.append(Part(extra.path, title=f"Appendix: {extra.title}"))
        marks.append(Mark(f"Appendix: {extra.title}", offset))
        offset += extra.pages
    subject = f"{sponsor.name}: {sponsor.headline or 'sponsor briefing'}"
    keywords = ", ".join([sponsor.name, *sponsor.categories, *([sponsor.tier] if sponsor.tier else [])])
    return assemble(Assembly(parts, info(project, f"{sponsor.name} — {document.what}", subject, keywords), marks,
                             descriptions=link_descriptions(meta)), edition, target)
