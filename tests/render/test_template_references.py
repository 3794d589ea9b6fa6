"""The templates a document reaches, remembered between runs by each template's text."""

from __future__ import annotations

import os

from conftest import REPO

from briefing.render.html import _references, reached


def _write(folder, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_the_remembered_references_are_the_parsed_ones(tmp_path):
    folders = [REPO / "templates"]
    _references.cache_clear()
    parsed = reached(folders, "sponsor.html")
    _references.cache_clear()
    assert reached(folders, "sponsor.html", tmp_path / "refs") == parsed
    _references.cache_clear()  # as the next run: read back from the folder
    assert reached(folders, "sponsor.html", tmp_path / "refs") == parsed
    assert len(parsed) > 10 and len(list((tmp_path / "refs").glob("*.json"))) >= len(parsed) - 1


def test_an_edit_is_seen_even_at_the_same_size_and_time(tmp_path):
    folder, cache = tmp_path / "templates", tmp_path / "refs"
    folder.mkdir()
    _write(folder, "base.html", "{% block body %}{% endblock %}")
    _write(folder, "a.html", "a")
    _write(folder, "b.html", "b")
    _write(folder, "page.html", '{% extends "base.html" %}{% block body %}{% include "a.html" %}{% endblock %}')
    _references.cache_clear()
    assert reached([folder], "page.html", cache) == {"page.html", "base.html", "a.html"}
    page = folder / "page.html"
    before = page.stat()
    _write(folder, "page.html", '{% extends "base.html" %}{% block body %}{% include "b.html" %}{% endblock %}')
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    _references.cache_clear()  # the next run: the remembered entry is found by text, not by size and time
    assert reached([folder], "page.html", cache) == {"page.html", "base.html", "b.html"}


def test_a_damaged_entry_is_parsed_again(tmp_path):
    folder, cache = tmp_path / "templates", tmp_path / "refs"
    folder.mkdir()
    _write(folder, "a.html", "a")
    _write(folder, "page.html", '{% include "a.html" %}')
    _references.cache_clear()
    reached([folder], "page.html", cache)
    for entry in cache.glob("*.json"):
        entry.write_text('{"not": "a list"', encoding="utf-8")
    _references.cache_clear()
    assert reached([folder], "page.html", cache) == {"page.html", "a.html"}
