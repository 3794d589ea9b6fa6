"""A sponsor PDF, printed for real by WeasyPrint from fictional fixture data and read back."""

from __future__ import annotations

import re

import pytest
from conftest import normalise, pdf_text
from pypdf import PdfReader

ACME = "acme-anvils.pdf"


@pytest.fixture(scope="module")
def acme(fiction):
    return fiction / "output" / ACME


def test_structure_cover_glance_contents(acme):
    pages = pdf_text(acme)
    assert "Acme Anvils" in pages[0] and "Fictional heavy-goods supplier" in pages[0]
    assert "INTERNAL TEST" in pages[0].upper() and "1 November 2026" in pages[0]
    assert "At a glance" in pages[1] and "Acme anvil shortage" in pages[1] and "1,000,000" in pages[1]
    assert "Contents" in pages[2] and "Leadership" in pages[2]
    assert "Contents" not in pages[1] and "Contents" not in pages[3]


def test_every_fixture_fact_is_text(acme):
    text = normalise(" ".join(pdf_text(acme)))
    for fact in ("Anvils sold", "~$1.2 billion", "Wile E. Example", "Chief Executive",
                 "since 2019", "A long table that crosses a page break", "2045", "54.5",
                 "Fictional revenue by line", "Skates", "Acme fictional website", "1 May 2019"):
        assert normalise(fact) in text, fact


def test_contents_numbers_are_the_real_start_pages(acme):
    reader = PdfReader(str(acme))
    contents = reader.pages[2].extract_text()
    dests = reader.named_destinations
    checked = set()
    for annot in reader.pages[2].get("/Annots", []):
        name = str(annot.get_object().get("/Dest", ""))
        if not name:
            continue
        real = reader.get_destination_page_number(dests[name]) + 1
        heading = reader.pages[real - 1].extract_text()
        title = {"acme-anvils--at-a-glance": "At a glance", "acme-anvils--sources": "Sources"}.get(name)
        if title is None:
            number = name.split("--s")[1].replace("-", ".")
            line = next(t for t in contents.splitlines() if re.match(rf"^{re.escape(number)}\s", t))
            title = re.sub(r"^[\d.]+\s+|\s*\.*\s*\d+$", "", line).strip(" .")
        else:
            line = next(t for t in contents.splitlines() if title in t)
        assert line.rstrip().endswith(f" {real}"), (line, real)
        assert title in heading, (title, real)  # the page the number names starts that section
        checked.add(name)
    assert len(checked) == 6, checked  # glance, 1, 2, 2.1, 2.2, sources


def test_footer_numbers_every_page_but_the_cover(acme):
    pages = pdf_text(acme)
    assert "Page" not in pages[0]
    for i, text in enumerate(pages[1:], start=2):
        assert f"Page {i} of {len(pages)}" in text


def test_a_table_crossing_pages_repeats_its_header(acme):
    pages = [p for p in pdf_text(acme) if "Invented row" in p]
    assert len(pages) >= 2
    assert all("ANVILS (THOUSANDS)" in p.upper() for p in pages)


def test_bookmarks_nest_sections_and_subsections(acme):
    reader = PdfReader(str(acme))
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == ["At a glance", "1  Overview", "2  Leadership", "Sources", "Appendix: Acme fact sheet"]
    children = outline[titles.index("2  Leadership") + 1]
    assert [c.title for c in children] == ["2.1  Board", "2.2  Finances"]
    assert "Board" in reader.pages[reader.get_destination_page_number(children[0])].extract_text()
    appendix = reader.get_destination_page_number(outline[-1])
    assert "Acme fact sheet (fictional)" in reader.pages[appendix].extract_text()


def test_metadata(acme):
    reader = PdfReader(str(acme))
    meta = reader.metadata
    assert meta.title == "Acme Anvils (fictional) — sponsor briefing"
    assert meta.author == "Example Host City (fictional)"
    assert "Fictional heavy-goods supplier" in meta.subject
    assert "Rocket Skates" in meta["/Keywords"]
    assert meta["/CreationDate"] == "D:20261101000000Z"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def _fonts(reader, pages=None):
    found = {}
    for page in reader.pages[:pages]:
        resources = page.get("/Resources", {})
        stack = [resources]
        while stack:
            res = stack.pop().get_object()
            for font in (res.get("/Font") or {}).values():
                font = font.get_object()
                for desc_font in font.get("/DescendantFonts", [font]):
                    desc_font = desc_font.get_object()
                    desc = desc_font.get("/FontDescriptor")
                    if desc is not None:
                        desc = desc.get_object()
                        embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                        found[str(desc_font["/BaseFont"])] = embedded
            for xobj in (res.get("/XObject") or {}).values():
                xobj = xobj.get_object()
                if "/Resources" in xobj:
                    stack.append(xobj["/Resources"])
    return found


def test_fonts_are_shipped_embedded_and_subset(acme):
    reader = PdfReader(str(acme))
    appendix = reader.get_destination_page_number(reader.outline[-1])  # an attached PDF brings its own fonts
    assert reader.outline[-1].title.startswith("Appendix")
    fonts = _fonts(reader, appendix)
    assert fonts and all(fonts.values()), fonts
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in fonts), fonts
    families = {name.split("+", 1)[1] for name in fonts}
    assert {"Noto-Serif", "Noto-Sans", "Noto-Sans-Bold"} <= families  # only the shipped fonts
    assert all(f.startswith("Noto-") for f in families)


def test_chart_labels_are_text(acme):
    text = " ".join(pdf_text(acme))
    assert "Anvils" in text and "5.5" in text and "Glue" in text


@pytest.mark.slow
def test_letter_page_size(fiction, tmp_path):
    from briefing.build.pipeline import Options, build

    out = tmp_path / "letter"
    report = build(Options(data_dir=fiction / "data", out_dir=out, slugs=["globex-imaginary"], book=False,
                           page_size="Letter"))
    assert report.ok, report.failed
    a4 = PdfReader(str(fiction / "output" / "globex-imaginary.pdf")).pages[1].mediabox
    letter = PdfReader(str(out / "globex-imaginary.pdf")).pages[1].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    assert "Widgets" in " ".join(pdf_text(out / "globex-imaginary.pdf"))


def test_no_embedded_files_or_javascript(fiction):
    for pdf in (fiction / "output").rglob("*.pdf"):
        raw = pdf.read_bytes()
        assert b"/EmbeddedFiles" not in raw and b"/JavaScript" not in raw, pdf
