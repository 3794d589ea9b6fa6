"""Join printed pages into final PDFs: one structure tree, bookmarks, links, stamps, metadata.

WeasyPrint lays each sponsor out once, tagged (PDF/UA-1 or PDF/A-3a). The sponsor PDF and
every book that contains the sponsor reuse those pages: ``structmerge`` joins them with qpdf
(through pikepdf) and carries each part's structure tree into one, so a 50-sponsor book is
never laid out as one giant document (measured: that doubles the time and grows memory to
~1 GB). Page numbers are stamped on afterwards as artifacts (see ``stamp``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from . import __version__
from .anchors import LINK_SCHEME
from .errors import RenderError
from .files import write_atomic
from .settings import Edition
from .stamp import overlay_files, overlay_pages, stamp
from .structmerge import MergeError, link_scheme_to_dests, merge, set_metadata
from .structmerge import Part as TaggedPart


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
class Written:
    pages: int
    warnings: list[str]  # e.g. an appended PDF that is untagged: the result claims no conformance


def page_count(source: Path | bytes) -> int:
    try:
        with pikepdf.Pdf.open(io.BytesIO(source) if isinstance(source, bytes) else source) as pdf:
            return len(pdf.pages)
    except pikepdf.PasswordError:
        raise RenderError(f"{source}: is encrypted") from None
    except pikepdf.PdfError as err:
        raise RenderError(f"{source}: cannot read PDF: {err}") from None


def _outline_items(marks: list[Mark]) -> list[pikepdf.OutlineItem]:
    items = []
    for mark in marks:
        item = pikepdf.OutlineItem(mark.title, mark.page)
        item.children.extend(_outline_items(mark.children))
        items.append(item)
    return items


def _numbering(parts: list[Part]) -> list[bool]:
    """Which output pages get a number; fills in each part's page list."""
    numbered: list[bool] = []
    for part in parts:
        if part.pages is None:
            part.pages = list(range(page_count(part.pdf)))
        numbered += [i not in part.unnumbered for i in part.pages]
    return numbered


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


@dataclass(frozen=True)
class MergeJob:
    """What writing one final PDF needs once its parts and overlays are printed: plain data, so
    that a fresh process (see ``spare``) can do it."""

    doc: Assembly
    numbered: list[bool]  # per output page: stamped with a number
    overlays: list[Path]  # overlay PDFs, one page per output page
    pdf_variant: str
    target: Path


@dataclass(frozen=True)
class Merged:
    pages: int
    problems: list[str]  # what keeps the result from its conformance level


MergeRunner = Callable[[Callable[[MergeJob], Merged], MergeJob], Merged]


def in_this_process(func: Callable[[MergeJob], Merged], job: MergeJob) -> Merged:
    return func(job)


def assemble(doc: Assembly, edition: Edition, target: Path, runner: MergeRunner = in_this_process) -> Written:
    """Write the joined document to ``target`` atomically; return its page count and warnings.

    The overlays are printed here (in forked workers for long books); ``runner`` decides where
    the merge itself runs: a book's merge holds every page in memory, so the build gives it a
    fresh process of its own (``spare.SpareProcess``) rather than this one, which holds the
    project and WeasyPrint.
    """
    numbered = _numbering(doc.parts)
    overlays = overlay_files(numbered, footer=doc.footer, page_size=edition.page_size,
                             pdf_variant=edition.pdf_variant, paths=edition.paths)
    merged = runner(write_merged, MergeJob(doc, numbered, overlays, edition.pdf_variant, target))
    return Written(merged.pages, _warnings(merged.problems, edition, target))


def write_merged(job: MergeJob) -> Merged:
    """Merge, stamp, link, bookmark and describe ``job.doc``; write it to ``job.target``."""
    doc = job.doc
    keep: list[pikepdf.Pdf] = []
    overlays = overlay_pages(job.overlays, keep)
    try:
        merged = merge([TaggedPart(p.pdf, p.pages, role=p.role, title=p.title, dest=p.dest) for p in doc.parts],
                       title=doc.info.title, lang=doc.info.language, variant=job.pdf_variant, outlines=False)
    except MergeError as err:
        _close(keep)
        raise RenderError(str(err)) from None
    buf = io.BytesIO()
    try:
        out = merged.pdf
        for i, page in enumerate(out.pages):
            if job.numbered[i]:
                stamp(out, page, overlays[i], i + 1)
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
    return Merged(len(job.numbered), merged.problems)


def _warnings(problems: list[str], edition: Edition, target: Path) -> list[str]:
    """What keeps ``target`` from the conformance its variant names, with paths as a user gives them."""
    claim = "PDF/A-3a or PDF/UA-1" if edition.pdf_variant == "pdf/a-3a" else "PDF/UA-1"
    name = target.relative_to(edition.paths.out) if target.is_relative_to(edition.paths.out) else target
    project = str(edition.paths.data_dir.parent) + os.sep
    return [f"{name}: warning: {problem.replace(project, '')}; it is not claimed as {claim}" for problem in problems]
