"""Issue 24, 13 (and item 7): `audience:` on every item the model prints, found from the model
itself, plain text items included (written as a mapping to carry it), and `validate` refuses a
value withheld from a level but printed for that level elsewhere."""

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
    # plain text items are written plain or, to carry `audience`, as a mapping: each kind here once
    # in the mapping form (without a level: each case gives its item one)
    "tier": {"text": "Pretend Partner"}, "headline": {"text": "An invented quarry"},
    "categories": ["Gravel", {"text": "Sand"}],
    "summary": ["Quux digs invented holes.", {"text": "A second invented paragraph."}],
    "key_figures": [{"label": "Holes dug", "value": "42"}],
    "key_points": ["Invented point.", {"text": "Another invented point."}],
    "sections": [{
        "title": "Everything", "blocks": [
            {"text": "Plain words.", "cite": ["src-a"]},
            {"bullets": ["First bullet.", {"text": "Second bullet."}]},
            {"figures": [{"label": "Sand", "value": "7"}]},
            {"table": {"columns": [{"name": "Pit"}, {"name": "Depth"}],
                       "rows": [["North", "10"], {"cells": ["South", "12"]}],
                       "notes": ["Invented depths.", {"text": "Another invented note."}]}},
            {"people": {"items": [{"name": "Pat Pretend", "role": "Chair"}]}},
            {"timeline": [{"year": 2024, "label": "Make-believe 2024",
                           "highlights": ["Invented highlight.", {"text": "Another invented highlight."}]},
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


# list fields of plain text that are not printed as items a reader could be withheld from
NOT_ITEMS = {(m.Block, "cite"): "source ids", (m.Chart, "approximate"): "names labels the chart prints",
             (m.Chart, "targets"): "names labels the chart prints"}


def _flat(annotation: Any) -> list[Any]:
    found = [annotation, typing.get_origin(annotation)]
    for arg in typing.get_args(annotation):
        found += _flat(arg)
    return found


def test_every_printed_list_of_plain_text_takes_items_with_their_own_audience():
    """Generated from the model: a list of plain text (key points, bullets, rows, categories,
    highlights, notes, the summary's paragraphs) accepts the mapping form, which carries `audience`."""
    plain_only = []
    for model in _models(m.Sponsor, set()) - set(m.Marked.__subclasses__()):
        for name, info in model.model_fields.items():
            flat = _flat(info.annotation)
            marked = any(isinstance(t, type) and issubclass(t, m.Marked) for t in flat)
            if list in flat and str in flat and not marked and (model, name) not in NOT_ITEMS:
                plain_only.append(f"{model.__name__}.{name}")
    assert not plain_only, f"let these take a model.Marked item (or list them in NOT_ITEMS): {plain_only}"
    assert "audience" in m.TextItem.model_fields and "audience" in m.RowItem.model_fields


def test_the_sample_writes_every_marked_form_the_model_has():
    """So the generated cases below cover each field that takes a marked item."""
    takes = {(model.__name__, name) for model in _models(m.Sponsor, set())
             for name, info in model.model_fields.items()
             if any(isinstance(t, type) and issubclass(t, m.Marked) for t in _flat(info.annotation))}
    sample = m.Sponsor.model_validate(SPONSOR)
    written = set()
    for loc, item in walk_audience(sample):
        if isinstance(item, m.Marked):
            holder: Any = sample
            parts = loc[:-1] if isinstance(loc[-1], int) else loc
            for part in parts[:-1]:
                holder = holder[part] if isinstance(part, int) else getattr(holder, part)
            written.add((type(holder).__name__, parts[-1]))
    assert takes <= written, f"add a marked item to SPONSOR for: {sorted(takes - written)}"
    # the cover's own lines (its other facts are the partnership's, which carries `audience`)
    assert {("Sponsor", "tier"), ("Sponsor", "headline")} <= takes


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
    # the view gives marked items back as plain values: templates and change lines see plain text
    for shown in (view(sponsor, "partner", LEVELS), view(sponsor, "confidential", LEVELS)):
        assert not [x for _, x in walk_audience(shown) if isinstance(x, m.Marked)]
        assert isinstance(shown.summary, str)


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


# --- plain items written as mappings: {text, audience} and {cells, audience} ----------------------

ITEMS_YAML = """\
name: Pretend Items (fictional)
as_of: 2026-05
audience: public
categories: [Invented goods, {text: Invented secrets, audience: internal}]
summary:
  - An invented public paragraph.
  - {text: An invented internal paragraph., audience: internal}
key_points:
  - Invented point one.
  - {text: Invented point two., audience: internal}
sections:
  - title: Facts
    blocks:
      - bullets:
          - {text: Only internal readers see this bullet., audience: internal}
      - table:
          columns: [Year, Units]
          rows:
            - ["2024", "5"]
            - {cells: ["2025", "6"], audience: internal}
          notes: [{text: Internal note., audience: internal}]
  - title: Internal only
    blocks:
      - table:
          columns: [Year, Units]
          rows:
            - {cells: ["2026", "7"], audience: internal}
"""


def _items_project(tmp_path: Path, text: str) -> Path:
    data = tmp_path / "data"
    (data / "sponsors").mkdir(parents=True)
    (data / "book.yaml").write_text("title: Pretend Book\norganisation: Pretend Org (fictional)\n"
                                    "edition: 2026-11-01\n")
    (data / "sponsors" / "pretend-items.yaml").write_text(text)
    return data


def test_marked_items_are_plain_in_their_level_and_gone_below_it(tmp_path):
    project = load_project(_items_project(tmp_path, ITEMS_YAML))
    sponsor = project.sponsors["pretend-items"]
    partner, internal = view(sponsor, "partner", project.levels), view(sponsor, "internal", project.levels)
    assert partner.categories == ["Invented goods"]
    assert partner.summary == "An invented public paragraph."
    assert partner.key_points == ["Invented point one."]
    # a bullets block with every bullet withheld goes; a table keeps its readable rows; a table with
    # no readable row goes, and its section with it (no empty heading)
    assert [s.title for s in partner.sections] == ["Facts"]
    assert [b.kind for b in partner.sections[0].blocks] == ["table"]
    assert partner.sections[0].blocks[0].table.rows == [["2024", "5"]]
    assert partner.sections[0].blocks[0].table.notes == []
    assert internal.categories == ["Invented goods", "Invented secrets"]
    assert internal.summary == "An invented public paragraph.\n\nAn invented internal paragraph."
    assert internal.key_points == ["Invented point one.", "Invented point two."]
    assert internal.sections[0].blocks[0].bullets == ["Only internal readers see this bullet."]
    assert internal.sections[0].blocks[1].table.rows == [["2024", "5"], ["2025", "6"]]
    assert internal.sections[1].blocks[0].table.rows == [["2026", "7"]]


def test_wrong_shapes_of_marked_items_are_located_errors(tmp_path):
    broken = (ITEMS_YAML
              .replace("{text: Invented point two.,", "{txt: Invented point two.,")
              .replace('{cells: ["2025", "6"], audience: internal}', '{cells: ["2025"], audience: internal}')
              .replace('{cells: ["2026", "7"], audience: internal}', '{cells: "2026", audience: internal}')
              .replace("  - An invented public paragraph.", "  - Revenue: up 7%"))
    with pytest.raises(DataError) as err:
        load_project(_items_project(tmp_path, broken))
    text = str(err.value)
    assert "pretend-items.yaml:10:6: key_points[1].txt: unknown field 'txt'; did you mean 'text'?" in text
    assert "pretend-items.yaml:10:5: key_points[1].text: required field 'text' is missing" in text
    assert ("pretend-items.yaml:20:23: sections[0].blocks[1].table.rows[1].cells: row 2 has 1 cells but the "
            "table has 2 columns") in text
    assert "pretend-items.yaml:27:23: sections[1].blocks[0].table.rows[0].cells: expected a list" in text
    assert ("pretend-items.yaml:6:5: summary[0]: expected text, but the ': ' after 'Revenue' made YAML read a "
            "mapping; put the whole text in quotes") in text
    assert "plain form" not in text and "mapping form" not in text  # pydantic's names for the forms


def test_an_unknown_level_on_a_marked_item_is_located(tmp_path):
    with pytest.raises(DataError) as err:
        load_project(_items_project(tmp_path, ITEMS_YAML.replace("Invented point two., audience: internal",
                                                                 "Invented point two., audience: internl")))
    assert "pretend-items.yaml:10:43: key_points[1].audience: unknown audience level 'internl'" in str(err.value)


def test_a_marked_sentence_printed_verbatim_elsewhere_is_refused(tmp_path):
    leaky = ITEMS_YAML.replace("  - title: Internal only\n", "  - title: Told twice\n    blocks:\n"
                               "      - text: Only internal readers see this bullet.\n"
                               "  - title: Internal only\n")
    with pytest.raises(DataError) as err:
        load_project(_items_project(tmp_path, leaky))
    assert ("pretend-items.yaml:15:20: sections[0].blocks[0].bullets[0].text: 'Only internal readers see this "
            "bullet.' is withheld from partner by sections[0].blocks[0].bullets[0].text but printed for partner "
            "by sections[1].blocks[0].text at line 24; restrict both") in str(err.value)


def test_the_docs_example_of_marked_items_validates_and_prints_plain_for_a_lower_level():
    from docs_examples import docs_yaml

    from briefing.data.load import validate
    from briefing.data.yamlsafe import load_text

    example = next(b for b in docs_yaml() if b.startswith("tier: {text"))
    text = "name: Acme Anvils (fictional)\nas_of: 2026\naudience: public\n" + example
    sponsor, problems = validate(load_text(text, "x.yaml"), m.Sponsor)
    assert problems == [] and sponsor is not None
    public = view(sponsor, "public", LEVELS)
    assert public.tier is None and public.categories == ["Anvils"]
    assert public.summary == "Acme Anvils is an invented company." and public.key_points == ["Invented point one."]
    assert [x.title for x in public.sections] == ["Results"]
    assert public.sections[0].blocks[0].bullets == ["Sales rose."]
    assert public.sections[0].blocks[1].table.rows == [["Anvils", "10.5"]]
