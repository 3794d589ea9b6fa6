"""Preflight: what a designer would catch on the printed pages, pointed back at the YAML.

Runs on WeasyPrint's laid-out boxes (``Document.pages[i]._page_box``), right after a chapter
is printed, so it sees the real pages rather than guessing from text. Every finding reads
``FILE:LINE: sponsor › section: problem``; the build prints them as warnings, and
``briefing build --strict`` fails on any of them.

Blocks and headings carry ``data-src`` (their path in the sponsor file, e.g.
``sections[1].subsections[0].blocks[2]``); the loader's ``Located`` turns that into a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefing.data.model import BLOCK_KINDS, Sponsor, walk_blocks
from briefing.render.chart_specs import TIMELINE
from briefing.render.exhibits import exhibit_findings
from briefing.render.markup import SHY, plain

NEAR_EMPTY = 1 / 3  # a page less full than this is near-empty (cover, contents and last page aside)
REPEAT_WORDS = 20  # a passage this long printed twice is a repeat
SLACK = 1.5  # CSS px of rounding allowed before a box counts as overflowing
# never split across pages: each block kind names its parts in its record; the at-a-glance
# page adds its key-figure cards and risk lines
_KEEP_WHOLE = {"card", "risk-line"}.union(*(k.keep_whole for k in BLOCK_KINDS.values()))
_HEADINGS = {"h1", "h2", "h3"}
_HYPHENATION = "\u2010"  # the hyphenate-character WeasyPrint draws at a hyphenation break
_PATH_PART = re.compile(r"(\w+)(?:\[(\d+)\])?")


@dataclass(frozen=True)
class Finding:
    src: str  # data path, e.g. "sections[1].blocks[0]"; "" when it is about the whole document
    problem: str
    also: str | None = None  # another data path the problem involves ("{also}" in `problem`)


@dataclass
class _Where:
    """The box-tree walk's position: the nearest data path and the element being walked."""

    src: str = ""
    element: Any = None
    tags: tuple[str, ...] = ()


@dataclass
class _Page:
    index: int
    top: float
    bottom: float  # of the page's content area
    right: float
    lowest: float = 0.0  # bottom of the lowest line or image
    lines: list[tuple[Any, _Where]] = field(default_factory=list)
    wholes: dict[int, str] = field(default_factory=dict)  # id(element) -> src, of keep-whole elements
    headings: list[tuple[Any, str]] = field(default_factory=list)


def _classes(box: Any) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None and hasattr(element, "get") else set()


def _walk(box: Any, where: _Where, page: _Page) -> None:
    from weasyprint.formatting_structure import boxes

    element = getattr(box, "element", None)
    if element is not None and element is not where.element and hasattr(element, "get"):
        src = element.get("data-src") or where.src
        where = _Where(src, element, (*where.tags, getattr(box, "element_tag", "")))
        if _classes(box) & _KEEP_WHOLE or (box.element_tag == "tr" and "thead" not in where.tags):
            page.wholes.setdefault(id(element), src)
        if box.element_tag in _HEADINGS and isinstance(box, boxes.BlockBox):
            page.headings.append((box, src))
    if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
        page.lowest = max(page.lowest, box.position_y + box.margin_height())
        page.lines.append((box, where))
    elif element is not None and hasattr(element, "get") and element.get("data-src"):
        page.lowest = max(page.lowest, box.position_y + box.border_height())  # a block fills to its border
    for child in getattr(box, "children", []):
        _walk(child, where, page)


def _pages(document: Any) -> list[_Page]:
    pages = []
    for index, page in enumerate(document.pages):
        box = page._page_box  # noqa: SLF001 - WeasyPrint's laid-out boxes, as the issue asks
        top = box.content_box_y()
        laid = _Page(index, top, top + box.height, box.content_box_x() + box.width, lowest=top)
        for child in box.children:
            if type(child).__name__ != "MarginBox":
                _walk(child, _Where(), laid)
        pages.append(laid)
    return pages


# --- the checks ---------------------------------------------------------------------------

def _near_empty(pages: list[_Page], skip: set[int]) -> Iterator[Finding]:
    for page in pages[:-1]:
        if page.index in skip:
            continue
        fill = (page.lowest - page.top) / (page.bottom - page.top)
        if fill < NEAR_EMPTY:
            src = page.lines[-1][1].src if page.lines else ""
            yield Finding(src, f"page {page.index + 1} is near-empty ({fill:.0%} full)")


def _stranded(pages: list[_Page]) -> Iterator[Finding]:
    for page in pages[:-1]:
        for heading, src in page.headings:
            below = heading.position_y + heading.margin_height()
            if below < (page.top + page.bottom) / 2:  # a heading alone at the top is an empty page's problem
                continue
            if not any(line.position_y >= below - SLACK for line, _ in page.lines):
                text = " ".join(_text(heading).split())
                yield Finding(src, f"heading '{text}' is stranded at the foot of page {page.index + 1}")


def _split(pages: list[_Page]) -> Iterator[Finding]:
    for page, after in zip(pages, pages[1:], strict=False):
        for element_id in page.wholes.keys() & after.wholes.keys():
            yield Finding(page.wholes[element_id], f"a table row, card or callout is split across "
                                                   f"pages {page.index + 1} and {after.index + 1}")


def _overflow(pages: list[_Page]) -> Iterator[Finding]:
    for page in pages:
        seen: set[str] = set()
        for line, where in page.lines:
            right = line.position_x + line.margin_width()
            low = line.position_y + line.margin_height()
            wide = max((c.position_x + c.margin_width() for c in getattr(line, "children", [])), default=right)
            if (max(right, wide) > page.right + SLACK or low > page.bottom + SLACK) and where.src not in seen:
                seen.add(where.src)
                yield Finding(where.src, f"content overflows the page on page {page.index + 1}")


def _text(box: Any) -> str:
    if hasattr(box, "text"):
        return box.text
    return "".join(_text(child) for child in getattr(box, "children", []))


def _hyphenated(pages: list[_Page]) -> Iterator[Finding]:
    """A capitalised word broken by hyphenation ("Presid-" + "ent"). A break at the word's own
    hyphen ("AI-" + "driven") is normal typesetting: WeasyPrint draws a hyphenation break with
    its hyphenate-character (U+2010), while the data's own hyphen is a hyphen-minus."""
    from weasyprint.formatting_structure import boxes

    for page in pages:
        for line, where in page.lines:
            if not isinstance(line, boxes.LineBox):
                continue
            raw = _text(line).rstrip()
            if raw.endswith(SHY):
                yield Finding(where.src, f"a word breaks at a soft hyphen with no hyphen drawn on page "
                                         f"{page.index + 1}: '{plain(raw).split()[-1]}'")
                continue
            text = plain(raw)
            word = text.split()[-1] if text.split() else ""
            if word.endswith(_HYPHENATION) and len(word) > 2 and word[0].isupper() and word[-2].isalpha():
                following = _next_line_word(page, line)
                if following and following[0].islower():  # "Presid-" + "ent": a broken name
                    yield Finding(where.src, f"capitalised word '{word}{following}' is hyphenated "
                                             f"on page {page.index + 1}")


def _next_line_word(page: _Page, line: Any) -> str:
    lines = [ln for ln, _ in page.lines]
    index = lines.index(line)
    if index + 1 < len(lines):
        words = plain(_text(lines[index + 1])).split()
        return words[0] if words else ""
    return ""


def _passages(pages: list[_Page]) -> dict[str, list[str]]:
    """The printed text of each data block, in reading order (lines joined)."""
    texts: dict[str, list[str]] = {}
    for page in pages:
        for line, where in page.lines:
            key = where.src or f"page{page.index}"
            texts.setdefault(key, []).append(plain(_text(line)))
    return texts


def _words(text: str) -> list[str]:
    # a line ending in a hyphenation hyphen joins the next line's first word
    text = re.sub(r"(\w)[-\u2010]\s*\n(\w)", r"\1\2", text)
    return re.findall(r"[\w’'%$~.,]+", text.lower())


def _repeated(pages: list[_Page]) -> Iterator[Finding]:
    first_seen: dict[tuple[str, ...], str] = {}
    reported: set[tuple[str, str]] = set()
    for src, lines in _passages(pages).items():
        words = _words("\n".join(lines))
        for i in range(len(words) - REPEAT_WORDS + 1):
            shingle = tuple(words[i:i + REPEAT_WORDS])
            earlier = first_seen.setdefault(shingle, src)
            if earlier != src and (earlier, src) not in reported:
                reported.add((earlier, src))
                yield Finding(src, f"a passage of {REPEAT_WORDS}+ words is printed twice "
                                   f"(also at {{also}}): '{' '.join(shingle[:8])} …'", also=earlier)


@lru_cache(maxsize=4)
def _shipped_cmap(fonts: tuple[Path, ...]) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency

    points: set[int] = set()
    for path in fonts:
        points |= set(TTFont(str(path), lazy=True).getBestCmap() or {})
    return frozenset(points)


def _missing_glyphs(document: Any, pages: list[_Page], fonts: tuple[Path, ...] | None) -> Iterator[Finding]:
    """A character drawn from a system font: the shipped fonts lack it, so another machine may
    print a box. Only looked for when a font outside the shipped families was used."""
    used = {getattr(font, "family", "") for font in getattr(document, "fonts", {}).values()}
    if fonts is None or all(family.startswith("Noto") for family in used):
        return
    shipped = _shipped_cmap(fonts)
    seen: set[str] = set()
    for page in pages:
        for line, where in page.lines:
            for char in _text(line):
                if ord(char) not in shipped and not char.isspace() and char not in seen and ord(char) > 0x20:
                    seen.add(char)
                    yield Finding(where.src, f"missing glyph: '{char}' (U+{ord(char):04X}) is not in the shipped "
                                             f"fonts, so it is drawn from a system font")


def chart_findings(overlaps: dict[str, list[str]], sponsor: Sponsor) -> list[Finding]:
    """Labels a chart draws over each other (``render.charts.overlapping_labels``): a chart is
    named by its block's path, the at-a-glance timeline by its timeline block's; and the exhibit
    rules of ``render.exhibits`` (the same values twice, one figure written two ways)."""
    timeline = next((place.path for place, block in walk_blocks(sponsor) if block.timeline is not None), "")
    found = [Finding(timeline if name == TIMELINE else name, f"chart labels overlap: {pair}")
             for name, pairs in overlaps.items() for pair in pairs]
    return found + [Finding(f.src, f.problem, f.also) for f in exhibit_findings(sponsor)]


def inspect(document: Any, skip_pages: set[int], fonts: tuple[Path, ...] | None = None) -> list[Finding]:
    """Every finding on a laid-out document; ``skip_pages`` (0-based) may be near-empty by design.
    Call it after ``write_pdf``, which records the fonts the missing-glyph check reads."""
    pages = _pages(document)
    found: list[Finding] = []
    for check in (_stranded, _split, _overflow, _hyphenated, _repeated):
        found += check(pages)
    found += _near_empty(pages, skip_pages)
    found += _missing_glyphs(document, pages, fonts)
    return found


# --- pointing at the YAML -----------------------------------------------------------------

def data_loc(src: str) -> tuple[str | int, ...]:
    """``sections[1].subsections[0].blocks[2]`` -> ``("sections", 1, "subsections", 0, "blocks", 2)``."""
    loc: list[str | int] = []
    for name, index in _PATH_PART.findall(src):
        loc.append(name)
        if index:
            loc.append(int(index))
    return tuple(loc)


def section_name(sponsor: Sponsor, src: str) -> str:
    """``2.2 Geopolitical challenges`` for a path inside that subsection; "" outside sections."""
    loc = data_loc(src)
    if len(loc) < 2 or loc[0] != "sections" or not isinstance(loc[1], int) or loc[1] >= len(sponsor.sections):
        return "front pages"
    section = sponsor.sections[loc[1]]
    name = f"{loc[1] + 1} {section.title}"
    if len(loc) >= 4 and loc[2] == "subsections" and isinstance(loc[3], int) and loc[3] < len(section.subsections):
        name = f"{loc[1] + 1}.{loc[3] + 1} {section.subsections[loc[3]].title}"
    return name


def lines_for(findings: list[Finding], *, data_file: str, sponsor: Sponsor, located: Any) -> list[str]:
    """``FILE:LINE: sponsor › section: problem``, one per finding."""
    def line_of(src: str) -> int:
        return (located.where(data_loc(src))[0] if located is not None else None) or 1

    out = []
    for f in findings:
        problem = f.problem
        if f.also is not None:
            problem = problem.replace("{also}", f"line {line_of(f.also)}" if f.also else "the front pages")
        out.append(f"{data_file}:{line_of(f.src)}: {plain(sponsor.name)} › {section_name(sponsor, f.src)}: {problem}")
    return list(dict.fromkeys(out))
