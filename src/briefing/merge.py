"""Join printed pages into final PDFs with qpdf (through pikepdf): bookmarks, links, metadata.

WeasyPrint lays each sponsor out once. The sponsor PDF and every book that contains the
sponsor reuse those pages and get their page numbers stamped on (see ``stamp``), so a
50-sponsor book is never laid out as one giant document (measured: that doubles the time
and grows memory to ~1 GB). qpdf is several times faster than pypdf on a 740-page book and
keeps the process small.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from . import __version__
from .anchors import LINK_SCHEME
from .errors import RenderError
from .files import write_atomic
from .settings import Edition
from .stamp import stamp, stamp_pages


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


def open_pdf(source: Path | bytes, keep: list[pikepdf.Pdf]) -> pikepdf.Pdf:
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except pikepdf.PasswordError:
        raise RenderError(f"{source}: is encrypted") from None
    except pikepdf.PdfError as err:
        raise RenderError(f"{source}: cannot read PDF: {err}") from None
    keep.append(pdf)  # pages copied from a PDF need it open until the output is saved
    return pdf


def _named_dests(pdf: pikepdf.Pdf) -> dict[str, tuple[int, list]]:
    """Named destinations of ``pdf`` as name -> (page index, view array tail)."""
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    found = {}
    for name, dest in pikepdf.NameTree(names.Dests).items():
        array = dest.get("/D") if isinstance(dest, pikepdf.Dictionary) else dest
        if isinstance(array, pikepdf.Array) and len(array) and array[0].objgen in index:
            found[name] = (index[array[0].objgen], [array[i] for i in range(1, len(array))])
    return found


def _links_to_dests(pdf: pikepdf.Pdf) -> None:
    """Turn ``briefing-dest:NAME`` URI links into internal links to named destinations."""
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            action = annot.get("/A")
            uri = action.get("/URI") if action is not None else None
            if uri is not None and str(uri).startswith(LINK_SCHEME):
                del annot["/A"]
                annot.Dest = pikepdf.String(str(uri)[len(LINK_SCHEME):])


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
            counted: list[pikepdf.Pdf] = []
            part.pages = list(range(len(open_pdf(part.pdf, counted).pages)))
            counted[0].close()
        numbered += [i not in part.unnumbered for i in part.pages]
    return numbered


def _join(out: pikepdf.Pdf, parts: list[Part], keep: list[pikepdf.Pdf]) -> dict[str, tuple[int, list]]:
    """Append every part's kept pages to ``out``; return the named destinations, remapped."""
    dests: dict[str, tuple[int, list]] = {}
    first = 0
    for part in parts:
        src = open_pdf(part.pdf, keep)
        indices = part.pages or []
        position = {local: first + k for k, local in enumerate(indices)}
        for name, (page, view) in _named_dests(src).items():
            if page in position:
                dests.setdefault(name, (position[page], view))
        with warnings.catch_warnings():
            # named destinations are carried over above; pikepdf warns that it does not
            warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
            out.pages.extend(src.pages[i] for i in indices)
        if part.dest:
            dests[part.dest] = (first, [pikepdf.Name.Fit])
        first += len(indices)
    return dests


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


def assemble(doc: Assembly, edition: Edition, target: Path) -> int:
    """Write the joined document to ``target`` atomically; return its page count."""
    # Stamps first, while this process is small: long books print them in forked workers,
    # which would otherwise each inherit every open chapter (measured: 315 MB peak at N=50).
    numbered = _numbering(doc.parts)
    keep: list[pikepdf.Pdf] = []
    overlays = stamp_pages(numbered, footer=doc.footer, page_size=edition.page_size, paths=edition.paths,
                           keep=keep)
    out = pikepdf.Pdf.new()
    dests = _join(out, doc.parts, keep)
    for i, page in enumerate(out.pages):
        if numbered[i]:
            stamp(out, page, overlays[i], i + 1)
    tree = pikepdf.NameTree.new(out)
    for name, (page, view) in sorted(dests.items()):
        tree[name] = pikepdf.Array([out.pages[page].obj, *view])
    out.Root.Names = pikepdf.Dictionary(Dests=tree.obj)
    _links_to_dests(out)
    with out.open_outline() as outline:
        outline.root.extend(_outline_items(doc.marks))
    _set_info(out, doc.info)
    buf = io.BytesIO()
    # deterministic_id: the /ID comes from the content, so the same inputs give the same bytes
    out.save(buf, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    write_atomic(target, buf.getvalue())
    return len(numbered)
