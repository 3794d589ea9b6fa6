"""Bind printed parts into one final PDF: merge, stamp page numbers, link, bookmark, describe.

Everything here works on files and plain data, and imports only pikepdf and ``structmerge``,
so a book can be bound in a lean process of its own (``processes.Spare(Binder)``): a book's
objects in qpdf then never sit on top of the build's project, WeasyPrint and fonts
(docs/performance.md, "Binding process"). ``assemble.assemble`` prepares the job (which pages
get numbers, the overlays that carry them) and is told where it runs.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from briefing import __version__
from briefing.errors import MergeError, RenderError
from briefing.files import write_atomic
from briefing.pdf.structmerge import Merger, add_artifact_overlay, link_scheme_to_dests, set_metadata
from briefing.pdf.structmerge import Part as TaggedPart

LINK_SCHEME = "briefing-dest:"  # front-matter links to anchors in other chapters, resolved at binding


@dataclass
class Mark:
    """A bookmark: title, 0-based page in the final document, children."""

    title: str
    page: int
    children: list[Mark] = field(default_factory=list)


@dataclass
class Part:
    pdf: Path | bytes
    pages: list[int] | None = None  # indices to keep; None = all
    unnumbered: set[int] = field(default_factory=set)  # indices (in this part) left without a number
    dest: str | None = None  # a named destination for the part's first page (appended PDFs)
    title: str | None = None  # the /T of the element wrapping the part's structure (a sponsor's name)
    role: str = "Part"  # that element's structure type


@dataclass(frozen=True)
class Info:
    title: str
    author: str
    subject: str
    keywords: str
    language: str
    date: str  # YYYY-MM-DD, the edition date: documents carry no wall-clock time


@dataclass
class Assembly:
    """Everything one final PDF is made of."""

    parts: list[Part]
    info: Info
    marks: list[Mark]
    footer: str = ""  # e.g. "Prepared for …", printed on every numbered page
    descriptions: dict[str, str] = field(default_factory=dict)  # anchor -> what a link to it is read as


@dataclass(frozen=True)
class BindJob:
    """What binding one final PDF needs once its parts and overlays are printed: plain data, so
    that a fresh process (``processes.Spare``) can do it."""

    doc: Assembly
    numbered: list[bool]  # per output page: stamped with a number
    overlays: list[Path]  # overlay PDFs, one page per output page
    pdf_variant: str
    target: Path
    footer: Path | None = None  # one overlay page drawn on every numbered page (an edition's reader)


@dataclass(frozen=True)
class Bound:
    pages: int
    problems: list[str]  # what keeps the result from its conformance level
    ahead: int = 0  # parts that ``Binder.prebind`` had merged already


class Binder:
    """Binds final PDFs, and keeps the merges started ahead (``prebind``) until ``bind`` takes
    them over. The build's binding process hosts one for all of a level's books; ``Binder().bind``
    binds one document in this process."""

    def __init__(self) -> None:
        self._started: dict[str, tuple[list[Any], Merger]] = {}  # target -> (keys of the parts merged, merger)

    def prebind(self, target: Path, parts: list[Part], pdf_variant: str) -> None:
        """Start binding ``target`` with ``parts`` (chapters printed in an earlier run) while the
        build prints the others: on a refresh, merging a book's unchanged chapters then costs no
        wall time. ``bind`` takes the merger over if these parts are still in the book, unchanged
        on disk; otherwise it starts afresh."""
        merger = Merger(variant=pdf_variant, outlines=False)
        for part in parts:
            merger.add(_tagged(part))
        self._started[str(target)] = ([_key(part) for part in parts], merger)

    def bind(self, job: BindJob) -> Bound:
        """Merge, stamp, link, bookmark and describe ``job.doc``; write it to ``job.target``."""
        doc = job.doc
        keep: list[pikepdf.Pdf] = []
        overlays = overlay_pages(job.overlays, keep)
        footer = overlay_pages([job.footer], keep)[0] if job.footer else None
        try:
            merger, order, ahead = self._merger_for(job)
            merged = merger.finish(title=doc.info.title, lang=doc.info.language, order=order)
        except MergeError as err:
            _close(keep)
            raise RenderError(str(err)) from None
        buf = io.BytesIO()
        try:
            out = merged.pdf
            form = out.copy_foreign(footer.as_form_xobject()) if footer else None  # one, for every page
            for i, page in enumerate(out.pages):
                if job.numbered[i]:
                    stamp(out, page, overlays[i], i + 1)
                    if form is not None:
                        add_artifact_overlay(out, page, form, "BriefingFooter")
            link_scheme_to_dests(out, LINK_SCHEME, doc.descriptions)
            with out.open_outline() as outline:
                outline.root.extend(_outline_items(doc.marks))
            _set_info(out, doc.info)
            # again, after _set_info: XMP mirrors the document info, and PDF/A wants them to agree
            set_metadata(out, title=doc.info.title, lang=doc.info.language, variant=job.pdf_variant,
                         claim=not merged.problems)
            merged.save(buf)
        finally:
            merged.close()
            _close(keep)
        write_atomic(job.target, buf.getvalue())
        return Bound(len(job.numbered), merged.problems, ahead)

    def _merger_for(self, job: BindJob) -> tuple[Merger, list[int], int]:
        """A merger holding every part of ``job``, the order the document takes them in, and how
        many of them were merged ahead."""
        started = self._started.pop(str(job.target), None)
        keys = [_key(part) for part in job.doc.parts]
        if started is not None:
            done, merger = started
            if merger.variant == job.pdf_variant and None not in done and set(done) <= set(keys) \
                    and len(set(done)) == len(done):
                position = {key: i for i, key in enumerate(done)}
                order = []
                for part, key in zip(job.doc.parts, keys, strict=True):
                    if key not in position:
                        merger.add(_tagged(part))
                        position[key] = len(merger.spans) - 1
                    order.append(position[key])
                return merger, order, len(done)
            merger.out.pdf.close()
        merger = Merger(variant=job.pdf_variant, outlines=False)
        for part in job.doc.parts:
            merger.add(_tagged(part))
        return merger, list(range(len(job.doc.parts))), 0


def _key(part: Part) -> Any:
    """What identifies a part's merged pages: its file as it is on disk now, and how it is taken."""
    if isinstance(part.pdf, bytes):
        return None  # printed in this run: never merged ahead
    info = part.pdf.stat()
    return (str(part.pdf), info.st_size, info.st_mtime_ns, info.st_ino, tuple(part.pages or ()), part.role,
            part.title, part.dest)


def _tagged(part: Part) -> TaggedPart:
    return TaggedPart(part.pdf, part.pages, role=part.role, title=part.title, dest=part.dest)


def overlay_pages(files: list[Path], keep: list[pikepdf.Pdf]) -> list[pikepdf.Page]:
    """The pages of ``files``, in order. Opened PDFs are appended to ``keep``: their pages must
    stay open until the final document is saved."""
    pages: list[pikepdf.Page] = []
    for path in files:
        pdf = pikepdf.Pdf.open(path)
        keep.append(pdf)
        pages.extend(pdf.pages)
    return pages


def stamp(out: pikepdf.Pdf, page: pikepdf.Page, overlay: pikepdf.Page, number: int) -> None:
    """Draw ``overlay`` over ``page`` as a pagination artifact, under a name from the page number.

    pikepdf's add_overlay names the XObject at random, which would make every build's bytes
    differ; and pages may share one /Resources dictionary, so each page needs its own name.
    Both pages have the same size and origin: no transformation is needed.
    """
    add_artifact_overlay(out, page, out.copy_foreign(overlay.as_form_xobject()), f"BriefingStamp{number}")


def _outline_items(marks: list[Mark]) -> list[pikepdf.OutlineItem]:
    items = []
    for mark in marks:
        item = pikepdf.OutlineItem(mark.title, mark.page)
        item.children.extend(_outline_items(mark.children))
        items.append(item)
    return items


def _close(pdfs: list[pikepdf.Pdf]) -> None:
    for pdf in pdfs:
        pdf.close()


def _set_info(out: pikepdf.Pdf, info: Info) -> None:
    # the edition date, or SOURCE_DATE_EPOCH for reproducible-builds tooling: never the wall clock
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit()
            else dt.datetime.fromisoformat(info.date).replace(tzinfo=dt.UTC))
    stamp_date = when.strftime("D:%Y%m%d%H%M%SZ")
    for key, value in (("/Title", info.title), ("/Author", info.author), ("/Subject", info.subject),
                       ("/Keywords", info.keywords), ("/Creator", f"briefing {__version__}"),
                       ("/Producer", f"briefing {__version__} (WeasyPrint, qpdf)"),
                       ("/CreationDate", stamp_date), ("/ModDate", stamp_date)):
        out.docinfo[key] = pikepdf.String(value)
    out.Root.Lang = pikepdf.String(info.language)
    out.Root.PageMode = pikepdf.Name.UseOutlines
