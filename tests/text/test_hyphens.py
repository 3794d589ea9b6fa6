"""Hyphenation points are remembered between runs, and a cache can never change the text."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import FICTION, make_project

from briefing.build.pipeline import Options, build
from briefing.render.markup import typeset
from briefing.text import hyphens

SHY = "\u00ad"
WORD = "transformational"


@pytest.fixture()
def fresh(tmp_path, monkeypatch):
    """An empty cache folder, and this process forgetting what it hyphenated before."""
    monkeypatch.setattr(hyphens, "_learned", {})
    hyphens.use_folder(tmp_path)
    yield tmp_path
    hyphens.use_folder(None)


def test_words_are_remembered_in_the_cache(fresh):
    marked = hyphens.hyphenated(WORD)
    assert SHY in marked and marked.replace(SHY, "") == WORD
    hyphens.remember()
    path = hyphens.cache_file()
    assert path is not None and path.parent == fresh
    assert json.loads(path.read_text())[WORD] == marked


def test_a_later_process_reads_the_cache_without_loading_pyphen(fresh):
    hyphens.hyphenated(WORD)
    hyphens.remember()
    code = ("import sys, pathlib; from briefing.text import hyphens; from briefing.render.markup import typeset; "
            f"hyphens.use_folder(pathlib.Path({str(fresh)!r})); text = typeset('a {WORD} plan'); "
            "print(text.count(chr(0xAD))); print('pyphen' in sys.modules)")
    env = {"HOME": str(fresh), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    shy, loaded = done.stdout.splitlines()
    assert int(shy) == hyphens.hyphenated(WORD).count(SHY) > 0 and loaded == "False"


def test_a_damaged_or_edited_cache_cannot_change_text(fresh):
    hyphens.hyphenated(WORD)
    hyphens.remember()
    path = hyphens.cache_file()
    assert path is not None
    path.write_text(json.dumps({WORD: "transfor" + SHY + "mationalEVIL", "unrelated": 3}))
    hyphens._known = None
    assert typeset(f"a {WORD} plan").replace(SHY, "") == f"a {WORD} plan"
    path.write_text("{not json")
    hyphens._known = None
    assert typeset(f"a {WORD} plan").replace(SHY, "") == f"a {WORD} plan"


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setattr(hyphens, "_learned", {})
    hyphens.use_folder(blocker / "cache")
    try:
        assert SHY in hyphens.hyphenated(WORD)
        hyphens.remember()  # no error
        assert hyphens._learned  # kept for a later attempt
    finally:
        hyphens.use_folder(None)


def test_a_build_keeps_its_words_in_its_own_folder(tmp_path, monkeypatch):
    # printing reads nothing outside the project and its build folder: no user-wide cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = make_project(tmp_path / "project", FICTION / "data")
    path = root / "data" / "sponsors" / "acme-anvils.yaml"
    path.write_text(path.read_text().replace("Acme makes anvils.", f"Acme makes {WORD} anvils."))
    report = build(Options(data_dir=root / "data", out_dir=root / "output", slugs=["acme-anvils"], book=False))
    assert report.ok, report.failed
    stored = list((root / "output" / ".cache").glob("hyphens-*.json"))
    assert stored and SHY in json.loads(stored[0].read_text())[WORD]
    assert not list((tmp_path / "user-cache").rglob("hyphens-*"))
