"""The `quote` block printed: searchable, tagged as a BlockQuote, its text always literal.

Builds one fictional sponsor (Acme, from the fiction fixture) with a quote added in tmp_path;
the fixture itself is unchanged.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import FICTION, make_project, normalise
from pdfua import validate
from tagcheck import parent_tree_problems, struct_text, unmarked_content

from briefing.build.pipeline import Options, build
from briefing.data.load import load_one
from briefing.data.model import QUOTE_LENGTH, Sponsor
from briefing.errors import DataError

# HTML and TeX-like `$…$` in data are text: they must print as typed
WORDS = "We land every anvil <b>exactly</b> where it is aimed, at $E = mc^2$ a piece."
BY = "Wile E. Example, Chief Executive"
AFTER = "      - text: Acme makes anvils. Nothing here is real.\n        cite: [acme-site]\n"
QUOTE = f'      - quote:\n          text: "{WORDS}"\n          attribution: {BY}\n        cite: [acme-site]\n'


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Path, list[str]]:
    root = make_project(tmp_path_factory.mktemp("quote"), FICTION / "data")
    sponsor = root / "data" / "sponsors" / "acme-anvils.yaml"
    text = sponsor.read_text()
    assert AFTER in text
    sponsor.write_text(text.replace(AFTER, AFTER + QUOTE))
    report = build(Options(data_dir=root / "data", out_dir=root / "output", slugs=["acme-anvils"], book=False))
    assert report.ok, report.failed
    return root / "output" / "acme-anvils.pdf", report.findings


def _elements(tree: str, role: str) -> list[str]:
    """The text of each ``role`` element in ``pdfinfo -struct-text`` output (its indented lines)."""
    found, lines = [], tree.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == role:
            depth = len(line) - len(line.lstrip())
            inner = []
            for below in lines[i + 1:]:
                if len(below) - len(below.lstrip()) <= depth:
                    break
                inner += re.findall(r'^\s*"(.*)"\s*$', below)
            found.append(" ".join(inner))
    return found


def test_quote_text_is_searchable_and_printed_literally(printed):
    path, findings = printed
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert normalise(WORDS) in normalise(text)
    assert normalise(f"— {BY}") in normalise(text)
    assert findings == []  # preflight: nothing split, overflowing or hyphenated


def test_quote_is_one_blockquote_with_its_attribution_as_caption(printed):
    path, _ = printed
    tree = struct_text(path)
    quotes = _elements(tree, "BlockQuote")
    assert len(quotes) == 1
    assert normalise(WORDS) in normalise(quotes[0]) and normalise(BY) not in normalise(quotes[0])
    assert any(normalise(BY) in normalise(c) for c in _elements(tree, "Caption"))


def test_pdf_with_a_quote_passes_the_tagging_checks(printed):
    path, _ = printed
    assert [(f.rule_id, f.message) for f in validate(str(path)).findings] == []
    with pikepdf.open(path) as pdf:
        assert unmarked_content(pdf) + parent_tree_problems(pdf) == []


def test_a_quote_longer_than_a_pull_quote_is_refused_with_its_length(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("name: Acme Fictional\nas_of: 2026-10\nsections:\n  - title: Words\n    blocks:\n"
                    f"      - quote: {{text: {'word ' * 130}}}\n")
    with pytest.raises(DataError) as err:
        load_one(path, Sponsor, tmp_path)
    (problem,) = err.value.problems
    assert problem.line == 6 and f"at most {QUOTE_LENGTH} fit here" in problem.message
