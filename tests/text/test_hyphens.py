"""Hyphenation points are remembered between runs, and a cache can never change the text."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import FICTION, make_project

from briefing.build.pipeline import Options, build
from briefing.render.markup import typeset
from briefing.text.hyphens import Hyphens

SHY = "\u00ad"
WORD = "transformational"


def test_words_are_remembered_in_the_cache(tmp_path):
    memo = Hyphens(tmp_path)
    marked = memo.hyphenated(WORD)
    assert SHY in marked and marked.replace(SHY, "") == WORD
    memo.remember()
    path = memo.cache_file()
    assert path is not None and path.parent == tmp_path
    assert json.loads(path.read_text())[WORD] == marked
    assert not memo.learned


def test_each_memo_is_its_own(tmp_path):
    """No state per process: what one typesetting learned is another's only through the cache."""
    first, second = Hyphens(tmp_path), Hyphens(tmp_path)
    first.hyphenated(WORD)
    assert WORD in first.learned and not second.learned
    assert Hyphens().cache_file() is None  # no folder: remembered nowhere
    first.remember()
    second.hyphenated(WORD)
    assert not second.learned  # read from the cache that ``first`` wrote


def test_a_later_process_reads_the_cache_without_loading_pyphen(tmp_path):
    memo = Hyphens(tmp_path)
    memo.hyphenated(WORD)
    memo.remember()
    code = ("import sys, pathlib; from briefing.text.hyphens import Hyphens; "
            "from briefing.render.markup import typeset; "
            f"text = typeset('a {WORD} plan', hyphens=Hyphens(pathlib.Path({str(tmp_path)!r}))); "
            "print(text.count(chr(0xAD))); print('pyphen' in sys.modules)")
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    shy, loaded = done.stdout.splitlines()
    assert int(shy) == memo.hyphenated(WORD).count(SHY) > 0 and loaded == "False"


def test_a_damaged_or_edited_cache_cannot_change_text(tmp_path):
    memo = Hyphens(tmp_path)
    memo.hyphenated(WORD)
    memo.remember()
    path = memo.cache_file()
    assert path is not None
    path.write_text(json.dumps({WORD: "transfor" + SHY + "mationalEVIL", "unrelated": 3}))
    assert typeset(f"a {WORD} plan", hyphens=Hyphens(tmp_path)).replace(SHY, "") == f"a {WORD} plan"
    path.write_text("{not json")
    assert typeset(f"a {WORD} plan", hyphens=Hyphens(tmp_path)).replace(SHY, "") == f"a {WORD} plan"


def test_an_unwritable_cache_only_costs_time(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    memo = Hyphens(blocker / "cache")
    assert SHY in memo.hyphenated(WORD)
    memo.remember()  # no error
    assert memo.learned  # kept for a later attempt


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
