"""What changed between editions, in the reader's words.

Each build keeps a snapshot of the validated data of its edition in ``OUT/.snapshots/<edition>/``.
Comparing the current data with the snapshot of an earlier edition gives lines such as
"Market capitalisation: ~$300 billion → ~$320 billion" or "New section: Milano Cortina 2026",
not a raw diff.

The comparison walks the data model itself (pydantic's field list), so a field added to
``model`` is compared without anyone remembering to: lists of items are matched by the field
that names an item (``IDENTITY``), dates and money are printed as the PDF prints them, and the
few fields a reader does not need to hear about are listed in ``EXEMPT`` with the reason. A test
fails when a model field is neither compared nor exempt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from briefing import __version__
from briefing.data import model as m
from briefing.data.audience import view_all
from briefing.data.load import Project
from briefing.data.model import Sponsor, format_date, format_money
from briefing.files import write_atomic
from briefing.hashing import digest, file_sha256

SNAPSHOTS = ".snapshots"

# how items of a list are recognised across editions: their naming field
IDENTITY: dict[type[BaseModel], str] = {
    m.Figure: "label", m.Section: "title", m.Subsection: "title", m.Person: "name", m.Source: "title",
    m.TimelineEntry: "label", m.Attachment: "title", m.Column: "name", m.Series: "name",
}
# the field that is the item's value: "Widgets: 42 → 43" rather than "Widgets (value): 42 → 43";
# a block kind's own model names it in its record (key figures are the figures block's Figure)
MAIN = {m.Person: "role"} | {k.model: k.change_main for k in m.BLOCK_KINDS.values() if k.model and k.change_main}
# what a reader calls a field, where its name does not say it well
LABELS = {"as_of": "Facts as of", "through": "Partnership through", "value": "Deal value",
          "key_figures": "key figure", "key_points": "Key points", "sections": "section",
          "subsections": "section", "items": "person", "sources": "source", "timeline": "timeline entry",
          "attachments": "appendix", "blocks": "item", "highlights": "highlights", "categories": "Categories"}
# fields whose change a reader does not need to be told, and why
EXEMPT: dict[tuple[type[BaseModel], str], str] = {
    (m.Sponsor, "brand"): "colour and logo: visible on the cover, not news",
    (m.Block, "cite"): "citations follow the text they support",
    (m.Chart, "alt"): "alt text restates the chart's values, which are compared",
    (m.Column, "align"): "layout only",
    (m.People, "leadership"): "which block the one-pager lists: layout only",
    (m.Source, "id"): "an internal name for `cite`",
}
# who may read an item is not news to its readers: a level's change shows as the item arriving in
# (or leaving) that level's edition, since both sides are compared through the same level's view
EXEMPT.update({(model, "audience"): "audience level: seen as the item appearing or leaving in each level's edition"
               for model in (m.Sponsor, m.Section, m.Subsection, m.Block, m.Figure, m.Person, m.Source,
                             m.Attachment, m.Partnership, m.Money, m.Announcement, m.TimelineEntry,
                             m.TextItem, m.LineItem, m.RowItem)})


# --- snapshots ----------------------------------------------------------------------------

def snapshot_dir(out: Path) -> Path:
    return out / SNAPSHOTS


SOURCES = "sources.sha256"  # what each snapshot was made from (not *.json: those are the snapshots)


def save_snapshot(out: Path, edition: str, sponsors: dict[str, Sponsor], files: dict[str, Path] | None = None) -> None:
    """Keep the data as this edition printed it. A sponsor whose file (``files``), read by this
    version of briefing, made its snapshot already is not written out again: a build with nothing
    new writes nothing (docs/performance.md, "No-op build")."""
    folder = snapshot_dir(out) / edition
    try:
        made = json.loads((folder / SOURCES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        made = {}
    sources = {}
    for slug, sponsor in sponsors.items():
        target = folder / f"{slug}.json"
        source = (files or {}).get(slug)
        sources[slug] = f"{__version__} {file_sha256(source)}" if source else None
        if sources[slug] and made.get(slug) == sources[slug] and target.is_file():
            continue
        dumped = sponsor.model_dump(mode="json", exclude_none=True)
        data = json.dumps(dumped, sort_keys=True, ensure_ascii=False, indent=0)
        if not target.is_file() or target.read_text(encoding="utf-8") != data:
            write_atomic(target, data.encode("utf-8"))
    if sources != made:
        write_atomic(folder / SOURCES, json.dumps(sources, sort_keys=True).encode("utf-8"))


VERSIONS = ".sent-versions"  # the data as each letter carried it, by content: what a correction is measured from


def version_id(sponsors: dict[str, Sponsor]) -> str:
    """A short content id of the data (every level's, before any view)."""
    return digest({slug: s.model_dump(mode="json", exclude_none=True) for slug, s in sponsors.items()}, length=20)


def save_version(out: Path, sponsors: dict[str, Sponsor]) -> str:
    """Keep the data as it is now under its content id (once); the send log records the id."""
    found = version_id(sponsors)
    folder = out / VERSIONS / found
    if not folder.is_dir():
        for slug, sponsor in sponsors.items():
            data = json.dumps(sponsor.model_dump(mode="json", exclude_none=True), sort_keys=True,
                              ensure_ascii=False, indent=0)
            write_atomic(folder / f"{slug}.json", data.encode("utf-8"))
    return found


def changes_since_version(project: Project, out_dir: Path, version: str, base_label: str,
                          level: str | None = None) -> Changes | None:
    """What changed since the data a reader received (``version`` from the send log), seen through
    ``level`` on both sides; None when that version is not kept (a log from before versions)."""
    folder = out_dir / VERSIONS / version
    if not version or not folder.is_dir():
        return None
    before = load_snapshot_folder(folder)
    if level is not None:
        before = view_all(before, level, project.levels)
    summary = summarise(project.sponsors, before)
    names = {s: sp.name for s, sp in project.sponsors.items()}
    return Changes(project.book.edition, base_label, summary, names)


def editions(out: Path) -> list[str]:
    folder = snapshot_dir(out)
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def previous_edition(out: Path, edition: str, since: str | None = None) -> str | None:
    """The edition to compare with: the latest before ``edition`` (or at/before ``since``)."""
    limit = since if since else edition
    older = [e for e in editions(out) if (e <= limit if since else e < limit)]
    return older[-1] if older else None


def load_snapshot(out: Path, edition: str) -> dict[str, Sponsor]:
    return load_snapshot_folder(snapshot_dir(out) / edition)


def load_snapshot_folder(folder: Path) -> dict[str, Sponsor]:
    result = {}
    for path in sorted(folder.glob("*.json")):
        try:
            result[path.stem] = Sponsor.model_validate(_without_none(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, ValidationError):
            continue  # a damaged or outdated snapshot only loses the change page, never the build
    return result


def _without_none(data: Any) -> Any:
    """Snapshots written before ``exclude_none`` carry nulls that the model refuses."""
    if isinstance(data, dict):
        return {k: _without_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_none(v) for v in data]
    return data


# --- comparing ----------------------------------------------------------------------------

def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def _is_date(info: Any) -> bool:
    return any(getattr(meta, "func", None) in (m._partial_date, m._full_date) for meta in info.metadata)


def _show(value: Any, as_date: bool = False) -> str:
    if isinstance(value, m.Money):
        return format_money(value)
    if isinstance(value, list | tuple):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return format_date(value) if as_date and value else str(value)


def _arrow(label: str, old: Any, new: Any, as_date: bool = False) -> list[str]:
    if old == new:
        return []
    if old in (None, "", []):
        return [f"{label}: added {_show(new, as_date)}"]
    if new in (None, "", []):
        return [f"{label}: removed (was {_show(old, as_date)})"]
    return [f"{label}: {_show(old, as_date)} → {_show(new, as_date)}"]


def _name(item: BaseModel) -> str:
    key = IDENTITY.get(type(item))
    if key and getattr(item, key):
        return str(getattr(item, key))
    if isinstance(item, m.Block):
        inner = getattr(item, item.kind)
        title = getattr(inner, "title", None) if isinstance(inner, BaseModel) else None
        return title or item.spec.change_name
    return type(item).__name__.lower()


def _items(old: list[BaseModel], new: list[BaseModel], what: str, where: str) -> list[str]:
    """Lists of models: matched by name (and occurrence), then compared field by field."""
    def keyed(items: list[BaseModel]) -> dict[str, BaseModel]:
        seen: dict[str, int] = {}
        found = {}
        for item in items:
            name = _name(item)
            seen[name] = seen.get(name, 0) + 1
            found[name if seen[name] == 1 else f"{name} ({seen[name]})"] = item
        return found

    before, after = keyed(old), keyed(new)
    place = f" in {where}" if where else ""
    lines = [f"New {what}{place}: {name}" for name in after if name not in before]
    lines += [f"{what.capitalize()} removed{place}: {name}" for name in before if name not in after]
    for name, item in after.items():
        if name in before:
            lines += _model(before[name], item, name, where)
    return lines


def _rows(old: list[list[str]], new: list[list[str]], columns: list[m.Column], where: str) -> list[str]:
    """Table rows are matched by their first cell (their first two when the first repeats)."""
    names = [c.name for c in columns]

    def keyed(rows: list[list[str]]) -> dict[str, dict[str, str]]:
        firsts = [row[0] for row in rows]
        found = {}
        for row in rows:
            width = 2 if firsts.count(row[0]) > 1 and len(row) > 2 else 1
            label = " · ".join(row[:width])
            found[label] = {(f"{label} ({n})" if len(names) - width > 1 else label): cell
                            for n, cell in zip(names[width:], row[width:], strict=False)}
        return found

    before, after = keyed(old), keyed(new)
    lines = []
    for label, cells in after.items():
        for key, cell in cells.items():
            lines += (_change(key, before[label].get(key), cell, where) if label in before
                      else [f"New in {where}: {key}: {cell}"])
    lines += [f"Row removed from {where}: {label}" for label in before if label not in after]
    return lines


LONG = 80  # characters: a longer text is reported as updated, not quoted twice


def _field(owner: BaseModel, name: str, old: Any, new: Any, context: tuple[str, str]) -> list[str]:
    """One field of two versions of the same item. ``context`` is (item name, section)."""
    item, where = context
    info = type(owner).model_fields[name]
    old, new = _plain(old), _plain(new)
    if (type(owner), name) in EXEMPT or old == new:
        return []
    if isinstance(new, m.Money) and isinstance(old, m.Money) and \
            old.model_copy(update={"audience": None}) == new.model_copy(update={"audience": None}):
        return []  # a change of its audience alone is not news (see EXEMPT)
    if isinstance(owner, m.Table) and name == "rows":
        return _rows(old, new, owner.columns, where)
    if isinstance(new, list) and (new or old) and isinstance((new or old)[0], BaseModel):
        return _items(old or [], new or [], _label(name), where)
    if isinstance(new, dict) or isinstance(old, dict):
        return [line for key in dict.fromkeys([*(old or {}), *(new or {})])
                for line in _arrow(f"{item}: {key}", (old or {}).get(key), (new or {}).get(key))]
    if isinstance(new, BaseModel) and isinstance(old, BaseModel) and not isinstance(new, m.Money):
        return _model(old, new, item, where)
    main = owner.kind if isinstance(owner, m.Block) else MAIN.get(type(owner))
    label = item if main == name else f"{item} ({_label(name).lower()})" if item else _label(name)
    return _change(label, old, new, where, _is_date(info))


def _plain(value: Any) -> Any:
    """Items written as mappings compare as the plain items a level's view prints (its views are
    plain already; this is for data compared as written, e.g. by the tests)."""
    if isinstance(value, list) and any(isinstance(v, m.Marked) for v in value):
        return [m.plain(v) for v in value]
    return m.plain(value)


def _change(label: str, old: Any, new: Any, where: str, as_date: bool = False) -> list[str]:
    """An arrow for short values; for paragraphs and lists, only that they were updated."""
    if old != new and (isinstance(new, list) or any(isinstance(v, str) and len(v) > LONG for v in (old, new))):
        return [f"{label}: updated" + (f" in {where}" if where else "")]
    return _arrow(label, old, new, as_date)


def _model(old: BaseModel, new: BaseModel, item: str, where: str) -> list[str]:
    lines = []
    for name in type(new).model_fields:
        inner_where = where
        if isinstance(new, m.Section | m.Subsection) and name in ("blocks", "subsections"):
            inner_where = new.title
        lines += _field(new, name, getattr(old, name), getattr(new, name), (item, inner_where))
    return lines


def describe(old: Sponsor, new: Sponsor) -> list[str]:
    """Reader-facing lines for one sponsor's changes (empty when nothing changed)."""
    return _model(old, new, "", "")


def summarise(current: dict[str, Sponsor], previous: dict[str, Sponsor]) -> dict[str, list[str]]:
    """slug -> lines, for every sponsor with a change (new and removed sponsors included)."""
    result: dict[str, list[str]] = {}
    for slug, sponsor in current.items():
        if slug not in previous:
            result[slug] = ["New sponsor in this edition"]
        elif lines := describe(previous[slug], sponsor):
            result[slug] = lines
    for slug, old in previous.items():
        if slug not in current:
            result[slug] = [f"{old.name} is no longer in the book"]
    return result


@dataclass
class Changes:
    """What changed since an earlier edition: per sponsor slug, the reader-facing lines."""

    edition: str
    base: str | None
    summary: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def lines(self, slugs: list[str] | None = None) -> list[str]:
        """'Sponsor: change' lines, for the given sponsors (and any that left the book)."""
        keep = None if slugs is None else set(slugs) | (set(self.summary) - set(self.names))
        return [f"{self.names.get(s, s)}: {line}" for s, lines in self.summary.items()
                if keep is None or s in keep for line in lines]


def what_changed(project: Project, out_dir: Path, since: str | None = None, level: str | None = None) -> Changes:
    """The library behind `briefing changes` and the email: the previous edition's snapshot
    (or the latest at/before ``since``) against the current data. With ``level``, ``project``
    is that level's view and the snapshot is seen through the same level."""
    edition = project.book.edition
    base = previous_edition(out_dir, edition, since)
    if base is None or base == edition:
        return Changes(edition, None if base is None else base)
    before = load_snapshot(out_dir, base)
    current = project.sponsors
    if level is None:  # every item, as the top level reads it: marked items compare as plain ones
        level = project.levels.top
        current = view_all(current, level, project.levels)
    before = view_all(before, level, project.levels)
    summary = summarise(current, before)
    names = {s: sp.name for s, sp in current.items()}
    return Changes(edition, base, summary, names)
