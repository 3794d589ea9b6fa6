"""What the templates give WeasyPrint to tag, checked in the HTML (fast: nothing is printed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FICTION, REPO, make_project
from tagcheck import heading_gaps

from briefing.build.options import Options
from briefing.build.pipeline import make_edition
from briefing.data.load import load_project
from briefing.documents.chapter import chapter_html
from briefing.documents.outputs import chapter_dir


def html_of(root: Path, slug: str, variant: str = "full") -> str:
    project = load_project(root / "data")
    edition = make_edition(project, Options(data_dir=root / "data", out_dir=root / "out", variant=variant))
    return chapter_html(project, edition, slug)[0]


def project_with_titled_people(tmp_path: Path) -> Path:
    """Globex's people block, directly under its section, gets a title (shipped data has one too)."""
    root = make_project(tmp_path, FICTION / "data")
    sponsor = root / "data" / "sponsors" / "globex-imaginary.yaml"
    titled = sponsor.read_text().replace("      - people:\n", "      - people:\n          title: Key people\n")
    sponsor.write_text(titled)
    return root


def test_headings_nest_without_gaps_and_block_titles_follow_their_heading(tmp_path):
    root = project_with_titled_people(tmp_path)
    for slug in ("acme-anvils", "globex-imaginary", "initech-pretend"):
        levels = [int(n) for n in re.findall(r"<h([1-6])\b", html_of(root, slug))]
        assert levels and heading_gaps(levels) == [], slug
    assert '<h2 class="block-title">Key people</h2>' in html_of(root, "globex-imaginary")
    assert heading_gaps([1, 3]) != []  # the check can fail


def test_tables_have_scoped_headers_and_people_are_row_headers(tmp_path):
    root = make_project(tmp_path, FICTION / "data")
    sponsor = root / "data" / "sponsors" / "acme-anvils.yaml"
    person = "                - {name: Wile E. Example, role: Chief Executive, since: \"2019\"}\n"
    assert person in sponsor.read_text()
    sponsor.write_text(sponsor.read_text().replace(person, person + person.replace("Wile E.", "Third Q.")))
    html = html_of(root, "acme-anvils")
    headers = re.findall(r"<th\b[^>]*>", html)
    assert headers and all('scope="col"' in th or 'scope="row"' in th for th in headers)
    names = re.findall(r'<th scope="row" class="person-name"><strong>([^<]+)</strong>', html)
    assert names == ["Wile E. Example", "Third Q. Example", "Road R. Sample"]


def test_one_or_two_people_are_named_in_data_cells(tmp_path):
    """Row headers would outnumber the data cells (docs/accessibility.md, "Table header cells")."""
    html = html_of(make_project(tmp_path, FICTION / "data"), "acme-anvils")
    assert re.findall(r'<td class="person-name"><strong>([^<]+)</strong>', html) == ["Wile E. Example",
                                                                                     "Road R. Sample"]
    assert 'scope="row" class="person-name"' not in html


def test_images_have_alt_and_html_has_lang_and_title(tmp_path):
    root = make_project(tmp_path, FICTION / "data")
    images = []
    for slug in ("acme-anvils", "initech-pretend"):
        for variant in ("full", "one-pager"):
            html = html_of(root, slug, variant)
            images += re.findall(r"<img\b[^>]*>", html)
            assert '<html lang="en">' in html and re.search(r"<title>[^<]+</title>", html)
    assert len(images) >= 3 and [img for img in images if not re.search(r'\salt="[^"]+"', img)] == []


def test_cover_text_uses_no_opacity():
    """WeasyPrint paints `opacity` through a form outside marked content (test_pdfua pins it)."""
    css = "".join(p.read_text() for p in (REPO / "assets" / "css").rglob("*.css"))
    assert not re.search(r"(?<![-\w])opacity\s*:", css)


def test_pdf_variant_is_checked_and_part_of_the_chapter_key(tmp_path):
    from briefing.build.plan import chapter_key
    from briefing.errors import UsageError
    from briefing.hashing import theme_fingerprint

    root = make_project(tmp_path, FICTION / "data")
    project = load_project(root / "data")
    editions = {v: make_edition(project, Options(data_dir=root / "data", out_dir=root / "out", pdf_variant=v))
                for v in ("pdf/ua-1", "pdf/a-3a")}
    assert make_edition(project, Options(data_dir=root / "data", out_dir=root / "out")).pdf_variant == "pdf/ua-1"
    theme = theme_fingerprint(root)
    keys = {v: chapter_key(project, e, "globex-imaginary", theme) for v, e in editions.items()}
    assert keys["pdf/ua-1"] != keys["pdf/a-3a"]
    assert chapter_dir(editions["pdf/ua-1"]) != chapter_dir(editions["pdf/a-3a"])
    with pytest.raises(UsageError, match="unknown PDF variant 'pdf/x-4'"):
        make_edition(project, Options(data_dir=root / "data", out_dir=root / "out", pdf_variant="pdf/x-4"))
