"""What a screen reader meets, read with pikepdf and poppler (no outloud): an element broken across
pages is one element, each link is one Link holding its annotations, annotations print, text
for readers carries no typesetting marks, and a PDF/A copy describes its PDF/UA claim.

Prints a small fictional document with the project's printer (which marks each structure element
with the HTML element it tags) and merges it as the build does, once as it is and once prepared.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest
from pdfua import validate
from tagcheck import elements, kids, parent_tree, parent_tree_problems, struct_text, unmarked_content

from briefing.pdf.printer import PrintOptions, print_html
from briefing.pdf.structmerge import Part, merge, plain, prepare

ROWS = 40  # enough rows for the table to cross two page breaks on A6
TYPESETTING_MARKS = re.compile("[\u00ad\u200b\u2060\ufeff\u00a0\u202f]")


def html() -> str:
    rows = "".join(f"<tr><td>Row {i:02d}</td><td>Invented</td><td>Note {i}</td></tr>" for i in range(1, ROWS + 1))
    items = "".join(f"<li>Item {i:02d}</li>" for i in range(1, 31))
    return f"""<html lang="en"><head><title>Fictional split parts</title>
<style>@page {{ size: A6; margin: 10mm }} a.toc::after {{ content: " p. " target-counter(attr(href), page) }}</style>
</head><body><section><h1 id="top">Fictional tables</h1>
<p><a class="toc" href="#end"><span><span>1</span> Go to the end</span></a> and
<a href="https://example.org/">an invented site</a>.</p>
<table><thead><tr><th>Name</th><th>Role</th><th>Note</th></tr></thead><tbody>{rows}</tbody></table>
<ul>{items}</ul>
<svg width="20" height="20"><title>An unpre\u00adced\u00adented square</title><rect width="20" height="20"/></svg>
<h2 id="end">End</h2></section></body></html>"""


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> bytes:
    return print_html(html(), base=Path("."), roots=[], options=PrintOptions(pdf_variant="pdf/ua-1")).pdf


@pytest.fixture(scope="module", params=[False, True], ids=["as-printed", "prepared"])
def merged(printed, tmp_path_factory, request) -> Path:
    source = prepare(printed, prefix="c:split:") if request.param else printed
    result = merge([Part(source, title="Fictional")], title="Fictional split parts", lang="en")
    target = tmp_path_factory.mktemp("split") / "merged.pdf"
    result.save(target)
    result.close()
    return target


def roles(pdf: pikepdf.Pdf, role: str) -> list[pikepdf.Dictionary]:
    return [e for e in elements(pdf) if e.S == pikepdf.Name(role)]


def test_weasyprint_tags_each_page_of_a_table_on_its_own(printed, tmp_path):
    """The defect the merge repairs: if a WeasyPrint release fixes it, this fails."""
    (tmp_path / "raw.pdf").write_bytes(printed)
    with pikepdf.open(tmp_path / "raw.pdf") as pdf:
        assert len(pdf.pages) >= 3
        assert len(roles(pdf, "/Table")) >= 3 and len(roles(pdf, "/THead")) >= 3
        assert len(roles(pdf, "/L")) >= 2


def test_a_table_across_pages_is_one_table_with_its_header_row_once(merged):
    with pikepdf.open(merged) as pdf:
        (table,) = roles(pdf, "/Table")
        assert [str(k.S) for k in kids(table)] == ["/THead", "/TBody"]
        assert len(roles(pdf, "/TH")) == 3
        assert len(roles(pdf, "/TR")) == ROWS + 1
        ids = set(pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree).keys())
        headers = [str(h) for td in roles(pdf, "/TD") for h in td.A.Headers]
        assert len(headers) == 3 * ROWS and set(headers) <= ids and len(set(headers)) == 3
    text = struct_text(merged)
    assert text.count('"Name"') == 1  # the repeated header rows are artifacts now
    rows = re.findall(r'"Row (\d\d)"', text)
    assert rows == [f"{i:02d}" for i in range(1, ROWS + 1)]


def test_a_list_across_pages_is_one_list(merged):
    with pikepdf.open(merged) as pdf:
        (lst,) = roles(pdf, "/L")
        assert len([k for k in kids(lst) if isinstance(k, pikepdf.Dictionary) and k.S == pikepdf.Name.LI]) == 30
        assert len(roles(pdf, "/Sect")) == 1


def test_every_link_annotation_is_in_a_link_element_with_text(merged):
    with pikepdf.open(merged) as pdf:
        tree = parent_tree(pdf)
        annots = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.Subtype == pikepdf.Name.Link]
        # the contents link: one (its spans and ::after had three more); the web link wraps: two
        assert sorted(str(a.Contents) for a in annots) == ["end", "https://example.org/", "https://example.org/"]
        assert len(roles(pdf, "/Link")) == 2  # one per <a>, a link broken across lines too
        for annot in annots:
            owner = tree[int(annot.StructParent)]
            assert owner.S == pikepdf.Name.Link
            assert any(isinstance(k, pikepdf.Dictionary) and "/Obj" in k and k.Obj.objgen == annot.objgen
                       for k in kids(owner))
        for link in roles(pdf, "/Link"):  # text of its own, no Link inside a Link
            inner = list(_below(link))
            assert any(isinstance(k, int) for k in inner) and pikepdf.Name.Link not in [
                k.get("/S") for k in inner if isinstance(k, pikepdf.Dictionary)]
    text = struct_text(merged)
    assert '" Go to the end"' in text and '" p. 4"' in text and '"an invented"' in text


def _below(elem: pikepdf.Dictionary):
    for kid in kids(elem):
        yield kid
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from _below(kid)


def test_annotations_print_and_text_for_readers_has_no_typesetting_marks(merged):
    with pikepdf.open(merged) as pdf:
        annots = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert annots and all(int(a.F) & 4 for a in annots)
        texts = [str(a.Contents) for a in annots] + [str(e[key]) for e in elements(pdf)
                                                     for key in ("/Alt", "/ActualText") if key in e]
        assert "An unprecedented square" in texts
        assert [t for t in texts if TYPESETTING_MARKS.search(t)] == []


def test_the_merged_file_still_passes_the_own_checks(merged):
    with pikepdf.open(merged) as pdf:
        assert unmarked_content(pdf) + parent_tree_problems(pdf) == []
    assert [f.rule_id for f in validate(str(merged)).findings] == []


def test_plain_drops_soft_hyphens_and_keeps_words():
    assert plain("unpre\u00adced\u00adented 19\u00a0January\u202f2017\u200b") == "unprecedented 19 January 2017"


def test_pdf_a_copy_describes_pdfuaid_in_an_extension_schema(tmp_path):
    printed = print_html(html(), base=Path("."), roots=[], options=PrintOptions(pdf_variant="pdf/a-3a")).pdf
    result = merge([Part(printed)], title="Fictional", lang="en", variant="pdf/a-3a")
    target = tmp_path / "a.pdf"
    result.save(target)
    result.close()
    with pikepdf.open(target) as pdf:
        packet = pdf.Root.Metadata.read_bytes().decode()
        assert "/Filter" not in pdf.Root.Metadata  # PDF/A: the XMP stays readable without decoding
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"]) == ("3", "A", "1")
    schemas = re.findall(r"<pdfaSchema:namespaceURI>([^<]+)</pdfaSchema:namespaceURI>\s*"
                         r"<pdfaSchema:prefix>([^<]+)</pdfaSchema:prefix>", packet)
    assert schemas == [("http://www.aiim.org/pdfua/ns/id/", "pdfuaid")]
    assert re.search(r"<pdfaProperty:name>part</pdfaProperty:name>\s*"
                     r"<pdfaProperty:valueType>Integer</pdfaProperty:valueType>", packet)
    assert packet.count("pdfaExtension:schemas>") == 2  # one element, written once


def test_an_appended_pdfs_malformed_annotations_are_no_traceback(printed, tmp_path):
    """Hostile input: another producer's annotation with a name for flags and words for a rectangle."""
    with pikepdf.open(io.BytesIO(printed)) as pdf:
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                annot.F = pikepdf.Name.Print
                annot.Rect = pikepdf.Array([pikepdf.Name.a, 1, 2, 3])
        broken = io.BytesIO()
        pdf.save(broken)
    result = merge([Part(broken.getvalue())], title="Fictional", lang="en")
    annots = [a for page in result.pdf.pages for a in page.obj.get("/Annots", [])]
    assert annots and all(int(a.F) == 4 for a in annots)  # kept (none taken for covered), and printable
    result.close()
