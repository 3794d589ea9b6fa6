"""Issue 24, 13: `audience:` on every item the model prints, found from the model itself, and
`validate` refuses a value withheld from a level but printed for that level elsewhere."""

from __future__ import annotations

import copy
import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from briefing.data import model as m
from briefing.data.audience import INHERITS, _leaves, view, walk_audience
from briefing.data.levels import Levels
from briefing.data.load import load_project
from briefing.errors import DataError

LEVELS = Levels(("public", "partner", "internal", "confidential"), "internal")

SPONSOR: dict[str, Any] = {
    "name": "Quux Quarries (fictional)", "as_of": "2026-05", "audience": "public",
    "partnership": {"programme": "Make-believe Programme", "joined": "2020-03", "through": 2030, "term": "10 years",
                    "value": {"amount": 5, "scale": "million"},
                    "announced": {"date": "2020-03-01", "where": "Nowhere", "how": "By invention"}},
    "summary": "Quux digs invented holes.",
    "key_figures": [{"label": "Holes dug", "value": "42"}],
    "sections": [{
        "title": "Everything", "blocks": [
            {"text": "Plain words.", "cite": ["src-a"]},
            {"figures": [{"label": "Sand", "value": "7"}]},
            {"people": {"items": [{"name": "Pat Pretend", "role": "Chair"}]}},
            {"timeline": [{"year": 2024, "label": "Make-believe 2024", "highlights": ["Invented highlight."]},
                          {"year": 2025, "label": "Make-believe 2025"}]},
        ],
        "subsections": [{"title": "More", "blocks": [{"text": "Sub words."}]}],
    }],
    "sources": [{"id": "src-a", "title": "Invented source"}],
}


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    """Every model class a sponsor file can hold, from the field annotations."""
    if model in seen:
        return seen
    seen.add(model)
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            kind = stack.pop()
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                _models(kind, seen)
            stack += list(typing.get_args(kind))
    return seen


def test_every_model_a_sponsor_holds_carries_audience_or_says_what_does():
    found = _models(m.Sponsor, set())
    missing = sorted(k.__name__ for k in found if "audience" not in k.model_fields and k not in INHERITS)
    assert not missing, f"add `audience` to these models or list them in audience.INHERITS: {missing}"
    assert {m.Partnership, m.Money, m.Announcement, m.TimelineEntry} <= {
        k for k in found if "audience" in k.model_fields}


def _set(data: Any, loc: tuple, key: str | int, value: Any) -> None:
    for part in loc:
        data = data[part]
    data[key] = value


CASES = [loc for loc, item in walk_audience(m.Sponsor.model_validate(SPONSOR))
         if loc and "audience" in type(item).model_fields]


@pytest.mark.parametrize("loc", CASES, ids=[".".join(map(str, loc)) for loc in CASES])
def test_an_item_marked_above_a_level_prints_nothing_of_itself_there(loc):
    """Generated from the model: each item that can carry `audience`, marked confidential, with a
    marker in its own text (or amount), is absent from the partner view and present in its own."""
    data = copy.deepcopy(SPONSOR)
    item = m.Sponsor.model_validate(data)
    for part in loc:
        item = item[part] if isinstance(part, int) else getattr(item, part)
    if isinstance(item, m.Money):  # a deal value prints its amount
        _set(data, loc, "amount", 9876.5)
        marker = "9876.5"
    else:  # the first printed text under the item (not a date)
        where, _, _, _ = next(leaf for leaf in _leaves(item, loc, ())
                              if not re.match(r"^\d{4}(-\d\d){0,2}$", leaf[2]))
        _set(data, where[:-1], where[-1], "Zqxmarker")
        marker = "Zqxmarker"
    _set(data, loc, "audience", "confidential")
    sponsor = m.Sponsor.model_validate(data)
    partner = json.dumps(view(sponsor, "partner", LEVELS).model_dump(mode="json"))
    top = json.dumps(view(sponsor, "confidential", LEVELS).model_dump(mode="json"))
    assert marker in top
    assert marker not in partner


# --- the case: a deal value hidden as a card but printed from partnership.value -------------

SPONSOR_YAML = """\
name: Pretend Deals (fictional)
as_of: 2026-05
audience: public
partnership:
  joined: 2020
  through: 2030
  value: {{amount: 240, scale: million, approximate: true{value_audience}}}
key_figures:
  - {{label: Members, value: "12"}}
  - {{label: Reach, value: "3 countries"}}
  - {{label: Deal value, value: "~$240 million", audience: internal}}
"""


def _project(tmp_path: Path, value_audience: str) -> Path:
    data = tmp_path / "data"
    (data / "sponsors").mkdir(parents=True)
    (data / "book.yaml").write_text("title: Pretend Book\norganisation: Pretend Org (fictional)\n"
                                    "edition: 2026-11-01\n")
    (data / "sponsors" / "pretend-deals.yaml").write_text(SPONSOR_YAML.format(value_audience=value_audience))
    return data


def test_a_value_withheld_as_a_card_but_printed_from_partnership_value_is_refused(tmp_path):
    data = _project(tmp_path, "")
    with pytest.raises(DataError) as err:
        load_project(data)
    text = str(err.value)
    assert "pretend-deals.yaml:11:" in text
    assert ("'~$240 million' is withheld from partner by key_figures[2].value but printed for partner by "
            "partnership.value at line 7; restrict both") in text


def test_restricting_both_passes_and_the_partner_view_has_neither(tmp_path):
    data = _project(tmp_path, ", audience: internal")
    project = load_project(data)
    sponsor = project.sponsors["pretend-deals"]
    levels = project.levels
    partner = view(sponsor, "partner", levels)
    assert partner.partnership is not None and partner.partnership.value is None
    assert "240" not in json.dumps(partner.model_dump(mode="json"))
    assert view(sponsor, "internal", levels).partnership.value.amount == 240


def test_the_whole_partnership_can_carry_audience(tmp_path):
    data = _project(tmp_path, ", audience: internal")
    path = data / "sponsors" / "pretend-deals.yaml"
    path.write_text(path.read_text().replace("  through: 2030\n", "  through: 2030\n  audience: internal\n"))
    project = load_project(data)
    assert view(project.sponsors["pretend-deals"], "partner", project.levels).partnership is None
