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
from typing import TYPE_CHECKING

from briefing.data.levels import Levels
from briefing.data.model import Block, Recipient, Section, Sponsor, Subsection, walk_blocks
from briefing.data.project import Project
from briefing.errors import Problem, field_path

if TYPE_CHECKING:
    from briefing.data.yamlsafe import Located


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
    return shown.model_copy(update={
        "key_figures": [f for f in sponsor.key_figures if levels.allows(level, f.audience)],
        "sources": sources,
        "attachments": [a for a in sponsor.attachments if levels.allows(level, a.audience)],
    })


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

def _marks(sponsor: Sponsor) -> list[tuple[tuple[str | int, ...], str | None]]:
    """Every `audience` a sponsor file sets, with its field path."""
    found: list[tuple[tuple[str | int, ...], str | None]] = [(("audience",), sponsor.audience)]
    for i, section in enumerate(sponsor.sections):
        found.append((("sections", i, "audience"), section.audience))
        found += [(("sections", i, "subsections", j, "audience"), s.audience)
                  for j, s in enumerate(section.subsections)]
    for place, block in walk_blocks(sponsor):
        found.append(((*place.loc, "audience"), block.audience))
        for k, f in enumerate(block.figures or []):
            found.append(((*place.loc, "figures", k, "audience"), f.audience))
        for k, p in enumerate(block.people.items if block.people else []):
            found.append(((*place.loc, "people", "items", k, "audience"), p.audience))
    for name, items in (("key_figures", sponsor.key_figures), ("sources", sponsor.sources),
                        ("attachments", sponsor.attachments)):
        found += [((name, k, "audience"), item.audience) for k, item in enumerate(items)]
    return found


def unknown_levels(sponsor: Sponsor, located: Located, levels: Levels) -> list[Problem]:
    """A level book.yaml does not define would silently hide (or show) an item: refuse it, located."""
    problems = []
    for loc, level in _marks(sponsor):
        if level is not None and level not in levels.order:
            line, col = located.where(loc)
            problems.append(Problem(located.file, f"unknown audience level '{level}'; use one of "
                                    f"{', '.join(levels.order)} (book.yaml `levels`)", line, col,
                                    field_path(loc)))
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
    return any(level for s in project.sponsors.values() for _, level in _marks(s))


def label(level: str) -> str:
    """How the cover and footer name an edition's level."""
    return f"{level.replace('-', ' ').capitalize()} edition"
