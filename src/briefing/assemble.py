"""Join printed pages into final PDFs: page numbers, bookmarks, links, metadata.

WeasyPrint lays each sponsor out once. The sponsor PDF and every book that contains the
sponsor reuse those pages (merged with qpdf through pikepdf) and get their page numbers stamped on from a
small overlay document, so a 50-sponsor book is never laid out as one giant document
(measured: that doubles the time and grows memory to ~1 GB).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

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


CHUNK = 100  # overlay pages per WeasyPrint document: bounds memory on long books


def overlay(total: int, numbered: list[bool], *, footer: str, page_size: str, root: Path,
            cache: Path, keep: list[pikepdf.Pdf]) -> list[pikepdf.Page]:
    """Blank pages carrying only the page numbers and footer line, one per output page.

    Printed in chunks of CHUNK pages, each cached by its content: after a change, only the
    chunks whose numbers moved are printed again.
    """
    labels = [f"Page {i + 1} of {total}" if on else "" for i, on in enumerate(numbered)]
    css = (root / "assets/css/overlay.css").read_bytes()
    chunks = []
    for start in range(0, total, CHUNK):
        chunk = labels[start:start + CHUNK]
        key = hashlib.sha256(repr((chunk, footer, page_size, __version__, css)).encode()).hexdigest()[:24]
        chunks.append((chunk, cache / f"overlay-{key}.pdf"))
    missing = [(chunk, path) for chunk, path in chunks if not path.is_file()]
    if len(missing) > 1:  # a long book: print the chunks in parallel worker processes
        import weasyprint  # noqa: F401 - imported once here, inherited by the forked workers

        from .jobs import Job, run

        outcomes = run([Job(path.name, _print_overlay, (chunk, footer, page_size, root, path))
                        for chunk, path in missing], workers=os.cpu_count() or 1, timeout=600)
        failed = [o.error for o in outcomes if not o.ok]
        if failed:
            raise RenderError(f"page-number overlay: {failed[0]}")
    elif missing:
        _print_overlay(*missing[0][:1], footer, page_size, root, missing[0][1])
    pages: list[pikepdf.Page] = []
    for _, path in chunks:
        pdf = pikepdf.Pdf.open(path)
        keep.append(pdf)
        pages.extend(pdf.pages)
    return pages


def _print_overlay(labels: list[str], footer: str, page_size: str, root: Path, target: Path) -> None:
    html = make_env(root / "templates").get_template("overlay.html").render(
        labels=labels, footer=footer, page_size=page_size)
    rendered = render_html(html, base=root, roots=[root / "templates", root / "assets"],
                           what="page-number overlay")
    write_atomic(target, rendered.pdf)


def _open(source: Path | bytes, keep: list[pikepdf.Pdf]) -> pikepdf.Pdf:
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


def _stamp(out: pikepdf.Pdf, page: pikepdf.Page, stamp: pikepdf.Page, number: int) -> None:
    """Draw ``stamp`` over ``page`` under a resource name derived from the page number.

    pikepdf's add_overlay names the XObject at random, which would make every build's bytes
    differ; and pages may share one /Resources dictionary, so each page needs its own name.
    Both pages have the same size and origin: no transformation is needed.
    """
    name = f"/BriefingStamp{number}"
    page.add_resource(out.copy_foreign(stamp.as_form_xobject()), pikepdf.Name.XObject,
                      name=pikepdf.Name(name))
    page.contents_add(pikepdf.Stream(out, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(out, f"\nQ q {name} Do Q\n".encode()))


def _outline_items(marks: list[Mark]) -> list[pikepdf.OutlineItem]:
    items = []
    for mark in marks:
        item = pikepdf.OutlineItem(mark.title, mark.page)
        item.children.extend(_outline_items(mark.children))
        items.append(item)
    return items


def assemble(parts: list[Part], *, info: Info, marks: list[Mark], footer: str, page_size: str,
             root: Path, cache: Path, target: Path) -> int:
    """Write the joined document to ``target`` atomically; return its page count.

    qpdf (through pikepdf) does the joining: measured on a 740-page book it is several times
    faster than pypdf and keeps the process small.
    """
    # Stamps first, while this process is small: long books print them in forked workers,
    # which would otherwise each inherit every open chapter (measured: 315 MB peak at N=50).
    numbered: list[bool] = []
    for part in parts:
        if part.pages is None:
            counted: list[pikepdf.Pdf] = []
            part.pages = list(range(len(_open(part.pdf, counted).pages)))
            counted[0].close()
        numbered += [i not in part.unnumbered for i in part.pages]
    total = len(numbered)
    keep: list[pikepdf.Pdf] = []
    stamp = overlay(total, numbered, footer=footer, page_size=page_size, root=root, cache=cache, keep=keep)

    out = pikepdf.Pdf.new()
    dests: dict[str, tuple[int, list]] = {}
    first = 0
    for part in parts:
        src = _open(part.pdf, keep)
        indices = part.pages
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
    for i, page in enumerate(out.pages):
        if numbered[i]:
            _stamp(out, page, stamp[i], i + 1)
    tree = pikepdf.NameTree.new(out)
    for name, (page, view) in sorted(dests.items()):
        tree[name] = pikepdf.Array([out.pages[page].obj, *view])
    out.Root.Names = pikepdf.Dictionary(Dests=tree.obj)
    _links_to_dests(out)
    with out.open_outline() as outline:
        outline.root.extend(_outline_items(marks))
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
    buf = io.BytesIO()
    # deterministic_id: the /ID comes from the content, so the same inputs give the same bytes
    out.save(buf, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    write_atomic(target, buf.getvalue())
    return total
