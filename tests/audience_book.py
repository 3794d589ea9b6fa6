"""The fictional four-level book (tests/fixtures/audience), built once per session for real.

Every restricted item carries a made-up marker word; ``MARKERS`` lists them by the level they
belong to. An earlier edition's snapshot holding only the public view is written first, so the
change pages and the email's "what changed" lines would name every restricted item if a level's
view let one through.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, make_project

from briefing.build.pipeline import Options, build
from briefing.data.audience import view
from briefing.data.changes import save_snapshot
from briefing.data.load import load_project

AUDIENCE = REPO / "tests" / "fixtures" / "audience"
LEVELS = ["public", "partner", "internal", "confidential"]
MARKERS = {
    "public": [],
    "partner": ["Quillfern", "Tidemoss"],
    # the first of each is named by a change line; the last eight are plain items written {text, audience}
    "internal": ["Cobblewick", "Gorsewind", "Brambleshot", "Wrenfield", "Umberfrost", "Dapplethorn", "Fernwhistle",
                 "Mossglimmer", "Nettlecombe", "Pebblesworth", "Thistlequay"],
    "confidential": ["Stormlantern", "Vantaquill", "Ashgrove", "Vexmarrow"],
}
EARLIER = "2026-10-01"
READER = {"public": "pat-public", "partner": "pia-partner", "internal": "ivo-internal",
          "confidential": "cas-confidential"}


def above(level: str) -> list[str]:
    return [m for lvl in LEVELS[LEVELS.index(level) + 1:] for m in MARKERS[lvl]]


def upto(level: str) -> list[str]:
    return [m for lvl in LEVELS[:LEVELS.index(level) + 1] for m in MARKERS[lvl]]


def found(text: str, words: list[str]) -> list[str]:
    """Markers in ``text``, whatever the case or hyphenation (cover labels are upper case)."""
    flat = re.sub(r"[\s\u00ad\-]+", "", text).casefold()
    return [w for w in words if w.casefold() in flat]


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def qdf_bytes(path: Path, tmp: Path) -> str:
    """Every object uncompressed, no object streams: what a person with a hex editor sees."""
    target = tmp / (path.name + ".qdf")
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), str(target)], check=True)
    raw = target.read_bytes()
    # strings may be written as UTF-16BE (bookmarks, metadata): read those too
    return raw.decode("latin-1") + raw.replace(b"\x00", b"").decode("latin-1")


def struct_text(path: Path) -> str:
    """The structure tree's text (empty for an untagged PDF)."""
    done = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True)
    return done.stdout


def make_audience_project(root: Path) -> Path:
    root = make_project(root, AUDIENCE / "data")
    project = load_project(root / "data")
    public = view(project.sponsors["open-pretend"], "public", project.levels)
    assert public is not None
    save_snapshot(root / "output", EARLIER, {"open-pretend": public})
    return root


@pytest.fixture(scope="session")
def audience_built(tmp_path_factory) -> Path:
    """Every recipient's edition, and each level's sponsor PDFs, book, one-pagers and one-pager book."""
    root = make_audience_project(tmp_path_factory.mktemp("audience"))
    data, out = root / "data", root / "output"
    report = build(Options(data_dir=data, out_dir=out, recipients="all", sponsors=False, book=False))
    assert report.ok, report.failed
    for level in LEVELS:
        for variant in ("full", "one-pager"):
            report = build(Options(data_dir=data, out_dir=out, audience=level, variant=variant))
            assert report.ok, report.failed
    return root


@pytest.fixture()
def audience_root(audience_built, tmp_path) -> Path:
    """A private copy of the built project: its own data, outputs and send log."""
    copy = tmp_path / "project"
    shutil.copytree(audience_built, copy, symlinks=True)
    return copy
