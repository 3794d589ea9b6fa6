"""Audience levels: one source, one edition per level, nothing above the level in it.

``view(sponsor, level, levels)`` returns the sponsor as a reader of ``level`` may see it, or
None when the sponsor itself is above that level. It runs before anything is rendered, so
templates, outline numbers, contents, bookmarks, watch list, sources, change lines and the
email body all see only what the level allows: a withheld item leaves no empty heading, no
exhibit-number gap and no source cited only by withheld text (citations renumber).

An item's level is the strictest on its path: a block inside a `confidential` section is
confidential whatever the block says, so a heading never appears without its text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from briefing.data import model as m
from briefing.data.levels import Levels
from briefing.data.model import Block, Money, Recipient, Section, Sponsor, Subsection, format_money, walk_blocks
from briefing.data.project import Project
from briefing.errors import Problem, field_path

if TYPE_CHECKING:
    from briefing.data.yamlsafe import Located


# models with no `audience` of their own, and what carries it for them (tests check that every
# other model a sponsor file can hold has one, so a new model is not printed for every level unseen)
INHERITS: dict[type[BaseModel], str] = {
    m.Callout: "its block (one callout per block)", m.Table: "its block", m.Chart: "its block",
    m.Quote: "its block", m.People: "its block; each person has their own",
    m.Column: "its table's block", m.Series: "its chart's block", m.Brand: "the sponsor (colour and logo)",
}


def sponsor_level(sponsor: Sponsor, levels: Levels) -> str:
    return sponsor.audience or levels.base


# --- the view -------------------------------------------------------------------------------

def _block(block: Block, level: str, levels: Levels, sources: set[str]) -> Block | None:
    """The block as ``level`` sees it: withheld cards and people removed, dead citations dropped."""
    update: dict[str, object] = {}
    if block.figures is not None:
        figures = [f for f in block.figures if levels.allows(level, f.audience)]
        if not figures:
            return None
        update["figures"] = figures
    if block.people is not None:
        people = [p for p in block.people.items if levels.allows(level, p.audience)]
        if not people:
            return None
        update["people"] = block.people.model_copy(update={"items": people})
    if block.timeline is not None:
        entries = [e for e in block.timeline if levels.allows(level, e.audience)]
        if not entries:
            return None
        update["timeline"] = entries
    if block.bullets is not None:
        bullets = _items(block.bullets, level, levels)
        if not bullets:
            return None
        update["bullets"] = bullets
    if block.table is not None:
        rows = _items(block.table.rows, level, levels)
        if not rows:
            return None  # a table with no row left is no exhibit
        update["table"] = block.table.model_copy(update={"rows": rows})
    update["cite"] = [c for c in block.cite if c in sources]
    return block.model_copy(update=update)


def _blocks(blocks: list[Block], level: str, levels: Levels, sources: set[str]) -> list[Block]:
    kept = [_block(b, level, levels, sources) for b in blocks if levels.allows(level, b.audience)]
    return [b for b in kept if b is not None]


def _subsection(sub: Subsection, level: str, levels: Levels, sources: set[str]) -> Subsection | None:
    if not levels.allows(level, sub.audience):
        return None
    blocks = _blocks(sub.blocks, level, levels, sources)
    return sub.model_copy(update={"blocks": blocks}) if blocks else None


def _section(section: Section, level: str, levels: Levels, sources: set[str]) -> Section | None:
    if not levels.allows(level, section.audience):
        return None
    blocks = _blocks(section.blocks, level, levels, sources)
    subs = [s for s in (_subsection(x, level, levels, sources) for x in section.subsections) if s is not None]
    if not blocks and not subs:
        return None  # no empty heading for a section whose every item is withheld
    return section.model_copy(update={"blocks": blocks, "subsections": subs})


def _cited(sponsor: Sponsor) -> set[str]:
    return {c for _, b in walk_blocks(sponsor) for c in b.cite}


def view(sponsor: Sponsor, level: str, levels: Levels) -> Sponsor | None:
    """``sponsor`` as a reader of ``level`` may see it; None when the sponsor is above the level."""
    own = sponsor_level(sponsor, levels)
    if not levels.allows(level, own):
        return None
    readable = {s.id for s in sponsor.sources if levels.allows(level, s.audience)}
    sections = [s for s in (_section(x, level, levels, readable) for x in sponsor.sections) if s is not None]
    shown = sponsor.model_copy(update={"sections": sections})
    cited_before, cited_now = _cited(sponsor), _cited(shown)
    # a source only withheld text cited goes too; one nothing ever cited stays (a reading list)
    sources = [s for s in sponsor.sources
               if s.id in readable and (s.id in cited_now or s.id not in cited_before)]
    shown = shown.model_copy(update={
        "key_figures": [f for f in sponsor.key_figures if levels.allows(level, f.audience)],
        "sources": sources,
        "attachments": [a for a in sponsor.attachments if levels.allows(level, a.audience)],
    })
    shown = _prune(shown, level, levels)
    if isinstance(shown.summary, list):  # paragraphs written one by one print as one summary
        shown = shown.model_copy(update={"summary": m.paragraphs(shown.summary) or None})
    return shown


def _kept(value: BaseModel, level: str, levels: Levels) -> Any:
    """A model as ``level`` sees it: None when withheld, a marked item's plain value, or pruned."""
    if not levels.allows(level, getattr(value, "audience", None)):
        return None
    return value.plain if isinstance(value, m.Marked) else _prune(value, level, levels)


def _items(values: list[Any], level: str, levels: Levels) -> list[Any]:
    """A list as ``level`` sees it: withheld items gone, the others plain or pruned."""
    kept = [_kept(v, level, levels) if isinstance(v, BaseModel) else v for v in values]
    return [v for v in kept if v is not None]


def _prune(item: BaseModel, level: str, levels: Levels) -> Any:
    """Everything else that can carry ``audience`` (the partnership, its value, its announcement,
    a key point, a category, a table's note, a highlight, any item a model adds later), found from
    the model's fields: withheld -> gone; an item written as a mapping -> its plain value."""
    update: dict[str, Any] = {}
    for name in type(item).model_fields:
        value = getattr(item, name)
        if isinstance(value, BaseModel):
            kept = _kept(value, level, levels)
            if kept is not value:
                update[name] = kept
        elif isinstance(value, list) and any(isinstance(v, BaseModel) for v in value):
            kept_list = _items(value, level, levels)
            if len(kept_list) != len(value) or any(a is not b for a, b in zip(kept_list, value, strict=False)):
                update[name] = kept_list
    return item.model_copy(update=update) if update else item


def view_all(sponsors: dict[str, Sponsor], level: str, levels: Levels) -> dict[str, Sponsor]:
    """Every sponsor a reader of ``level`` may see, filtered, in the same order."""
    found = {slug: view(s, level, levels) for slug, s in sponsors.items()}
    return {slug: s for slug, s in found.items() if s is not None}


def project_view(project: Project, level: str) -> Project:
    """The project as ``level`` sees it: what every later step (print, book, mail) is given."""
    levels = project.levels
    sponsors = view_all(project.sponsors, levels.check(level), levels)
    return dataclasses.replace(project, sponsors=sponsors, files={s: project.files[s] for s in sponsors})


# --- checking the data ----------------------------------------------------------------------

Loc = tuple[str | int, ...]


def walk_audience(item: BaseModel, loc: Loc = ()) -> Iterator[tuple[Loc, BaseModel]]:
    """Every model inside ``item`` (itself first) with its field path, from the model's own fields."""
    yield loc, item
    for name in type(item).model_fields:
        value = getattr(item, name)
        if isinstance(value, BaseModel):
            yield from walk_audience(value, (*loc, name))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, BaseModel):
                    yield from walk_audience(v, (*loc, name, i))


def audience_marks(sponsor: Sponsor) -> list[tuple[tuple[str | int, ...], str | None]]:
    """Every `audience` field of a sponsor, with its field path (None where the file sets none)."""
    return [((*loc, "audience"), getattr(item, "audience", None)) for loc, item in walk_audience(sponsor)
            if "audience" in type(item).model_fields]


def unknown_levels(marks: list[tuple[Loc, str | None]], located: Located, levels: Levels) -> list[Problem]:
    """A level book.yaml does not define would silently hide (or show) an item: refuse it, located.
    ``marks``: the sponsor's ``audience_marks``."""
    problems = []
    for loc, level in marks:
        if level is not None and level not in levels.order:
            line, col = located.where(loc)
            problems.append(Problem(located.file, f"unknown audience level '{level}'; use one of "
                                    f"{', '.join(levels.order)} (book.yaml `levels`)", line, col,
                                    field_path(loc)))
    return problems


# fields that are never printed as a value a reader could recognise elsewhere
_NOT_VALUES = frozenset({"audience", "cite", "id", "url", "file", "align", "kind", "severity", "leadership",
                         "approximate", "currency", "scale", "logo", "colour", "usd_rate", "highlight"})
_VALUE_FIELDS = frozenset({"value", "change", "amount"})  # a figure, a deal value: recognisable when short
_PROSE = 30  # a withheld sentence at least this long, quoted verbatim elsewhere, is a leak too


def _leaves(item: BaseModel, loc: Loc, marks: tuple[str | None, ...]) -> Iterator[tuple[Loc, tuple, str, bool]]:
    """(path, audience marks on the path, printed text, is a value) for every printed leaf."""
    marks = (*marks, getattr(item, "audience", None))
    for name in type(item).model_fields:
        if name in _NOT_VALUES:
            continue
        value = getattr(item, name)
        if isinstance(value, Money):
            here = marks + (value.audience,)
            yield (*loc, name), here, format_money(value), True
        elif isinstance(value, BaseModel):
            yield from _leaves(value, (*loc, name), marks)
        elif isinstance(value, str):
            yield (*loc, name), marks, value, name in _VALUE_FIELDS
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, BaseModel):
                    yield from _leaves(v, (*loc, name, i), marks)
                elif isinstance(v, str):
                    yield (*loc, name, i), marks, v, False
                elif isinstance(v, list):  # table rows
                    yield from (((*loc, name, i, j), marks, c, False) for j, c in enumerate(v) if isinstance(c, str))


def _pattern(text: str) -> re.Pattern[str]:
    head = r"(?<![\w.])" if text[0].isalnum() else ""
    tail = r"(?![\w])" if text[-1].isalnum() else ""
    return re.compile(head + re.escape(text) + tail)


def leaks(sponsor: Sponsor, located: Located, levels: Levels,
          marks: list[tuple[Loc, str | None]] | None = None) -> list[Problem]:
    """A value withheld from a level but printed for the same level elsewhere, word for word: the
    `audience` mark hides nothing. Each such pair is refused, located at both places. ``marks``:
    the sponsor's ``audience_marks``, when the caller has them."""
    if not any(level for _, level in (audience_marks(sponsor) if marks is None else marks)):
        return []  # a file that sets no level withholds nothing, so nothing in it can leak
    leaves = list(_leaves(sponsor, (), (levels.base if sponsor.audience is None else None,)))
    # the lowest level that may read each leaf: its most restrictive mark
    needs = [max((levels.rank(m) for m in marks if m is not None), default=-1) for _, marks, _, _ in leaves]
    # what could be recognised elsewhere: a figure with a digit in it, or a sentence
    telling = [(loc, text, need) for (loc, _, raw, is_value), need in zip(leaves, needs, strict=True)
               if (text := raw.strip()) and (is_value and any(c.isdigit() for c in text) or len(text) >= _PROSE)]
    found: dict[tuple[Loc, Loc], str] = {}
    patterns: dict[str, re.Pattern[str]] = {}  # compiled once a sponsor: re's own cache holds 512
    for rank, level in reversed(list(enumerate(levels.order))):
        visible = [(loc, text) for (loc, _, text, _), need in zip(leaves, needs, strict=True) if need <= rank]
        for loc, text, need in telling if visible else ():
            if need <= rank:
                continue
            # the text itself must be there for the pattern to match: the regex only where it is
            for where, shown in [(w, s) for w, s in visible if text in s and (loc, w) not in found]:
                pattern = patterns.get(text) or patterns.setdefault(text, _pattern(text))
                if pattern.search(shown):
                    found[loc, where] = level
    problems = []
    for (loc, where), level in found.items():
        line, col = located.where(loc)
        other, _ = located.where(where)
        text = next(t for lc, _, t, _ in leaves if lc == loc).strip()
        shown = text if len(text) <= 60 else text[:57] + "..."
        problems.append(Problem(located.file, f"'{shown}' is withheld from {level} by {field_path(loc)} but printed "
                                f"for {level} by {field_path(where)} at line {other}; restrict both (`audience:`)",
                                line, col, field_path(loc)))
    return problems


def unknown_clearances(recipients: list[Recipient], located: Located, levels: Levels) -> list[Problem]:
    problems = []
    for i, r in enumerate(recipients):
        if r.clearance is not None and r.clearance not in levels.order:
            line, col = located.where(("recipients", i, "clearance"))
            problems.append(Problem(located.file, f"unknown clearance '{r.clearance}'; use one of "
                                    f"{', '.join(levels.order)}", line, col, f"recipients[{i}].clearance"))
    return problems


def uses_levels(project: Project) -> bool:
    """Does this project use audience levels at all? Only then do pages name their level, so a
    project without them prints exactly as before."""
    book = project.book
    if {"levels", "default_audience", "approvals"} & book.model_fields_set:
        return True
    everyone = project.distribution.recipients if project.distribution else []
    if any(r.clearance for r in everyone):
        return True
    return any(level for s in project.sponsors.values() for _, level in audience_marks(s))


def label(level: str) -> str:
    """How the cover and footer name an edition's level."""
    return f"{level.replace('-', ' ').capitalize()} edition"
