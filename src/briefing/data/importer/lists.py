"""What a list in the document becomes: people, a table (and a chart), or bullets.

Every decision here is a guess the editor hears about (``Note``): a list of ``Name: value`` lines
read as people or as a table, a line split at " - " into items, a chart drawn from a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from briefing.data.importer.text import escape, first_sentence, split_label, unmark

Path_ = tuple[str | int, ...]


@dataclass
class Note:
    """One guess, located in the document and (relative to its block) in the sponsor file."""

    line: int
    what: str
    check: str
    path: Path_ = ()


@dataclass
class Piece:
    """A block of the sponsor file and the document line it starts at."""

    block: dict[str, Any]
    line: int
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class Style:
    markdown: bool  # the document is Markdown: its text is kept as written, not escaped
    document: str  # the document's file name, for a chart's source line

    def md(self, text: str) -> str:
        return text if self.markdown else escape(text)

    def line(self, text: str) -> str:
        return unmark(text) if self.markdown else text.strip()


_PEOPLE_HEADINGS = re.compile(r"leader|executive|people|ambassador|team|contact|decision|board|management|officer",
                              re.IGNORECASE)
_LEADERS = re.compile(r"leader|executive|management|board", re.IGNORECASE)
_ROLE_WORDS = re.compile(r"^(CEO|CFO|CTO|COO|Chief|President|Vice|Director|Chair|Head|Founder|Co-founder|"
                         r"Executive|Managing|General|Senior|Partner|Secretary|Treasurer)\b")
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’.-])*")  # a word of a name: "Wile", "E.", "O'Neil", "Smith-Jones"
_NAME_ROLE = re.compile(r"^(?P<name>[^()]{2,80}?)\s*\((?P<role>[^()]{1,120})\)$")
_AMOUNT = re.compile(r"^(?P<approx>~\s?|approximately |about |around )?(?P<pre>(?:RMB|CNY|USD|EUR|GBP|US\$|\$|€|£)"
                     r"\s?)?(?P<num>\d[\d,]*(?:\.\d+)?)(?P<post>\s?%|\s(?:thousand|million|billion|trillion)\b)?")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def person_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and all(_WORD.fullmatch(w) and w[0].isupper() for w in words)


def bullet(label_value: tuple[str, str] | None, text: str, style: Style) -> str:
    """A bullet as Markdown: a ``Label: value`` line keeps its words, its label set in bold."""
    if label_value is None:
        return style.md(text)
    label, value = label_value
    return f"**{style.md(style.line(label))}:** {style.md(value)}"


def _people(items: list[tuple[int, str]], labelled: list[tuple[str, str]], title: str | None,
            style: Style) -> dict[str, Any] | None:
    people = []
    for (label, value) in labelled:
        role, rest = first_sentence(value)
        role = role.removesuffix(".")
        if len(role) > 300:
            return None
        person: dict[str, Any] = {"name": style.line(label), "role": style.line(role)}
        if rest:
            person["notes"] = style.md(rest)
        people.append(person)
    block: dict[str, Any] = {"items": people}
    if title:
        block = {"title": title, **block}
    return {"people": block}


def _amount(value: str) -> tuple[str, str, bool] | None:
    """A value that is one number with its unit: (number, unit, approximate)."""
    match = _AMOUNT.match(value)
    if not match:
        return None
    unit = " ".join(p.strip() for p in (match.group("pre"), match.group("post")) if p and p.strip())
    if not unit:
        return None
    return match.group("num").replace(",", ""), unit.replace("US$", "$"), bool(match.group("approx"))


def _chart(rows: list[tuple[str, str]], title: str | None, line: int, style: Style) -> tuple[dict | None, Note]:
    """A bar chart of the table's values when each is a number with the same unit; else why not."""
    amounts = [_amount(value) for _, value in rows]
    if any(a is None for a in amounts) or len({a[1] for a in amounts if a}) != 1:
        return None, Note(line, "no chart: the values are not all numbers with one unit", "nothing to do")
    labels = [label for label, _ in rows]
    period = re.search(r"\(([^()]+)\)\s*$", title or "")
    years = _YEAR.findall(period.group(1)) if period else []
    if not title or not period or not years or len(set(labels)) != len(labels):
        return None, Note(line, "no chart: the values are numbers with one unit, but the list's lead line gives "
                          "no title with a period in brackets (or labels repeat)",
                          "add a chart by hand if one helps (docs/data-format.md, chart)")
    approximate = [label for label, a in zip(labels, amounts, strict=True) if a and a[2]]
    unit = amounts[0][1]  # type: ignore[index]
    chart: dict[str, Any] = {
        "kind": "bar", "title": title, "unit": unit, "period": period.group(1), "source": style.document,
        "as_of": max(years)}
    if approximate:
        chart["approximate"] = "yes" if len(approximate) == len(labels) else approximate
    chart["series"] = [{"values": {label: a[0] for label, a in zip(labels, amounts, strict=True) if a}}]
    return {"chart": chart}, Note(line, f"drew a bar chart of the table ({unit}); title and period from the lead "
                                  f"line, as_of {max(years)} from the period",
                                  "check the title says the finding, and set `highlight` if one bar matters")


def _table(labelled: list[tuple[str, str]], title: str | None, line: int, style: Style) -> list[Piece]:
    split = [(label, *first_sentence(value)) for label, value in labelled]
    notes = any(rest for _, _, rest in split)
    columns: list[Any] = ["Name", "Value"] + ([{"name": "Notes", "align": "left"}] if notes else [])
    rows = [[style.md(style.line(label)), style.md(first)] + ([style.md(rest) if rest else "–"] if notes else [])
            for label, first, rest in split]
    table: dict[str, Any] = {"columns": columns, "rows": rows}
    if title:
        table = {"title": title, **table}
    piece = Piece({"table": table}, line, [Note(
        line, f"read a list of {len(rows)} 'Name: value' lines with numbers as a table; the column headings "
        f"({', '.join(c if isinstance(c, str) else c['name'] for c in columns)}) are placeholders",
        "check the split and rename the columns (e.g. 'Provider', 'Market share')", ("table", "columns"))])
    chart, note = _chart([(style.line(label), first) for label, first, _ in split], title, line, style)
    pieces = [piece]
    if chart:
        pieces.append(Piece(chart, line, [Note(note.line, note.what, note.check)]))
    return pieces


def list_blocks(items: list[tuple[int, str]], intro: str | None, line: int, heading: str,
                style: Style) -> list[Piece]:
    """The blocks a list becomes; ``intro`` is the text that led an inline list ("Segment Revenue
    (FY2025):"), ``heading`` the (sub)section's title."""
    labelled = [split_label(text) for _, text in items]
    title = style.line(intro.rstrip().removesuffix(":")) if intro else None
    if title and len(title) > 300:
        title = None
    if all(labelled) and len(items) >= 2:
        pairs = [lv for lv in labelled if lv]
        names = all(person_name(style.line(label)) for label, _ in pairs)
        roles = all(_ROLE_WORDS.match(value) for _, value in pairs)
        if names and (roles or _PEOPLE_HEADINGS.search(heading)):
            block = _people(items, pairs, title, style)
            if block and _LEADERS.search(heading):
                block["people"]["leadership"] = "yes"  # the one-pager and at-a-glance page list these
            if block:
                lead = "; leadership, from the heading" if _LEADERS.search(heading) else ""
                return [Piece(block, line, [Note(line, f"read a list of {len(pairs)} 'Name: role' lines as people "
                                                 f"(role: the first sentence, notes: the rest{lead})",
                                                 "check each name is a person and each role is right",
                                                 ("people",))])]
        values = [first_sentence(value)[0] for _, value in pairs]
        if all(re.search(r"\d", v) for v in values) and any("%" in v for v in values):
            return _table(pairs, title, line, style)
    if all(labelled) and len(items) == 1 and person_name(style.line(labelled[0][0])) \
            and (_ROLE_WORDS.match(labelled[0][1]) or _PEOPLE_HEADINGS.search(heading)):
        block = _people(items, [labelled[0]], title, style)  # type: ignore[list-item]
        if block:
            return [Piece(block, line, [Note(line, "read a 'Name: role' line as a person",
                                             "check the name and the role", ("people",))])]
    pieces = []
    if intro:
        pieces.append(Piece({"text": style.md(intro)}, line))
    pieces.append(Piece({"bullets": [bullet(lv, text, style) for lv, (_, text) in zip(labelled, items, strict=True)]},
                        items[0][0]))
    return pieces


def inline_list(text: str) -> tuple[str, list[str]] | None:
    """A paragraph that is a list written on one line, items after " - ": (lead, items)."""
    parts = [p.strip() for p in text.split(" - ")]
    intro = parts[0]
    if len(parts) < 3 or len(intro) > 150 or re.search(r"[.!?]\s|[.!?]$", intro) or not all(parts):
        return None
    return intro, parts[1:]


def inline_people(intro: str, parts: list[str], line: int, style: Style) -> Piece | None:
    """``Lead - Name (Role) - notes - Name (Role) - notes``: ambassadors written on one line."""
    if len(parts) % 2:
        return None
    people = []
    for name_role, notes in zip(parts[::2], parts[1::2], strict=True):
        match = _NAME_ROLE.match(name_role)
        if not match or not person_name(style.line(match.group("name"))):
            return None
        people.append({"name": style.line(match.group("name")), "role": style.line(match.group("role")),
                       "notes": style.md(notes)})
    title = style.line(intro.removesuffix(":"))
    return Piece({"people": {"title": title, "items": people}}, line, [Note(
        line, f"split the line at ' - ' and read it as {len(people)} people (name, role in brackets, notes)",
        "check each name, role and note", ("people",))])
