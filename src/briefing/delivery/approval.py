"""The approval gate: nothing reaches a reader before the people who must sign it off have.

An edition, for one audience level, is the set of PDFs its recipients would receive, each with
its SHA-256. ``briefing approve`` records who approved exactly which files (hashes, time, note)
in the send log's database; a letter may go only when enough distinct people approved files
that still match, byte for byte, what would be attached. A rebuilt PDF (new data, new theme)
therefore needs approving again. ``book.yaml``'s ``approvals:`` says how many people each level
needs; a level it does not list needs none.

The same database keeps a trail of every approval, send and refusal with its reason, for
``briefing status`` and other tools. It never stores credentials: only names, addresses of
recipients, file names, hashes and the reasons the tool itself wrote.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import UsageError
from briefing.hashing import file_sha256

APPROVE, SEND, WAIT, REFUSE, REVIEW = "approve", "send", "wait", "refuse", "review"
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS approvals (
        id INTEGER PRIMARY KEY AUTOINCREMENT, edition TEXT NOT NULL, level TEXT NOT NULL,
        approver TEXT NOT NULL, files TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS trail (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL, edition TEXT NOT NULL,
        level TEXT NOT NULL, who TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '')""",
)


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def check_name(name: str) -> str:
    """An approver's name goes into the trail and messages: one short line of plain text."""
    name = name.strip()
    if not name or len(name) > 100 or re.search(r"[\x00-\x1f\x7f\u2028\u2029]", name):
        raise UsageError("--as takes the approver's name: one line of plain text, at most 100 characters")
    return name


def hashes(out: Path, files: list[Path]) -> dict[str, str]:
    """File name relative to the output folder -> SHA-256 of its bytes now."""
    return {f.relative_to(out).as_posix(): file_sha256(f) or "" for f in files}


@dataclass(frozen=True)
class Approval:
    approver: str
    files: dict[str, str]  # name -> sha256, as approved
    note: str
    at: str

    def covers(self, files: dict[str, str]) -> bool:
        """True when every file of ``files`` is one this approval saw, unchanged."""
        return all(self.files.get(name) == digest for name, digest in files.items())

    def first_difference(self, files: dict[str, str]) -> str:
        for name, digest in files.items():
            if name not in self.files:
                return f"{name} was not part of what {self.approver} approved"
            if self.files[name] != digest:
                return f"{name} changed after {self.approver} approved it"
        return ""


class Ledger:
    """Approvals and the trail, in the send log's SQLite database (the same connection)."""

    def __init__(self, db: sqlite3.Connection, *, writable: bool):
        self.db = db
        self.writable = writable
        if writable:
            for statement in _SCHEMA:
                db.execute(statement)

    def _has(self, table: str) -> bool:
        # a read-only look (dry run, status) at a log written before approvals existed
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                               (table,)).fetchone() is not None

    def approve(self, edition: str, level: str, approver: str, files: dict[str, str], note: str = "") -> None:
        at = now()
        self.db.execute("INSERT INTO approvals (edition, level, approver, files, note, at) VALUES (?,?,?,?,?,?)",
                        (edition, level, approver, json.dumps(files, sort_keys=True), note[:500], at))
        self.note(APPROVE, edition, level, approver, f"approved {len(files)} file(s)" + (f": {note}" if note else ""))

    def approvals(self, edition: str, level: str) -> list[Approval]:
        """The latest approval of each approver (names compared case-blind), oldest first."""
        if not self._has("approvals"):
            return []
        rows = self.db.execute("SELECT approver, files, note, at FROM approvals WHERE edition=? AND level=? "
                               "ORDER BY id", (edition, level)).fetchall()
        latest: dict[str, Approval] = {}
        for approver, files, note, at in rows:
            latest.pop(approver.casefold(), None)
            latest[approver.casefold()] = Approval(approver, json.loads(files), note, at)
        return list(latest.values())

    def note(self, kind: str, edition: str, level: str, who: str, detail: str) -> None:
        if self.writable:
            self.db.execute("INSERT INTO trail (at, kind, edition, level, who, detail) VALUES (?,?,?,?,?,?)",
                            (now(), kind, edition, level, who, detail[:500]))

    def trail(self, edition: str | None = None) -> list[dict[str, str]]:
        if not self._has("trail"):
            return []
        where, args = ("WHERE edition=?", (edition,)) if edition else ("", ())
        rows = self.db.execute(f"SELECT at, kind, edition, level, who, detail FROM trail {where} ORDER BY id",
                               args).fetchall()
        return [dict(zip(("at", "kind", "edition", "level", "who", "detail"), row, strict=True)) for row in rows]

    def last_wait(self, edition: str, who: str) -> str | None:
        if not self._has("trail"):
            return None
        found = self.db.execute("SELECT detail FROM trail WHERE edition=? AND who=? AND kind IN (?, ?) "
                                "ORDER BY id DESC LIMIT 1", (edition, who, WAIT, REFUSE)).fetchone()
        return found[0] if found else None


def waiting(need: int, approvals: list[Approval], files: dict[str, str], level: str, edition: str) -> str | None:
    """Why these files may not be sent yet, or None when enough people approved exactly them."""
    if need <= 0:
        return None
    good = [a for a in approvals if a.covers(files)]
    if len(good) >= need:
        return None
    reason = (f"waiting for approval: the {level} edition of {edition} needs {need} approval(s), "
              f"has {len(good)}")
    if good:
        reason += f" (approved by {', '.join(a.approver for a in good)})"
    stale = [a.first_difference(files) for a in approvals if not a.covers(files)]
    if stale:
        reason += "; " + "; ".join(stale) + ", so that approval no longer counts"
    return reason + f"; after review: briefing approve --edition {edition} --as NAME"
