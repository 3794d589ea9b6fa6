"""HTML to PDF with WeasyPrint: PDF bytes and page facts out; any error or missing glyph fails it."""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import logging
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.errors import OutputError, RenderError
from briefing.pdf.structmerge import SPLIT_KEY
from briefing.pdf.variants import PDF_UA
from briefing.processes import uncollected


@dataclass
class Printed:
    pdf: bytes
    pages: int
    anchors: dict[str, int]  # anchor id -> 0-based page index
    size: tuple[float, float]  # page width, height in PDF points
    findings: list[str] = field(default_factory=list)  # from the `inspect` callback (preflight)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.ERROR or ".notdef" in message:
            self.problems.append(message)


_NOTDEF = re.compile(r"\.notdef glyph.*\(U\+([0-9A-F]{4,6})\)")
Locate = Callable[[str], list[str]]  # character -> where the data holds it ("section 'X', field y")


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EDQUOT}


def import_weasyprint() -> Any:
    """Import WeasyPrint without ctypes' library search, over half of its import's time
    (docs/performance.md, "WeasyPrint's import").

    WeasyPrint tries several names per library ("libgobject-2.0-0", "gobject-2.0-0", ...,
    "libgobject-2.0.so.0"); cffi loads each name directly and, when that fails, asks
    ``ctypes.util.find_library``, which runs ``ldconfig -p`` and gcc for every one of them (22
    names). On Linux and macOS the direct load of the soname is what succeeds, so the search is
    skipped for the import; should no name load directly, the import is done again with it."""
    if "weasyprint" in sys.modules:
        _mend(sys.modules["weasyprint"])
        return sys.modules["weasyprint"]
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    with uncollected():  # an import makes next to no garbage; its collections would walk the whole heap
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # WeasyPrint's install hint, if it fails
                import weasyprint
        except OSError:
            for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
                del sys.modules[name]
            ctypes.util.find_library = search
            import weasyprint
        finally:
            ctypes.util.find_library = search
    return _mend(weasyprint)


@functools.cache
def warm_weasyprint() -> None:
    """Import WeasyPrint and print a few lines with it, once per process: done before forking,
    every worker inherits what a first print sets up.

    The first print in a process pays for more than layout: cffi parses the C declaration of each
    Pango, HarfBuzz and fontconfig call the first time it is made (pycparser), and WeasyPrint
    fills its caches. The lines use what a chapter uses (a font face, bold and italic, a link, a
    table, an SVG image), so a worker forked after them parses next to nothing again
    (docs/performance.md, "A warm parent")."""
    from briefing.theme import default_root

    weasyprint = import_weasyprint()
    font = (default_root() / "assets" / "fonts" / "NotoSans-Regular.ttf").as_uri()
    try:
        with _font_folder() as font_config:
            document = weasyprint.HTML(string=_WARM_UP.replace("FONT", font)).render(font_config=font_config)
            with _marked_parts():
                document.write_pdf(pdf_variant=PDF_UA)
    except Exception:  # noqa: BLE001 - a full disk, a file-size limit: the prints that follow say what is wrong
        return


_WARM_SVG = ("%3Csvg xmlns='http://www.w3.org/2000/svg' width='9' height='9'%3E"
             "%3Ctext%20y='8'%3E1%3C/text%3E%3Cpath%20d='M0%200H9'/%3E%3C/svg%3E")
_WARM_UP = f"""<html lang="en"><head><title>Warm</title><style>@font-face {{ font-family: Warm; src: url(FONT) }}
p {{ font-family: Warm }} @page {{ @bottom-center {{ content: counter(page) }} }}</style></head>
<body><h1>Warm</h1><p>Warm <b>up</b> <i>1</i> <a href="#w" id="w">link</a></p>
<table><tr><th>A</th><td>1</td></tr></table><img alt="Warm" src="data:image/svg+xml,{_WARM_SVG}">
</body></html>"""


def _mend(weasyprint: Any) -> Any:
    """WeasyPrint with the soft-hyphen fix of ``pdf.softhyphens`` in its inline layout and no word
    hyphenated across a page turn (``pdf.pageturns``, in its block layout); a module without that
    layout, such as a stand-in in tests, is left as it is."""
    from briefing.pdf import pageturns, softhyphens

    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout import block, inline
    except ImportError:
        return weasyprint
    softhyphens.install(inline)
    pageturns.install(block, boxes)
    return weasyprint


@contextlib.contextmanager
def _font_folder() -> Iterator[Any]:
    """A WeasyPrint font configuration whose temporary folder is removed when printing is done.

    WeasyPrint copies every @font-face font into a temporary folder per document and removes it
    in ``FontConfiguration.__del__``, which never runs in a worker that ends with ``os._exit``:
    every chapter left its font copies in /tmp (docs/performance.md, "Font copies").
    """
    import_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    try:
        yield config
    finally:
        folder = getattr(config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _marked_parts() -> Iterator[None]:
    """While WeasyPrint writes the structure tree, mark each element with the HTML element it
    tags.

    WeasyPrint builds the tree page by page: an element broken across pages (a table, a list,
    a section) becomes one structure element per page, so a screen reader meets two tables
    where the reader sees one. The mark lets ``structmerge`` join the parts after printing
    (docs/accessibility.md, "Elements split at a page break"). The tree builder is wrapped, not
    changed: it is a recursive generator looked up by name, so every level passes through here.
    """
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import tags

    build = getattr(tags, "_build_box_tree", None)
    if build is None:  # another WeasyPrint: nothing is joined (tests/pdf/test_splitparts.py says so)
        yield
        return
    keys: dict[tuple[int, str], int] = {}

    def marked(box: Any, *args: Any) -> Iterator[Any]:
        inner = getattr(box, "_box", box)  # an AbsolutePlaceholder stands for its box
        tag = None if inner.element is None else inner.element_tag
        # html, body and pages pass their children's elements through; margin boxes yield none
        own = tag not in ("html", "body") and not isinstance(inner, boxes.PageBox)
        for element in build(box, *args):
            if own and tag is not None:
                # parts of one element printed as several (a long table continued under "Exhibit N
                # (continued)") name it in data-join, so they are joined like one element's pages
                ident = inner.element.get("data-join") or id(inner.element)
                element[SPLIT_KEY] = keys.setdefault((ident, tag), len(keys))
            yield element

    tags._build_box_tree = marked
    try:
        yield
    finally:
        tags._build_box_tree = build


@dataclass(frozen=True)
class PrintOptions:
    """How to print, beyond the HTML.

    ``pdf_variant`` is WeasyPrint's: "pdf/ua-1" or "pdf/a-3a" print a structure tree, None an
    untagged PDF (only for the page-number overlay, which is drawn as an artifact). ``locate``
    names the data fields that hold a character no font has (the sponsor's own text);
    ``inspect`` gets the laid-out ``Document`` (preflight) and returns its findings."""

    pdf_variant: str | None = PDF_UA
    locate: Locate | None = None
    inspect: Callable[[Any], list[str]] | None = None


def _name_glyphs(messages: list[str], locate: Locate | None) -> list[str]:
    """WeasyPrint's '.notdef glyph rendered ...' as which character, and where the data holds it."""
    from briefing.text.glyphs import describe

    named = []
    for message in messages:
        match = _NOTDEF.search(message)
        if not match:
            named.append(message)
            continue
        char = chr(int(match.group(1), 16))
        places = locate(char) if locate else []
        where = f" (in {'; '.join(places[:3])})" if places else ""
        named.append(f"character {describe(char)} has no glyph in the shipped fonts{where}")
    return named


def print_html(html: str, *, base: Path, roots: list[Path], charts: dict[str, str] | None = None,  # noqa: PLR0913 - keywords only
               what: str = "document", options: PrintOptions | None = None,
               overlays: Sequence[tuple[Path, Path]] = ()) -> Printed:
    """Lay out and print ``html``; raise RenderError naming every problem WeasyPrint met.

    ``overlays``: the theme's (project folder, package folder) pairs (``SafeFetcher``)."""
    with _font_folder() as font_config:
        options = options or PrintOptions()
        HTML = import_weasyprint().HTML  # imported here: a run with nothing to print never loads it
        from weasyprint.urls import FatalURLFetchingError

        from briefing.pdf.fetcher import SafeFetcher

        fetcher = SafeFetcher(roots, charts, overlays)
        handler = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(handler)
        try:
            document = HTML(string=html, base_url=base.resolve().as_uri() + "/",
                            url_fetcher=fetcher).render(font_config=font_config)
            with _marked_parts() if options.pdf_variant else contextlib.nullcontext():
                pdf = document.write_pdf(uncompressed_pdf=False, pdf_variant=options.pdf_variant)
        except OSError as err:
            if err.errno in _OUTPUT_ERRNOS:  # a full or read-only disk is the output's problem, not the data's
                raise OutputError(Path(tempfile.gettempdir()), "print", err) from None
            raise RenderError(f"{what}: {type(err).__name__}: {err}") from None
        except (Exception, FatalURLFetchingError) as err:  # noqa: BLE001 - all are render failures
            reasons = [f"refused to read {d}" for d in fetcher.denied] or [f"{type(err).__name__}: {err}"]
            raise RenderError(f"{what}: " + "; ".join(reasons)) from None
        finally:
            logger.removeHandler(handler)
        problems = [f"refused to read {d}" for d in fetcher.denied] + _name_glyphs(handler.problems, options.locate)
        if problems:
            unique = list(dict.fromkeys(problems))
            hint = ""
            if any("has no glyph" in p for p in unique):
                hint = " (assets/fonts/README.md lists what the shipped fonts print)"
            raise RenderError(f"{what}: " + "; ".join(unique[:5]) + hint)
        anchors: dict[str, int] = {}
        for index, page in enumerate(document.pages):
            for name in page.anchors:
                anchors.setdefault(name, index)
        first = document.pages[0]
        # WeasyPrint sizes are CSS px (1/96 in); PDF points are 1/72 in
        size = (first.width * 0.75, first.height * 0.75)
        findings = options.inspect(document) if options.inspect else []
        return Printed(pdf=pdf, pages=len(document.pages), anchors=anchors, size=size, findings=findings)
