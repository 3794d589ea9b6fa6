"""Colours are declared once: CSS custom properties in _tokens.css, chart colours in palette.py."""

from __future__ import annotations

import re

from conftest import REPO

from briefing.render import palette

TOKENS = REPO / "assets" / "css" / "print" / "_tokens.css"


def _tokens() -> dict[str, str]:
    return {name: value.upper() for name, value in
            re.findall(r"(--[a-z0-9-]+):\s*(#[0-9A-Fa-f]{6});", TOKENS.read_text())}


def test_no_colour_is_written_outside_the_tokens_file():
    stray = [f"{css.relative_to(REPO)}: {colour}" for css in (REPO / "assets" / "css").rglob("*.css")
             if css != TOKENS for colour in re.findall(r"#[0-9A-Fa-f]{6}\b", css.read_text())]
    assert not stray, "use a var(--token) from _tokens.css: " + ", ".join(stray)


def test_every_token_is_used_and_defined():
    tokens = _tokens()
    used = {name for css in (REPO / "assets" / "css").rglob("*.css") if css != TOKENS
            for name in re.findall(r"var\((--[a-z0-9-]+)\)", css.read_text())}
    assert set(tokens) - used == set(), "unused tokens"
    per_document = {"--accent", "--accent-soft", "--page-height"}  # set in templates/base.html
    fonts = {"--sans", "--serif", "--fallback"}  # set in _fonts.css
    assert used - set(tokens) - per_document - fonts == set()


def test_charts_and_css_share_the_greys_they_both_use():
    tokens = _tokens()
    assert palette.MUTED == tokens["--muted"]


def test_page_margins_are_written_once():
    margins = [css.name for css in (REPO / "assets" / "css").rglob("*.css")
               if re.search(r"@page\s*\{[^}]*\bmargin:", css.read_text())]
    assert margins == ["_margins.css"], margins
