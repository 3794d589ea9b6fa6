"""The strict YAML loader and schema validation: one precise, located error per problem."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from briefing.data import load_one, load_project
from briefing.errors import DataError
from briefing.model import Sponsor
from briefing.yamlsafe import load_file

GOOD = "name: Acme Fictional\nas_of: 2026-10\n"


def problems(tmp_path: Path, text: str | bytes, model=Sponsor):
    path = tmp_path / "x.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    with pytest.raises(DataError) as err:
        load_one(path, model, tmp_path)
    return err.value.problems


def one(tmp_path, text, model=Sponsor):
    found = problems(tmp_path, text, model)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_duplicate_key_names_both_lines(tmp_path):
    p = one(tmp_path, "name: A\nas_of: 2026-10\nname: B\n")
    assert (p.line, p.column) == (3, 1)
    assert "duplicate key 'name' (first defined on line 1)" in p.message
    assert str(p).startswith("x.yaml:3:1:")


def test_alias_bomb_is_refused_fast(tmp_path):
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        bomb += f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    started = time.perf_counter()
    p = one(tmp_path, bomb)
    assert time.perf_counter() - started < 1.0
    assert p.line == 1 and "anchors (&a) are not allowed" in p.message


def test_alias_without_anchor_and_merge_keys(tmp_path):
    assert "aliases" in one(tmp_path, "name: *x\n").message
    p = one(tmp_path, "name: A\nas_of: 2026-10\nbrand:\n  <<: {colour: '#000000'}\n")
    assert p.line == 4 and "merge keys" in p.message


@pytest.mark.parametrize("text", ["name: !!python/object/apply:os.system ['id']\n",
                                  "name: !custom A\n", "name: !!str A\n"])
def test_tags_are_refused(tmp_path, text):
    p = one(tmp_path, text)
    assert p.line == 1 and "tags" in p.message


@pytest.mark.parametrize("text,message", [
    ("", "file is empty"),
    ("# only a comment\n\n", "file is empty"),
    ("name: A\n---\nname: B\n", "several YAML documents"),
    ("- name: A\n", "expected a mapping of fields at the top, got a list"),
    ("name: [unclosed\n", "malformed YAML"),
    ("name: A\n\tas_of: 2026\n", "tab character"),
])
def test_malformed_files(tmp_path, text, message):
    assert message in one(tmp_path, text).message


def test_invalid_utf8_and_nul_bytes(tmp_path):
    p = one(tmp_path, b"name: A\nas_of: 2026-10\nheadline: caf\xe9\n")
    assert p.line == 3 and "not valid UTF-8" in p.message
    assert "NUL byte" in one(tmp_path, b"name: A\x00\n").message


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_one(path, Sponsor).name == "Acme Fictional"


def test_yaml11_guesses_never_happen(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD + "headline: NO\ncategories: [012345, '12:30', 1.10, yes]\n")
    s = load_one(path, Sponsor)
    assert s.headline == "NO"
    assert s.categories == ["012345", "12:30", "1.10", "yes"]


def test_unknown_key_suggests_the_right_one(tmp_path):
    p = one(tmp_path, GOOD + "headlin: Typo\n")
    assert (p.line, p.field) == (3, "headlin")
    assert "unknown field 'headlin'; did you mean 'headline'?" in p.message


def test_wrong_type_is_located_at_the_value(tmp_path):
    text = GOOD + "partnership:\n  joined: 2017-01\n  through: soon\n"
    p = one(tmp_path, text)
    assert (p.line, p.column, p.field) == (5, 12, "partnership.through")
    assert "expected a whole number, got 'soon'" in p.message


def test_chart_values_must_be_finite_numbers(tmp_path):
    text = GOOD + """sections:
  - title: T
    blocks:
      - chart:
          kind: bar
          title: T
          unit: u
          period: p
          source: s
          as_of: 2026
          series:
            - values: {A: nan, B: ten}
"""
    found = problems(tmp_path, text)
    messages = {p.field: (p.line, p.message) for p in found}
    assert messages["sections[0].blocks[0].chart.series[0].values.A"][1].startswith("must be a finite number")
    assert messages["sections[0].blocks[0].chart.series[0].values.B"] == (
        14, "expected a number, got 'ten' (write e.g. 502.5, without units)")


def test_missing_required_field(tmp_path):
    p = one(tmp_path, "as_of: 2026\n")
    assert p.field == "name" and "required field 'name' is missing" in p.message


def test_table_rows_must_match_columns(tmp_path):
    text = GOOD + ("sections:\n  - title: T\n    blocks:\n      - table:\n          columns: [A, B]\n"
                   "          rows:\n            - [1, 2, 3]\n")
    p = one(tmp_path, text)
    assert p.line == 7 and "row 1 has 3 cells but the table has 2 columns" in p.message


def test_logo_outside_project_is_refused(tmp_path):
    p = one(tmp_path, GOOD + "brand: {logo: ../../etc/passwd}\n")
    assert p.field == "brand.logo" and "must not contain '..'" in p.message
    p = one(tmp_path, GOOD + "brand: {logo: /etc/passwd}\n")
    assert "relative to the project" in p.message


def test_every_problem_of_every_file_in_one_run(tmp_path):
    data = tmp_path / "data"
    (data / "sponsors").mkdir(parents=True)
    (data / "book.yaml").write_text("title: T\norganisation: O\nedition: 2026-11-01\npage_size: A5\n")
    (data / "sponsors" / "a.yaml").write_text("name: A\nas_of: 2026\ncolour: red\n")
    (data / "sponsors" / "b.yaml").write_text("name: B\nname: C\n")
    with pytest.raises(DataError) as err:
        load_project(data)
    text = str(err.value)
    assert "book.yaml:4:12: page_size:" in text
    assert "a.yaml:3:1: colour: unknown field 'colour'" in text
    assert "b.yaml:2:1: duplicate key 'name'" in text
    assert text.endswith("3 problems in 3 files")


def test_warnings_for_stale_facts_and_no_sources(tmp_path):
    data = tmp_path / "data"
    (data / "sponsors").mkdir(parents=True)
    (data / "book.yaml").write_text("title: T\norganisation: O\nedition: 2026-11-01\n")
    (data / "sponsors" / "a.yaml").write_text("name: A\nas_of: 2025-01-31\n")
    import datetime as dt

    project = load_project(data, today=dt.date(2026, 11, 28))
    texts = [str(w) for w in project.warnings]
    assert any("a.yaml:2:8: as_of: warning: facts are 666 days old" in t for t in texts)
    assert any("no sources listed" in t for t in texts)


def test_loader_keeps_locations(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a:\n  b: [1, 2]\n")
    located = load_file(path)
    assert located.data == {"a": {"b": ["1", "2"]}}
    assert located.where(("a", "b", 1)) == (2, 10)
