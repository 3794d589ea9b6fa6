"""Issue 15: a sponsor written from the docs alone reaches "builds everywhere" with `validate` alone.

One test (or more) per numbered problem of the issue; each failed on the code before the fix.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FICTION, REPO, make_project
from docs_examples import sponsor_from_docs

from briefing.cli import main
from briefing.data.load import load_one
from briefing.data.model import Sponsor
from briefing.errors import DataError

GOOD = "name: Acme Fictional\nas_of: 2026-10\n"
LEAKS = ("Input should", "after validation", "String should", "Value error", "List should", "[0-9A-Fa-f]",
         "found character", "mapping values are not allowed", "did not find expected", "malformed YAML")


def problems(tmp_path: Path, text: str):
    path = tmp_path / "x.yaml"
    path.write_text(text)
    with pytest.raises(DataError) as err:
        load_one(path, Sponsor, tmp_path)
    return err.value.problems


def one(tmp_path: Path, text: str):
    found = problems(tmp_path, text)
    assert len(found) == 1, [str(p) for p in found]
    assert not any(leak in found[0].message for leak in LEAKS), found[0].message
    return found[0]


def chart(series: str, highlight: str = "") -> str:
    return GOOD + f"""sections:
  - title: Revenue
    blocks:
      - chart:
          kind: line
          title: Revenue grew
          unit: US$ billion
          period: FY2021-FY2025
          source: Annual reports (fictional)
          as_of: 2026-03
{highlight}          series:
{series}"""


# --- 1. a comma inside [...] splits a fact ---------------------------------------------------

def test_comma_without_space_in_a_flow_list_is_an_error_not_two_bullets(tmp_path):
    text = GOOD + "key_points: [2,300 hours of aerial broadcast., Invented point.]\n"
    p = one(tmp_path, text)
    assert (p.line, p.column, p.field) == (3, 14, "key_points[0]")
    assert "splits '2,300' at the comma" in p.message and "quotes" in p.message
    # quoted, or with a space after the comma, means what it says
    path = tmp_path / "ok.yaml"
    path.write_text(GOOD + "key_points: [\"2,300 hours of aerial broadcast.\", a, b]\n")
    assert load_one(path, Sponsor).key_points[0] == "2,300 hours of aerial broadcast."


def test_comma_inside_a_flow_mapping_and_in_timeline_highlights(tmp_path):
    p = one(tmp_path, chart("            - values: {FY2024: 1,FY2025: 2}\n"))
    assert p.field.endswith("series[0].values.FY2024") and "comma" in p.message
    text = GOOD + "sections:\n  - title: T\n    blocks:\n      - timeline:\n          - year: 2024\n" \
                  "            label: Paris 2024\n            highlights: [2,300 hours of broadcast.]\n"
    p = one(tmp_path, text)
    assert (p.line, p.field) == (9, "sections[0].blocks[0].timeline[0].highlights[0]")


def test_key_point_turned_into_a_mapping_by_a_colon_says_to_quote_it(tmp_path):
    p = one(tmp_path, GOOD + "key_points:\n  - Revenue: up 7% in FY2025\n")
    assert (p.line, p.field) == (4, "key_points[0]")
    assert "': ' after 'Revenue'" in p.message and '"Revenue: up 7% in FY2025"' in p.message


# --- 2. series with different labels -----------------------------------------------------------

def test_series_with_different_labels_is_an_error_naming_the_missing_ones(tmp_path):
    series = ("            - name: Revenue\n"
              "              values: {FY2021: 1, FY2022: 2, FY2023: 3, FY2024: 4, FY2025: 5}\n"
              "            - name: Profit\n"
              "              values: {FY2021: 1, FY2022: 1, FY2024: 2}\n")
    p = one(tmp_path, chart(series))
    assert p.field == "sections[0].blocks[0].chart.series[1].values" and p.line == 17
    assert "series 'Profit' lacks 'FY2023', 'FY2025'" in p.message


def test_series_with_the_same_labels_in_another_order_is_an_error(tmp_path):
    series = ("            - {name: A, values: {FY2021: 1, FY2022: 2}}\n"
              "            - {name: B, values: {FY2022: 1, FY2021: 1}}\n")
    assert "another order" in one(tmp_path, chart(series)).message


def test_several_series_need_names_and_get_different_colours(tmp_path):
    series = ("            - {name: Revenue, values: {FY2021: 1, FY2022: 2}}\n"
              "            - values: {FY2021: 1, FY2022: 1}\n")
    p = one(tmp_path, chart(series))
    assert p.field.endswith("series[1]") and "give each a `name`" in p.message
    from briefing.render.charts import make_svg
    from briefing.render.palette import palette

    second = palette().secondary.lower()  # the tokens' second colour
    for kind in ("line", "column", "bar"):
        spec = {"kind": kind, "title": "T", "unit": "u", "period": "p", "accent": "#1F3A5F",
                "series": [{"name": "A", "values": {"X": 1.0, "Y": 2.0}},
                           {"name": "B", "values": {"X": 2.0, "Y": 1.0}}]}
        svg = make_svg(spec, None, REPO / "assets" / "fonts")
        colours = set(re.findall(r"(?:stroke|fill): ?(#[0-9a-fA-F]{6})", svg))
        assert {"#1f3a5f", second} <= {c.lower() for c in colours}, kind


def test_duplicated_label_in_one_series_is_an_error(tmp_path):
    p = one(tmp_path, chart("            - values: {FY2021: 1, FY2021: 2}\n"))
    assert (p.line, p.column) == (14, 35) and "duplicate key 'FY2021'" in p.message
    assert p.field == "sections[0].blocks[0].chart.series[0].values.FY2021"


# --- 3. highlight naming no label ------------------------------------------------------------

def test_unknown_highlight_is_located_with_a_suggestion(tmp_path):
    text = chart("            - values: {FY2024: 1, FY2025: 2}\n", highlight="          highlight: FY2026\n")
    p = one(tmp_path, text)
    assert (p.line, p.field) == (13, "sections[0].blocks[0].chart.highlight")
    assert "'FY2026' is not a label of this chart" in p.message and "did you mean 'FY2025'?" in p.message


# --- 4. cite on the critical callout and the one-pager -------------------------------------------

@pytest.mark.slow
def test_one_pager_prints_a_critical_callout_that_cites_a_source(tmp_path):
    from pypdf import PdfReader

    from briefing.build.pipeline import Options, build

    root = make_project(tmp_path / "p", FICTION / "data")
    acme = root / "data" / "sponsors" / "acme-anvils.yaml"
    text = acme.read_text().replace("body: A fictional shortage of anvils.}",
                                    "body: A fictional shortage of anvils.}\n        cite: [acme-site]")
    acme.write_text(text)
    report = build(Options(data_dir=root / "data", out_dir=root / "output", slugs=["acme-anvils"],
                           book=False, variant="one-pager"))
    assert report.ok, report.failed
    reader = PdfReader(str(root / "output" / "acme-anvils-one-pager.pdf"))
    assert len(reader.pages) == 1
    assert "Acme fictional website" in reader.pages[0].extract_text()


# --- 5. locations that open from the current folder -----------------------------------------------

def _copy_fiction(target: Path) -> Path:
    shutil.copytree(FICTION / "data", target)
    return target


def test_paths_outside_the_current_folder_are_absolute(tmp_path, monkeypatch):
    data = _copy_fiction(tmp_path / "elsewhere" / "data2")
    acme = data / "sponsors" / "acme-anvils.yaml"
    acme.write_text(acme.read_text().replace("tier: Imaginary", "tierr: Imaginary"))
    (data / "book.yaml").write_text((data / "book.yaml").read_text().replace("acme-anvils,", "acme-anvils, nobody,"))
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = CliRunner().invoke(main, ["validate", "--data", "../elsewhere/data2"])
    assert result.exit_code == 1
    assert f"{acme.resolve()}:2:1: tierr: unknown field 'tierr'" in result.output
    missing = data.resolve() / "sponsors" / "nobody.yaml"
    assert f"no sponsor file {missing}" in result.output
    assert "data2/sponsors" not in result.output.replace(str(data.resolve()), "")


def test_paths_inside_the_current_folder_are_relative(tmp_path, monkeypatch):
    data = _copy_fiction(tmp_path / "data")
    acme = data / "sponsors" / "acme-anvils.yaml"
    acme.write_text(acme.read_text().replace("tier: Imaginary", "tierr: Imaginary"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate"])
    assert result.output.startswith("data/sponsors/acme-anvils.yaml:2:1: tierr:"), result.output


def test_unknown_citation_points_at_the_block_that_cites_it(tmp_path):
    text = GOOD + ("sections:\n  - title: T\n    subsections:\n      - title: S\n        blocks:\n"
                   "          - text: Hello.\n            cite: [acme-sitee]\n"
                   "sources:\n  - {id: acme-site, title: Acme}\n")
    p = one(tmp_path, text)
    assert (p.line, p.column) == (9, 20)
    assert p.field == "sections[0].subsections[0].blocks[0].cite[0]"
    assert "did you mean 'acme-site'?" in p.message


# --- 6. validate knows book.yaml and distribution.yaml ------------------------------------------

def test_validate_checks_each_named_file_against_its_own_format(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(REPO / "data" / "book.yaml"),
                                       str(REPO / "data" / "distribution.yaml")])
    assert result.exit_code == 0, result.output
    assert "unknown field" not in result.output and "ok: 2 file(s) are valid" in result.output
    data = _copy_fiction(tmp_path / "data")
    (data / "book.yaml").write_text((data / "book.yaml").read_text().replace("page_size: A4", "page_size: A5"))
    result = CliRunner().invoke(main, ["validate", str(data / "book.yaml")])
    assert result.exit_code == 1
    assert result.output.count("page_size: got 'A5'; write 'A4' or 'Letter'") == 1, result.output
    assert "unknown field" not in result.output
    result = CliRunner().invoke(main, ["validate", str(data / "sponsors" / "acme-anvils.yaml")])
    assert result.exit_code == 1 and "book.yaml" in result.output  # its own project's book.yaml


# --- 7. parser and library wording translated ------------------------------------------------------

def test_tab_is_named_as_a_tab(tmp_path):
    p = one(tmp_path, GOOD + "brand:\n\tcolour: '#000000'\n")
    assert (p.line, p.column) == (4, 1) and "tab character" in p.message and "spaces" in p.message


def test_bad_indentation_says_indentation(tmp_path):
    p = one(tmp_path, "name: Acme Fictional\n as_of: 2026-10\n")
    assert p.line == 2 and "indented" in p.message
    p = one(tmp_path, GOOD + "brand:\n  colour: '#000000'\n logo: x.svg\n")
    assert p.line == 5 and "indentation" in p.message


def test_unclosed_quote_is_reported_where_it_was_opened(tmp_path):
    lines = [GOOD.rstrip("\n"), "tier: Partner", "categories:", "  - One", "  - Two", "key_points:", "  - First",
             '  - "Second point, never closed', "  - Third", "summary: Text.", "headline: Text.",
             "sections:", "  - title: T", "    blocks:", '      - text: "Hello"']
    p = one(tmp_path, "\n".join(lines) + "\n")
    assert p.line == 9 and "never closed" in p.message


def test_library_wording_never_leaks_and_forms_have_examples(tmp_path):
    p = one(tmp_path, GOOD + "key_points: [a, b, c, d, e]\n")
    assert p.message.startswith("has 5 items but at most 3 are allowed")
    p = one(tmp_path, GOOD + "brand: {colour: red}\n")
    assert "'red' is not a colour as \"#RRGGBB\"" in p.message and '"#C8102E"' in p.message
    p = one(tmp_path, "name: Acme Fictional\nas_of: last year\n")
    assert "e.g. 2026-10-01" in p.message
    p = one(tmp_path, GOOD + "partnership: {joined: 2017, through: 2030, value: {amount: 3, currency: usd}}\n")
    assert "e.g. USD" in p.message
    p = one(tmp_path, GOOD + "headline: " + "x" * 301 + "\n")
    assert "301 characters long; at most 300" in p.message


def test_many_bad_values_never_show_library_wording(tmp_path):
    bad = ["partnership: {joined: 2017, through: 1800}", "partnership: {joined: 2017, through: x}",
           "partnership: {joined: 2017, through: 2030, value: {amount: -1}}",
           "partnership: {joined: 2017, through: 2030, value: {amount: 1, scale: lots}}",
           "partnership: {joined: 2017, through: 2030, value: {amount: 1, approximate: maybe}}",
           "sources: [{id: Bad Id, title: T}]", "sources: [{id: s, title: T, url: ftp://x}]",
           "sections: [{title: T}]", "sections: [{title: T, blocks: [{}]}]", "headline: ''",
           "categories: {a: b}", "brand: [x]", "key_figures: [{label: L}]"]
    for i, line in enumerate(bad):
        (tmp_path / str(i)).mkdir()
        p = one(tmp_path / str(i), GOOD + line + "\n")
        assert p.line and p.column, str(p)


# --- 9. changes --since -------------------------------------------------------------------------

def test_changes_since_accepts_only_a_date_or_an_edition(tmp_path):
    out = tmp_path / "out"
    for edition in ("2026-10-01", "2026-11-01"):
        (out / ".snapshots" / edition).mkdir(parents=True)
    root = make_project(tmp_path / "p", FICTION / "data")
    runner = CliRunner()
    base = ["changes", "--data", str(root / "data"), "--out", str(out)]
    result = runner.invoke(main, [*base, "--since", "garbage"])
    assert result.exit_code == 2
    assert "'garbage' is neither a date (YYYY-MM-DD) nor an edition" in result.output
    assert "2026-10-01, 2026-11-01" in result.output
    result = runner.invoke(main, [*base, "--since", "2026-01-01"])
    assert result.exit_code == 1
    assert "first edition" not in result.output
    assert re.search(r"no edition on or before 2026-01-01 .*editions there: 2026-10-01, 2026-11-01", result.output)
    result = runner.invoke(main, [*base, "--since", "2026-10-15"])
    assert result.exit_code == 0 and "1 October 2026" in result.output


def test_union_fields_report_once_with_the_data_path(tmp_path):
    from briefing.data.model import Distribution

    path = tmp_path / "distribution.yaml"
    path.write_text("recipients:\n  - {name: A, email: a@example.org, sponsors: [Not A Slug]}\n")
    with pytest.raises(DataError) as err:
        load_one(path, Distribution, tmp_path)
    (p,) = err.value.problems
    assert (p.line, p.column, p.field) == (2, 48, "recipients[0].sponsors[0]")
    assert "lowercase letters, digits and hyphens" in p.message


# --- done when: a sponsor written from the docs alone builds everywhere after `validate` ------------

@pytest.mark.slow
def test_a_sponsor_written_from_the_docs_validates_then_builds_everywhere(tmp_path):
    from briefing.build.pipeline import Options, build

    root = make_project(tmp_path / "p", FICTION / "data")
    (root / "data" / "sponsors" / "from-docs.yaml").write_text(sponsor_from_docs())
    result = CliRunner().invoke(main, ["validate", "--data", str(root / "data"), "--today", "2026-11-01"])
    assert result.exit_code == 0, result.output
    for variant in ("full", "one-pager"):
        report = build(Options(data_dir=root / "data", out_dir=root / "output", slugs=["from-docs"],
                               book=False, variant=variant))
        assert report.ok, report.failed
        suffix = "-one-pager" if variant == "one-pager" else ""
        assert report.pages[f"from-docs{suffix}.pdf"] >= 1
