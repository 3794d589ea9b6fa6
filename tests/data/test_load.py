"""The strict YAML loader and schema validation: one precise, located error per problem."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from briefing.data.load import load_one, load_project
from briefing.data.model import Sponsor
from briefing.data.yamlsafe import load_file
from briefing.errors import DataError

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


@pytest.mark.parametrize("text,where,message", [
    ("", (1, 1), "file is empty; write the fields"),
    ("# only a comment\n\n", (1, 1), "file holds only comments; write the fields"),
    ("name: A\n---\nname: B\n", (2, 1), "several YAML documents"),
    ("- name: A\n", (1, 1), "expected a mapping of fields at the top, got a list"),
    ("name: [unclosed\n", (1, 7), "the '[' opened here is never closed; add ']'"),
    ("name: A\n\tas_of: 2026\n", (2, 1), "a tab character is used for indentation; YAML needs spaces"),
])
def test_malformed_files(tmp_path, text, where, message):
    p = one(tmp_path, text)
    assert (p.line, p.column) == where and message in p.message


def test_file_errors_are_located_with_a_fix(tmp_path):
    """Issue 17 item 4: every file error has LINE:COL and says what to do."""
    utf16 = one(tmp_path, GOOD.encode("utf-16"))
    assert (utf16.line, utf16.column) == (1, 1)
    assert "UTF-16" in utf16.message and "save it as UTF-8" in utf16.message and "binary" not in utf16.message
    assert "UTF-16" in one(tmp_path, GOOD.encode("utf-16-le")).message  # no byte-order mark
    latin1 = one(tmp_path, "name: A\nas_of: 2026-10\nheadline: Café\n".encode("latin-1"))
    assert (latin1.line, latin1.column) == (3, 14)
    assert "Latin-1" in latin1.message and "save the file as UTF-8" in latin1.message
    nul = one(tmp_path, b"name: A\nas_of: 20\x0026\n")
    assert (nul.line, nul.column) == (2, 10) and "NUL byte" in nul.message
    assert str(nul).startswith("x.yaml:2:10: ")


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
    assert (p.line, p.column, p.field) == (9, 15, "sections[0].blocks[0].table.rows[0]")  # the row itself
    assert "row 1 has 3 cells but the table has 2 columns" in p.message


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
    assert "b.yaml:2:1: name: duplicate key 'name'" in text
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
