"""The project's real print stylesheets, read declaration by declaration (for the CSS guards)."""

from __future__ import annotations

from pathlib import Path

import tinycss2
from conftest import REPO

CSS = REPO / "assets" / "css"


def declarations(path: Path) -> list[tuple[str, str, str]]:
    """(selector or at-rule, property, value) for every declaration in one stylesheet."""
    found: list[tuple[str, str, str]] = []

    def walk(rules, where: str = "") -> None:  # type: ignore[no-untyped-def]
        for rule in rules:
            if rule.type == "qualified-rule":
                prelude = where + tinycss2.serialize(rule.prelude).strip()
                content = tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True)
                for item in content:
                    if item.type == "declaration":
                        found.append((prelude, item.lower_name, tinycss2.serialize(item.value).strip().lower()))
            elif rule.type == "at-rule" and rule.content is not None:
                inner = tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True)
                for item in inner:
                    if item.type == "declaration":
                        found.append((f"@{rule.lower_at_keyword}", item.lower_name,
                                      tinycss2.serialize(item.value).strip().lower()))
                walk([i for i in inner if i.type in ("qualified-rule", "at-rule")], f"@{rule.lower_at_keyword} ")

    walk(tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"), skip_whitespace=True, skip_comments=True))
    return found


def stylesheets() -> list[Path]:
    sheets = sorted(CSS.rglob("*.css"))
    assert len(sheets) >= 6, sheets  # the guard reads the real stylesheets, not an empty folder
    return sheets
