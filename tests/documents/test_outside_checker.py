"""outloud, an outside checker (PDF/UA-1 by Matterhorn checkpoint, WCAG 2.2, semantic checks),
finds no error in any kind of output the build writes, and only the warnings
docs/accessibility.md lists and explains.

The kinds: sponsor PDFs (Acme's with an appended tagged PDF, Initech's with Chinese), the book
(which holds that appended PDF and a table broken across pages), a personalised edition,
one-pagers and their book, a Letter build and a PDF/A-3a copy, all from the fictional sponsors.
tests/pdf/test_splitparts.py checks the same properties with pikepdf and poppler, so the checks
do not rest on one tool.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from conftest import FICTION, REPO, make_project
from outloud import check
from tagcheck import elements, struct_text

from briefing.build.pipeline import Options, build

pytestmark = pytest.mark.slow  # builds the fictional project three times (A4, Letter, PDF/A-3a)

KINDS = {  # kind of output -> (build, file)
    "sponsor PDF with an appended tagged PDF": ("a4", "acme-anvils.pdf"),
    "sponsor PDF with Chinese text": ("a4", "initech-pretend.pdf"),
    "book": ("a4", "briefing-book.pdf"),
    "edition": ("a4", "editions/pat-fictional.pdf"),
    "one-pager": ("a4", "initech-pretend-one-pager.pdf"),
    "book of one-pagers": ("a4", "briefing-book-one-pager.pdf"),
    "Letter sponsor PDF": ("letter", "acme-anvils.pdf"),
    "Letter book": ("letter", "briefing-book.pdf"),
    "PDF/A-3a sponsor PDF": ("pdfa", "globex-imaginary.pdf"),
    "PDF/A-3a book": ("pdfa", "briefing-book.pdf"),
}
DOCS = (REPO / "docs" / "accessibility.md").read_text()


@pytest.fixture(scope="module")
def outputs(fiction, tmp_path_factory) -> dict[str, Path]:
    root = make_project(tmp_path_factory.mktemp("kinds"), FICTION / "data")
    for name, options in (("letter", {"page_size": "Letter"}), ("pdfa", {"pdf_variant": "pdf/a-3a"})):
        report = build(Options(data_dir=root / "data", out_dir=root / name, **options))
        assert report.ok, report.failed
        assert not [w for w in report.warnings if "not claimed" in w], report.warnings
    return {"a4": fiction / "output", "letter": root / "letter", "pdfa": root / "pdfa"}


def findings(path: Path, severity: str) -> list[str]:
    result = check(str(path))
    assert result.error is None, result.error
    return [f"{f.rule} p.{f.page}: {f.message}" for f in result.findings if f.severity == severity]


@pytest.mark.parametrize("kind", list(KINDS))
def test_outloud_finds_no_error(outputs, kind):
    build_name, name = KINDS[kind]
    assert findings(outputs[build_name] / name, "error") == []


def documented_warnings() -> set[str]:
    """The rule ids of docs/accessibility.md's table of the warnings left."""
    section = DOCS.split("## What outloud still warns about", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z]{3}-\d{3})`", section, flags=re.M))


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_warning_left_is_explained_in_the_docs(outputs, kind):
    build_name, name = KINDS[kind]
    rules = {w.split()[0] for w in findings(outputs[build_name] / name, "warning")}
    assert rules <= documented_warnings(), rules - documented_warnings()


def test_the_docs_list_no_warning_that_no_output_gives(outputs):
    given = {w.split()[0] for build_name, name in KINDS.values()
             for w in findings(outputs[build_name] / name, "warning")}
    assert documented_warnings() <= given | {"LNK-010", "FIG-012"}  # these two come from the hostile sponsor's data


def test_the_book_holds_a_table_broken_across_pages_as_one_table(outputs, fiction):
    book = outputs["a4"] / "briefing-book.pdf"
    text = struct_text(book)
    header = '"ANVILS (THOUSANDS)"'
    assert text.count(header) == 1  # its header row read once, not once per page
    table = text[text.rfind("Table (block)", 0, text.index(header)):]
    table = table[:table.find("Table (block)", 1)] if "Table (block)" in table[1:] else table
    years = re.findall(r'"(20\d\d)"', table)
    assert years == [str(y) for y in range(2001, 2046)]  # every row, in order, in that one Table
    with pikepdf.open(book) as pdf:
        (long_table,) = [t for t in elements(pdf) if t.S == pikepdf.Name.Table and len(rows(t)) == 46]
        assert len({row.Pg.objgen for row in rows(long_table)}) > 1  # its rows are on more than one page
    chapter = fiction / "output" / ".build" / "full" / "a4" / "internal" / "acme-anvils.pdf"
    assert struct_text(chapter).count(header) > 1  # as WeasyPrint printed it: one Table per page


def rows(table: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    found = []
    for kid in table.K:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == pikepdf.Name.TR:
            found.append(kid)
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found += rows(kid)
    return found


def fonts_of(resources: pikepdf.Object, seen: set) -> list[pikepdf.Dictionary]:
    """Every font a page draws with, in the forms it draws (the page-number stamps) too."""
    found = []
    if not isinstance(resources, pikepdf.Dictionary):
        return found
    found += [f for f in resources.get("/Font", pikepdf.Dictionary()).values()]
    for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
        if xobject.get("/Subtype") == pikepdf.Name.Form and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            found += fonts_of(xobject.get("/Resources"), seen)
    return found


@pytest.mark.parametrize("name", ["briefing-book.pdf", "globex-imaginary.pdf"])
def test_the_pdf_a_copy_keeps_the_pdf_a_rules_the_project_controls(outputs, name):
    """Output intent, fonts, annotations, metadata: read with pikepdf (outloud is no PDF/A validator)."""
    with pikepdf.open(outputs["pdfa"] / name) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1 and int(intent.DestOutputProfile.N) == 3
        seen: set = set()
        fonts = [f for page in pdf.pages for f in fonts_of(page.Resources, seen)]
        descriptors = [f.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in f else f.FontDescriptor
                       for f in fonts]
        assert fonts and [d for d in descriptors if not {"/FontFile", "/FontFile2", "/FontFile3"} & set(d.keys())] == []
        flags = [int(a.F) for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert flags and all(f & 4 and not f & (1 | 2 | 32) for f in flags)  # Print; not Invisible, Hidden, NoView
        assert "/Filter" not in pdf.Root.Metadata
        meta = pdf.open_metadata()
        info = pdf.docinfo
        assert meta["dc:title"] == str(info.Title) and meta["pdf:Producer"] == str(info.Producer)
        assert meta["xmp:CreatorTool"] == str(info.Creator) and meta["dc:creator"] == [str(info.Author)]
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"]) == ("3", "A", "1")
        assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in pdf.Root.Metadata.read_bytes().decode()
