"""datacache: a data file read once (sponsor, book.yaml, distribution.yaml) is read back from the build's
cache until its bytes change."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import FICTION, make_project

from briefing.data.load import load_project
from briefing.errors import DataError

LATE = dt.date(2027, 9, 1)  # the fictional facts are stale by then: warnings carry lines


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path, FICTION / "data")


def test_cached_load_equals_a_fresh_one_and_keeps_positions(project):
    cache = project / "output" / ".cache" / "data"
    fresh = load_project(project / "data", today=LATE)
    first = load_project(project / "data", today=LATE, cache=cache)
    stored = sorted(cache.glob("*.json"))
    assert len(stored) == len(fresh.sponsors) + 2  # and book.yaml, distribution.yaml
    again = load_project(project / "data", today=LATE, cache=cache)
    assert again.sponsors == first.sponsors == fresh.sponsors
    assert again.book == first.book == fresh.book and again.distribution == first.distribution == fresh.distribution
    assert [str(w) for w in again.warnings] == [str(w) for w in fresh.warnings]
    assert any(":5:" in str(w) for w in again.warnings), "stale-facts warnings name their line"
    assert sorted(cache.glob("*.json")) == stored  # nothing new written


def test_an_edited_file_is_read_again(project):
    cache = project / "output" / ".cache" / "data"
    load_project(project / "data", cache=cache)
    path = project / "data" / "sponsors" / "acme-anvils.yaml"
    path.write_text(path.read_text().replace("Fictional heavy-goods supplier", "Fictional anvil maker"))
    assert load_project(project / "data", cache=cache).sponsors["acme-anvils"].headline == "Fictional anvil maker"


def test_a_damaged_entry_is_ignored(project):
    cache = project / "output" / ".cache" / "data"
    load_project(project / "data", cache=cache)
    for entry in cache.glob("*.json"):
        entry.write_text('{"data": ')
    assert load_project(project / "data", cache=cache).sponsors == load_project(project / "data").sponsors


def test_a_file_with_a_problem_is_never_stored(project):
    cache = project / "output" / ".cache" / "data"
    path = project / "data" / "sponsors" / "acme-anvils.yaml"
    path.write_text(path.read_text().replace("Fictional heavy-goods supplier", "Fictional \U00017000 supplier"))
    for _ in range(2):  # found on every run, not only on the one that first read the file
        with pytest.raises(DataError, match="acme-anvils.yaml:4"):
            load_project(project / "data", cache=cache)
    assert not cache.exists(), "a build that stops on a problem writes nothing, not even its cache"
    path.write_text(path.read_text().replace("\U00017000", "dynamite"))
    load_project(project / "data", cache=cache)
    assert len(list(cache.glob("*.json"))) == 5


def test_a_book_with_a_problem_is_never_stored_and_an_edit_is_read(project):
    cache = project / "output" / ".cache" / "data"
    book = project / "data" / "book.yaml"
    text = book.read_text()
    assert "title: " in text
    book.write_text(text.replace("title: ", "title: \U00017000 ", 1))
    for _ in range(2):
        with pytest.raises(DataError, match="book.yaml"):
            load_project(project / "data", cache=cache)
    book.write_text(text.replace("title: ", "title: Edited ", 1))
    assert load_project(project / "data", cache=cache).book.title.startswith("Edited ")
    assert load_project(project / "data", cache=cache).book.title.startswith("Edited ")
