"""`briefing approve` and `briefing status`: sign an edition off, and see where every level stands.

Both read what is on disk now: an approval records the hashes of the PDFs as they are, and
the status compares those hashes with the files again, so an edition rebuilt after its
approval shows as waiting, never as approved.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.data.levels import clearance
from briefing.data.load import Project, load_project
from briefing.data.model import format_date
from briefing.delivery.approval import Approval, Ledger, check_name, hashes, waiting
from briefing.delivery.distribute import Context, SendOptions, edition_files, standing
from briefing.delivery.mail import LOG_NAME, SendLog
from briefing.errors import UsageError


@dataclass
class Approved:
    level: str
    files: list[str]
    missing: list[str] = field(default_factory=list)


def _edition(project: Project, asked: str | None) -> str:
    current = project.book.edition
    if asked is not None and asked != current:
        raise UsageError(f"the output folder holds the edition of {current} (book.yaml `edition`), not {asked}; "
                         "approve what you reviewed")
    return current


def _levels_with_readers(project: Project) -> list[str]:
    levels = project.levels
    everyone = project.distribution.recipients if project.distribution else []
    used = {clearance(r, levels) for r in everyone}
    return [level for level in levels.order if level in used]


def approve(data_dir: Path, out_dir: Path, *, approver: str, edition: str | None = None,
            level: str | None = None, note: str = "") -> list[Approved]:
    """Record that ``approver`` approved the PDFs of each level (or of ``level``) as they are now."""
    approver = check_name(approver)
    project = load_project(data_dir, require_distribution=True)
    date = _edition(project, edition)
    levels = [project.levels.check(level)] if level else _levels_with_readers(project)
    plans = []
    for lvl in levels:
        files = edition_files(project, out_dir, lvl)
        missing = [f.relative_to(out_dir).as_posix() for f in files if not f.is_file()]
        plans.append((lvl, files, missing))
    gaps = [f"{lvl}: {', '.join(missing)}" for lvl, _, missing in plans if missing]
    if gaps:  # approving part of an edition would let the rest go unseen
        raise UsageError("not built yet, so not approved (build them with `briefing send --dry-run`, "
                         "review them, then approve): " + "; ".join(gaps))
    log = SendLog(out_dir / LOG_NAME)
    try:
        ledger = Ledger(log.db, writable=True)
        done = []
        for lvl, files, _ in plans:
            if files:
                found = hashes(out_dir, files)
                ledger.approve(date, lvl, approver, found, note)
                done.append(Approved(lvl, sorted(found)))
    except sqlite3.Error as err:
        raise log.error(err) from None
    finally:
        log.close()
    return done


# --- status ------------------------------------------------------------------------------------

def _approver(a: Approval, current: dict[str, str]) -> dict[str, Any]:
    return {"name": a.approver, "at": a.at, "note": a.note, "current": a.covers(current),
            "why_not": a.first_difference(current)}


def _recipients(project: Project, level: str, ledger: Ledger, edition: str,
                ctx: Context | None) -> list[dict[str, str]]:
    """Each recipient of ``level``: for the current edition (``ctx``) where their letter stands now,
    by the same gate and decision `send` applies; for an earlier one, what the send log recorded."""
    levels = project.levels
    transport = "smtp" if os.environ.get("BRIEFING_SMTP_URL", "").strip() else "outbox"
    found = []
    for r in project.distribution.recipients if project.distribution else []:
        if clearance(r, levels) != level:
            continue
        if ctx is not None:
            state, detail = standing(ctx, r, transport)
            found.append({"email": r.email, "state": state, "detail": detail})
            continue
        row = ledger.db.execute("SELECT state, detail FROM sends WHERE recipient = ? AND edition = ? "
                             "ORDER BY updated DESC LIMIT 1", (r.email, edition)).fetchone()
        found.append({"email": r.email, "state": row[0] if row else "not sent", "detail": row[1] if row else ""})
    return found


def _level(project: Project, out: Path, level: str, ledger: Ledger, edition: str,
           ctx: Context | None) -> dict[str, Any]:
    """One level of ``edition``; an earlier edition's PDFs are gone, so only its record is shown."""
    files = edition_files(project, out, level) if ctx else []
    built = [f for f in files if f.is_file()]
    current = hashes(out, built)
    need = project.book.approvals.get(level, 0)
    approvals = ledger.approvals(edition, level)
    missing = [f.relative_to(out).as_posix() for f in files if not f.is_file()]
    reason = (f"not built: {', '.join(missing)}" if missing
              else waiting(need, approvals, current, level, edition) if files else None)
    recipients = _recipients(project, level, ledger, edition, ctx)
    changed = sum(r["state"].startswith("correction") for r in recipients)
    return {"level": level, "approvals_needed": need, "built": current, "missing": missing,
            "approved_by": [_approver(a, current) for a in approvals], "ready": reason is None,
            "waiting": reason or "", "changed_after_sent": changed, "recipients": recipients}


def status(data_dir: Path, out_dir: Path, edition: str | None = None) -> dict[str, Any]:
    """Per level of an edition (default: the current one): built, approved by whom, sent to whom,
    failed, waiting; plus that edition's trail of every approval, send and refusal."""
    project = load_project(data_dir, require_distribution=True)
    date = edition or project.book.edition
    log = SendLog(out_dir / LOG_NAME, read_only=True)
    try:
        ledger = Ledger(log.db, writable=False)
        ctx = (Context(project, SendOptions(data_dir, out_dir), "", log, ledger)
               if date == project.book.edition else None)
        levels = [_level(project, out_dir, lvl, ledger, date, ctx) for lvl in _levels_with_readers(project)]
        trail = ledger.trail(date)
    except sqlite3.Error as err:
        raise log.error(err) from None
    finally:
        log.close()
    return {"edition": date, "edition_label": format_date(date), "current": date == project.book.edition,
            "levels": levels, "trail": trail}


def status_lines(found: dict[str, Any]) -> list[str]:
    """The status as a person reads it."""
    lines = [f"Edition of {found['edition_label']}" + ("" if found["current"] else " (an earlier edition: "
                                                               "its record only)")]
    for lvl in found["levels"]:
        state = "ready to send" if lvl["ready"] else lvl["waiting"]
        if lvl["ready"] and lvl.get("changed_after_sent"):
            state = (f"changed after it was sent to {lvl['changed_after_sent']} recipient(s): "
                     "`briefing send --correction` sends the correction")
        built = f"{len(lvl['built'])} file(s) built; " if found["current"] else ""
        lines.append(f"  {lvl['level']}: {built}needs {lvl['approvals_needed']} approval(s)"
                     + (f"; {state}" if found["current"] else ""))
        for a in lvl["approved_by"]:
            lines.append(f"    approved by {a['name']} at {a['at']}" + ("" if a["current"] else f" ({a['why_not']})"))
        for r in lvl["recipients"]:
            detail = f": {r['detail']}" if r["detail"] and r["state"] != "sent" else ""
            lines.append(f"    {r['state']:>21}  {r['email']}{detail}")
    return lines
