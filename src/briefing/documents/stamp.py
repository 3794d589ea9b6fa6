"""Page-number stamps: blank pages carrying only "Page X of Y", or only the footer line.

Chapters are printed once and reused by every document that holds them, so their page
numbers cannot be printed with them. Each final document gets a small overlay document,
printed by WeasyPrint with the same page margins (``assets/css/overlay.css``), whose pages
``binding`` draws over the real ones. The numbers of a document depend only on its length,
so the book and every personalised edition of the same length share them; a reader's footer
("Prepared for …") is one page of its own, printed once and drawn on every numbered page
(docs/performance.md, "Growth").

The overlay is printed untagged and drawn inside ``/Artifact <</Type /Pagination>>``: "Page X
of Y" is not part of the reading order, and a form carrying marked content of its own inside
an artifact would be a PDF/UA defect (see ``structmerge.add_artifact_overlay``).
"""

from __future__ import annotations

import os
from pathlib import Path

from briefing import __version__
from briefing.errors import RenderError
from briefing.files import write_atomic
from briefing.hashing import digest
from briefing.pdf.printer import PrintOptions, print_html, warm_weasyprint
from briefing.render.edition import Paths
from briefing.render.html import OVERLAY_TEMPLATE, render
from briefing.theme import Theme

CHUNK = 100  # overlay pages per WeasyPrint document: bounds memory on long books


def labels_for(numbered: list[bool]) -> list[str]:
    total = len(numbered)
    return [f"Page {i + 1} of {total}" if on else "" for i, on in enumerate(numbered)]


def overlay_files(numbered: list[bool], *, footer: str, page_size: str, pdf_variant: str,
                  paths: Paths) -> list[Path]:
    """The overlay PDFs holding one page per output page (empty where ``numbered`` is false).

    Printed in chunks of CHUNK pages, each cached by its content: after a change, only the
    chunks whose numbers moved are printed again.
    """
    labels = labels_for(numbered)
    css = _overlay_css(paths)
    chunks = [(chunk, _cached(chunk, footer, page_size, pdf_variant, paths, css))
              for chunk in (labels[start:start + CHUNK] for start in range(0, len(labels), CHUNK))]
    missing = [(chunk, path) for chunk, path in chunks if not path.is_file()]
    _print_missing(missing, footer, page_size, paths)
    return [path for _, path in chunks]


def footer_file(footer: str, *, page_size: str, pdf_variant: str, paths: Paths) -> Path:
    """One overlay page carrying only ``footer``, for every numbered page of a document (cached
    by its content)."""
    # a label of one space: the page is "numbered" (the footer shows) with no number on it
    path = _cached([" "], footer, page_size, pdf_variant, paths, _overlay_css(paths))
    if not path.is_file():
        _print_overlay([" "], footer, page_size, paths.root, path)
    return path


def _overlay_css(paths: Paths) -> str:
    return paths.theme.find("assets/css/overlay.css").read_text(encoding="utf-8")


def _cached(labels: list[str], footer: str, page_size: str, pdf_variant: str, paths: Paths, css: str) -> Path:
    """Where the overlay of ``labels`` is kept, named by everything it is printed from. It is
    always printed untagged; the variant is in the key all the same, so a cached overlay never
    serves a document of another conformance level."""
    key = digest(labels, footer, page_size, pdf_variant, "untagged", __version__, css, length=24)
    return paths.cache / f"overlay-{key}.pdf"


def _print_missing(missing: list[tuple[list[str], Path]], footer: str, page_size: str, paths: Paths) -> None:
    """Print the overlay chunks not in the cache (in parallel workers if there are several)."""
    if len(missing) > 1:  # a long book: print the chunks in parallel worker processes
        warm_weasyprint()  # once here, inherited warm by the forked workers

        from briefing.processes import Job, run_jobs

        outcomes = run_jobs([Job(path.name, _print_overlay, (chunk, footer, page_size, paths.root, path))
                             for chunk, path in missing], workers=os.cpu_count() or 1, timeout=600)
        failed = [o.error for o in outcomes if not o.ok]
        if failed:
            raise RenderError(f"page-number overlay: {failed[0]}")
    elif missing:
        chunk, path = missing[0]
        _print_overlay(chunk, footer, page_size, paths.root, path)


def _print_overlay(labels: list[str], footer: str, page_size: str, root: Path, target: Path) -> None:
    theme = Theme(root)
    html = render(theme.template_dirs, OVERLAY_TEMPLATE, labels=labels, footer=footer, page_size=page_size)
    printed = print_html(html, base=root, roots=theme.roots, what="page-number overlay",
                         options=PrintOptions(pdf_variant=None), overlays=theme.overlays)
    write_atomic(target, printed.pdf)
