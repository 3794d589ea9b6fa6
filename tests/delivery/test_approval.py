"""Issue 16, the approval gate, against a real SMTP server (aiosmtpd) on loopback.

The fictional book's book.yaml asks for one approval of the partner edition and two of the
confidential one; public and internal need none.
"""

from __future__ import annotations

import email
import json
import re
import sqlite3
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from audience_book import (
    AUDIENCE,
    audience_built,  # noqa: F401 - a fixture
    audience_root,  # noqa: F401 - a fixture
)
from click.testing import CliRunner
from conftest import Recorder, free_port, make_project

from briefing.cli import main
from briefing.delivery.mail import LOG_NAME
from briefing.errors import EXIT_WAITING
from briefing.ops.progress import Log
from briefing.ops.schedule import TickOptions, tick

EVERYONE = {"pat@example.org", "pia@example.org", "ivo@example.org", "cas@example.org"}


@pytest.fixture()
def server(monkeypatch):
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("BRIEFING_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    yield handler
    controller.stop()


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, [args[0], "--data", str(root / "data"), "--out", str(root / "output"),
                                     *args[1:]], catch_exceptions=False)


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def got(handler) -> set[str]:
    return {rcpts[0] for _, rcpts, _ in handler.messages}


def trail(root: Path) -> list[tuple[str, str, str, str]]:
    db = sqlite3.connect(root / "output" / LOG_NAME)
    try:
        return db.execute("SELECT kind, level, who, detail FROM trail ORDER BY id").fetchall()
    finally:
        db.close()


def status(root: Path) -> dict:
    result = cli(root, "status", "--json")
    assert result.exit_code == 0, result.output
    return {lvl["level"]: lvl for lvl in json.loads(result.output)["levels"]}


@pytest.mark.slow
def test_nothing_unapproved_is_sent_and_each_approval_releases_its_level(audience_root, server):  # noqa: F811
    root, handler = audience_root, server
    dry = cli(root, "send", "--dry-run")
    assert dry.exit_code == EXIT_WAITING, dry.output
    assert "would wait" in dry.output and not (root / "output" / LOG_NAME).exists() or trail(root) == []

    first = cli(root, "send")
    assert first.exit_code == EXIT_WAITING, first.output
    assert got(handler) == {"pat@example.org", "ivo@example.org"}  # levels that need no sign-off
    assert "pia@example.org" in first.output and "needs 1 approval(s), has 0" in first.output
    assert "briefing approve --edition 2026-11-01 --as NAME" in first.output
    assert "2 waiting for approval" in first.output
    waits = [row for row in trail(root) if row[0] == "wait"]
    assert {(kind, level, who) for kind, level, who, _ in waits} == {
        ("wait", "partner", "pia@example.org"), ("wait", "confidential", "cas@example.org")}

    approved = cli(root, "approve", "--as", "Avery Example", "--note", "read every page")
    assert approved.exit_code == 0, approved.output
    assert "approved: partner edition, 1 file(s): editions/pia-partner.pdf" in approved.output
    second = cli(root, "send")
    assert second.exit_code == EXIT_WAITING, second.output
    assert got(handler) == EVERYONE - {"cas@example.org"}
    assert "needs 2 approval(s), has 1 (approved by Avery Example)" in second.output

    assert cli(root, "approve", "--edition", "2026-11-01", "--as", "Blake Example").exit_code == 0
    third = cli(root, "send")
    assert third.exit_code == 0, third.output
    assert got(handler) == EVERYONE and len(handler.messages) == 4  # nobody twice

    levels = status(root)
    assert [a["name"] for a in levels["confidential"]["approved_by"]] == ["Avery Example", "Blake Example"]
    assert levels["confidential"]["ready"] and levels["public"]["approvals_needed"] == 0
    assert {r["email"]: r["state"] for lvl in levels.values() for r in lvl["recipients"]} == dict.fromkeys(
        EVERYONE, "sent")
    rows = trail(root)
    assert sum(k == "approve" for k, *_ in rows) == 8  # two people, each every level with readers
    assert sorted(w for k, _, w, d in rows if k == "send" and d.startswith("sent:")) == sorted(EVERYONE)
    assert sum(k == "send" and d.startswith("skipped:") for k, _, _, d in rows) == 5  # already sent: told
    assert next(d for k, _, w, d in trail(root) if k == "approve" and w == "Avery Example").endswith(
        "read every page")
    shown = cli(root, "status").output
    assert re.search(r"confidential: 3 file\(s\) built; needs 2 approval\(s\); ready to send", shown), shown
    assert "approved by Blake Example" in shown and "sent  cas@example.org" in shown
    earlier = json.loads(cli(root, "status", "--edition", "2026-10-01", "--json").output)
    assert not earlier["current"] and earlier["trail"] == []
    assert all(r["state"] == "not sent" for lvl in earlier["levels"] for r in lvl["recipients"])


@pytest.mark.slow
def test_an_edition_changed_after_approval_is_not_sent(audience_root, server):  # noqa: F811
    root, handler = audience_root, server
    for name in ("Avery Example", "Blake Example"):
        assert cli(root, "approve", "--as", name).exit_code == 0
    sponsor = root / "data" / "sponsors" / "open-pretend.yaml"
    sponsor.write_text(sponsor.read_text().replace("A fictional Stormlantern risk.",
                                                   "A fictional and worse Stormlantern risk."))
    result = cli(root, "send")  # rebuilds the confidential edition, whose bytes no one approved
    assert result.exit_code == EXIT_WAITING, result.output
    assert got(handler) == EVERYONE - {"cas@example.org"}  # the partner edition did not change
    assert "editions/cas-confidential.pdf changed after Avery Example approved it" in result.output
    levels = status(root)
    assert not levels["confidential"]["ready"]
    assert [a["current"] for a in levels["confidential"]["approved_by"]] == [False, False]
    assert levels["partner"]["ready"]
    state = {r["email"]: r for r in levels["confidential"]["recipients"]}["cas@example.org"]
    assert state["state"] == "waiting for approval" and "changed after" in state["detail"]


@pytest.mark.slow
def test_a_scheduled_tick_sends_only_approved_editions(audience_root, server, capsys):  # noqa: F811
    root, handler = audience_root, server
    result = tick(TickOptions(data_dir=root / "data", out_dir=root / "output"), Log(json_lines=True))
    assert result.ok  # waiting for a sign-off is not a failed run
    assert result.counts["waiting"] == 2 and result.counts["sent"] == 2
    assert got(handler) == {"pat@example.org", "ivo@example.org"}
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert any(r.get("outcome") == "waiting-approval" and "needs 1 approval" in r.get("detail", "") for r in lines)


def test_approving_what_is_not_built_or_another_edition_is_refused(tmp_path):
    root = make_project(tmp_path, AUDIENCE / "data")
    result = cli(root, "approve", "--as", "Avery Example")
    assert result.exit_code == 2 and "not built yet, so not approved" in result.output
    result = cli(root, "approve", "--edition", "2026-10-01", "--as", "Avery Example")
    assert result.exit_code == 2 and "holds the edition of 2026-11-01" in result.output
    result = cli(root, "approve", "--as", "Avery\nExample")
    assert result.exit_code == 2 and "one line of plain text" in result.output
    assert not (root / "output" / LOG_NAME).exists()


@pytest.mark.slow
def test_a_scheduled_tick_mails_approvers_a_review_copy_once(audience_root, server):  # noqa: F811
    root, handler = audience_root, server
    dist = root / "data" / "distribution.yaml"
    dist.write_text(dist.read_text().replace("clearance: confidential\n",
                                             "clearance: confidential\n    approver: yes\n"))
    options = TickOptions(data_dir=root / "data", out_dir=root / "output")
    first = tick(options, Log(quiet=True))
    assert first.ok and first.counts["review"] == 2 and first.counts["waiting"] == 2
    reviews = [parse(raw) for _, rcpts, raw in handler.messages if rcpts == ["cas@example.org"]]
    assert sorted(str(m["Subject"]) for m in reviews) == [
        "For review: Fictional Levels Book, confidential edition — 1 November 2026",
        "For review: Fictional Levels Book, partner edition — 1 November 2026"]
    partner = next(m for m in reviews if "partner" in str(m["Subject"]))
    shown = "Fictional Levels Book — 1 November 2026 — Pia Partner.pdf"
    assert [p.get_filename() for p in partner.iter_attachments()] == [shown]  # what pia would get
    assert "briefing approve --edition 2026-11-01 --audience partner" in partner.get_body(("plain",)).get_content()

    again = tick(options, Log(quiet=True))
    assert again.counts["review"] == 0 and len(handler.messages) == 4  # each review copy once

    for name in ("Avery Example", "Blake Example"):
        assert cli(root, "approve", "--as", name).exit_code == 0
    done = tick(options, Log(quiet=True))
    assert done.counts["sent"] == 2 and done.counts["waiting"] == 0 and done.counts["review"] == 0
    final = [parse(raw) for _, rcpts, raw in handler.messages if rcpts == ["cas@example.org"]][-1]
    body = final.get_body(("plain",)).get_content()
    assert not str(final["Subject"]).startswith("For review")
    # a review copy is not an edition received: no "what changed since your last edition" (issue 24)
    assert "What changed" not in body
    assert sum(k == "review" and d.startswith("sent:") for k, _, _, d in trail(root)) == 2
