"""What changed between editions, in the reader's words.

Each build keeps a snapshot of the validated data of its edition in ``OUT/.snapshots/<edition>/``.
Comparing the current data with the snapshot of an earlier edition gives lines such as
"Market capitalisation: ~$300 billion → ~$320 billion" or "New section: Milano Cortina 2026",
not a raw diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .files import write_atomic
from .model import Sponsor, format_date
from .render import money

SNAPSHOTS = ".snapshots"


def snapshot_dir(out: Path) -> Path:
    return out / SNAPSHOTS


def save_snapshot(out: Path, edition: str, sponsors: dict[str, Sponsor]) -> None:
    folder = snapshot_dir(out) / edition
    for slug, sponsor in sponsors.items():
        data = json.dumps(sponsor.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, indent=0)
        target = folder / f"{slug}.json"
        if not target.is_file() or target.read_text(encoding="utf-8") != data:
            write_atomic(target, data.encode("utf-8"))


def editions(out: Path) -> list[str]:
    folder = snapshot_dir(out)
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def previous_edition(out: Path, edition: str, since: str | None = None) -> str | None:
    """The edition to compare with: the latest before ``edition`` (or at/before ``since``)."""
    limit = since if since else edition
    older = [e for e in editions(out) if (e <= limit if since else e < limit)]
    return older[-1] if older else None


def load_snapshot(out: Path, edition: str) -> dict[str, dict[str, Any]]:
    folder = snapshot_dir(out) / edition
    result = {}
    for path in sorted(folder.glob("*.json")):
        try:
            result[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a damaged snapshot only loses the change page, never the build
    return result


# --- comparing ----------------------------------------------------------------------------

def _money(value: dict[str, Any] | None) -> str | None:
    if not value:
        return None
    from .model import Money

    return money(Money(**value))


def _arrow(label: str, old: Any, new: Any) -> str | None:
    if old == new:
        return None
    if old in (None, "", []):
        return f"{label}: added {new}"
    if new in (None, "", []):
        return f"{label}: removed (was {old})"
    return f"{label}: {old} → {new}"


def _blocks(section: dict[str, Any]) -> list[dict[str, Any]]:
    return list(section.get("blocks", [])) + [b for s in section.get("subsections", []) for b in s["blocks"]]


def _by(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(item[key]): item for item in items}


def describe(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Reader-facing lines for one sponsor's changes (empty when nothing changed)."""
    lines: list[str] = []
    for field, label in (("name", "Name"), ("tier", "Tier"), ("headline", "Headline")):
        lines.append(_arrow(label, old.get(field), new.get(field)))
    lines.append(_arrow("Categories", ", ".join(old.get("categories", [])), ", ".join(new.get("categories", []))))
    lines.append(_arrow("Facts as of", format_date(old["as_of"]), format_date(new["as_of"])))
    op, np = old.get("partnership") or {}, new.get("partnership") or {}
    lines.append(_arrow("Joined", op.get("joined") and format_date(op["joined"]),
                        np.get("joined") and format_date(np["joined"])))
    lines.append(_arrow("Partnership through", op.get("through"), np.get("through")))
    lines.append(_arrow("Term", op.get("term"), np.get("term")))
    lines.append(_arrow("Deal value", _money(op.get("value")), _money(np.get("value"))))
    if old.get("summary") != new.get("summary") and old.get("summary") and new.get("summary"):
        lines.append("Executive summary updated")

    of, nf = _by(old.get("key_figures", []), "label"), _by(new.get("key_figures", []), "label")
    for label, fig in nf.items():
        if label not in of:
            lines.append(f"New key figure: {label}: {fig['value']}")
        else:
            lines.append(_arrow(label, of[label]["value"], fig["value"]))
    lines += [f"Key figure removed: {label}" for label in of if label not in nf]

    os_, ns = _by(old.get("sections", []), "title"), _by(new.get("sections", []), "title")
    for title, section in ns.items():
        if title not in os_:
            lines.append(f"New section: {title}")
            continue
        before = os_[title]
        osub, nsub = _by(before.get("subsections", []), "title"), _by(section.get("subsections", []), "title")
        lines += [f"New section: {t}" for t in nsub if t not in osub]
        lines += [f"Section removed: {t}" for t in osub if t not in nsub]
        lines += _describe_blocks(title, _blocks(before), _blocks(section))
    lines += [f"Section removed: {t}" for t in os_ if t not in ns]

    osrc, nsrc = _by(old.get("sources", []), "id"), _by(new.get("sources", []), "id")
    lines += [f"New source: {s['title']}" for i, s in nsrc.items() if i not in osrc]
    return [line for line in lines if line]


def _describe_blocks(section: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    # callouts, people, timeline entries, table rows and chart values matched by their names
    def collect(blocks: list[dict[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {"callout": {}, "person": {}, "edition": {}, "row": {}, "value": {}, "text": []}
        for b in blocks:
            if b.get("callout"):
                found["callout"][b["callout"]["title"]] = b["callout"]
            if b.get("people"):
                for p in b["people"]["items"]:
                    found["person"][p["name"]] = p
            for entry in b.get("timeline") or []:
                found["edition"][entry["label"]] = entry
            if b.get("table"):
                t = b["table"]
                names = [c["name"] for c in t["columns"]]
                firsts = [row[0] for row in t["rows"]]
                for row in t["rows"]:
                    # a row is named by its first cell, or its first two when the first repeats
                    width = 2 if firsts.count(row[0]) > 1 and len(row) > 2 else 1
                    label = " · ".join(row[:width])
                    for name, cell in zip(names[width:], row[width:], strict=False):
                        key = f"{label} ({name})" if len(names) - width > 1 else label
                        found["row"][key] = cell
            if b.get("chart"):
                c = b["chart"]
                for s in c["series"]:
                    for label, value in s["values"].items():
                        found["value"][f"{c['title']}: {label}"] = f"{value:g} {c['unit']}"
            if b.get("text") or b.get("bullets"):
                found["text"].append(b.get("text") or b.get("bullets"))
        return found

    before, after = collect(old), collect(new)
    for title, callout in after["callout"].items():
        if title not in before["callout"]:
            lines.append(f"New {callout['severity']} item in {section}: {title}")
        elif (before["callout"][title]["body"], before["callout"][title]["severity"]) != (
                callout["body"], callout["severity"]):
            lines.append(f"Updated {callout['severity']} item in {section}: {title}")
    lines += [f"Item removed from {section}: {t}" for t in before["callout"] if t not in after["callout"]]
    for name, person in after["person"].items():
        if name not in before["person"]:
            lines.append(f"New in {section}: {name}, {person['role']}")
        else:
            lines.append(_arrow(name, before["person"][name]["role"], person["role"]))
    lines += [f"No longer listed in {section}: {n}" for n in before["person"] if n not in after["person"]]
    for label, entry in after["edition"].items():
        if label not in before["edition"]:
            lines.append(f"New timeline entry: {label}")
        elif before["edition"][label]["highlights"] != entry["highlights"]:
            lines.append(f"{label}: highlights updated")
    for key, cell in after["row"].items():
        if key in before["row"]:
            lines.append(_arrow(key, before["row"][key], cell))
        else:
            lines.append(f"New in {section}: {key}: {cell}")
    for key, value in after["value"].items():
        if key in before["value"]:
            lines.append(_arrow(key, before["value"][key], value))
    if before["text"] != after["text"] and before["text"] and after["text"]:
        lines.append(f"Text updated in {section}")
    return [line for line in lines if line]


def summarise(current: dict[str, Sponsor], previous: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """slug -> lines, for every sponsor with a change (new sponsors included)."""
    result: dict[str, list[str]] = {}
    for slug, sponsor in current.items():
        now = sponsor.model_dump(mode="json")
        if slug not in previous:
            result[slug] = ["New sponsor in this edition"]
            continue
        lines = describe(previous[slug], now)
        if lines:
            result[slug] = lines
    for slug, old in previous.items():
        if slug not in current:
            result[slug] = [f"{old['name']} is no longer in the book"]
    return result


def changes_since(data_dir: Path, out_dir: Path, since: str | None) -> list[str]:
    """Lines for an email body: every change since edition ``since`` (a recipient's last)."""
    from .data import load_project

    project = load_project(data_dir)
    base = previous_edition(out_dir, project.book.edition, since) if since else \
        previous_edition(out_dir, project.book.edition)
    if base is None or base == project.book.edition:
        return []
    summary = summarise(project.sponsors, load_snapshot(out_dir, base))
    return [f"{project.sponsors[s].name if s in project.sponsors else s}: {line}"
            for s, lines in summary.items() for line in lines]
