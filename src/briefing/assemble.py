"""Join printed pages into final PDFs: page numbers, bookmarks, links, metadata.

WeasyPrint lays each sponsor out once. The sponsor PDF and every book that contains the
sponsor reuse those pages (merged with pypdf) and get their page numbers stamped on from a
small overlay document, so a 50-sponsor book is never laid out as one giant document
(measured: that doubles the time and grows memory to ~1 GB).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

from . import __version__
from .errors import RenderError
from .files import write_atomic
from .pdf import render_html
from .render import make_env

LINK_SCHEME = "briefing-dest:"  # front-matter links to anchors that live in other chapters


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


@dataclass
class Info:
    title: str
    author: str
    subject: str
    keywords: str
    language: str
    date: str  # YYYY-MM-DD, the edition date: documents carry no wall-clock time


def _reader(source: Path | bytes) -> PdfReader:
    return PdfReader(io.BytesIO(source) if isinstance(source, bytes) else str(source))


def overlay(total: int, numbered: list[bool], *, footer: str, page_size: str, root: Path,
            cache: Path) -> PdfReader:
    """A document of blank pages carrying only the page numbers and footer line."""
    key = hashlib.sha256(repr((total, numbered, footer, page_size, __version__,
                               (root / "assets/css/overlay.css").read_bytes())).encode()).hexdigest()[:24]
    cached = cache / f"overlay-{key}.pdf"
    if cached.is_file():
        return PdfReader(str(cached))
    html = make_env(root / "templates").get_template("overlay.html").render(
        pages=numbered, footer=footer, total=total, page_size=page_size)
    rendered = render_html(html, base=root, roots=[root / "templates", root / "assets"],
                           what="page-number overlay")
    write_atomic(cached, rendered.pdf)
    return PdfReader(io.BytesIO(rendered.pdf))


def _links_to_dests(writer: PdfWriter) -> None:
    """Turn ``briefing-dest:NAME`` URI links into internal links to named destinations."""
    for page in writer.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if action is None:
                continue
            uri = action.get_object().get("/URI")
            if uri and str(uri).startswith(LINK_SCHEME):
                del annot[NameObject("/A")]
                annot[NameObject("/Dest")] = TextStringObject(str(uri)[len(LINK_SCHEME):])


def _add_marks(writer: PdfWriter, marks: list[Mark], parent=None) -> None:
    for mark in marks:
        item = writer.add_outline_item(title=mark.title, page_number=mark.page, parent=parent)
        _add_marks(writer, mark.children, item)


def assemble(parts: list[Part], *, info: Info, marks: list[Mark], footer: str, page_size: str,
             root: Path, cache: Path, target: Path) -> int:
    """Write the joined document to ``target`` atomically; return its page count."""
    writer = PdfWriter()
    numbered: list[bool] = []
    for part in parts:
        try:
            reader = _reader(part.pdf)
            if reader.is_encrypted:
                raise RenderError(f"{part.pdf}: is encrypted")
            indices = part.pages if part.pages is not None else list(range(len(reader.pages)))
            first = len(writer.pages)
            # append (not add_page) carries the named destinations that links point to
            writer.append(reader, pages=indices, import_outline=False)
            if part.dest:
                writer.add_named_destination(part.dest, first)
            numbered += [i not in part.unnumbered for i in indices]
        except RenderError:
            raise
        except Exception as err:  # noqa: BLE001 - pypdf raises many kinds for broken files
            raise RenderError(f"{part.pdf}: cannot read PDF: {err}") from None
    total = len(writer.pages)
    stamp = overlay(total, numbered, footer=footer, page_size=page_size, root=root, cache=cache)
    for i, page in enumerate(writer.pages):
        if numbered[i]:
            page.merge_page(stamp.pages[i], over=True)
    _links_to_dests(writer)
    _add_marks(writer, marks)
    # the edition date, or SOURCE_DATE_EPOCH for reproducible-builds tooling: never the wall clock
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit()
            else dt.datetime.fromisoformat(info.date).replace(tzinfo=dt.UTC))
    stamp_date = when.strftime("D:%Y%m%d%H%M%SZ")
    writer.add_metadata({
        "/Title": info.title, "/Author": info.author, "/Subject": info.subject,
        "/Keywords": info.keywords, "/Creator": f"briefing {__version__}",
        "/Producer": f"briefing {__version__} (WeasyPrint, pypdf)",
        "/CreationDate": stamp_date, "/ModDate": stamp_date,
    })
    writer._root_object[NameObject("/Lang")] = TextStringObject(info.language)
    writer.page_mode = "/UseOutlines"
    buf = io.BytesIO()
    writer.write(buf)
    data = buf.getvalue()
    # a stable document ID (from the content) keeps the output byte-identical run to run
    digest = hashlib.md5(data).digest()  # noqa: S324 - an identifier, not security
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    buf = io.BytesIO()
    writer.write(buf)
    write_atomic(target, buf.getvalue())
    return total
