"""The name of every file a build writes, in one place: the PDFs in the output folder (what the plan
builds, the letters attach, the preview shows and the progress lines name) and each chapter's
files in its .build/ folder.

Output names are relative to the output folder, with "/" between folders:

    acme.pdf, acme-one-pager.pdf          a sponsor PDF (the variant's suffix)
    briefing-book.pdf                     the book
    levels/partner/acme.pdf               the same at a level other than the base one
    editions/avery-example.pdf            one recipient's edition

It sits below the build (the chapter printer names its own files from here) and imports next to
nothing at run time: the command line's progress lines read it as it starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from briefing.pdf.variants import PDF_UA
from briefing.render.variants import VARIANTS, DocumentVariant

if TYPE_CHECKING:
    from briefing.data.levels import Levels
    from briefing.data.model import Recipient
    from briefing.render.edition import Edition

BOOK_NAME = "briefing-book"
EDITIONS = "editions"
LEVELS = "levels"


# --- in the output folder -------------------------------------------------------------------

def level_prefix(level: str, levels: Levels) -> str:
    """Where a level's sponsor PDFs and book go: ``levels/partner/alibaba.pdf``; the base level's
    are the usual ``alibaba.pdf``, so a project without levels keeps its file names."""
    return "" if level == levels.base else f"{LEVELS}/{level}/"


def sponsor_output(slug: str, document: DocumentVariant, prefix: str = "") -> str:
    """A sponsor's PDF: ``alibaba.pdf``, ``alibaba-one-pager.pdf``; ``prefix`` from ``level_prefix``."""
    return f"{prefix}{slug}{document.suffix}.pdf"


def book_output(document: DocumentVariant, prefix: str = "") -> str:
    return f"{prefix}{BOOK_NAME}{document.suffix}.pdf"


def edition_output(recipient: Recipient, document: DocumentVariant) -> str:
    """One recipient's personalised edition, whatever their level: ``editions/avery-example.pdf``,
    named by the recipient's ``edition_id`` (explicit `id` or the address, never the name)."""
    return f"{EDITIONS}/{recipient.edition_id}{document.suffix}.pdf"


def is_book(name: str) -> bool:
    """A book or an edition (put together from chapters) rather than a sponsor PDF (printed)."""
    return name.startswith((f"{EDITIONS}/", BOOK_NAME))


def stem(name: str) -> str:
    """The output's name without ``.pdf`` and its variant's suffix: a sponsor PDF's is its slug."""
    found = name.removesuffix(".pdf")
    for document in VARIANTS.values():
        if document.suffix:
            found = found.removesuffix(document.suffix)
    return found


# --- a chapter's files in .build/ -------------------------------------------------------------

def chapter_dir(edition: Edition) -> Path:
    # one folder per PDF variant (switching to PDF/A and back reuses both sets of chapters) and
    # per level (each level's chapters are printed once and reused by every book of that level)
    pdf = "" if edition.pdf_variant == PDF_UA else "-" + edition.pdf_variant.replace("/", "")
    return edition.paths.build / edition.document.name / (edition.page_size.lower() + pdf) / (edition.audience or "all")


def chapter_pdf(edition: Edition, slug: str) -> Path:
    """The chapter as printed: the sponsor PDF's pages."""
    return chapter_dir(edition) / f"{slug}.pdf"


def chapter_book_pdf(edition: Edition, slug: str) -> Path:
    """The chapter's pages as books take them, prepared for merging (see ``structmerge.prepare``)."""
    return chapter_dir(edition) / f"{slug}.book.pdf"


def chapter_meta_path(edition: Edition, slug: str) -> Path:
    """The chapter's metadata (``meta.ChapterMeta``), as JSON."""
    return chapter_dir(edition) / f"{slug}.json"
