"""Colours are declared once, as CSS custom properties in _tokens.css; the charts read that file."""

from __future__ import annotations

import re

from conftest import REPO

from briefing.render import palette
from briefing.render.palette import CHART_TOKENS

TOKENS = REPO / "assets" / "css" / "print" / "_tokens.css"


def _tokens() -> dict[str, str]:
    return {name: value.upper() for name, value in
            re.findall(r"(--[a-z0-9-]+):\s*(#[0-9A-Fa-f]{6});", TOKENS.read_text())}


def test_no_colour_is_written_outside_the_tokens_file():
    stray = [f"{css.relative_to(REPO)}: {colour}" for css in (REPO / "assets" / "css").rglob("*.css")
             if css != TOKENS for colour in re.findall(r"#[0-9A-Fa-f]{6}\b", css.read_text())]
    assert not stray, "use a var(--token) from _tokens.css: " + ", ".join(stray)


def test_every_token_is_used_and_defined():
    # colours and the type and layout tokens (figures, small caps, opener and cover sizes)
    declared = re.sub(r"/\*.*?\*/", "", TOKENS.read_text(), flags=re.S)
    tokens = set(_tokens()) | set(re.findall(r"(--[a-z0-9-]+):", declared))
    used = {name for css in (REPO / "assets" / "css").rglob("*.css") if css != TOKENS
            for name in re.findall(r"var\((--[a-z0-9-]+)\)", css.read_text())}
    read_by_charts = set(CHART_TOKENS.values())  # palette.py reads them; --primary is the book's --accent
    assert set(tokens) - used - read_by_charts == set(), "unused tokens"
    per_document = {"--accent", "--accent-soft", "--page-height"}  # set in templates/base.html
    fonts = {"--sans", "--serif", "--fallback"}  # set in _fonts.css
    assert used - set(tokens) - per_document - fonts == set()


def test_the_charts_take_their_colours_from_the_tokens_file(tmp_path):
    tokens = _tokens()
    shipped = palette.palette()
    assert (shipped.primary, shipped.grey, shipped.ink) == (tokens["--primary"], tokens["--chart-grey"],
                                                           tokens["--chart-ink"])
    # a project's own tokens file is the one read; a brand's colours replace primary and secondary
    own = tmp_path / "assets" / "css" / "print" / "_tokens.css"
    own.parent.mkdir(parents=True)
    own.write_text(TOKENS.read_text().replace(tokens["--chart-grey"], "#ABCDEF"))
    assert palette.palette(tmp_path).grey == "#ABCDEF"
    branded = palette.palette(tmp_path, "#00573F", "#7A3E00")
    assert (branded.primary, branded.secondary, branded.series[:2]) == ("#00573F", "#7A3E00", ("#00573F", "#7A3E00"))


def test_no_colour_is_written_in_python():
    """Every colour the documents use comes from the tokens file (docs/theming.md)."""
    source = REPO / "src" / "briefing"
    stray = [f"{py.relative_to(REPO)}: {colour}" for py in source.rglob("*.py")
             for colour in re.findall(r"[\"']#[0-9A-Fa-f]{6}[\"']", py.read_text())]
    allowed = {"src/briefing/data/brand.py: \"#FFFFFF\""}  # white: what the contrast check measures against
    assert set(stray) - allowed == set(), stray


def test_page_margins_are_written_once():
    margins = [css.name for css in (REPO / "assets" / "css").rglob("*.css")
               if re.search(r"@page\s*\{[^}]*\bmargin:", css.read_text())]
    assert margins == ["_margins.css"], margins
