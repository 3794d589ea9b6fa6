"""Every PDF the build writes is tagged, and what the pdfua checker does not look at holds too.

Reads the PDFs the `fiction` fixture builds (sponsor PDFs, book, editions, one-pagers) with
poppler, pikepdf and the pdfua package; the last tests build small projects of their own.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import FICTION, REPO, make_project, normalise
from pdfua import validate
from tagcheck import (
    elements,
    heading_gaps,
    heading_levels,
    kids,
    parent_tree_problems,
    pdfinfo,
    tree_words,
    unmarked_content,
)

from briefing.build.pipeline import Options, build
from briefing.cli import main

pytestmark = pytest.mark.slow  # the fixture prints three sponsors, books and one-pagers

EXPECTED = ["acme-anvils.pdf", "globex-imaginary.pdf", "initech-pretend.pdf", "briefing-book.pdf",
            "editions/pat-fictional.pdf", "editions/sam-madeup.pdf", "acme-anvils-one-pager.pdf",
            "globex-imaginary-one-pager.pdf", "initech-pretend-one-pager.pdf", "briefing-book-one-pager.pdf"]
NAMES = ["Acme Anvils (fictional)", "Globex Imaginary", "Initech Pretend 伊尼科技"]
# pdfua 0.x crashes on headings whose /K is an array; tree_problems below checks empty headings itself
KNOWN_SKIPS = {"UA-14-001"}


def written(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.pdf") if not p.relative_to(out).parts[0][0] == ".")


def tree_problems(pdf: pikepdf.Pdf) -> list[str]:
    """Content outside tree and artifacts, ParentTree errors, heading gaps, empty headings."""
    empty = [str(e.S) for e in elements(pdf) if re.fullmatch(r"/H[1-6]", str(e.S)) and not _marks(e)]
    return (unmarked_content(pdf) + parent_tree_problems(pdf) + heading_gaps(heading_levels(pdf))
            + [f"empty heading {role}" for role in empty])


def _marks(elem: pikepdf.Object) -> bool:
    return any(isinstance(k, int) or (isinstance(k, pikepdf.Dictionary) and (
        k.get("/Type") == pikepdf.Name.MCR or _marks(k))) for k in kids(elem))


def pdfua_findings(path: Path) -> list[tuple[str, str]]:
    report = validate(str(path))
    skipped = {o.rule_id for o in report.skipped}
    assert skipped <= KNOWN_SKIPS, skipped
    return [(f.rule_id, f.message) for f in report.findings]


def test_every_pdf_of_the_build_is_tagged(fiction):
    out = fiction / "output"
    assert written(out) == sorted(EXPECTED)
    untagged = [name for name in EXPECTED if pdfinfo(out / name)["Tagged"] != "yes"]
    assert untagged == []


@pytest.mark.parametrize("name", ["acme-anvils.pdf", "briefing-book.pdf", "editions/sam-madeup.pdf",
                                  "globex-imaginary-one-pager.pdf", "briefing-book-one-pager.pdf"])
def test_pdfua_and_own_checks_find_nothing(fiction, name):
    path = fiction / "output" / name
    assert pdfua_findings(path) == []
    with pikepdf.open(path) as pdf:
        assert tree_problems(pdf) == []
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1" and "pdfaid:part" not in meta
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.Root.Lang) == "en"


def test_own_checks_can_fail(fiction):
    """The empty-heading and gap checks flag a tree that has those defects."""
    with pikepdf.open(fiction / "output" / "globex-imaginary.pdf") as pdf:
        heading = next(e for e in elements(pdf) if e.S == pikepdf.Name.H1)
        heading.K = pikepdf.Array()
        heading.S = pikepdf.Name.H3
        problems = tree_problems(pdf)
    assert "empty heading /H3" in problems and any("H3 after H" in p for p in problems)


def test_sponsor_pdf_tree_carries_its_facts_and_people_read_with_roles(fiction):
    path = fiction / "output" / "acme-anvils.pdf"
    words = tree_words(path)
    facts = ["Acme Anvils (fictional)", "Fictional heavy-goods supplier", "joined 1 May 2019 · through 2030",
             "Acme Anvils is an invented company used to test the briefing tool.", "Anvils sold 1,000,000",
             "Deal value ~$1.2 billion", "A fictional shortage of anvils", "Acme makes anvils. Nothing here is real.",
             "Wile E. Example Chief Executive since 2019", "Road R. Sample Chair", "2001 10.5 Invented row",
             "2045 54.5 Invented row", "Acme fact sheet (fictional)", "Appended page two."]
    assert [f for f in facts if normalise(f) not in words] == []
    assert normalise("Page 2 of 9") not in words  # stamps are artifacts
    with pikepdf.open(path) as pdf:
        rows = [e for e in elements(pdf) if e.S == pikepdf.Name.TH and "/A" in e and e.A.get("/Scope") == "/Row"]
        assert rows == []  # two people: names are data cells, read first in their row (see docs)
        figures = [e for e in elements(pdf) if e.S == pikepdf.Name.Figure]
        assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
        assert str(figures[-1].Alt).startswith("Bar chart") or "revenue" in str(figures[-1].Alt).lower()


def test_book_tree_holds_every_chapter_in_order_under_one_root(fiction):
    path = fiction / "output" / "briefing-book.pdf"
    with pikepdf.open(path) as pdf:
        root = pdf.Root.StructTreeRoot
        assert len(root.K) == 1 and root.K[0].S == pikepdf.Name.Document
        wrappers = [(str(w.S), str(w.get("/T", ""))) for w in root.K[0].K]
    assert wrappers == [("/Sect", "Front matter"), ("/Part", NAMES[0]),
                        ("/Part", "Acme Anvils (fictional): appendix: Acme fact sheet"),
                        ("/Part", NAMES[1]), ("/Part", NAMES[2])]
    words = tree_words(path)
    positions = [words.find(normalise(text)) for text in
                 ["Contents", "Watch list", "Acme makes anvils", "Appended page two", "Second invented risk",
                  "Globex fictional annual report", "{{ 7 * 7 }} is not evaluated"]]
    assert -1 not in positions and positions == sorted(positions)


def test_book_links_bookmarks_and_page_numbers_still_work(fiction):
    path = fiction / "output" / "briefing-book.pdf"
    pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    total = int(pdfinfo(path)["Pages"])
    labels = [re.findall(r"Page (\d+) of (\d+)", page) for page in pages[:total]]
    assert all(found in ([], [(str(i + 1), str(total))]) for i, found in enumerate(labels))
    assert sum(1 for found in labels if found) == total - 4  # every page but the four covers
    with pikepdf.open(path) as pdf:
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        links = [(i, a) for i, page in enumerate(pdf.pages) for a in page.obj.get("/Annots", [])
                 if a.get("/Subtype") == pikepdf.Name.Link]
        internal = [(i, a) for i, a in links if "/Dest" in a]
        assert not [a for _, a in links if "/A" in a and str(a.A.get("/URI", "")).startswith("briefing-dest:")]
        for _, annot in links:  # a description, never an anchor id or the private scheme
            assert str(annot.Contents) and "--" not in str(annot.Contents), str(annot.Contents)
        contents = {str(a.Contents)[len("Go to "):]: index[dests[str(a.Dest)][0].objgen]
                    for i, a in internal if i == 1}
        for name in NAMES:  # a sponsor's contents line opens its cover page
            assert normalise(name) in normalise(pages[contents[name]]), name
        leadership = contents["Acme Anvils (fictional): section 2, Leadership"]
        # the section opener sets its number on a line of its own, above the title
        assert leadership > contents[NAMES[0]] and re.search(r"\b2\s+Leadership", pages[leadership])
        with pdf.open_outline() as outline:
            chapters = [(item.title, index[item.destination[0].objgen]) for item in outline.root[0].children]
    assert [title for title, _ in chapters][-3:] == NAMES
    assert [page for title, page in chapters if title in NAMES] == [contents[n] for n in NAMES]


def test_untagged_attachment_is_reported_and_not_claimed(tmp_path):
    from weasyprint import HTML

    root = make_project(tmp_path, FICTION / "data")
    attachment = root / "data" / "attachments" / "acme-factsheet.pdf"
    HTML(string="<html lang='en'><p>Untagged fictional fact sheet</p></html>").write_pdf(attachment)
    report = build(Options(data_dir=root / "data", out_dir=root / "out", slugs=["acme-anvils"], book=False))
    assert report.ok
    assert report.warnings[-1].startswith("acme-anvils.pdf: warning: data/attachments/acme-factsheet.pdf: untagged")
    assert "not claimed as PDF/UA-1" in report.warnings[-1]
    with pikepdf.open(root / "out" / "acme-anvils.pdf") as pdf:
        assert "pdfuaid:part" not in pdf.open_metadata()
    assert "UA-28-004" in {rule for rule, _ in pdfua_findings(root / "out" / "acme-anvils.pdf")}


def test_pdf_a_3a_from_book_yaml_and_back_with_the_cli_option(tmp_path):
    root = make_project(tmp_path, FICTION / "data")
    book = root / "data" / "book.yaml"
    book.write_text(book.read_text() + "pdf_variant: pdf/a-3a\n")
    out = root / "out"
    report = build(Options(data_dir=root / "data", out_dir=out, slugs=["globex-imaginary"], book=False))
    assert report.ok and report.rendered == ["globex-imaginary"]
    target = out / "globex-imaginary.pdf"
    with pikepdf.open(target) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"]) == ("3", "A", "1")
        assert pdf.Root.OutputIntents[0].S == pikepdf.Name.GTS_PDFA1
        assert tree_problems(pdf) == []
    assert pdfua_findings(target) == []
    result = CliRunner().invoke(main, ["build", "globex-imaginary", "--no-book", "--data", str(root / "data"),
                                       "--out", str(out), "--pdf-variant", "pdf/ua-1", "--quiet"])
    assert result.exit_code == 0, result.output
    with pikepdf.open(target) as pdf:  # the variant is in the cache keys: printed again, not reused
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1" and "pdfaid:part" not in meta
        assert "/OutputIntents" not in pdf.Root


def test_tagging_benchmark_runs(tmp_path):
    """benchmarks/tagging.py at N=1, so the script that gives the README's tagging numbers cannot rot."""
    results = tmp_path / "tagging.json"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "tagging.py"), "1", "--results", str(results)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads(results.read_text())
    assert [(r["mode"], r["n"], r["tagged"]) for r in rows] == [("untagged", 1, False), ("tagged", 1, True)]
    assert "| 1 | tagged |" in done.stdout
