"""What-changed lines come from the data model itself: no field can be forgotten."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import BaseModel

from briefing.data import model as m
from briefing.data.changes import EXEMPT, describe, summarise

# A fictional sponsor that sets every field of every model at least once.
COMPLETE: dict[str, Any] = {
    "name": "Quux Quarries (fictional)", "tier": "Pretend Partner",
    "categories": ["Gravel", {"text": "Sand", "audience": "partner"}],
    "headline": "An invented quarry", "as_of": "2026-05", "source": "Invented digest", "classification": "Internal",
    "audience": "internal", "brand": {"colour": "#336699"},
    "partnership": {"programme": "Make-believe Programme", "joined": "2020-03", "through": 2030, "term": "10 years",
                    "value": {"amount": 5, "scale": "million", "currency": "USD", "approximate": True,
                              "usd_rate": 1, "audience": "internal"},
                    "announced": {"date": "2020-03-01", "where": "Nowhere", "how": "By invention",
                                  "audience": "internal"}, "audience": "internal"},
    "summary": "Quux digs invented holes.",
    "key_figures": [{"label": "Holes dug", "value": "42", "unit": "holes", "period": "FY2025", "change": "+1",
                     "note": "invented", "source": "Invented report", "audience": "partner"}],
    "key_points": ["One.", {"text": "Two.", "audience": "partner"}],
    "sections": [{
        "title": "Everything", "audience": "internal", "blocks": [
            {"text": "Plain words.", "cite": ["src-a"], "audience": "public"},
            {"bullets": ["First.", {"text": "Second.", "audience": "partner"}]},
            {"callout": {"title": "Gravel shortage", "body": "Invented.", "severity": "high",
                         "summary": "Gravel may run short"}},
            {"figures": [{"label": "Sand", "value": "7"}]},
            {"table": {"title": "Pits", "columns": [{"name": "Pit", "align": "left"}, {"name": "Depth (m)"}],
                       "rows": [["North", "10"], {"cells": ["South", "12"], "audience": "partner"}],
                       "notes": ["Invented depths."], "source": "Invented pit survey"}},
            {"people": {"title": "Board", "leadership": True, "items": [
                {"name": "Pat Pretend", "role": "Chair", "organisation": "Quux", "since": "2020",
                 "notes": "Invented.", "audience": "partner"}]}},
            {"timeline": [{"year": 2024, "label": "Make-believe 2024", "season": "Summer", "date": "2024-07",
                           "highlights": ["Invented highlight."], "audience": "partner"}]},
            {"chart": {"kind": "bar", "title": "Depth by pit", "unit": "m", "period": "2025", "source": "Invented",
                       "as_of": "2025-12", "highlight": "North", "alt": "Invented alt text.", "approximate": True,
                       "targets": ["East"],
                       "series": [{"name": "Depth", "values": {"North": 10, "South": 12, "East": 9}}]}},
            {"quote": {"text": "We dig deeper than anyone pretends to.", "attribution": "Pat Pretend, Chair"},
             "cite": ["src-a"]},
        ],
        "subsections": [{"title": "More", "audience": "partner", "blocks": [{"text": "Sub words."}]}],
    }],
    "sources": [{"id": "src-a", "title": "Invented source", "publisher": "Nobody", "url": "https://example.org/a",
                 "note": "Invented note.", "audience": "public"}, {"id": "src-z", "title": "Uncited invented source"}],
}
# valid replacements for fields whose values have a form ("text + x" would not validate)
REPLACE = {"as_of": "2026-06", "joined": "2020-04", "date": "2020-03-02", "through": 2031, "year": 2025,
           "colour": "#663399", "severity": "critical", "kind": "column", "scale": "billion", "currency": "EUR",
           "approximate": False, "leadership": False, "align": "right", "amount": 6, "url": "https://example.org/b",
           "highlight": "South", "cite": ["src-z"], "cells": ["South", "13"], "id": "src-q", "usd_rate": 2,
           "audience": "confidential", "targets": ["South"]}
SKIP = {(m.Brand, "logo"), (m.Attachment, "title"), (m.Attachment, "file"), (m.Attachment, "audience"),
        (m.Sponsor, "attachments")}  # need files


def _fields(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[tuple[type, str]]:
    """Every (model, field) pair reachable from ``model``."""
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    pairs = set()
    for name, info in model.model_fields.items():
        pairs.add((model, name))
        for inner in _models_in(info.annotation):
            pairs |= _fields(inner, seen)
    return pairs


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [found for arg in getattr(annotation, "__args__", ()) or () for found in _models_in(arg)]


def _leaves(value: BaseModel, path: tuple = (), exempt: bool = False) -> list[tuple[type, str, tuple, bool]]:
    """(model, field, path in the dump, exempt) of every field set in ``value``; a field is
    exempt when it or a field holding it is listed in EXEMPT."""
    found = []
    for name in type(value).model_fields:
        inner = getattr(value, name)
        if inner is None or inner == []:
            continue
        here = exempt or (type(value), name) in EXEMPT
        found.append((type(value), name, (*path, name), here))
        items = inner if isinstance(inner, list) else [inner]
        for i, item in enumerate(items):
            if isinstance(item, BaseModel):
                found += _leaves(item, (*path, name, i) if isinstance(inner, list) else (*path, name), here)
    return found


def _mutated(data: dict[str, Any], path: tuple, name: str) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    parent = changed
    for part in path[:-1]:
        parent = parent[part]
    old = parent[path[-1]]
    if name in REPLACE:
        parent[path[-1]] = REPLACE[name]
    elif isinstance(old, str):
        parent[path[-1]] = old + " changed"
    elif isinstance(old, list) and old and isinstance(old[0], str):
        parent[path[-1]] = [*old, "Added."]
    elif isinstance(old, list) and old and isinstance(old[0], list):
        parent[path[-1]] = [*old, ["West", "3"]]
    elif isinstance(old, list):  # a list of items: one more, a copy of the first under another name
        extra = copy.deepcopy(old[0])
        for key in ("title", "label", "name", "id"):
            if isinstance(extra, dict) and key in extra:
                extra[key] += "-another"
        parent[path[-1]] = [*old, extra]
    elif isinstance(old, dict) and name == "values":
        parent[path[-1]] = {**old, "North": 11}
    else:
        raise AssertionError(f"no mutation for {path}")
    return changed


def test_the_fixture_sets_every_field_of_the_model():
    complete = m.Sponsor.model_validate(COMPLETE)
    missing = _fields(m.Sponsor) - {(model, name) for model, name, _, _ in _leaves(complete)} - SKIP
    assert not missing, f"add these fields to COMPLETE: {sorted((k.__name__, n) for k, n in missing)}"


@pytest.mark.parametrize("model, name, path, exempt", [
    pytest.param(model, name, path, exempt, id=".".join(map(str, path)))
    for model, name, path, exempt in _leaves(m.Sponsor.model_validate(COMPLETE))
    # a field holding one item (a block's chart) is covered by its own fields' cases
    if name not in ("callout", "table", "people", "chart", "quote", "brand", "partnership", "value", "announced")
    # columns cannot grow alone (rows must match), and a cited source's id cannot change alone
    and path[-1] != "columns" and path != ("sources", 0, "id")
])
def test_every_field_change_is_told_unless_exempt(model, name, path, exempt):
    before = m.Sponsor.model_validate(COMPLETE)
    after = m.Sponsor.model_validate(_mutated(COMPLETE, path, name))
    assert after != before, "the mutation must change the data"
    lines = describe(before, after)
    if exempt:
        assert lines == [], f"{model.__name__}.{name} is exempt but produced {lines}"
    else:
        assert lines, f"changing {'.'.join(map(str, path))} ({model.__name__}.{name}) produced no line"


def test_exempt_fields_exist():
    for model, name in EXEMPT:
        assert name in model.model_fields, f"EXEMPT names {model.__name__}.{name}, which the model lacks"


def test_lines_read_as_a_reader_would_write_them():
    before = m.Sponsor.model_validate(COMPLETE)
    data = copy.deepcopy(COMPLETE)
    data["key_figures"][0]["value"] = "43"
    data["as_of"] = "2026-06"
    data["sections"].append({"title": "Milano Cortina 2026", "blocks": [{"text": "New."}]})
    data["sources"] = data["sources"][:1]
    assert describe(before, m.Sponsor.model_validate(data)) == [
        "Facts as of: May 2026 → June 2026", "Holes dug: 42 → 43", "New section: Milano Cortina 2026",
        "Source removed: Uncited invented source"]


def test_a_changed_quote_reads_as_the_quote():
    data = copy.deepcopy(COMPLETE)
    data["sections"][0]["blocks"][-1]["quote"] = {"text": "We dig deeper than anyone.", "attribution": "Pat Pretend"}
    assert describe(m.Sponsor.model_validate(COMPLETE), m.Sponsor.model_validate(data)) == [
        "Quote: We dig deeper than anyone pretends to. → We dig deeper than anyone.",
        "Quote (attribution): Pat Pretend, Chair → Pat Pretend"]


def test_new_and_removed_sponsors_are_named():
    one = m.Sponsor.model_validate(COMPLETE)
    assert summarise({"new": one}, {"old": one}) == {
        "new": ["New sponsor in this edition"], "old": ["Quux Quarries (fictional) is no longer in the book"]}


def test_an_item_compares_as_its_plain_value_whichever_form_it_is_written_in():
    """Giving a plain item an `audience` (writing it as a mapping) is not news; its text changing is."""
    before = m.Sponsor.model_validate(COMPLETE)
    data = copy.deepcopy(COMPLETE)
    data["tier"] = {"text": "Pretend Partner", "audience": "partner"}
    data["sections"][0]["blocks"][4]["table"]["rows"][0] = {"cells": ["North", "10"], "audience": "partner"}
    assert describe(before, m.Sponsor.model_validate(data)) == []
    data["tier"]["text"] = "Pretend Founding Partner"
    data["sections"][0]["blocks"][4]["table"]["rows"][0]["cells"] = ["North", "11"]
    assert describe(before, m.Sponsor.model_validate(data)) == [
        "Tier: Pretend Partner → Pretend Founding Partner", "North: 10 → 11"]


def test_a_snapshot_is_written_again_only_when_its_sponsor_file_changed(tmp_path):
    from conftest import FICTION, make_project

    from briefing.data.changes import SOURCES, load_snapshot, save_snapshot
    from briefing.data.load import load_project

    root = make_project(tmp_path / "project", FICTION / "data")
    out = tmp_path / "out"
    project = load_project(root / "data")
    save_snapshot(out, "2026-11", project.sponsors, project.files)
    folder = out / ".snapshots" / "2026-11"
    written = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    assert set(written) == {f"{slug}.json" for slug in project.sponsors} and (folder / SOURCES).is_file()

    save_snapshot(out, "2026-11", project.sponsors, project.files)  # nothing new: nothing written
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")} == written

    slug, path = next(iter(project.files.items()))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(project.sponsors[slug].name, "Renamed Pretend Co", 1), encoding="utf-8")
    changed = load_project(root / "data")
    save_snapshot(out, "2026-11", changed.sponsors, changed.files)
    assert load_snapshot(out, "2026-11")[slug].name == "Renamed Pretend Co"
    again = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    assert [name for name in written if again[name] != written[name]] == [f"{slug}.json"]
