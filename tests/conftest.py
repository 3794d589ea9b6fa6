"""Shared fixtures: each PDF the tests read is built once per session, for real."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing.build import Options, build

REPO = Path(__file__).resolve().parents[1]
FICTION = REPO / "tests" / "fixtures" / "fiction"


def normalise(text: str) -> str:
    """Text for fact matching: hyphenation and line breaks undone, quotes and spaces unified."""
    text = text.replace("\u00ad", "").replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("–", "-").replace("—", "-").replace("\u2010", "-").replace("\u2011", "-")
    return re.sub(r"[\s\-]+", "", text).lower()


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def make_project(root: Path, data: Path) -> Path:
    """A throw-away project: the real templates/ and assets/, with the given data/."""
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "assets", root / "assets")
    shutil.copytree(data, root / "data")
    logo = FICTION / "logo" / "acme-fictional.svg"
    (root / "assets" / "logos").mkdir(exist_ok=True)
    shutil.copy(logo, root / "assets" / "logos" / logo.name)
    return root


@pytest.fixture(scope="session")
def shipped(tmp_path_factory) -> Path:
    """The shipped data built as a user would: sponsor PDFs, book and every edition."""
    out = tmp_path_factory.mktemp("shipped")
    report = build(Options(data_dir=REPO / "data", out_dir=out, recipients="all"))
    assert report.ok, report.failed
    return out


@pytest.fixture(scope="session")
def fiction(tmp_path_factory) -> Path:
    """Three fictional sponsors (one hostile): PDFs, book, editions and one-pagers."""
    root = make_project(tmp_path_factory.mktemp("fiction"), FICTION / "data")
    out = root / "output"
    report = build(Options(data_dir=root / "data", out_dir=out, recipients="all"))
    assert report.ok, report.failed
    report = build(Options(data_dir=root / "data", out_dir=out, variant="one-pager"))
    assert report.ok, report.failed
    return root
