"""HTML to PDF with WeasyPrint: PDF bytes and page facts out; any error or missing glyph fails it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from .errors import RenderError
from .settings import PDF_UA


@dataclass
class Printed:
    pdf: bytes
    pages: int
    anchors: dict[str, int]  # anchor id -> 0-based page index
    size: tuple[float, float]  # page width, height in PDF points


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.ERROR or ".notdef" in message:
            self.problems.append(message)


def print_html(html: str, *, base: Path, roots: list[Path], pdf_variant: str | None = PDF_UA,
               charts: dict[str, str] | None = None, what: str = "document") -> Printed:
    """Lay out and print ``html``; raise RenderError naming every problem WeasyPrint met.

    ``pdf_variant`` is WeasyPrint's: "pdf/ua-1" or "pdf/a-3a" print a structure tree, None an
    untagged PDF (only for the page-number overlay, which is drawn as an artifact).
    """
    from weasyprint import HTML  # imported here: a run with nothing to print never loads it
    from weasyprint.urls import FatalURLFetchingError

    from .fetcher import SafeFetcher

    fetcher = SafeFetcher(roots, charts)
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        document = HTML(string=html, base_url=base.resolve().as_uri() + "/",
                        url_fetcher=fetcher).render()
        pdf = document.write_pdf(uncompressed_pdf=False, pdf_variant=pdf_variant)
    except (Exception, FatalURLFetchingError) as err:  # noqa: BLE001 - all are render failures
        reasons = [f"refused to read {d}" for d in fetcher.denied] or [f"{type(err).__name__}: {err}"]
        raise RenderError(f"{what}: " + "; ".join(reasons)) from None
    finally:
        logger.removeHandler(handler)
    problems = [f"refused to read {d}" for d in fetcher.denied] + handler.problems
    if problems:
        unique = list(dict.fromkeys(problems))
        hint = ""
        if any(".notdef" in p for p in unique):
            hint = " (a character has no glyph in the shipped fonts; see assets/fonts/README.md)"
        raise RenderError(f"{what}: " + "; ".join(unique[:5]) + hint)
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
    first = document.pages[0]
    # WeasyPrint sizes are CSS px (1/96 in); PDF points are 1/72 in
    size = (first.width * 0.75, first.height * 0.75)
    return Printed(pdf=pdf, pages=len(document.pages), anchors=anchors, size=size)
