"""Board-pack print quality (issue 11): typography, one risk notation, chart editing rules and
the preflight, on invented sponsors (tests/fixtures/print): Zephyr is well behaved, Quokka is
flawed on purpose and the preflight must point at each flaw's line.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import make_project

from briefing.build.pipeline import Options, Report, build
from briefing.data.model import Block, Sponsor
from briefing.render.chart_specs import book_charts, chart_cards, is_small_chart, sponsor_charts, unconverted
from briefing.render.markup import NBSP, SHY, typeset, typeset_sponsor

PRINT = Path(__file__).parents[1] / "fixtures" / "print" / "data"


# --- fast: the rules themselves -----------------------------------------------------------

def test_typeset_quotes_dashes_and_no_break_spaces():
    text = typeset('Zephyr\'s "Imaginary Assistant" ran 15-20 seconds on January 19, 2017 for 2 billion fans')
    assert "Zephyr\u2019s \u201cImaginary Assistant\u201d" in text
    assert "15\u201320" in text
    assert f"January{NBSP}19,{NBSP}2017" in text and f"2{NBSP}billion" in text
    assert '"' not in text and "'" not in text


def test_typeset_hyphenates_only_long_lower_case_words():
    text = typeset("Presidentialissimo Quillfeathersonovich considerable infrastructure OBS-Cloud-Assistant 2017-01x")
    words = text.split()
    assert SHY not in words[0] and SHY not in words[1]  # names and capitalised words never break
    assert SHY in words[2] and SHY in words[3]
    assert SHY not in words[4]
    assert SHY not in typeset("see alibabagroup.com and www.internationally.example/partnerships")


def _chart(kind: str, values: dict[str, float], unit: str = "people", approximate: object = False) -> Block:
    return Block.model_validate({"chart": {"kind": kind, "title": "t", "unit": unit, "period": "p", "source": "s",
                                           "as_of": "2025", "approximate": approximate,
                                           "series": [{"values": values}]}})


def test_one_bar_is_a_card_and_two_are_a_pair_showing_the_change():
    """Issue 23: two numbers in tiles showed nothing of the change their title states."""
    from briefing.render.chart_specs import is_pair
    from briefing.render.charts import difference

    one = _chart("column", {"2025": 4}, unit="% of market", approximate=["2025"])
    two = _chart("column", {"2020": 6, "2025": 4}, unit="% of market", approximate=["2020"])
    assert is_small_chart(one) and not is_small_chart(two) and is_pair(two)
    assert [c["value"] for c in chart_cards(one)] == ["~4%"]
    spec = sponsor_charts(_sponsor("Pretend", [two]), "#2E6B4F")["sections[0].blocks[0]"]
    assert spec["kind"] == "pair" and difference(spec) == "down about 2 points"
    counts = sponsor_charts(_sponsor("Pretend", [_chart("bar", {"2019": 10, "2025": 20})]), "#2E6B4F")
    assert difference(counts["sections[0].blocks[0]"]) == "up 10 (+100%)"


def _sponsor(name: str, blocks: list[Block] | None = None, value: dict | None = None) -> Sponsor:
    data = {"name": name, "as_of": "2026-01", "partnership": {"joined": "2020-01", "through": 2028}}
    if value:
        data["partnership"]["value"] = value
    if blocks:
        data["sections"] = [{"title": "S", "blocks": [b.model_dump(exclude_none=True) for b in blocks]}]
    return Sponsor.model_validate(data)


def test_same_unit_charts_share_one_scale_and_small_ones_draw_nothing():
    blocks = [_chart("bar", {"a": 40, "b": 20, "c": 9}, "%"), _chart("bar", {"x": 12, "y": 8, "z": 6}, "%"),
              _chart("column", {"p": 1})]
    specs = sponsor_charts(_sponsor("Pretend", blocks), "#2E6B4F")
    drawn = [s for s in specs.values() if s["kind"] == "bar"]
    assert len(specs) == 2 and {s["scale_max"] for s in drawn} == {40}


def test_book_overview_charts_need_three_sponsors_and_a_rate():
    usd = {"amount": 100, "scale": "million"}
    two = [_sponsor("A", value=usd), _sponsor("B", value=usd)]
    assert book_charts(two) == {}
    eur = _sponsor("E", value={"amount": 50, "scale": "million", "currency": "EUR"})
    rated = _sponsor("R", value={"amount": 50, "scale": "million", "currency": "EUR", "usd_rate": 1.1})
    specs = book_charts([*two, eur, rated])
    assert set(specs["deals"]["series"][0]["values"]) == {"A", "B", "R"}
    assert specs["deals"]["series"][0]["values"]["R"] == pytest.approx(55)
    assert [name for name, _ in unconverted([*two, eur, rated])] == ["E"]


def test_strict_turns_findings_into_a_failed_build():
    assert Report(findings=["x.yaml:3: X › 1 S: page 2 is near-empty (10% full)"]).ok
    assert not Report(findings=["x.yaml:3: X › 1 S: page 2 is near-empty (10% full)"], strict=True).ok


def test_typeset_sponsor_keeps_ids_dates_and_highlight_consistent():
    sponsor = typeset_sponsor(_sponsor("Zephyr's", [_chart("bar", {"Zephyr's": 1, "b": 2, "c": 3})]))
    assert sponsor.name == "Zephyr\u2019s" and sponsor.partnership and sponsor.partnership.joined == "2020-01"


# --- slow: printed fixture sponsors -------------------------------------------------------

@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Path, Report]:
    root = make_project(tmp_path_factory.mktemp("print"), PRINT)
    out = root / "output"
    report = build(Options(data_dir=root / "data", out_dir=out))
    assert report.ok, report.failed
    return out, report


def _text(pdf: Path) -> list[str]:
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout.split("\f")


@pytest.mark.slow
def test_preflight_points_at_each_flaw_in_the_yaml(printed):
    _, report = printed
    quokka = [f for f in report.findings if "quokka-flawed.yaml" in f]
    pattern = re.compile(r"^data/sponsors/quokka-flawed\.yaml:(\d+): Quokka Flawed › (.+?): (.+)$")
    parsed = [m.groups() for f in quokka if (m := pattern.match(f))]
    assert len(parsed) == len(quokka) and parsed
    lines = (PRINT / "sponsors" / "quokka-flawed.yaml").read_text().splitlines()
    by_kind = {kind: [(int(line), p) for line, _, p in parsed if kind in p]
               for kind in ("near-empty", "printed twice", "is hyphenated", "overflows")}
    assert all(by_kind.values()), by_kind
    repeated_line = by_kind["printed twice"][0][0]
    assert "printed twice on purpose" in lines[repeated_line] or "printed twice on purpose" in lines[repeated_line - 1]
    assert re.search(r"printed twice \(also at line \d+\)", by_kind["printed twice"][0][1])
    assert "Presi" in lines[by_kind["is hyphenated"][0][0] - 1]
    assert "table" in lines[by_kind["overflows"][0][0] - 1]
    # the fixture's arrow (U+2192) now prints from the shipped symbols font: no glyph is missing, and a
    # character outside the shipped fonts is refused by validate before any layout (tests/text/test_glyphs.py)
    assert not [p for _, _, p in parsed if "missing glyph" in p]


@pytest.mark.slow
def test_strict_build_exits_1_and_again_when_nothing_changed(printed):
    from click.testing import CliRunner

    from briefing.cli import main

    out, _ = printed
    args = ["build", "--data", str(out.parent / "data"), "--out", str(out), "--no-book"]
    assert CliRunner().invoke(main, args).exit_code == 0  # findings are warnings by default
    for _ in range(2):  # the second run prints nothing new and must still fail
        result = CliRunner().invoke(main, [*args, "--strict"])
        assert result.exit_code == 1 and "quokka-flawed.yaml:" in result.output


@pytest.mark.slow
def test_well_behaved_sponsor_has_no_findings_and_full_pages(printed):
    _, report = printed
    assert not [f for f in report.findings if "zephyr-widgets.yaml" in f]


@pytest.mark.slow
def test_risk_printed_once_and_summarised_with_links(printed):
    out, _ = printed
    pages = _text(out / "zephyr-widgets.pdf")
    whole = " ".join(" ".join(p.split()) for p in pages)
    assert whole.count("invented factory may produce fewer") == 1
    glance = " ".join(pages[1].split())
    assert "Pretend supply of widgets may run short in 2030" in glance and "see 1.1" in glance
    book = " ".join(" ".join(p.split()) for p in _text(out / "briefing-book.pdf"))
    line = r"Zephyr Widgets: Pretend supply of widgets may run short in 2030 \(see section 1\.1, page \d+\)"
    assert re.search(line, book)
    assert "Context Invented venue context" not in whole and "Invented venue context" in whole


@pytest.mark.slow
def test_typography_in_the_pdf(printed):
    out, _ = printed
    text = "\n".join(_text(out / "zephyr-widgets.pdf"))
    assert "\u201cImaginary Widget Assistant\u201d" in text and "15\u201320" in text
    assert "Zephyr\u2019s" in text and not re.search(r"\w'\w", text)
    assert "IMAGINARY PARTNER" in text  # a letter-spaced label would extract as "I M A G I N A R Y"
    broken = re.findall(r"\b([A-Z]\w*)[-\u2010]\n\s*([a-z]+)", text)
    assert not broken


@pytest.mark.slow
def test_two_value_chart_shows_the_change_and_book_lists_non_usd_value(printed):
    out, _ = printed
    text = " ".join(" ".join(p.split()) for p in _text(out / "zephyr-widgets.pdf"))
    # two columns are drawn as a pair of bars with the change between them (issue 23)
    assert re.search(r"Pretend staff doubled from 10 to 20 .*2019 10 2025 20 up 10 \(\+100%\)", text)
    assert "Source: Invented staff register" in text
    book = " ".join(" ".join(p.split()) for p in _text(out / "briefing-book.pdf"))
    assert "Deal values in other currencies, with no US$ rate in the data: Zephyr Widgets €450 million" in book


@pytest.mark.slow
@pytest.mark.parametrize("count", [1, 12, 50])
def test_book_cover_lists_one_to_fifty_sponsors_on_one_page(count, tmp_path):
    from briefing.data.model import Book
    from briefing.pdf.printer import print_html
    from briefing.render.html import make_env
    from briefing.render.variants import FULL

    root = make_project(tmp_path, PRINT)
    book = Book.model_validate({"title": "Imaginary Print Book", "organisation": "Example Host City (fictional)",
                                "edition": "2026-11-01", "sponsors": ["zephyr-widgets"]})
    rows = [{"name": f"Pretend Sponsor {i}", "tier": "Imaginary Partner",
             "deal": f"since March 2019 · through 2030 · ${i} million"} for i in range(1, count + 1)]
    template = make_env(root / "templates").from_string(
        '{% extends "base.html" %}{% block stylesheet %}assets/css/book.css{% endblock %}'
        '{% block body %}{% include "partials/book_cover.html" %}{% endblock %}')
    html = template.render(book=book, page_size="A4", document=FULL, accent="#2E6B4F", accent_soft="#E0EAE4",
                           classification="Internal test", edition="1 November 2026", rows=rows, prepared_for=None,
                           audience="", brand_fonts=[], brand_logo=None, brand_cover=None)
    printed = print_html(html, base=root, roots=[root / "templates", root / "assets"])
    assert printed.pages == 1
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=printed.pdf, capture_output=True,
                                   check=True).stdout.decode().split())
    assert all(f"Pretend Sponsor {i} " in text + " " for i in range(1, count + 1))
    assert ("$1 million" in text) == (count <= 24)  # fifty deal lines give way to names and tiers


def test_preflight_sees_a_stranded_heading_and_a_split_card():
    """Flaws the shipped CSS prevents, laid out without it: the checks must still see them."""
    from weasyprint import HTML

    from briefing.documents.preflight import inspect

    html = """<style>@page { size: A4; margin: 20mm } h2 { margin: 0; break-after: auto } .tall { height: 215mm }
      .block { break-inside: avoid }</style>
      <div class="block" data-src="sections[0].blocks[0]"><div class="tall"></div></div>
      <h2 data-src="sections[0].subsections[0].title">A pretend heading left at the foot</h2>
      <div class="block" data-src="sections[0].subsections[0].blocks[0]"><div class="tall"></div></div>
      <div class="card" data-src="sections[1].blocks[0]"><div style="height: 300mm"></div><p>end</p></div>"""
    document = HTML(string=html).render()
    found = inspect(document, skip_pages=set())
    assert any(f.src == "sections[0].subsections[0].title" and "stranded at the foot of page 1" in f.problem
               for f in found)
    assert any(f.src == "sections[1].blocks[0]" and "split across pages" in f.problem for f in found)
