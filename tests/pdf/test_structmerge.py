"""structmerge: tagged chapters printed by WeasyPrint merge into one tagged, checkable book."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import REPO, normalise
from pdfua import validate
from tagcheck import (
    elements,
    heading_gaps,
    heading_levels,
    parent_tree_problems,
    pdfinfo,
    struct_text,
    unmarked_content,
)

from briefing.errors import MergeError
from briefing.pdf.structmerge import Part, add_artifact_overlay, link_scheme_to_dests, merge, prepare

FIXTURES = REPO / "tests" / "fixtures" / "tagging"
SCHEME = "briefing-dest:"


def print_fixture(name: str, target: Path, variant: str | None = "pdf/ua-1") -> Path:
    from weasyprint import HTML

    HTML(filename=str(FIXTURES / f"{name}.html")).write_pdf(target, pdf_variant=variant)
    return target


def print_stamps(labels: list[str], target: Path) -> Path:
    """An untagged overlay, one label per page, as the book's page-number stamps are printed."""
    from weasyprint import HTML

    pages = "".join(f'<div style="string-set: n \'{label}\'; break-after: page">&nbsp;</div>' for label in labels)
    css = "@page { size: A5; margin: 20mm 15mm; @bottom-left { content: string(n); font-size: 8pt } }"
    HTML(string=f"<html lang='en'><style>{css}</style><body>{pages}</body></html>").write_pdf(target)
    return target


def build_book(tmp: Path, variant: str = "pdf/ua-1", prepared: bool = False) -> Path:
    """Front matter, one chapter without its own contents page, one chapter whole; stamped.

    ``prepared``: the chapters go through ``prepare`` first, as the build does in the worker that
    printed them; every test of the module then checks that path too.
    """
    names = ["front", "chapter-zephyr", "chapter-quokka"]
    printed = {n: print_fixture(n, tmp / f"{n}.pdf", variant) for n in names}
    zephyr: Path | bytes = printed["chapter-zephyr"].read_bytes()
    quokka: Path | bytes = printed["chapter-quokka"]
    zephyr_pages: list[int] | None = [1]
    if prepared:
        zephyr, zephyr_pages = prepare(zephyr, [1], prefix="c:zephyr:"), None
        quokka = prepare(quokka, prefix="c:quokka:")
    merged = merge([Part(printed["front"], role="Sect", title="Front matter"),
                    Part(zephyr, pages=zephyr_pages, title="Zephyr Widgets"),
                    Part(quokka, title="Quokka Quarries", dest="quokka-start")],
                   title="Fictional Sponsor Book", lang="en", variant=variant)
    assert merged.problems == []
    assert link_scheme_to_dests(merged.pdf, SCHEME) == 2
    total = len(merged.pdf.pages)
    stamps = pikepdf.open(print_stamps([f"Page {i + 1} of {total}" for i in range(total)], tmp / "stamps.pdf"))
    for i, page in enumerate(merged.pdf.pages):
        form = merged.pdf.copy_foreign(stamps.pages[i].as_form_xobject())
        add_artifact_overlay(merged.pdf, page, form, f"BriefingStamp{i + 1}")
    target = tmp / "book.pdf"
    merged.save(target)
    merged.close()
    stamps.close()
    return target


@pytest.fixture(scope="module", params=[False, True], ids=["as-printed", "prepared"])
def book(tmp_path_factory, request) -> Path:
    return build_book(tmp_path_factory.mktemp("structmerge"), prepared=request.param)


def test_prepared_chapter_holds_only_its_kept_pages_and_their_structure(tmp_path):
    chapter = print_fixture("chapter-zephyr", tmp_path / "zephyr.pdf")
    with pikepdf.open(io.BytesIO(prepare(chapter, [1], prefix="c:zephyr:"))) as pdf:
        assert len(pdf.pages) == 1
        root = pdf.Root.StructTreeRoot
        assert "/BriefingPrepared" in root and root.K.S == pikepdf.Name.Part
        assert parent_tree_problems(pdf) == []
        ids = [bytes(name).decode() for name in list(root.IDTree.Names)[::2]]
        assert ids and all(i.startswith("c:zephyr:") for i in ids)
        with pdf.open_outline() as outline:
            assert [item.title for item in outline.root] == ["Zephyr Widgets"]
    with pikepdf.open(io.BytesIO(prepare(chapter, [0], prefix="c:zephyr:"))) as pdf:
        with pdf.open_outline() as outline:  # every bookmark pointed at the dropped page
            assert list(outline.root) == []
    assert normalise("Contents of this chapter") not in normalise(struct_text(
        _saved(prepare(chapter, [1], prefix="c:zephyr:"), tmp_path)))
    with pytest.raises(MergeError, match="document order"):
        prepare(chapter, [1, 0], prefix="c:zephyr:")
    untagged = print_fixture("chapter-zephyr", tmp_path / "untagged.pdf", variant=None)
    with pikepdf.open(io.BytesIO(prepare(untagged, [1], prefix="c:zephyr:"))) as pdf:
        assert len(pdf.pages) == 1  # an untagged file keeps only the pages asked for too


def _saved(data: bytes, tmp: Path) -> Path:
    (tmp / "saved.pdf").write_bytes(data)
    return tmp / "saved.pdf"


def test_poppler_sees_a_tagged_pdf_ua_file(book):
    info = pdfinfo(book)
    assert info["Tagged"] == "yes"
    assert info["Pages"] == "4"  # 1 front + 1 of Zephyr's 2 + both of Quokka's
    assert info["Title"] == "Fictional Sponsor Book"
    assert info["PDF version"] == "1.7"


def test_pdfua_checker_reports_nothing(book):
    report = validate(str(book))
    assert [(f.rule_id, f.location.describe(), f.message) for f in report.findings] == []
    assert report.exit_code == 0


def test_structure_text_holds_every_part_in_order(book):
    text = normalise(struct_text(book))
    expected = ["Fictional Sponsor Book", "Zephyr Widgets is an invented company", "Weathervane Beta",
                "12 zorkmids", "Quokka Quarries is an invented company", "Moonstone Alpha", "5 zorkmids"]
    positions = [text.find(normalise(fact)) for fact in expected]
    assert -1 not in positions, dict(zip(expected, positions, strict=True))
    assert positions == sorted(positions)
    # Zephyr's contents page was dropped, Quokka's kept: the heading is in the tree once
    assert text.count(normalise("Contents of this chapter")) == 1
    assert normalise("Page 1 of 4") not in text  # stamps are artifacts
    assert normalise("Fictional test document") not in text  # so are margin-box footers


def test_stamps_and_footers_are_still_printed(book):
    text = subprocess.run(["pdftotext", str(book), "-"], capture_output=True, text=True, check=True).stdout
    assert "Page 4 of 4" in text
    assert text.count("Fictional test document") == 4


def test_every_page_content_is_tagged_or_an_artifact(book):
    with pikepdf.open(book) as pdf:
        assert unmarked_content(pdf) == []


def test_parent_tree_entries_resolve_to_elements_on_their_page(book):
    with pikepdf.open(book) as pdf:
        assert parent_tree_problems(pdf) == []
        pages = {page.obj.objgen for page in pdf.pages}
        for elem in elements(pdf):
            assert "/Pg" not in elem or elem.Pg.objgen in pages, "element points at a page outside the book"
        assert sum(1 for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)
                   and obj.get("/Type") == pikepdf.Name.Page) == 4, "a dropped page was copied"


def test_text_alone_in_a_span_belongs_to_the_element_that_held_it(book):
    """WeasyPrint wraps every run of text in a Span without attributes (and some in NonStruct):
    half of a chapter's elements. They are lifted away; the ParentTree follows (above)."""
    plain = {"/Type", "/S", "/P", "/K", "/Pg"}
    with pikepdf.open(book) as pdf:
        left = [e for e in elements(pdf) if str(e.get("/S")) in ("/Span", "/NonStruct") and set(e.keys()) == plain
                and "/Pg" in e.P and e.P.Pg.objgen == e.Pg.objgen
                and all(isinstance(k, int) for k in (e.K if isinstance(e.K, pikepdf.Array) else [e.K]))]
        assert left == []
        assert any(isinstance(k, int) for e in elements(pdf) if str(e.S) == "/P"
                   for k in (e.K if isinstance(e.K, pikepdf.Array) else [e.K]))  # paragraphs hold their text


def test_one_root_holds_each_part_in_order(book):
    with pikepdf.open(book) as pdf:
        root = pdf.Root.StructTreeRoot
        assert len(root.K) == 1 and root.K[0].S == pikepdf.Name.Document
        wrappers = list(root.K[0].K)
        assert [(str(w.S), str(w.T)) for w in wrappers] == [
            ("/Sect", "Front matter"), ("/Part", "Zephyr Widgets"), ("/Part", "Quokka Quarries")]
        assert all(w.P.objgen == root.K[0].objgen for w in wrappers)


def test_headings_nest_without_gaps(book):
    with pikepdf.open(book) as pdf:
        levels = heading_levels(pdf)
    assert levels == [1, 2, 1, 2, 3, 2, 1, 2, 3, 2]
    assert heading_gaps(levels) == []
    assert heading_gaps([1, 3]) == ["heading 2: H3 after H1"]  # the check itself can fail


def test_table_headers_have_unique_ids_and_scope(book):
    with pikepdf.open(book) as pdf:
        ids = pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree)
        cells = [e for e in elements(pdf) if e.S in (pikepdf.Name.TH, pikepdf.Name.TD)]
        headers = [c for c in cells if c.S == pikepdf.Name.TH]
        assert len(headers) == 8 and len({str(h.ID) for h in headers}) == 8
        assert sorted(str(h.A.Scope) for h in headers) == ["/Column"] * 4 + ["/Row"] * 4
        for cell in cells:
            for name in cell.A.get("/Headers", []):
                assert ids[str(name)].S == pikepdf.Name.TH
                assert table_of(ids[str(name)]) == table_of(cell)


def table_of(elem: pikepdf.Dictionary) -> tuple[int, int]:
    while elem.S != pikepdf.Name.Table:
        elem = elem.P
    return elem.objgen


def test_links_and_bookmarks_resolve(book):
    with pikepdf.open(book) as pdf:
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        names = ("zephyr", "quokka", "quokka-figures", "quokka-start")
        assert {name: index[dests[name][0].objgen] for name in names} == {
            "zephyr": 1, "quokka": 3, "quokka-figures": 3, "quokka-start": 2}
        assert "zephyr-contents" not in dests  # nothing points into the dropped page
        targets = []
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                if "/Dest" in annot:
                    targets.append(index[dests[str(annot.Dest)][0].objgen])
                    assert str(annot.Contents)
        # front matter -> both chapters, Quokka's own contents page -> its sections
        assert targets == [1, 3, 3, 3]
        with pdf.open_outline() as outline:
            tops = [(item.title, index[item.destination[0].objgen]) for item in outline.root]
            zephyr = [child.title for child in outline.root[1].children[0].children]
        assert tops == [("Front matter", 0), ("Zephyr Widgets", 1), ("Quokka Quarries", 2)]
        assert zephyr == ["Overview", "Key figures"]


def test_metadata_claims_pdf_ua(book):
    with pikepdf.open(book) as pdf:
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.Root.MarkInfo.Marked is True
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == "Fictional Sponsor Book"
        assert "pdfaid:part" not in meta


def test_pdf_a_3a_variant_claims_both(tmp_path):
    book = build_book(tmp_path, variant="pdf/a-3a")
    with pikepdf.open(book) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"]) == ("3", "A", "1")
        assert pdf.Root.OutputIntents[0].S == pikepdf.Name.GTS_PDFA1
        assert unmarked_content(pdf) == []
    assert list(validate(str(book)).findings) == []


def test_untagged_part_is_reported_not_passed_off(tmp_path):
    plain = print_fixture("front", tmp_path / "plain.pdf", variant=None)
    tagged = print_fixture("chapter-quokka", tmp_path / "tagged.pdf")
    merged = merge([Part(tagged), Part(plain)], title="Mixed", lang="en")
    assert len(merged.problems) == 1 and "untagged" in merged.problems[0]
    assert "pdfuaid:part" not in merged.pdf.open_metadata()  # no claim for a file that is not UA
    buf = io.BytesIO()
    merged.save(buf)
    merged.close()
    findings = validate_bytes(buf.getvalue(), tmp_path)
    assert {"UA-01-003", "UA-28-004"} <= findings  # the checker sees the untagged page and no claim


def validate_bytes(data: bytes, tmp: Path) -> set[str]:
    path = tmp / "check.pdf"
    path.write_bytes(data)
    return {f.rule_id for f in validate(str(path)).findings}


def test_bad_inputs_raise_located_errors(tmp_path):
    tagged = print_fixture("chapter-quokka", tmp_path / "tagged.pdf")
    with pytest.raises(MergeError, match=re.escape("page index outside 0..1")):
        merge([Part(tagged, pages=[2])], title="t", lang="en")
    with pytest.raises(MergeError, match="a page index is given twice"):
        merge([Part(tagged, pages=[1, 1])], title="t", lang="en")
    with pytest.raises(MergeError, match="PDF given as bytes: cannot read PDF"):
        merge([Part(b"not a pdf")], title="t", lang="en")
    with pytest.raises(MergeError, match="unknown PDF variant"):
        merge([Part(tagged)], title="t", lang="en", variant="pdf/x-4")


def test_benchmark_script_runs(tmp_path):
    """benchmarks/structmerge.py at N=2, so the script that gives the README numbers cannot rot."""
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "structmerge.py"), "2"],
                            capture_output=True, text=True, check=True, timeout=120)
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(r["mode"], r["n"]) for r in rows] == [("untagged", 2), ("tagged", 2)]
    assert rows[1]["output_mb"] >= rows[0]["output_mb"]  # the structure tree is not free


def test_parts_added_out_of_order_make_the_same_book(tmp_path):
    """What a book built while one chapter is still printing relies on (Binder.prebind)."""
    from briefing.pdf.structmerge import Merger

    names = ["front", "chapter-zephyr", "chapter-quokka"]
    printed = {n: print_fixture(n, tmp_path / f"{n}.pdf") for n in names}
    parts = [Part(printed["front"], role="Sect", title="Front matter"),
             Part(prepare(printed["chapter-zephyr"], [1], prefix="c:zephyr:"), title="Zephyr Widgets"),
             Part(printed["chapter-quokka"], title="Quokka Quarries", dest="quokka-start")]
    books = {}
    for label, added in (("in-order", [0, 1, 2]), ("out-of-order", [2, 1, 0])):
        merger = Merger(outlines=False)
        for i in added:
            merger.add(parts[i])
        merged = merger.finish(title="Fictional Sponsor Book", lang="en", order=[added.index(i) for i in range(3)])
        assert merged.first_pages == [0, 1, 2]
        link_scheme_to_dests(merged.pdf, SCHEME)
        books[label] = tmp_path / f"{label}.pdf"
        merged.save(books[label])
        merged.close()
    texts = {label: subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout for label, path in books.items()}
    assert texts["in-order"] == texts["out-of-order"]
    assert texts["in-order"].index("Zephyr Widgets is") < texts["in-order"].index("Quokka Quarries is")
    same = {label: re.sub(r"Object \d+ \d+|\bp\d+-", "", struct_text(path)) for label, path in books.items()}
    assert same["in-order"] == same["out-of-order"]  # the structure, less object numbers and id prefixes
    with pikepdf.open(books["out-of-order"]) as pdf:
        assert parent_tree_problems(pdf) == []
        assert [str(w.T) for w in pdf.Root.StructTreeRoot.K[0].K] == ["Front matter", "Zephyr Widgets",
                                                                       "Quokka Quarries"]
    report = validate(str(books["out-of-order"]))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    with pytest.raises(MergeError, match="every part"):
        Merger(outlines=False).finish(title="t", lang="en", order=[0])


def test_a_book_merged_ahead_is_the_book_bound_at_once(tmp_path):
    """Binder.prebind merges the unchanged chapters while the changed one prints; bind takes
    that over only if those files are still the ones on disk."""
    from briefing.pdf.binding import Assembly, Binder, BindJob, Info, Mark
    from briefing.pdf.binding import Part as BookPart

    printed = {n: print_fixture(n, tmp_path / f"{n}.pdf") for n in ["front", "chapter-zephyr", "chapter-quokka"]}
    zephyr = tmp_path / "zephyr.book.pdf"
    zephyr.write_bytes(prepare(printed["chapter-zephyr"], [1], prefix="c:zephyr:"))
    parts = [BookPart(printed["front"].read_bytes(), pages=[0], title="Front matter", role="Sect"),
             BookPart(zephyr, pages=[0], title="Zephyr Widgets"),
             BookPart(printed["chapter-quokka"], pages=[0, 1], title="Quokka Quarries", dest="quokka-start")]
    stamps = print_stamps(["", "Page 2 of 4", "Page 3 of 4", "Page 4 of 4"], tmp_path / "stamps.pdf")
    info = Info("Fictional Sponsor Book", "Nobody (fictional)", "Test", "test", "en", "2026-11-28")

    def job(name: str) -> BindJob:
        doc = Assembly(parts, info, [Mark("Fictional Sponsor Book", 0)])
        return BindJob(doc, [False, True, True, True], [stamps], "pdf/ua-1", tmp_path / name)

    def text(path: Path) -> str:
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout

    binder = Binder()  # as the binding process hosts it: what prebind started, bind takes over
    at_once = binder.bind(job("at-once.pdf"))
    binder.prebind(tmp_path / "ahead.pdf", parts[1:], "pdf/ua-1")
    assert Binder().bind(job("elsewhere.pdf")).ahead == 0  # another binder's merges are its own
    ahead = binder.bind(job("ahead.pdf"))
    assert (at_once.ahead, ahead.ahead) == (0, 2)
    assert text(tmp_path / "ahead.pdf") == text(tmp_path / "at-once.pdf")
    assert "Page 4 of 4" in text(tmp_path / "ahead.pdf")
    with pikepdf.open(tmp_path / "ahead.pdf") as pdf:
        assert parent_tree_problems(pdf) == [] and unmarked_content(pdf) == []
        assert [str(w.T) for w in pdf.Root.StructTreeRoot.K[0].K] == ["Front matter", "Zephyr Widgets",
                                                                       "Quokka Quarries"]
    assert list(validate(str(tmp_path / "ahead.pdf")).findings) == []

    binder.prebind(tmp_path / "stale.pdf", parts[1:], "pdf/ua-1")
    zephyr.write_bytes(prepare(printed["chapter-zephyr"], [1], prefix="c:zephyr:"))  # printed again since
    assert binder.bind(job("stale.pdf")).ahead == 0
    assert text(tmp_path / "stale.pdf") == text(tmp_path / "at-once.pdf")
    assert binder._started == {}
