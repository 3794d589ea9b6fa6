"""Join printed pages into final PDFs: one structure tree, bookmarks, links, stamps, metadata.

WeasyPrint lays each sponsor out once, tagged (PDF/UA-1 or PDF/A-3a). The sponsor PDF and
every book that contains the sponsor reuse those pages: ``structmerge`` joins them with qpdf
(through pikepdf) and carries each part's structure tree into one, so a 50-sponsor book is
never laid out as one giant document (docs/performance.md, "Books are merged, not laid out").
Page numbers are stamped on afterwards as artifacts (see ``stamp``); ``binding`` does the
joining, here or in a process of its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefing.data.load import Project
from briefing.documents.stamp import footer_file, overlay_files
from briefing.errors import EncryptedPdf, RenderError, UnreadablePdf
from briefing.pdf import variants
from briefing.pdf.binding import Assembly, Binder, BindJob, Bound, Info, Mark, Part
from briefing.pdf.pages import page_count
from briefing.render.edition import Edition

__all__ = ["Assembly", "Info", "Mark", "Part", "Runner", "Written", "assemble", "in_this_process", "info"]


@dataclass(frozen=True)
class Written:
    pages: int
    warnings: list[str]  # e.g. an appended PDF that is untagged: the result claims no conformance


Runner = Callable[[BindJob], Bound]  # what binds a job: ``in_this_process``, or the build's binding process


def info(project: Project, title: str, subject: str, keywords: str) -> Info:
    """A document's metadata: its own title, subject and keywords; the rest from book.yaml."""
    book = project.book
    return Info(title=title, author=book.organisation, subject=subject, keywords=keywords,
                language=book.language, date=book.edition)


def in_this_process(job: BindJob) -> Bound:
    return Binder().bind(job)


def _part_pages(source: Path | bytes) -> int:
    try:
        return page_count(source)
    except EncryptedPdf:
        raise RenderError(f"{source}: is encrypted") from None
    except UnreadablePdf as err:
        raise RenderError(f"{source}: cannot read PDF: {err}") from None


def _numbering(parts: list[Part]) -> list[bool]:
    """Which output pages get a number; fills in each part's page list."""
    numbered: list[bool] = []
    for part in parts:
        if part.pages is None:
            part.pages = list(range(_part_pages(part.pdf)))
        numbered += [i not in part.unnumbered for i in part.pages]
    return numbered


def assemble(doc: Assembly, edition: Edition, target: Path, runner: Runner = in_this_process) -> Written:
    """Write the joined document to ``target`` atomically; return its page count and warnings.

    The overlays are printed here (in forked workers for long books); ``runner`` decides where
    the binding itself runs: a book's holds every page in memory, so the build gives it a lean
    process of its own (``processes.Spare(Binder)``) rather than this one, which holds the
    project and WeasyPrint.
    """
    numbered = _numbering(doc.parts)
    # the numbers without the footer: shared by every document of this length (the book and its
    # personalised editions); a reader's footer is one page of its own
    overlays = overlay_files(numbered, footer="", page_size=edition.page_size,
                             pdf_variant=edition.pdf_variant, paths=edition.paths)
    footer = footer_file(doc.footer, page_size=edition.page_size, pdf_variant=edition.pdf_variant,
                         paths=edition.paths) if doc.footer else None
    bound = runner(BindJob(doc, numbered, overlays, edition.pdf_variant, target, footer))
    return Written(bound.pages, _warnings(bound.problems, edition, target))


def _warnings(problems: list[str], edition: Edition, target: Path) -> list[str]:
    """What keeps ``target`` from the conformance its variant names, with paths as a user gives them."""
    claim = variants.claim(edition.pdf_variant)
    name = target.relative_to(edition.paths.out) if target.is_relative_to(edition.paths.out) else target
    project = str(edition.paths.data_dir.parent) + os.sep
    return [f"{name}: warning: {problem.replace(project, '')}; it is not claimed as {claim}" for problem in problems]
