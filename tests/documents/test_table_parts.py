"""A long table printed in parts ("Exhibit N (continued)"): each part fills its page, and where
the last print cut it is tried first, mended like any guess (documents/chapter.py, mend_cuts)."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from conftest import make_project

from briefing.build.options import Options
from briefing.build.pipeline import make_edition
from briefing.data.load import load_project
from briefing.documents import chapter
from briefing.documents.chapter import keep_for_books, print_chapter

DATA = Path(__file__).parents[1] / "fixtures" / "boardpack" / "data"
SLUG = "pelican-pretend"
# the last of the three paragraphs above the fixture's 28-row table (tests/fixtures/boardpack)
LAST_PARAGRAPH = """
              Figure characteristically report replay cloud figure responsibilities report pretend. Plan
              responsibilities report responsibilities company replay committee complications
              responsibilities memo fictional committee. Invented analyst plan complications replay
              report region plan market. Interoperability infrastructure season pretend plan
              administrative invented number organisation venue.
"""


def _print(root: Path, out: Path, monkeypatch) -> tuple[chapter.PrintedChapter, int]:
    """Print the fixture's chapter into ``out`` as a build's worker does; and how many prints it took."""
    prints = []
    real = chapter.print_html
    monkeypatch.setattr(chapter, "print_html", lambda *a, **k: prints.append(1) or real(*a, **k))
    project = load_project(root / "data")
    edition = make_edition(project, Options(data_dir=root / "data", out_dir=out))
    key = hashlib.sha256((root / "data" / "sponsors" / f"{SLUG}.yaml").read_bytes()).hexdigest()
    printed = print_chapter(project, edition, SLUG, key)
    keep_for_books(edition, printed)
    monkeypatch.setattr(chapter, "print_html", real)
    return printed, len(prints)


def _text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "data" / "sponsors" / f"{SLUG}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "project", DATA)


def test_a_chapter_printed_again_unchanged_is_printed_once(project, tmp_path, monkeypatch):
    first, first_prints = _print(project, tmp_path / "out", monkeypatch)
    assert first.meta.table_breaks and first_prints == 2  # cut, so printed again in parts
    again, prints = _print(project, tmp_path / "out", monkeypatch)
    assert prints == 1
    assert again.meta.table_breaks == first.meta.table_breaks
    assert _text(again.pdf) == _text(first.pdf)
    assert "EXHIBIT 1 (CONTINUED)" in _text(again.pdf)


@pytest.mark.slow
def test_an_edit_below_the_table_keeps_its_cuts_and_prints_once(project, tmp_path, monkeypatch):
    first, _ = _print(project, tmp_path / "out", monkeypatch)
    _edit(project, "title: Invented review of the partnership", "title: Invented review of the pretend partnership")
    edited, prints = _print(project, tmp_path / "out", monkeypatch)
    assert prints == 1
    assert edited.meta.table_breaks == first.meta.table_breaks
    fresh, _ = _print(project, tmp_path / "fresh", monkeypatch)
    assert _text(edited.pdf) == _text(fresh.pdf)


@pytest.mark.slow
def test_cuts_an_edit_above_the_table_moved_are_those_a_first_print_makes(project, tmp_path, monkeypatch):
    first, _ = _print(project, tmp_path / "out", monkeypatch)
    # the table moves up: where it was cut, a row more now fits, so the remembered cut no longer holds
    _edit(project, LAST_PARAGRAPH, "")
    edited, _ = _print(project, tmp_path / "out", monkeypatch)
    fresh, _ = _print(project, tmp_path / "fresh", monkeypatch)
    assert fresh.meta.table_breaks != first.meta.table_breaks  # the edit did move the cut
    assert edited.meta.table_breaks == fresh.meta.table_breaks
    assert _text(edited.pdf) == _text(fresh.pdf)


@pytest.mark.slow
def test_a_table_of_four_pages_fills_each_page_before_it_continues(project, tmp_path, monkeypatch):
    note = "An invented figure for an imaginary region of the fictional market."
    last = f'                - [Pretend region 28, "38", "{note}"]\n'
    more = "".join(f'                - [Pretend region {i}, "{i}", "{note}"]\n' for i in range(29, 101))
    _edit(project, last, last + more)
    printed, _ = _print(project, tmp_path / "out", monkeypatch)
    held = [n for page in _text(printed.pdf).split("\f") if (n := len(re.findall(r"Pretend region \d+ ", page)))]
    # every break of the first print cut at once gave parts of two or three rows on pages of their own
    assert sum(held) == 100 and len(held) == 4, held
    assert min(held[:-1]) > 20, held
