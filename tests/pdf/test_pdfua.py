"""What WeasyPrint 70 writes for pdf_variant="pdf/ua-1", and that the pdfua checker can fail.

The first tests pin the two defects of WeasyPrint's own tagging that structmerge repairs: if
a WeasyPrint release fixes them, these fail and the repairs can be reconsidered.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from conftest import REPO
from pdfua import validate
from tagcheck import elements, unmarked_content

from briefing.pdf.structmerge import Part, add_artifact_overlay, merge

FIXTURES = REPO / "tests" / "fixtures" / "tagging"
PAGE = "<style>@page { size: A6 }</style>"


def write(html: str, target: Path, variant: str | None = "pdf/ua-1", base: Path = FIXTURES) -> Path:
    from weasyprint import HTML

    HTML(string=html, base_url=str(base)).write_pdf(target, pdf_variant=variant)
    return target


def rules(path: Path) -> set[str]:
    return {finding.rule_id for finding in validate(str(path)).findings}


@pytest.fixture(scope="module")
def chapter(tmp_path_factory) -> Path:
    from weasyprint import HTML

    target = tmp_path_factory.mktemp("pdfua") / "chapter.pdf"
    HTML(filename=str(FIXTURES / "chapter-zephyr.html")).write_pdf(target, pdf_variant="pdf/ua-1")
    return target


def test_weasyprint_writes_the_pdf_ua_catalog_entries(chapter):
    with pikepdf.open(chapter) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "en"  # from <html lang>
        assert root.MarkInfo.Marked is True and root.ViewerPreferences.DisplayDocTitle is True
        assert [int(page.obj.StructParents) for page in pdf.pages] == [0, 1]
        assert pdf.open_metadata()["pdfuaid:part"] == "1"
        assert pdf.pdf_version == "1.7"
        roles = [str(e.S) for e in elements(pdf)]
        for role in ("/H1", "/H2", "/H3", "/L", "/LI", "/Lbl", "/LBody", "/Table", "/TH", "/TD", "/Figure",
                     "/Caption", "/Link", "/Sect"):
            assert role in roles
        figure = next(e for e in elements(pdf) if e.S == pikepdf.Name.Figure)
        assert str(figure.Alt).startswith("Bar chart: Zephyr revenue")  # from <img alt>


def test_weasyprint_leaves_margin_box_text_outside_the_tree(chapter):
    """Running headers and footers get an MCID and a ParentTree entry but no place in the tree."""
    with pikepdf.open(chapter) as pdf:
        problems = unmarked_content(pdf)
        assert problems and all("outside the tree" in p for p in problems)
        assert "/ParentTreeNextKey" not in pdf.Root.StructTreeRoot
        assert "/IDTree" not in pdf.Root.StructTreeRoot  # TD /Headers name IDs nothing indexes


def test_checker_only_sees_the_table_association_on_raw_weasyprint_output(chapter):
    # WeasyPrint links TD to TH by /Headers and /IDs; pdfua looks for /Scope on TH only
    assert rules(chapter) == {"UA-15-003"}


def test_one_document_through_merge_is_clean(chapter, tmp_path):
    merged = merge([Part(chapter)], title="Zephyr Widgets (fictional)", lang="en")
    merged.save(tmp_path / "one.pdf")
    merged.close()
    assert rules(tmp_path / "one.pdf") == set()
    with pikepdf.open(tmp_path / "one.pdf") as pdf:
        assert unmarked_content(pdf) == []


def test_checker_flags_an_image_without_alt(tmp_path):
    html = f'<html lang="en"><title>t</title>{PAGE}<p>Text</p><img src="chart.svg"></html>'
    assert "UA-13-004" in rules(write(html, tmp_path / "noalt.pdf"))


def test_checker_flags_a_missing_language(tmp_path):
    html = f"<html><title>t</title>{PAGE}<p>Text</p></html>"
    assert "UA-06-001" in rules(write(html, tmp_path / "nolang.pdf"))


def test_checker_flags_an_untagged_print(tmp_path):
    html = f'<html lang="en"><title>t</title>{PAGE}<p>Text</p></html>'
    assert "UA-01-005" in rules(write(html, tmp_path / "plain.pdf", variant=None))


def test_checker_flags_a_stamp_that_is_not_an_artifact(tmp_path, chapter):
    """Why the page-number stamp must be wrapped: the same overlay, plain and as an artifact."""
    stamp = pikepdf.open(write(f"<html lang='en'>{PAGE}<p>Page 1 of 2</p></html>", tmp_path / "s.pdf", None))
    found = {}
    for wrapped in (False, True):
        merged = merge([Part(chapter)], title="Zephyr Widgets (fictional)", lang="en")
        page = merged.pdf.pages[0]
        form = merged.pdf.copy_foreign(stamp.pages[0].as_form_xobject())
        if wrapped:
            add_artifact_overlay(merged.pdf, page, form, "Stamp1")
        else:
            page.add_resource(form, pikepdf.Name.XObject, name=pikepdf.Name("/Stamp1"))
            page.contents_add(pikepdf.Stream(merged.pdf, b"q /Stamp1 Do Q"))
        merged.save(tmp_path / f"stamped-{wrapped}.pdf")
        merged.close()
        found[wrapped] = rules(tmp_path / f"stamped-{wrapped}.pdf")
    assert found == {False: {"UA-01-003"}, True: set()}


def test_css_opacity_on_text_is_flagged_and_rgba_is_not(tmp_path):
    """WeasyPrint paints an element with `opacity` through a form XObject, outside marked content."""
    found = {}
    for name, style in (("opacity", "color: white; opacity: 0.85"), ("rgba", "color: rgba(255,255,255,0.85)")):
        html = f'<html lang="en"><title>t</title>{PAGE}<body style="background: navy">' \
               f'<p style="{style}">Fictional eyebrow</p></body></html>'
        found[name] = rules(write(html, tmp_path / f"{name}.pdf"))
    assert found == {"opacity": {"UA-01-003"}, "rgba": set()}
