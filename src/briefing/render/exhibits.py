"""Exhibit rules a reader notices (issue 23), checked on the data the exhibits print.

- Two exhibits that show the same values say the same thing twice: merge them.
- The same share is written the same way everywhere: "~4%" in one place and "4%" in another
  reads as two different figures.

The preflight (``documents/preflight.py``) reports what these find, pointed at the YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from briefing.data.model import Block, Sponsor, walk_blocks

MIN_SHARED = 2  # two exhibits with this many values, all the same, are one exhibit twice
_NUMBER = re.compile(r"(~?)(\d+(?:\.\d+)?)\s?%")


@dataclass(frozen=True)
class ExhibitFinding:
    src: str  # the data path of the exhibit (or key figure) it is about
    problem: str
    also: str | None = None  # another data path involved ("{also}" in `problem`)


def _cell_number(text: str) -> float | None:
    cleaned = text.replace(",", "").replace("~", "").replace("%", "").strip()
    try:
        return float(cleaned)
    except ValueError:
        return None


def exhibit_values(block: Block) -> tuple[float, ...]:
    """The numbers an exhibit shows, in order: a chart's values, a table's numeric cells."""
    if block.chart is not None:
        return tuple(float(v) for s in block.chart.series for v in s.values.values())
    if block.table is not None:
        return tuple(n for row in block.table.rows for cell in row if (n := _cell_number(cell)) is not None)
    return ()


def same_values(sponsor: Sponsor) -> Iterator[ExhibitFinding]:
    """Two exhibits (tables or charts) whose numbers are the same set, of at least two."""
    seen: dict[tuple[float, ...], str] = {}
    for place, block in walk_blocks(sponsor):
        if not block.spec.exhibit:
            continue
        values = exhibit_values(block)
        if len(values) < MIN_SHARED:
            continue
        key = tuple(sorted(values))
        if key in seen:
            shown = ", ".join(f"{v:g}" for v in values)
            yield ExhibitFinding(place.path, f"this exhibit shows the same values as the one at {{also}} "
                                             f"({shown}): merge them into one", also=seen[key])
        else:
            seen[key] = place.path


def _shares(sponsor: Sponsor) -> Iterator[tuple[str, float, bool]]:
    """(data path, share in %, written with "~") of every share printed in key figures and exhibits."""
    for i, figure in enumerate(sponsor.key_figures):
        for match in _NUMBER.finditer(figure.value):
            yield f"key_figures[{i}]", float(match.group(2)), bool(match.group(1))
    for place, block in walk_blocks(sponsor):
        if block.table is not None:
            for row in block.table.rows:
                for cell in row:
                    if (match := _NUMBER.fullmatch(cell.strip())) is not None:
                        yield place.path, float(match.group(2)), bool(match.group(1))
        chart = block.chart
        if chart is not None and chart.unit.strip().startswith("%"):
            for series in chart.series:
                for label, value in series.values.items():
                    approx = chart.approximate is True or (isinstance(chart.approximate, list)
                                                           and label in chart.approximate)
                    yield place.path, float(value), approx


def mixed_notation(sponsor: Sponsor) -> Iterator[ExhibitFinding]:
    """A share printed as "~4%" in one exhibit or key figure and as "4%" in another."""
    first: dict[tuple[float, bool], str] = {}
    reported: set[float] = set()
    for src, share, approx in _shares(sponsor):
        first.setdefault((share, approx), src)
        other = first.get((share, not approx))
        if other is not None and other != src and share not in reported:
            reported.add(share)
            written, elsewhere = (f"~{share:g}%", f"{share:g}%") if approx else (f"{share:g}%", f"~{share:g}%")
            yield ExhibitFinding(src, f"{written} is written {elsewhere} at {{also}}: write the same figure "
                                      f"the same way everywhere", also=other)


def exhibit_findings(sponsor: Sponsor) -> list[ExhibitFinding]:
    return [*same_values(sponsor), *mixed_notation(sponsor)]
