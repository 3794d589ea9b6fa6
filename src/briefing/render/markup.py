"""Text filters for the templates: data is always text, never markup.

Markdown in data goes through markdown-it with raw HTML, images and non-web links off, so
``<script>`` or ``<img src=...>`` typed into YAML prints literally.
"""

from __future__ import annotations

import math
import re
from typing import Any

from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markdown_it import MarkdownIt
from markupsafe import Markup

from briefing.data.model import BLOCK_KINDS, Book, Sponsor, Table, format_money
from briefing.text.hyphens import Hyphens

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
_md.disable(["image", "html_inline", "html_block"])
_md.validateLink = lambda url: url.lower().startswith(("https://", "http://"))  # type: ignore[method-assign]

SEVERITY_LABEL = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Note",
                  "context": "Context"}


# --- typography: one filter for all data text ---------------------------------------------

NBSP, SHY, WJ = "\u00a0", "\u00ad", "\u2060"
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
# "15-20", "2024-2025", "January-March": a range takes an en dash
_RANGE = re.compile(rf"(?<![\w.])(\d+|{_MONTHS})-(\d+|{_MONTHS})(?![\w-])")
# what must never break across a line: dates, "2 billion", "RMB 996.3", "US$ 5"
_KEEP = [
    re.compile(rf"\b(\d{{1,2}}) ({_MONTHS})\b(?: (\d{{4}}))?"),           # 19 January 2017
    re.compile(rf"\b({_MONTHS}) (\d{{1,2}}),? (\d{{4}})\b"),               # January 19, 2017
    re.compile(rf"\b({_MONTHS}) (\d{{4}})\b"),                              # January 2017
    re.compile(r"(\d) (thousand|million|billion|trillion|percent|per cent)\b"),
    re.compile(r"\b([A-Z]{3}|US\$|[A-Z]{2}\$) (\d)"),                       # RMB 996.3
]
# "E-Commerce", "e-sports", "AI-driven": a prefix of one or two letters never ends a line on its own.
# A word joiner (U+2060, invisible, no glyph drawn) after the hyphen forbids the break there; the
# hyphen stays the hyphen, so extraction and search still read "E-Commerce" (U+2011 would not)
_SHORT_PREFIX = re.compile(r"(?<![\w\-\u2010.])([^\W\d_]{1,2})-(?=[^\W\d_])")
# a quote opens after a space, a bracket, a dash or a slash, and after the markdown emphasis that
# opens there too (`**"YOUR EPIC VIBE"**`): the text is typeset before markdown renders it
_OPENING = re.compile(r'(^|[\s(\[{\u2013\u2014/])([*_]*)"')
_OPENING_SINGLE = re.compile(r"(^|[\s(\[{\u2013\u2014/])([*_]*)'(?=\w)")
# plain words of 10+ letters, not part of a domain, path or address: the only ones hyphenated
_WORD = re.compile(r"(?<![\w./@])[^\W\d_]{10,}(?![\w@]|[./]\w)")


def _quotes(text: str) -> str:
    text = _OPENING.sub(lambda m: m.group(1) + m.group(2) + "\u201c", text).replace('"', "\u201d")
    text = _OPENING_SINGLE.sub(lambda m: m.group(1) + m.group(2) + "\u2018", text)
    return text.replace("'", "\u2019")


def _soft_hyphens(text: str, hyphens: Hyphens) -> str:
    """Hyphenation points only in long lower-case words, so names, product names, figures and
    dates never break (CSS ``hyphens: manual`` then uses just these points)."""
    return _WORD.sub(lambda m: m.group(0) if not m.group(0).islower() else hyphens.hyphenated(m.group(0)), text)


def typeset(text: str, *, hyphenate: bool = True, hyphens: Hyphens | None = None) -> str:
    """Book typography for a piece of data text: curly quotes and apostrophes, en dashes in
    ranges, no-break spaces inside dates and amounts, no break after a short prefix ("E-Commerce"),
    and (optionally) soft hyphens, from
    ``hyphens`` (by default Pyphen's, remembered nowhere)."""
    if not text:
        return text
    text = _quotes(text)
    text = _RANGE.sub("\\1\u2013\\2", text)
    text = _SHORT_PREFIX.sub("\\1-" + WJ, text)
    for pattern in _KEEP:
        text = pattern.sub(lambda m: m.group(0).replace(" ", NBSP), text)
    return _soft_hyphens(text, hyphens or Hyphens()) if hyphenate else text


class TemplateTypography(Extension):
    """The same typography for the templates' own words ("the sponsor's section") as for data:
    each piece of literal template text outside HTML tags, ``<style>`` and ``<script>`` goes
    through ``typeset`` (no hyphens) when the template is compiled. String literals inside
    ``{% %}`` are code, not text: the few that print prose are written with curly quotes."""

    VERSION = "1"  # part of the compiled-template cache's file names (render.html)

    def filter_stream(self, stream: TokenStream) -> Any:
        in_tag = in_raw = after_value = False
        for token in stream:
            if token.type != "data":
                after_value = token.type == "variable_end" or (after_value and token.type != "block_end")
                yield token
                continue
            out, text, i = [], token.value, 0
            while i < len(text):
                if in_tag:  # inside <...>, perhaps begun in an earlier piece: attributes are code
                    end = text.find(">", i)
                    in_tag = end < 0
                    end = len(text) if end < 0 else end + 1
                    out.append(text[i:end])
                    i = end
                    continue
                start = text.find("<", i)
                start = len(text) if start < 0 else start
                chunk = text[i:start]
                if chunk and not in_raw:
                    # text right after {{ value }} continues it ("{{ name }}'s"): no opening quote there
                    chunk = typeset("x" + chunk, hyphenate=False)[1:] if i == 0 and after_value else (
                        typeset(chunk, hyphenate=False))
                out.append(chunk)
                if start < len(text):
                    opening = text[start:start + 8].lower()
                    in_raw = opening.startswith(("<style", "<script")) or (
                        in_raw and not opening.startswith(("</style", "</script")))
                    in_tag = True
                i = start
            after_value = False
            yield Token(token.lineno, "data", "".join(out))


# Fields are told apart by name wherever they stand. Each block kind names its own in its record
# (BlockKind.verbatim, .no_hyphens); these are the rest of a sponsor file's (key_figures are the
# figures block's Figure cards, set by that record).
# fields that are identifiers, paths, dates or enumerations, never prose
# (tests/render/test_markup.py fails when a model field of another text type is missing here)
_VERBATIM = {"url", "logo", "file", "id", "cite", "as_of", "joined", "date", "colour", "currency", "scale",
             "classification", "audience"}.union(*(k.verbatim for k in BLOCK_KINDS.values()))
# short labels: typeset but never hyphenated (titles, names, chart labels)
_NO_HYPHENS = {"name", "title", "tier", "headline", "categories", "programme", "where", "note", "term",
               "publisher"}.union(*(k.no_hyphens for k in BLOCK_KINDS.values()))


def _typeset_tree(value: Any, key: str, hyphenate: bool, hyphens: Hyphens) -> Any:
    if key in _VERBATIM:
        return value
    hyphenate = hyphenate and key not in _NO_HYPHENS
    if isinstance(value, str):
        return typeset(value, hyphenate=hyphenate, hyphens=hyphens)
    if isinstance(value, list):
        return [_typeset_tree(v, key, hyphenate, hyphens) for v in value]
    if isinstance(value, dict):
        if key == "values":  # chart labels: the keys are text too
            return {typeset(k, hyphenate=False): v for k, v in value.items()}
        return {k: _typeset_tree(v, k, hyphenate, hyphens) for k, v in value.items()}
    return value


def typeset_sponsor(sponsor: Sponsor, hyphens: Hyphens | None = None) -> Sponsor:
    """The sponsor as printed: every text field through ``typeset`` (the data itself is unchanged),
    hyphenated from ``hyphens``."""
    hyphens = hyphens or Hyphens()
    tree = _typeset_tree(sponsor.model_dump(exclude_none=True), "", True, hyphens)
    hyphens.remember()  # the words hyphenated for this sponsor, for the next run
    return Sponsor.model_validate(tree)


def typeset_summary(sponsor: Sponsor) -> Sponsor:
    """The sponsor as a book's front matter prints it: only the name, tier and categories (its
    overview rows, cover and charts; the rest of it is numbers and dates) typeset exactly as
    ``typeset_sponsor`` would, without typesetting whole sponsors (docs/performance.md, "Front matter typesetting")."""
    return sponsor.model_copy(update={
        "name": typeset(sponsor.name, hyphenate=False),
        "tier": typeset(sponsor.tier, hyphenate=False) if sponsor.tier else sponsor.tier,
        "categories": [typeset(c, hyphenate=False) for c in sponsor.categories]})


def typeset_book(book: Book) -> Book:
    """book.yaml's printed lines (title, subtitle, organisation, prepared for) through ``typeset``."""
    fields = ("title", "subtitle", "organisation", "prepared_for", "source")
    return book.model_copy(update={k: typeset(v, hyphenate=False) for k in fields if (v := getattr(book, k))})


def plain(text: str) -> str:
    """Typeset text back to plain text: for search, comparison and alt text."""
    return text.replace(SHY, "").replace(NBSP, " ").replace(WJ, "")


def markdown(text: str) -> Markup:
    return Markup(_md.render(text))  # markdown-it escapes all text it emits


def markdown_inline(text: str) -> Markup:
    return Markup(_md.renderInline(text))


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


LINE_CHARS = 110  # characters of 8.2pt table text across the A4 text block, padding included


def column_widths(table: Table) -> list[float]:
    """Column widths (% of the table) from the data, close to what automatic layout would give.

    Automatic table layout measures every cell's text (slow in WeasyPrint, and a long unbreakable
    string widens the table off the page); character counts stand in for those measures: each
    column gets its longest word (at least 16 characters for the first, label column), and the
    rest of the line is shared in proportion to how much longer its longest cell is.
    """
    floors, extras = [], []
    for i, col in enumerate(table.columns):
        cells = [row[i] for row in table.rows] + [col.name]
        word = max((len(w) for c in cells for w in c.split()), default=1)
        floor = min(word, 18) + 2  # longer tokens wrap inside the column (overflow-wrap)
        if i == 0:
            floor = max(floor, 16)
        floors.append(floor)
        extras.append(max(max(len(c) for c in cells) + 2 - floor, 0))
    room = max(LINE_CHARS - sum(floors), 0)
    share = min(1.0, room / (sum(extras) or 1))
    widths = [f + e * share for f, e in zip(floors, extras, strict=True)]
    return [round(100 * w / sum(widths), 2) for w in widths]


def people_widths(people: Any) -> list[float]:
    """Widths (% of the table) of a people block's name, role and notes columns, from their content
    (issue 23: not equal thirds). Name and role take their longest line, up to about two lines of
    a short phrase, and at least their longest word; the notes, the running text, take the rest and
    never less than 40 %, so they keep a readable measure."""
    def longest(texts: list[str], cap: int) -> float:
        words = max((len(w) for t in texts for w in t.split()), default=4)
        return max(min(max((len(t) for t in texts), default=4), cap), words) + 3

    items = list(people.items)
    name = longest([p.name for p in items] + [p.organisation or "" for p in items] + ["Name"], 22)
    role = longest([p.role or "" for p in items] + [f"since {p.since}" if p.since else "" for p in items]
                   + ["Role"], 24)
    room = LINE_CHARS - name - role
    if room < 0.4 * LINE_CHARS:  # long names and roles give way to the notes, in proportion
        scale = 0.6 * LINE_CHARS / (name + role)
        name, role, room = name * scale, role * scale, 0.4 * LINE_CHARS
    total = name + role + room
    return [round(100 * name / total, 2), round(100 * role / total, 2), round(100 * room / total, 2)]


KEEP_ROWS = 6  # a table of this many rows or fewer is never broken across pages …
KEEP_LINES = 18  # … unless it is taller than this many lines of table text (over a quarter of A4)


def _lines(text: str, share: float) -> int:
    """Lines a cell's text takes in a column of ``share`` % of the table (character counts)."""
    chars = max(LINE_CHARS * share / 100 - 2, 4)
    return max(1, math.ceil(len(plain(text)) / chars))


def table_lines(block: Any) -> int:
    """How tall a table (a ``Table`` or ``People``) prints, in lines of its text, estimated from
    character counts as its column widths are: each row as tall as its tallest cell, plus about
    a line of padding and rule, and the header row."""
    if isinstance(block, Table):
        widths = column_widths(block)
        rows = [max(_lines(cell, w) for cell, w in zip(getattr(row, "cells", row), widths, strict=False))
                for row in block.rows]
    else:
        name, role, notes = people_widths(block)
        rows = [max(_lines(p.name, name) + bool(p.organisation), _lines(p.role, role) + bool(p.since),
                    _lines(p.notes or "", notes)) for p in block.items]
    return 2 + sum(lines + 1 for lines in rows)


def keeps_whole(block: Any) -> bool:
    """A short table is never broken across pages: six rows or fewer, and not taller than
    ``KEEP_LINES``. A taller one may break (at least two rows on each page, ``_pagination.css``)
    rather than leave a third of a page empty before it, or before the heading it follows."""
    rows = len(block.rows if isinstance(block, Table) else block.items)
    # three rows or fewer cannot keep two on each page
    return rows <= 3 or (rows <= KEEP_ROWS and table_lines(block) <= KEEP_LINES)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 sponsor``, ``2 sponsors``."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def full_stop(text: str) -> str:
    """``text`` as the end of a sentence: a full stop after it, unless it ends one already (a note
    typed with its own full stop, a title ending in a question mark)."""
    return text if str(text).rstrip().endswith((".", "!", "?", "\u2026")) else text + "."


def filters() -> dict[str, Any]:
    from briefing.data.model import format_date

    return {"md": markdown, "mdi": markdown_inline, "date": format_date, "money": format_money,
            "column_aligns": column_aligns, "column_widths": column_widths, "plural": plural,
            "people_widths": people_widths, "keeps_whole": keeps_whole, "full_stop": full_stop}
