"""Text filters for the templates: data is always text, never markup.

Markdown in data goes through markdown-it with raw HTML, images and non-web links off, so
``<script>`` or ``<img src=...>`` typed into YAML prints literally.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from .model import Money, Table

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
_md.disable(["image", "html_inline", "html_block"])
_md.validateLink = lambda url: url.lower().startswith(("https://", "http://"))  # type: ignore[method-assign]

SEVERITY_LABEL = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Note"}
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def markdown(text: str) -> Markup:
    return Markup(_md.render(text))  # markdown-it escapes all text it emits


def markdown_inline(text: str) -> Markup:
    return Markup(_md.renderInline(text))


def money(value: Money) -> str:
    symbol = _SYMBOLS.get(value.currency, value.currency + " ")
    amount = f"{value.amount:,.{0 if value.amount.is_integer() else 1}f}"
    scale = f" {value.scale}" if value.scale else ""
    return f"{'~' if value.approximate else ''}{symbol}{amount}{scale}"


def is_number(text: str) -> bool:
    cleaned = text.replace(",", "").replace("%", "").replace("~", "").strip()
    try:
        float(cleaned)
        return True
    except ValueError:
        return False


def column_aligns(table: Table) -> list[str]:
    """Right-align columns whose every cell is a number (tabular figures line up)."""
    aligns = []
    for i, col in enumerate(table.columns):
        numeric = all(is_number(row[i]) or row[i] in ("–", "-") for row in table.rows)
        aligns.append(col.align or ("right" if numeric else "left"))
    return aligns


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 sponsor``, ``2 sponsors``."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def filters() -> dict[str, Any]:
    from .model import format_date

    return {"md": markdown, "mdi": markdown_inline, "date": format_date, "money": money,
            "column_aligns": column_aligns, "plural": plural}
