"""The single-sponsor PDF: its chapter as printed, then any attached PDFs, numbered and bookmarked."""

from __future__ import annotations

from pathlib import Path

from briefing.data.load import Project
from briefing.documents.assemble import Assembly, Mark, Part, Written, assemble, info
from briefing.documents.attachments import appended
from briefing.documents.marks import chapter_marks, link_descriptions
from briefing.documents.meta import ChapterMeta
from briefing.documents.outputs import chapter_pdf
from briefing.render.edition import Edition


def finish_sponsor_pdf(project: Project, edition: Edition, meta: ChapterMeta, target: Path,
                       chapter: bytes | None = None) -> Written:
    """Write ``target``; return its page count and warnings (an untagged attachment). ``chapter``:
    the chapter just printed, when it is not in the build folder yet."""
    slug = meta.slug
    sponsor = project.sponsors[slug]
    document = edition.document
    marks = chapter_marks(meta, {i: i for i in range(meta.pages)}) if document.lists_headings else []
    # a cover, or a lone one-pager, unnumbered; the page count from the metadata, not another read
    parts = [Part(chapter or chapter_pdf(edition, slug), pages=list(range(meta.pages)), unnumbered={0})]
    offset = meta.pages
    for extra in (appended(project, slug) if document.appends_attachments else []):
        parts.append(Part(extra.path, title=f"Appendix: {extra.title}"))
        marks.append(Mark(f"Appendix: {extra.title}", offset))
        offset += extra.pages
    subject = f"{sponsor.name}: {sponsor.headline or 'sponsor briefing'}"
    keywords = ", ".join([sponsor.name, *sponsor.categories, *([sponsor.tier] if sponsor.tier else [])])
    return assemble(Assembly(parts, info(project, f"{sponsor.name} — {document.what}", subject, keywords), marks,
                             descriptions=link_descriptions(meta)), edition, target)
