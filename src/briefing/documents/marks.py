"""How a printed chapter is found in any PDF that holds it: its bookmarks and what a link to each
of its anchors is read as. The sponsor PDF and every book use these, so neither reaches into the other.
"""

from __future__ import annotations

from briefing.documents.meta import ChapterMeta
from briefing.pdf.binding import Mark


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
