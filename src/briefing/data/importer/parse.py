"""A briefing document's lines as elements: headings, paragraphs, lists and skipped page furniture.

Two spellings of the same shape are read: plain text (numbered headings ``1.``/``1.1``, headings in
capitals, bullets ``•``) and Markdown (``#`` headings, ``-``/``*`` bullets). Nothing here decides what
an element means for the sponsor file; ``assemble`` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Heading:
    line: int
    depth: int  # 1 section, 2 subsection, 3 a minor heading; Markdown: the number of '#'
    text: str
    number: str | None = None  # "2" or "2.1" as the document numbers it
    markdown: bool = False


@dataclass
class Para:
    line: int
    text: str  # the paragraph's lines joined by single spaces


@dataclass
class Items:
    line: int
    items: list[tuple[int, str]] = field(default_factory=list)  # (line, text) per bullet


@dataclass
class Skipped:
    line: int
    text: str
    why: str


Element = Heading | Para | Items | Skipped

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+(\S.*)$")
_BULLET = re.compile(r"^(\s*)(?:[•·▪‣◦●■□–]|[-*+](?=\s))\s*(.*)$")
_FURNITURE = re.compile(r"^\s*(?:[←→«»↑]|back to\b|page \d+( of \d+)?\s*$)", re.IGNORECASE)
_RULE = re.compile(r"^\s*([-=_*~])(\s*\1){2,}\s*$")
_END = re.compile(r"^\W*end of (the )?(report|document|briefing)\W*$", re.IGNORECASE)
_TERMINAL = (".", ":", ";", ",", "!", "?")
HEADING_LENGTH = 120  # longer lines are sentences, not headings


def is_markdown(lines: list[str], suffix: str = "") -> bool:
    """Markdown when the file says so (.md), or when it has '#' headings at two places or more (one
    line starting with '#' in a text file is more likely a hash than a heading)."""
    if suffix.lower() in (".md", ".markdown"):
        return True
    return sum(bool(_MD_HEADING.match(line)) for line in lines) >= 2


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _plain_heading(text: str, line: int, alone: bool) -> Heading | None:
    """A plain-text heading: numbered ("2.1 Geopolitical Challenges"), or in capitals, or (minor)
    a short line on its own without closing punctuation ("Tokyo 2020 (Summer)")."""
    stripped = text.strip()
    if len(stripped) > HEADING_LENGTH or stripped.endswith(_TERMINAL):
        return None
    numbered = _NUMBERED.match(stripped)
    if numbered and (numbered.group(2)[0].isupper() or _caps(numbered.group(2))):
        number = numbered.group(1)
        return Heading(line, number.count(".") + 1, numbered.group(2).strip(), number)
    if not alone:
        return None
    if _caps(stripped):
        return Heading(line, 1, stripped)
    if (stripped[0].isupper() or stripped[0].isdigit()) and len(stripped) <= 80:
        return Heading(line, 3, stripped)
    return None


def _furniture(text: str) -> str | None:
    if _FURNITURE.match(text):
        return "page navigation"
    if _RULE.match(text):
        return "a separator line"
    return None


def _groups(lines: list[str]) -> list[list[tuple[int, str]]]:
    groups: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, text in enumerate(lines, 1):
        if text.strip():
            current.append((number, text.rstrip()))
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _split_group(group: list[tuple[int, str]], markdown: bool) -> list[Element]:
    """One run of non-blank lines: headings stand alone, bullets (with their continuation lines)
    make one list, other lines make paragraphs."""
    out: list[Element] = []
    para: list[tuple[int, str]] = []
    items: Items | None = None

    def flush_para() -> None:
        if para:
            out.append(Para(para[0][0], " ".join(t.strip() for _, t in para)))
            para.clear()

    for i, (number, text) in enumerate(group):
        why = _furniture(text)
        md = _MD_HEADING.match(text) if markdown else None
        heading = None if markdown else _plain_heading(text, number, alone=len(group) == 1)
        if i > 0 and not markdown and heading is not None and heading.number is None:
            heading = None  # only numbered headings may open a run of lines
        bullet = _BULLET.match(text)
        if why:
            flush_para()
            items = None
            out.append(Skipped(number, text.strip(), why))
        elif md:
            flush_para()
            items = None
            numbered = _NUMBERED.match(md.group(2))
            number_, label = numbered.groups() if numbered else (None, md.group(2))
            out.append(Heading(number, len(md.group(1)), label.strip(), number_, markdown=True))
        elif heading is not None and not bullet:
            flush_para()
            items = None
            out.append(heading)
        elif bullet and bullet.group(2).strip():
            flush_para()
            if items is None:
                items = Items(number)
                out.append(items)
            items.items.append((number, bullet.group(2).strip()))
        elif items is not None and (text.startswith((" ", "\t")) or markdown):
            line, previous = items.items[-1]
            items.items[-1] = (line, f"{previous} {text.strip()}")
        else:
            items = None
            para.append((number, text))
    flush_para()
    return out


def parse(lines: list[str], markdown: bool) -> list[Element]:
    """The document's elements in reading order; everything after an "END OF REPORT" line is skipped."""
    out: list[Element] = []
    ended = False
    for group in _groups(lines):
        if ended:
            out += [Skipped(n, t.strip(), "after the end-of-report line") for n, t in group]
        elif len(group) == 1 and _END.match(group[0][1]):
            out.append(Skipped(group[0][0], group[0][1].strip(), "an end-of-report line"))
            ended = True
        else:
            out += _split_group(group, markdown)
    return out
