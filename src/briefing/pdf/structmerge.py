"""Merge tagged PDFs (WeasyPrint ``pdf_variant="pdf/ua-1"`` output) and keep their structure.

qpdf copies pages but not the logical structure that hangs off the catalog. This module
carries it across: one ``StructTreeRoot`` whose ``Document`` holds one wrapper element
(``Part`` by default) per input, a renumbered ``ParentTree``, ``StructParents`` on pages and
``StructParent`` on annotations, ``/Pg`` pointing at the copied pages, merged ``RoleMap`` and
``ClassMap``, and elements whose content sat only on dropped pages pruned away.

Two defects of WeasyPrint 70's tagging are repaired on the way, because the merged file
would otherwise fail PDF/UA checks that the single file already fails:

* text in ``@page`` margin boxes (running headers, footers) is marked with an MCID whose
  element is never linked into the tree; it is re-marked as ``/Artifact``;
* table header IDs are built from object numbers (``"83-0-1"``), so two chapters printed
  from one template collide; IDs get a per-part prefix, an ``IDTree`` is written, and
  ``TH`` cells get a ``/Scope`` (WeasyPrint writes only ``/Headers`` on ``TD``).
"""

from __future__ import annotations

import io
import re
import warnings
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from briefing.errors import MergeError
from briefing.pdf.variants import PDF_A, PDF_UA, PDF_VARIANTS

PREPARED = "/BriefingPrepared"  # on the StructTreeRoot of a file written by prepare()
SPLIT_KEY = "BriefingPart"  # put on structure elements by printer: which HTML element each tags


@dataclass
class Part:
    """One input document: the pages to keep and the element that wraps its structure."""

    pdf: Path | bytes
    pages: Sequence[int] | None = None  # 0-based indices to keep, in order; None = all
    role: str = "Part"  # structure type of the wrapper element (Part, Sect, Art, Div)
    title: str | None = None  # the wrapper's /T, and a top-level bookmark over the part's own
    dest: str | None = None  # a named destination for the part's first kept page (appended PDFs)


@dataclass
class Merged:
    """The merged document.

    Each input is released (not closed) once its part is copied: qpdf copies stream data
    lazily, through the input's file, which stays open as long as a copied stream needs it,
    while the input's parsed objects are freed. Holding every input open instead grows a book's
    peak memory by every chapter's parsed objects (docs/performance.md, "Merge inputs").
    """

    pdf: pikepdf.Pdf
    first_pages: list[int]  # output page index where each part starts
    problems: list[str] = field(default_factory=list)  # what keeps the result from conforming
    sources: list[pikepdf.Pdf] = field(default_factory=list)  # unused: inputs are released as they are copied

    def save(self, target: Path | io.BytesIO) -> None:
        # deterministic_id: the same inputs give the same bytes
        # PDF/UA-1 and PDF/A-3 are both defined on PDF 1.7
        self.pdf.save(target, deterministic_id=True, min_version="1.7",
                      object_stream_mode=pikepdf.ObjectStreamMode.generate)

    def close(self) -> None:
        self.pdf.close()
        for src in self.sources:
            src.close()


@dataclass
class _Out:
    """The output document and the pieces of its structure being collected."""

    pdf: pikepdf.Pdf
    document: Dictionary  # the /Document element under the root
    nums: list[tuple[int, pikepdf.Object]] = field(default_factory=list)
    ids: dict[str, Dictionary] = field(default_factory=dict)
    role_map: dict[str, pikepdf.Object] = field(default_factory=dict)
    class_map: dict[str, pikepdf.Object] = field(default_factory=dict)
    dests: dict[str, Array] = field(default_factory=dict)
    outline: list[pikepdf.OutlineItem] = field(default_factory=list)
    outlines: bool = True  # copy the parts' bookmarks
    next_key: int = 0


def merge(parts: Sequence[Part], *, title: str, lang: str, variant: str = PDF_UA,
          outlines: bool = True) -> Merged:
    """Join ``parts`` in order into one tagged PDF; see the module docstring for what is kept.

    ``outlines=False`` leaves the bookmarks out, for a caller that writes its own.
    """
    merger = Merger(variant=variant, outlines=outlines)
    for part in parts:
        merger.add(part)
    return merger.finish(title=title, lang=lang)


class Merger:
    """``merge`` a part at a time, in any order: a book's unchanged chapters are copied while
    its changed ones are still being printed, and ``finish`` puts every part in its place."""

    def __init__(self, *, variant: str = PDF_UA, outlines: bool = True) -> None:
        if variant not in PDF_VARIANTS:
            raise MergeError(f"unknown PDF variant {variant!r}; choose one of {', '.join(PDF_VARIANTS)}")
        self.out = _new_output()
        self.out.outlines = outlines
        self.variant = variant
        self.merged = Merged(self.out.pdf, [])
        self.intent = not variant.startswith("pdf/a")  # PDF/A needs an output intent: the first part's
        self.spans: list[tuple[int, int]] = []  # per part added: first page, page count
        self.tagged: list[bool] = []  # per part added: it brought a wrapper element

    def add(self, part: Part) -> None:
        src = _open(part.pdf)
        first, wrappers = len(self.out.pdf.pages), len(self.out.document.K)
        _add_part(self.out, src, part, len(self.spans), self.merged.problems)
        self.spans.append((first, len(self.out.pdf.pages) - first))
        self.tagged.append(len(self.out.document.K) > wrappers)
        self.intent = self.intent or _copy_output_intent(self.out.pdf, src)
        del src  # released, not closed: see Merged

    def finish(self, *, title: str, lang: str, order: Sequence[int] | None = None) -> Merged:
        """The merged document; ``order`` lists the parts (by the order they were added) as the
        document is to hold them, when that differs."""
        out, merged = self.out, self.merged
        order = list(order) if order is not None else list(range(len(self.spans)))
        if sorted(order) != list(range(len(self.spans))):
            raise MergeError("order must name every part added, once")
        if order != sorted(order):
            self._reorder(order)
        merged.first_pages[:] = [sum(self.spans[j][1] for j in order[:i]) for i in range(len(order))]
        _finish_structure(out)
        _write_names_and_outline(out)
        if not self.intent:
            merged.problems.append("no part has an output intent: print the parts with pdf_variant='pdf/a-3a'")
        # a file with untagged pages is not PDF/UA: say so rather than claim it in XMP
        set_metadata(out.pdf, title=title, lang=lang, variant=self.variant, claim=not merged.problems)
        return merged

    def _reorder(self, order: list[int]) -> None:
        """Pages and wrapper elements into ``order``; page objects keep their identity, so links,
        destinations and the structure's /Pg stay valid."""
        if self.out.outlines:
            raise MergeError("parts out of order cannot carry their own bookmarks (outlines=False)")
        pages = self.out.pdf.pages
        objects = [page.obj for page in pages]
        for i in reversed(range(len(pages))):
            del pages[i]
        for j in order:
            first, count = self.spans[j]
            pages.extend(pikepdf.Page(obj) for obj in objects[first:first + count])
        # one wrapper element per tagged part, in the order they were added
        by_part = dict(zip([j for j, tagged in enumerate(self.tagged) if tagged], self.out.document.K, strict=True))
        self.out.document.K = Array([by_part[j] for j in order if j in by_part])


def _new_output() -> _Out:
    pdf = pikepdf.Pdf.new()
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    root.K = Array([document])
    pdf.Root.StructTreeRoot = root
    return _Out(pdf, document)


def _open(source: Path | bytes) -> pikepdf.Pdf:
    try:
        return pikepdf.Pdf.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except pikepdf.PasswordError:
        raise MergeError(f"{_label(source)}: is encrypted") from None
    except pikepdf.PdfError as err:
        raise MergeError(f"{_label(source)}: cannot read PDF: {err}") from None


def _label(source: Path | bytes) -> str:
    return "PDF given as bytes" if isinstance(source, bytes) else str(source)


def _add_part(out: _Out, src: pikepdf.Pdf, part: Part, n: int, problems: list[str]) -> None:
    indices = _indices(src, part.pages, part.pdf)
    first = len(out.pdf.pages)
    tagged = "/StructTreeRoot" in src.Root
    prepared = tagged and PREPARED in src.Root.StructTreeRoot
    ids: dict[str, Dictionary] = {}  # of an unprepared part, found while pruning it
    if prepared:  # pruned and renamed when it was printed: its tree is copied as it is
        wrapper = src.Root.StructTreeRoot.K
    else:
        wrapper = _prepare_source(src, indices, part, f"p{n}-", ids) if tagged else None
    if not tagged:
        problems.append(f"{_label(part.pdf)}: untagged; its pages are copied without structure")
    old_tree = _number_tree(src.Root.StructTreeRoot.get("/ParentTree")) if tagged else {}
    with warnings.catch_warnings():
        # named destinations and outlines are carried over below; pikepdf warns that it does not
        warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
        out.pdf.pages.extend(src.pages[i] for i in indices)
    for k in range(len(indices)):
        _renumber_page(out, src, out.pdf.pages[first + k].obj, old_tree)
    if wrapper is not None:
        copied = out.pdf.copy_foreign(wrapper)
        copied.P = out.document
        out.document.K.append(copied)
        _collect_maps(out, src.Root.StructTreeRoot)
        if prepared:
            _name_wrapper(copied, part)
            _collect_prepared_ids(out, src.Root.StructTreeRoot)
        else:  # the copies qpdf made of them with the wrapper
            out.ids.update({name: out.pdf.copy_foreign(elem) for name, elem in ids.items()})
    position = {src.pages[i].obj.objgen: first + k for k, i in enumerate(indices)}
    _collect_dests(out, src, position)
    if part.dest and indices:
        out.dests[part.dest] = Array([out.pdf.pages[first].obj, Name.Fit])
    if out.outlines:
        _collect_outline(out, src, part, position, first)


# --- preparing one source: prune, rename IDs, artifact orphans --------------------------------


def prepare(source: Path | bytes, pages: Sequence[int] | None = None, *, prefix: str) -> bytes:
    """``source`` made ready to merge: only ``pages`` (given in document order), its structure pruned to
    them under one wrapper element, IDs prefixed with ``prefix``, margin-box text re-marked as
    artifacts, and a ``ParentTree`` whose values are indirect, so that ``merge`` copies it with
    qpdf alone instead of walking every element in Python.

    A chapter is prepared once, in the worker that printed it, instead of in every book that
    contains it (most of a book's merge time otherwise; docs/performance.md, "Chapters prepared
    once"). ``prefix`` must be unique among the parts of any one merge and must not start with
    ``p`` and a digit (the prefix ``merge`` gives unprepared parts). An untagged ``source`` keeps
    only ``pages``.
    """
    src = _open(source)
    indices = _indices(src, pages, source)
    if indices != sorted(indices):
        raise MergeError(f"{_label(source)}: prepare keeps pages in document order; give them sorted")
    if "/StructTreeRoot" not in src.Root:  # nothing to prune or rename: only the pages to keep
        _keep_only(src, indices)
        return _saved(src)
    root = src.Root.StructTreeRoot
    ids: dict[str, Dictionary] = {}
    wrapper = _prepare_source(src, indices, Part(source, indices), prefix, ids)
    wrapper.P = root
    root.K = wrapper
    tree = _number_tree(root.get("/ParentTree"))
    nums: list[pikepdf.Object] = []
    for i in indices:
        for key in _struct_keys(src.pages[i].obj):
            if key in tree:
                value = tree[key]
                nums += [key, src.make_indirect(value) if isinstance(value, Array) else value]
    root.ParentTree = src.make_indirect(Dictionary(Nums=Array(nums)))
    root.ParentTreeNextKey = max(tree, default=-1) + 1
    if ids:
        root.IDTree = _flat_name_tree(src, ids)
    elif "/IDTree" in root:
        del root["/IDTree"]
    root[PREPARED] = True
    _keep_only(src, indices)
    return _saved(src)


def _saved(pdf: pikepdf.Pdf) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True, min_version="1.7")
    return buf.getvalue()


def _indices(src: pikepdf.Pdf, pages: Sequence[int] | None, source: Path | bytes) -> list[int]:
    indices = list(range(len(src.pages))) if pages is None else list(pages)
    if any(not 0 <= i < len(src.pages) for i in indices):
        raise MergeError(f"{_label(source)}: page index outside 0..{len(src.pages) - 1}")
    if len(set(indices)) != len(indices):  # one page object cannot sit twice in the tree
        raise MergeError(f"{_label(source)}: a page index is given twice")
    return indices


def _struct_keys(page: Dictionary) -> list[int]:
    """The ParentTree keys a page uses: its own and its annotations'."""
    keys = [int(page.StructParents)] if "/StructParents" in page else []
    return keys + [int(a.StructParent) for a in page.get("/Annots", Array()) if "/StructParent" in a]


def _keep_only(src: pikepdf.Pdf, indices: list[int]) -> None:
    """Drop every page not in ``indices``, with the destinations and
    bookmarks that pointed at them."""
    kept_gen = {src.pages[i].obj.objgen for i in indices}
    names = src.Root.get("/Names")
    if isinstance(names, Dictionary) and "/Dests" in names:
        dests = {name: dest for name, dest in pikepdf.NameTree(names.Dests).items()
                 if (array := _dest_array(dest)) is not None and array[0].objgen in kept_gen}
        names.Dests = _flat_name_tree(src, dests)
    with src.open_outline() as outline:  # before the pages go: named items resolve through Dests
        outline.root[:] = _items_on(src, list(outline.root), kept_gen)
    for i in reversed(range(len(src.pages))):
        if i not in indices:
            del src.pages[i]


def _items_on(src: pikepdf.Pdf, items: list[pikepdf.OutlineItem], pages: set) -> list[pikepdf.OutlineItem]:
    """Bookmarks that land on ``pages``; children of a dropped one move up a level."""
    kept: list[pikepdf.OutlineItem] = []
    for item in items:
        children = _items_on(src, list(item.children), pages)
        array = _item_dest(src, item)
        if array is not None and array[0].objgen in pages:
            item.children[:] = children
            kept.append(item)
        else:
            kept.extend(children)
    return kept


def _name_wrapper(wrapper: Dictionary, part: Part) -> None:
    wrapper.S = Name("/" + part.role.lstrip("/"))
    if part.title:
        wrapper.T = String(part.title)


def _collect_prepared_ids(out: _Out, root: Dictionary) -> None:
    """IDs of a prepared part, from the IDTree ``prepare`` wrote (flat, one /Names array)."""
    names = root.get("/IDTree", Dictionary()).get("/Names", Array())
    for i in range(0, len(names) - 1, 2):
        out.ids[bytes(names[i]).decode("latin-1")] = out.pdf.copy_foreign(names[i + 1])


def _prepare_source(src: pikepdf.Pdf, indices: list[int], part: Part, prefix: str,
                    ids: dict[str, Dictionary]) -> Dictionary:
    """Edit ``src`` in memory so that its structure can be copied as is (``merge`` never saves it;
    ``prepare`` does); ``ids`` gets the kept elements by their new IDs."""
    root = src.Root.StructTreeRoot
    kept_pages = {src.pages[i].obj.objgen for i in indices}
    wrapper = Dictionary(Type=Name.StructElem, S=Name("/" + part.role.lstrip("/")), K=Array())
    if part.title:
        wrapper.T = String(part.title)
    lang = src.Root.get("/Lang")
    if lang is not None and str(lang):
        wrapper.Lang = lang  # a part's language travels with its structure
    wrapper = src.make_indirect(wrapper)
    _join_and_link(root)
    kept_elems = _Kept(kept_pages, prefix, ids)
    kept = []
    for kid in _kids(root):
        # WeasyPrint's root holds one /Document; other producers may hold several elements
        inner = list(_kids(kid)) if _role(kid) == "/Document" else [kid]
        kept += [e for e in inner if _role(e) is not None and _prune(e, kept_elems)]
    for elem in kept:
        elem.P = wrapper
    wrapper.K = Array(kept)
    if kept_elems.lifted:
        _retarget_tree(root.get("/ParentTree"), _settled(kept_elems.lifted), {})
    tree = _number_tree(root.get("/ParentTree"))
    for i in indices:
        _artifact_orphans(src.pages[i], tree, kept_elems.reached)
    return wrapper


def _kids(node: pikepdf.Object) -> Iterator[pikepdf.Object]:
    kids = node.get("/K") if isinstance(node, Dictionary) else None
    if isinstance(kids, Array):
        yield from kids
    elif kids is not None:
        yield kids


def _role(node: pikepdf.Object) -> str | None:
    role = node.get("/S") if isinstance(node, Dictionary) else None
    return None if role is None else str(role)


@dataclass
class _Kept:
    """One pruning pass: the pages kept, the IDs' prefix, and what it keeps."""

    pages: set[tuple[int, int]]
    prefix: str
    ids: dict[str, Dictionary]  # new ID -> its element
    reached: set[tuple[int, int]] = field(default_factory=set)  # the elements kept
    lifted: dict[tuple[int, int], Dictionary] = field(default_factory=dict)  # a span -> what holds its content now


def _prune(elem: Dictionary, kept: _Kept) -> bool:
    """Drop the content of ``elem`` that lies on dropped pages; True if anything is left."""
    keys = elem.keys()  # one call: each ``in`` on a pikepdf dictionary is another, for every element
    page = elem.Pg if "/Pg" in keys else None
    on_kept = page is None or page.objgen in kept.pages
    k = elem.K if "/K" in keys else None
    kids = list(k) if isinstance(k, Array) else [] if k is None else [k]
    left = [kid for kid in kids if _keep_kid(kid, on_kept, kept)]
    lifted = _lift_text(elem, page, left, kept)
    if lifted is not None or len(left) != len(kids) or not isinstance(k, Array):
        elem.K = Array(lifted if lifted is not None else left)
    if not on_kept:
        del elem["/Pg"]  # it would drag the dropped page into the output
    # an empty span, paragraph or division (a decorative <span>, an empty <p>) is nothing for a
    # reader (outloud TAG-020); an empty table cell keeps its place in the grid
    role = str(elem.S) if "/S" in keys else None
    empty = role in _DROPPED_EMPTY and "/Alt" not in keys and "/ActualText" not in keys
    keep = bool(left) or (not kids and on_kept and not empty)
    if keep:
        kept.reached.add(elem.objgen)
        _rename_ids(elem, kept, keys, role)
    return keep


_DROPPED_EMPTY = ("/Span", "/P", "/Div")
_PLAIN = {"/Type", "/S", "/P", "/K", "/Pg"}  # an element that says nothing but "text here"
_NO_STRUCTURE = (Name.Span, Name.NonStruct)


def _lift_text(elem: Dictionary, page: pikepdf.Object | None, kids: list[pikepdf.Object],
                kept: _Kept) -> list[pikepdf.Object] | None:
    """``kids`` with each plain span (or ``NonStruct``) on ``elem``'s own page that holds only text
    replaced by that text (its marked-content IDs), or None if there is none. WeasyPrint tags
    every run of text as a ``Span`` with no attributes: half of a chapter's structure elements,
    and so half of a book's objects, each written, merged and held in memory. A reader loses
    nothing: such an element carries no structure (PDF 1.7, 14.8.4: ``NonStruct`` is "as if in
    the parent"; a ``Span`` without attributes says only "inline"), and its text now belongs to
    the paragraph, cell or link that held it. The ParentTree follows (``_retarget_tree``)."""
    if page is None:
        return None
    out: list[pikepdf.Object] | None = None
    for i, kid in enumerate(kids):
        if isinstance(kid, Dictionary) and kid.get("/S") in _NO_STRUCTURE and set(kid.keys()) == _PLAIN:
            content = kid.K
            if isinstance(content, Array) and len(content) and kid.Pg.objgen == page.objgen \
                    and all(isinstance(mcid, int) for mcid in content):
                out = out if out is not None else list(kids[:i])
                out.extend(content)
                kept.lifted[kid.objgen] = elem
                continue
        if out is not None:
            out.append(kid)
    return out


def _keep_kid(kid: pikepdf.Object, on_kept: bool, kept: _Kept) -> bool:
    if isinstance(kid, int):  # an MCID on the element's own page
        return on_kept
    if not isinstance(kid, Dictionary):
        return False
    if kid.get("/Type") in (Name.MCR, Name.OBJR):  # content or annotation with its own /Pg
        page = kid.get("/Pg")
        return on_kept if page is None else page.objgen in kept.pages
    return _prune(kid, kept)


def _rename_ids(elem: Dictionary, kept: _Kept, keys: set[str], role: str | None) -> None:
    """Prefix IDs and the /Headers that point at them: WeasyPrint's IDs repeat across files.
    Also where every kept element passes once: the printer's part mark goes, and text meant for
    a screen reader loses the marks typesetting put into it. ``keys`` and ``role``: the element's,
    read once by the caller."""
    prefix = kept.prefix
    if SPLIT in keys:
        del elem[SPLIT]
    for key in ("/Alt", "/ActualText", "/E"):
        if key in keys and (text := str(elem[key])) != (clean := plain(text)):
            elem[key] = String(clean)
    if "/ID" in keys:
        name = prefix + bytes(elem.ID).decode("latin-1")
        elem.ID = String(name)
        kept.ids[name] = elem
    if "/A" in keys:
        for attrs in _attribute_dicts(elem):
            headers = attrs.get("/Headers")
            if isinstance(headers, Array):
                attrs.Headers = Array([String(prefix + bytes(h).decode("latin-1")) for h in headers])
    if role == "/TH":
        _add_scope(elem)


def _attribute_dicts(elem: Dictionary) -> list[Dictionary]:
    value = elem.get("/A")
    items = list(value) if isinstance(value, Array) else [value]
    return [a for a in items if isinstance(a, Dictionary)]


def _add_scope(th: Dictionary) -> None:
    """Give a header cell a /Scope, as HTML's rule decides: Row if its row has data cells.

    WeasyPrint links TD to TH by /Headers and /IDs but writes no /Scope, and checkers that
    look only at TH (the pdfua package) then cannot see the association.
    """
    table_attrs = [a for a in _attribute_dicts(th) if a.get("/O") == Name.Table]
    if any("/Scope" in a for a in table_attrs):
        return
    row = th.get("/P")
    has_data = row is not None and any(_role(cell) == "/TD" for cell in _kids(row))
    scope = Name.Row if has_data else Name.Column
    if table_attrs:
        table_attrs[0].Scope = scope
    else:
        th.A = Dictionary(O=Name.Table, Scope=scope)


_BDC = re.compile(rb"/[^\s/<>\[\]()]+\s*<<(?:[^<>]|<[^<>]*>)*?/MCID\s+(\d+)(?:[^<>]|<[^<>]*>)*>>\s*BDC")


def _artifact_orphans(page: pikepdf.Page, tree: dict[int, pikepdf.Object], reached: set) -> None:
    """Re-mark content whose element is not in the tree (margin boxes) as an artifact."""
    key = page.obj.get("/StructParents")
    mcids = tree.get(int(key)) if key is not None else None
    if not isinstance(mcids, Array):
        return
    orphans = {i for i, elem in enumerate(mcids) if isinstance(elem, Dictionary) and elem.objgen not in reached}
    if not orphans:
        return
    for stream in _content_streams(page):
        data = stream.read_bytes()
        fixed = _BDC.sub(lambda m: b"/Artifact BMC" if int(m.group(1)) in orphans else m.group(0), data)
        if fixed != data:  # kept compressed: the rewritten streams stay in memory until the save
            if "/DecodeParms" in stream:
                del stream["/DecodeParms"]
            stream.write(zlib.compress(fixed), filter=Name.FlateDecode)
    for i in orphans:
        mcids[i] = pikepdf.Object.parse(b"null")


def _content_streams(page: pikepdf.Page) -> list[pikepdf.Stream]:
    contents = page.obj.get("/Contents")
    return list(contents) if isinstance(contents, Array) else [contents] if contents is not None else []


# --- split elements and links: what WeasyPrint tags in pieces, joined ----------------------------

SPLIT = "/" + SPLIT_KEY
# printed again on each page of a table, or on each part of a table printed in parts (the caption
# "Exhibit N (continued)"): read once
REPEATED = ("/THead", "/TFoot", "/Caption")
_F_PRINT = 4  # annotation flag: printed as shown (PDF/A requires it; outloud LNK-004)
# typesetting marks that a screen reader would read, spell out or stumble on; no-break spaces read as spaces
_MARKS = str.maketrans({"\u00ad": None, "\u200b": None, "\u2060": None, "\ufeff": None,
                        "\u00a0": " ", "\u202f": " ", "\u2007": " "})


def plain(text: str) -> str:
    """``text`` as a screen reader should get it: without soft hyphens and other typesetting marks."""
    return text.translate(_MARKS)


def _printable(annot: pikepdf.Object) -> None:
    if not isinstance(annot, Dictionary):  # an appended PDF's broken entry: left as it is
        return
    flags = annot.get("/F")
    annot.F = (flags if isinstance(flags, int) else 0) | _F_PRINT
    contents = annot.get("/Contents")
    if contents is not None and (text := str(contents)) != (clean := plain(text)):
        annot.Contents = String(clean)


def _join_and_link(root: Dictionary) -> None:
    """Join the pieces of elements WeasyPrint tagged per page, and put each link's annotations in
    its ``Link`` element; the ParentTree follows every element and annotation that moved."""
    walk = _Walk()
    for kid in _kids(root):
        if isinstance(kid, Dictionary):
            _join_kids(kid, walk, in_link=False)
    for table in walk.tables:
        _rename_headers(table, walk.ids)
    owners: dict[int, Dictionary] = {}  # annotation ParentTree key -> its Link element
    for link in walk.links:
        _gather_link(link, owners)
    replaced = walk.replaced
    if replaced or owners:
        _retarget_tree(root.get("/ParentTree"), replaced, owners)


@dataclass
class _Walk:
    """What one pass over a tree collects while joining."""

    replaced: dict[tuple[int, int], Dictionary] = field(default_factory=dict)  # joined element -> the one kept
    ids: dict[str, str] = field(default_factory=dict)  # ID of a repeated header cell -> the first one's
    tables: list[Dictionary] = field(default_factory=list)  # tables whose header rows repeated
    links: list[Dictionary] = field(default_factory=list)  # Link elements not inside another Link


def _join_kids(elem: Dictionary, walk: _Walk, in_link: bool) -> None:
    """Join neighbouring children of ``elem`` that tag one HTML element, then do the same below.

    A table's header and footer rows are printed again on every page it spans: their repeats
    leave the tree (their content becomes an artifact, see ``_artifact_orphans``), and data cells
    that named a repeated header cell name the first one."""
    role = _role(elem)
    if role == "/Link" and not in_link:
        walk.links.append(elem)
        in_link = True
    k = elem.get("/K")
    if not isinstance(k, Array):
        return
    own_mark = elem.get(SPLIT)
    own_mark = None if own_mark is None else int(own_mark)
    kids = list(k)
    kept: list[pikepdf.Object] = []
    elements: list[Dictionary] = []  # the kept kids that are elements, walked next
    groups: dict[int, Dictionary] = {}  # part mark -> the first header or footer group of that mark
    prev_mark = None
    for kid in kids:
        keys = kid.keys() if isinstance(kid, Dictionary) else ()  # one call, not one per key asked
        if "/S" not in keys:
            kept.append(kid)
            prev_mark = None
            continue
        if SPLIT not in keys:
            kept.append(kid)
            elements.append(kid)
            prev_mark = None
            continue
        mark = int(kid[SPLIT])
        kid_role = str(kid.S)
        if mark == own_mark and kid_role == role:
            kid.S = Name.NonStruct  # an anonymous box of the same element (text beside a block): no second Sect
        if kid_role in REPEATED:
            if _repeated(elem, kid, mark, groups, walk):
                continue
        elif mark == prev_mark:
            _absorb(kept[-1], kid, walk.replaced)
            continue
        kept.append(kid)
        elements.append(kid)
        prev_mark = mark
    if len(kept) != len(kids):
        elem.K = Array(kept)
    for kid in elements:
        _join_kids(kid, walk, in_link)


def _repeated(table: Dictionary, group: Dictionary, mark: int, groups: dict[int, Dictionary], walk: _Walk) -> bool:
    """Is ``group`` (a THead or TFoot) a repeat of one met before? It then leaves the tree."""
    if mark not in groups:
        groups[mark] = group
        return False
    _map_repeated_ids(groups[mark], group, walk.ids)  # a repeat sits between the pieces of the body
    if not walk.tables or walk.tables[-1] is not table:
        walk.tables.append(table)
    return True


def _absorb(first: Dictionary, second: Dictionary, replaced: dict) -> None:
    """Move the content of ``second`` (the next page's piece) to the end of ``first``."""
    page = second.get("/Pg")
    moved = []
    for kid in _kids(second):
        if isinstance(kid, int) and page is not None and page.objgen != first.get("/Pg", page).objgen:
            kid = Dictionary(Type=Name.MCR, MCID=kid, Pg=page)  # an MCID of second's page, not first's
        elif isinstance(kid, Dictionary) and "/S" in kid:
            kid.P = first
        moved.append(kid)
    first.K = Array([*_kids(first), *moved])
    replaced[second.objgen] = first


def _elements_by_part(elem: Dictionary) -> Iterator[Dictionary]:
    stack = [elem]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(k for k in _kids(node) if isinstance(k, Dictionary) and "/S" in k)


def _map_repeated_ids(first: Dictionary, repeat: Dictionary, ids: dict[str, str]) -> None:
    kept = {int(e[SPLIT]): bytes(e.ID).decode("latin-1") for e in _elements_by_part(first)
            if SPLIT in e and "/ID" in e}
    for e in _elements_by_part(repeat):
        if SPLIT in e and "/ID" in e and int(e[SPLIT]) in kept:
            ids[bytes(e.ID).decode("latin-1")] = kept[int(e[SPLIT])]


def _rename_headers(table: Dictionary, ids: dict[str, str]) -> None:
    for elem in _elements_by_part(table):
        for attrs in _attribute_dicts(elem):
            headers = attrs.get("/Headers")
            if isinstance(headers, Array):
                named = [ids.get(h, h) for h in (bytes(h).decode("latin-1") for h in headers)]
                attrs.Headers = Array([String(h) for h in dict.fromkeys(named)])


def _gather_link(link: Dictionary, owners: dict[int, Dictionary]) -> None:
    """One ``Link`` element holding every annotation of one link.

    WeasyPrint gives each box inside ``<a>`` its own annotation (the link, each span in it, a
    ``::after`` page number) and tags the inner ones in ``Span`` and nested ``Link`` elements;
    a checker then finds annotations outside any Link and Links with no text (outloud LNK-001,
    LNK-003). The annotations move to the outer Link, an annotation lying within another one of
    the same link is dropped (one stop per link for the keyboard), and the inner Links become
    Spans."""
    objrs: list[Dictionary] = []

    def visit(node: Dictionary) -> bool:  # False: nothing left in node
        kids = list(_kids(node))
        kept = []
        for kid in kids:
            if isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
                objrs.append(kid)
                continue
            if isinstance(kid, Dictionary) and "/S" in kid:
                if _role(kid) == "/Link":
                    kid.S = Name.Span
                if not visit(kid) and "/Alt" not in kid and "/ActualText" not in kid:
                    continue
            kept.append(kid)
        if len(kept) != len(kids):
            node.K = Array(kept)
        return bool(kept)

    visit(link)
    annots = [o.Obj for o in objrs if isinstance(o.get("/Obj"), Dictionary)]
    covered = _covered(annots)
    keep = [o for o in objrs if not (isinstance(o.get("/Obj"), Dictionary) and o.Obj.objgen in covered)]
    if len(keep) != len(objrs):
        _drop_annotations([o for o in objrs if o not in keep])
    link.K = Array([*_kids(link), *keep])
    for o in keep:
        annot = o.get("/Obj")
        if isinstance(annot, Dictionary) and "/StructParent" in annot:
            owners[int(annot.StructParent)] = link


def _covered(annots: list[Dictionary]) -> set[tuple[int, int]]:
    """The annotations of one link whose rectangle another one, to the same target, holds."""
    facts = [(a.objgen, _target(a), rect) for a in annots if (rect := _rect(a)) is not None]
    covered = set()
    for key, target, (x0, y0, x1, y1) in facts:
        for other, other_target, (a0, b0, a1, b1) in facts:
            if other == key or other_target != target:
                continue
            bigger = (a1 - a0) * (b1 - b0) > (x1 - x0) * (y1 - y0) or other < key
            if bigger and a0 - 0.5 <= x0 and b0 - 0.5 <= y0 and x1 <= a1 + 0.5 and y1 <= b1 + 0.5:
                covered.add(key)
                break
    return covered


def _rect(annot: pikepdf.Object) -> tuple[float, float, float, float] | None:
    rect = annot.get("/Rect") if isinstance(annot, Dictionary) else None
    if not isinstance(rect, Array) or len(rect) != 4 or not all(isinstance(v, int | Decimal) for v in rect):
        return None  # another producer's malformed annotation: never taken for covered
    r = [float(v) for v in rect]
    return min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])


def _target(annot: Dictionary) -> str:
    action = annot.get("/A")
    return repr(annot.get("/Dest")) + repr(action.get("/URI") if isinstance(action, Dictionary) else None)


def _drop_annotations(objrs: list[Dictionary]) -> None:
    """Take the annotations of ``objrs`` off their pages (one rewrite per page)."""
    by_page: dict[tuple[int, int], tuple[Dictionary, set]] = {}
    for objr in objrs:
        page, annot = objr.get("/Pg"), objr.get("/Obj")
        if isinstance(page, Dictionary) and isinstance(annot, Dictionary):
            by_page.setdefault(page.objgen, (page, set()))[1].add(annot.objgen)
    for page, gone in by_page.values():
        if isinstance(page.get("/Annots"), Array):
            page.Annots = Array([a for a in page.Annots if a.objgen not in gone])


def _settled(lifted: dict[tuple[int, int], Dictionary]) -> dict[tuple[int, int], Dictionary]:
    """Each lifted span -> the element that holds its content in the end (a span lifted into a
    span that was lifted in turn)."""
    settled = {}
    for span, holder in lifted.items():
        while holder.objgen in lifted:
            holder = lifted[holder.objgen]
        settled[span] = holder
    return settled


def _retarget_tree(tree: pikepdf.Object, replaced: dict, owners: dict[int, Dictionary]) -> None:
    """Point ParentTree entries at the elements that now hold the content (in place)."""
    if not isinstance(tree, Dictionary):
        return
    nums = tree.get("/Nums")
    if isinstance(nums, Array):
        for i in range(0, len(nums) - 1, 2):
            key, value = int(nums[i]), nums[i + 1]
            if key in owners:
                nums[i + 1] = owners[key]
            elif isinstance(value, Array):
                if any(isinstance(v, Dictionary) and v.objgen in replaced for v in value):
                    for j, v in enumerate(value):
                        if isinstance(v, Dictionary) and v.objgen in replaced:
                            value[j] = replaced[v.objgen]
            elif isinstance(value, Dictionary) and value.objgen in replaced:
                nums[i + 1] = replaced[value.objgen]
    for kid in tree.get("/Kids", Array()):
        _retarget_tree(kid, replaced, owners)


# --- renumbering ---------------------------------------------------------------------------------


def _number_tree(node: pikepdf.Object | None) -> dict[int, pikepdf.Object]:
    """A number tree (flat /Nums or nested /Kids) as a dict."""
    found: dict[int, pikepdf.Object] = {}
    if not isinstance(node, Dictionary):
        return found
    nums = node.get("/Nums")
    if isinstance(nums, Array):
        found.update({int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)})
    for kid in node.get("/Kids", Array()):
        found.update(_number_tree(kid))
    return found


def _renumber_page(out: _Out, src: pikepdf.Pdf, page: Dictionary, old_tree: dict[int, pikepdf.Object]) -> None:
    """Give a copied page and its annotations fresh ParentTree keys pointing at copied elements;
    every annotation gets the Print flag and a plain-text /Contents (every output passes here)."""
    key = page.get("/StructParents")
    if key is not None and int(key) in old_tree:
        page.StructParents = _new_key(out, src, old_tree[int(key)])
    elif key is not None:
        del page["/StructParents"]
    for annot in page.get("/Annots", Array()):
        _printable(annot)
        key = annot.get("/StructParent")
        if key is not None and int(key) in old_tree:
            annot.StructParent = _new_key(out, src, old_tree[int(key)])
        elif key is not None:
            del annot["/StructParent"]


def _new_key(out: _Out, src: pikepdf.Pdf, value: pikepdf.Object) -> int:
    key = out.next_key
    out.next_key += 1
    if isinstance(value, Array) and not value.is_indirect:
        # a page's elements, in one qpdf call rather than one per element (the copy of the
        # indirect array made for it is referenced by nothing, so it is not saved)
        out.nums.append((key, Array(out.pdf.copy_foreign(src.make_indirect(value)))))
    else:
        out.nums.append((key, _copy(out.pdf, value)))
    return key


def _copy(pdf: pikepdf.Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """Copy a value from another PDF; qpdf copies only indirect objects, so recurse into direct ones."""
    if isinstance(value, Dictionary | Array | pikepdf.Stream) and value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, Array):
        return Array([_copy(pdf, v) for v in value])
    if isinstance(value, Dictionary):
        return Dictionary({k: _copy(pdf, value[k]) for k in value.keys()})
    return value


def _collect_maps(out: _Out, root: Dictionary) -> None:
    # the first definition of a role or class wins; WeasyPrint writes neither
    for key, target in (("/RoleMap", out.role_map), ("/ClassMap", out.class_map)):
        source = root.get(key)
        if isinstance(source, Dictionary):
            for name in source.keys():
                target.setdefault(name, _copy(out.pdf, source[name]))


def _finish_structure(out: _Out) -> None:
    root = out.pdf.Root.StructTreeRoot
    # one Array built from a list: appending to a pikepdf Array item by item is quadratic
    nums = Array([item for pair in out.nums for item in pair])
    root.ParentTree = out.pdf.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = out.next_key
    if out.ids:
        root.IDTree = _flat_name_tree(out.pdf, out.ids)
    for key, mapping in (("/RoleMap", out.role_map), ("/ClassMap", out.class_map)):
        if mapping:
            root[key] = Dictionary(mapping)
    out.pdf.Root.MarkInfo = Dictionary(Marked=True)


def _flat_name_tree(pdf: pikepdf.Pdf, entries: dict[str, pikepdf.Object]) -> Dictionary:
    """A name tree with one /Names array: valid at any size, and built in one pass.

    Inserting into pikepdf.NameTree one key at a time is far slower (docs/performance.md, "Name trees").
    Names are the IDs of this module (ASCII) and anchor names; both sort the same as bytes.
    """
    ordered = sorted(entries, key=lambda n: n.encode("utf-8"))  # PDF sorts names as bytes
    names = Array([item for name in ordered for item in (String(name), entries[name])])
    return pdf.make_indirect(Dictionary(Names=names))


# --- destinations and bookmarks ------------------------------------------------------------------


def _collect_dests(out: _Out, src: pikepdf.Pdf, position: dict) -> None:
    """Named destinations of ``src`` that land on a kept page; the first part to name one wins."""
    names = src.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return
    for name, dest in pikepdf.NameTree(names.Dests).items():
        array = _dest_array(dest)
        if array is not None and array[0].objgen in position and name not in out.dests:
            out.dests[name] = _retarget(out, array, position)


def _dest_array(dest: pikepdf.Object) -> Array | None:
    array = dest.get("/D") if isinstance(dest, Dictionary) else dest
    if isinstance(array, Array) and len(array) and isinstance(array[0], Dictionary):
        return array
    return None


def _retarget(out: _Out, array: Array, position: dict) -> Array:
    view = [array[i] for i in range(1, len(array))]
    return Array([out.pdf.pages[position[array[0].objgen]].obj, *view])


def _collect_outline(out: _Out, src: pikepdf.Pdf, part: Part, position: dict, first: int) -> None:
    with src.open_outline() as outline:
        items = _copy_items(out, src, outline.root, position)
    if part.title and len(out.pdf.pages) > first:
        top = pikepdf.OutlineItem(part.title, first)
        top.children.extend(items)
        items = [top]
    out.outline.extend(items)


def _copy_items(out: _Out, src: pikepdf.Pdf, items: list, position: dict) -> list[pikepdf.OutlineItem]:
    """Bookmarks that land on kept pages; children of a dropped one move up a level."""
    copied: list[pikepdf.OutlineItem] = []
    for item in items:
        children = _copy_items(out, src, item.children, position)
        array = _item_dest(src, item)
        if array is not None and array[0].objgen in position:
            new = pikepdf.OutlineItem(item.title, _retarget(out, array, position))
            new.children.extend(children)
            copied.append(new)
        else:
            copied.extend(children)
    return copied


def _item_dest(src: pikepdf.Pdf, item: pikepdf.OutlineItem) -> Array | None:
    dest = item.destination
    if dest is None and item.action is not None and item.action.get("/S") == Name.GoTo:
        dest = item.action.get("/D")
    if isinstance(dest, String | Name):
        names = src.Root.get("/Names")
        if names is None or "/Dests" not in names:
            return None
        dest = pikepdf.NameTree(names.Dests).get(str(dest))
    return _dest_array(dest) if dest is not None else None


def _write_names_and_outline(out: _Out) -> None:
    if out.dests:
        out.pdf.Root.Names = Dictionary(Dests=_flat_name_tree(out.pdf, out.dests))
    if out.outline:
        with out.pdf.open_outline() as outline:
            outline.root.extend(out.outline)
        out.pdf.Root.PageMode = Name.UseOutlines


def link_scheme_to_dests(pdf: pikepdf.Pdf, scheme: str, descriptions: Mapping[str, str] | None = None) -> int:
    """Turn ``SCHEME:NAME`` URI links (front matter pointing into other parts) into named links.

    The link keeps its place in the structure tree; its /Contents, which WeasyPrint fills with
    the URI (or, for an internal link, the bare name), becomes "Go to ..." with the description
    ``descriptions`` gives for NAME, so a screen reader says where the link goes. Internal links
    to a described name get the same. Returns the number of URI links changed.
    """
    names = descriptions or {}
    changed = 0
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", Array()):
            action = annot.get("/A")
            uri = action.get("/URI") if isinstance(action, Dictionary) else None
            if uri is not None and str(uri).startswith(scheme):
                name = str(uri)[len(scheme):]
                del annot["/A"]
                annot.Dest = String(name)
                annot.Contents = String(plain(f"Go to {names.get(name, name)}"))
                changed += 1
            elif isinstance(annot.get("/Dest"), String) and str(annot.Dest) in names:
                annot.Contents = String(plain(f"Go to {names[str(annot.Dest)]}"))
    return changed


# --- additions: artifacts and metadata ------------------------------------------------------------


def add_artifact_overlay(pdf: pikepdf.Pdf, page: pikepdf.Page, form: pikepdf.Object, name: str,
                         kind: str = "Footer") -> None:
    """Draw the form XObject ``form`` over ``page`` as a pagination artifact.

    For the page-number stamp: it is not part of the reading order, so it is wrapped in
    ``/Artifact <</Type /Pagination /Subtype /Footer>> BDC ... EMC``. ``form`` must not contain
    marked content of its own (print the overlay untagged). ``name`` is the resource name,
    chosen by the caller so that builds are reproducible.
    """
    page.add_resource(form, Name.XObject, name=Name("/" + name.lstrip("/")))
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    props = f"<</Type /Pagination /Subtype /{kind}>>"
    page.contents_add(pikepdf.Stream(pdf, f"\nQ /Artifact {props} BDC q /{name.lstrip('/')} Do Q EMC\n".encode()))


def set_metadata(pdf: pikepdf.Pdf, *, title: str, lang: str, variant: str = "pdf/ua-1",
                 claim: bool = True) -> None:
    """Catalog and XMP entries PDF/UA-1 asks for (and PDF/A-3a, which adds pdfaid).

    Call it again after changing ``pdf.docinfo``: the XMP copy of Author, Producer, dates and
    so on is refreshed from it, because PDF/A requires the two to agree.
    """
    pdf.Root.Lang = String(lang)
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    prefs = pdf.Root.get("/ViewerPreferences")
    if not isinstance(prefs, Dictionary):
        prefs = pdf.Root.ViewerPreferences = Dictionary()
    prefs.DisplayDocTitle = True
    pdf.docinfo["/Title"] = String(title)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.load_from_docinfo(pdf.docinfo, raise_failure=True)
        meta["dc:title"] = title
        meta["dc:language"] = [lang]
        for key in ("pdfuaid:part", "pdfaid:part", "pdfaid:conformance"):
            if key in meta:  # a claim copied from a part is re-decided here
                del meta[key]
        if not claim:
            return
        meta["pdfuaid:part"] = "1"  # PDF/A-3 (ISO 19005-3) and PDF/UA-1 share PDF 1.7: both claims fit
        if variant == PDF_A:
            meta["pdfaid:part"] = "3"
            meta["pdfaid:conformance"] = "A"
    _describe_extensions(pdf, claim and variant == PDF_A)


_EXTENSION_NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                 "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
                 "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
                 "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#"}
# PDF/A-2 and -3 accept in XMP only the properties of their predefined schemas, and any other one
# described by an extension schema in the same packet; pdfuaid is not predefined. Written as
# LibreOffice and iText write it when they export PDF/A with PDF/UA.
_PDFUAID_SCHEMA = f"""<rdf:Description rdf:about="" xmlns:rdf="{_EXTENSION_NS['rdf']}"
 xmlns:pdfaExtension="{_EXTENSION_NS['pdfaExtension']}" xmlns:pdfaSchema="{_EXTENSION_NS['pdfaSchema']}"
 xmlns:pdfaProperty="{_EXTENSION_NS['pdfaProperty']}"><pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix><pdfaSchema:schema>PDF/UA identification schema</pdfaSchema:schema>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>PDF/UA version identifier</pdfaProperty:description>
<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"""


def _describe_extensions(pdf: pikepdf.Pdf, pdfa: bool) -> None:
    """The XMP's PDF/A extension schemas: one describing ``pdfuaid`` in a PDF/A file, none otherwise."""
    from lxml import etree  # pikepdf's own dependency

    stream = pdf.Root.Metadata
    packet = stream.read_bytes()
    start, end = packet.index(b"<x:xmpmeta"), packet.index(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")
    xmpmeta = etree.fromstring(packet[start:end])
    rdf = xmpmeta.find("rdf:RDF", _EXTENSION_NS)
    for old in rdf.findall("rdf:Description[pdfaExtension:schemas]", _EXTENSION_NS):
        rdf.remove(old)
    if pdfa:
        rdf.append(etree.fromstring(_PDFUAID_SCHEMA))
    stream.write(packet[:start] + etree.tostring(xmpmeta, encoding="utf-8", xml_declaration=False) + packet[end:])


def _copy_output_intent(pdf: pikepdf.Pdf, src: pikepdf.Pdf) -> bool:
    """Copy ``src``'s output intent (WeasyPrint writes sRGB for pdf/a-*); False if it has none."""
    intents = src.Root.get("/OutputIntents")
    if isinstance(intents, Array) and len(intents):
        pdf.Root.OutputIntents = _copy(pdf, intents)
        return True
    return False
