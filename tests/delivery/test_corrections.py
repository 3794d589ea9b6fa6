"""Issue 24 against a real SMTP server (aiosmtpd) on loopback: corrections instead of repeats,
emails that say only what is true, one state model, and editions built only for book readers."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest
from audience_book import audience_built, audience_root  # noqa: F401 - fixtures
from click.testing import CliRunner

from briefing.build.pipeline import Options, build
from briefing.cli import main
from briefing.errors import EXIT_WAITING

PAT = "pat@example.org"
OLIVE = "olive@example.org"


def cli(root: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(main, [args[0], "--data", str(root / "data"), "--out", str(root / "output"),
                                     *args[1:]], env=env, catch_exceptions=False)


def smtp_env(controller) -> dict:
    return {"BRIEFING_SMTP_URL": f"smtp://127.0.0.1:{controller.port}"}


def messages(handler, rcpt: str) -> list:
    return [email.message_from_bytes(raw, policy=policy.default) for _, rcpts, raw in handler.messages
            if rcpts == [rcpt]]


def plain(msg) -> str:
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def edit(root: Path, slug: str, old: str, new: str) -> None:
    path = root / "data" / "sponsors" / f"{slug}.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def add_one_pager_reader(root: Path) -> None:
    path = root / "data" / "distribution.yaml"
    path.write_text(path.read_text() + (
        "  - id: olive-onepager\n    name: Olive Onepager\n    email: olive@example.org\n"
        "    sponsors: [acme-anvils]\n    receives: [one-pagers]\n"))


# --- 1. an edit after sending is a correction, never a silent repeat ------------------------------

def test_an_edit_after_sending_is_held_then_sent_as_a_threaded_correction(root, server):
    handler, controller = server
    env = smtp_env(controller)
    assert cli(root, "send", "--for", PAT, env=env).exit_code == 0
    (first,) = messages(handler, PAT)
    edit(root, "globex-imaginary", "value: \"42\"", "value: \"41\"")  # no new edition date

    held = cli(root, "send", "--for", PAT, env=env)  # book.yaml says nothing: updates: hold
    assert held.exit_code == EXIT_WAITING, held.output
    assert len(messages(handler, PAT)) == 1  # no second message with the identical subject
    assert "changed after it was sent" in held.output and "--correction" in held.output
    dry = cli(root, "send", "--dry-run", "--for", PAT, env=env)
    assert "would hold correction" in dry.output
    status = cli(root, "status", env=env)
    assert "changed after it was sent to 1 recipient(s)" in status.output
    assert "correction held" in status.output

    assert cli(root, "send", "--correction", "--for", PAT, env=env).exit_code == 0
    first_id = first["Message-ID"]
    (_, correction) = messages(handler, PAT)
    assert correction["Subject"] == "Updated: Fictional Sponsor Book — 1 November 2026"
    assert correction["In-Reply-To"] == first_id and first_id in correction["References"]
    assert correction["Message-ID"] != first_id
    text = plain(correction)
    assert "This replaces the edition of 1 November 2026 you received earlier" in text
    assert "What changed since the version you received:\n  - Globex Imaginary: Widgets: 42 → 41\n" in text
    assert cli(root, "send", "--for", PAT, env=env).exit_code == 0  # the correction was sent: nothing more
    assert len(messages(handler, PAT)) == 2

    # a second edit, with scheduled runs allowed to correct: measured against the correction
    book = root / "data" / "book.yaml"
    book.write_text(book.read_text() + "updates: correct\n")
    edit(root, "globex-imaginary", "title: Globex widget recall", "title: Globex widget recall widens")
    assert cli(root, "send", "--for", PAT, env=env).exit_code == 0
    (_, _, second) = messages(handler, PAT)
    assert second["Subject"] == "Updated: Fictional Sponsor Book — 1 November 2026"
    assert second["In-Reply-To"] == correction["Message-ID"]
    assert second["References"].split() == [first_id, correction["Message-ID"]]
    text = plain(second)
    assert "Globex widget recall widens" in text and "42 → 41" not in text  # only what changed since


# --- 2. emails that say only what is true -----------------------------------------------------------

def test_a_first_email_never_claims_a_last_edition(root, server):
    handler, controller = server
    book = root / "data" / "book.yaml"  # the output holds the 1 November build; this is 15 November
    book.write_text(book.read_text().replace("edition: 2026-11-01", "edition: 2026-11-15"))
    edit(root, "globex-imaginary", "title: Globex widget recall", "title: Globex widget recall widens")
    assert cli(root, "send", "--for", PAT, env=smtp_env(controller)).exit_code == 0
    (msg,) = messages(handler, PAT)
    assert "What changed" not in plain(msg)  # the send log has no earlier letter to Pat


def test_attachments_have_human_names_and_the_mail_is_signed_by_the_organisation(root, server):
    handler, controller = server
    assert cli(root, "send", "--for", PAT, env=smtp_env(controller)).exit_code == 0
    (msg,) = messages(handler, PAT)
    (part,) = list(msg.iter_attachments())
    assert part.get_filename() == "Fictional Sponsor Book — 1 November 2026 — Pat Fictional.pdf"
    assert part.get_param("name") == "Fictional Sponsor Book - 1 November 2026 - Pat Fictional.pdf"  # ASCII
    raw = handler.messages[0][2]
    assert b"filename*0*=utf-8''Fictional%20Sponsor%20Book%20%E2%80%94" in raw, raw[-2000:]  # RFC 2231
    assert part.get_content() == (root / "output" / "editions" / "pat-fictional.pdf").read_bytes()
    text = plain(msg)
    assert "Sent by briefing" not in text
    assert text.rstrip().endswith("From Example Host City (fictional). "
                                  "Please do not forward it outside the organisation.")
    assert "Example Host City (fictional)" in msg.get_body(("html",)).get_content()


def test_a_one_pager_reader_is_not_told_a_book_is_attached(root, server):
    handler, controller = server
    add_one_pager_reader(root)
    assert cli(root, "send", "--for", OLIVE, env=smtp_env(controller)).exit_code == 0
    (msg,) = messages(handler, OLIVE)
    text = plain(msg)
    assert "Fictional Sponsor Book of" not in text
    assert "Attached, as of 1 November 2026: Acme Anvils (fictional) on one page." in text
    assert [p.get_filename() for p in msg.iter_attachments()] == [
        "Acme Anvils (fictional) on one page — 1 November 2026.pdf"]


# --- 3. one state model: outbox letters are in the outbox, not "had" -------------------------------

def test_outbox_letters_are_said_as_such_and_moved_when_delivered(root, server):
    handler, controller = server
    outbox_env = {"BRIEFING_SMTP_URL": ""}
    dry = cli(root, "send", "--dry-run", env=outbox_env)
    assert "dry run: 0 would be sent, 2 would be written to the outbox, 0 skipped" in dry.output
    assert cli(root, "send", env=outbox_env).exit_code == 0
    again = cli(root, "send", env=outbox_env)
    assert "every recipient already has this edition" not in again.output
    assert "2 letter(s) already in the outbox, not delivered" in again.output
    status = json.loads(cli(root, "status", "--json", env=outbox_env).output)
    states = {r["email"]: r["state"] for lvl in status["levels"] for r in lvl["recipients"]}
    assert states == {PAT: "written to the outbox", "sam@example.org": "written to the outbox"}

    outbox = root / "output" / "outbox"
    assert len(list(outbox.glob("*.eml"))) == 2
    assert cli(root, "send", env=smtp_env(controller)).exit_code == 0
    assert len(handler.messages) == 2
    assert list(outbox.glob("*.eml")) == []  # delivered: moved out of the outbox
    assert len(list((outbox / "delivered").glob("*.eml"))) == 2
    status = json.loads(cli(root, "status", "--json", env=outbox_env).output)
    assert {r["state"] for lvl in status["levels"] for r in lvl["recipients"]} == {"sent"}


# --- 6. `--for all` builds an edition only for someone who receives the book -------------------------

def test_for_all_builds_no_edition_for_a_one_pager_reader(root):
    add_one_pager_reader(root)
    report = build(Options(data_dir=root / "data", out_dir=root / "output", recipients="all"))
    assert report.ok, report.failed
    assert not (root / "output" / "editions" / "olive-onepager.pdf").exists()
    assert (root / "output" / "editions" / "pat-fictional.pdf").is_file()


# --- 5. after `approve`, status says ready, and so does every recipient line -----------------------

@pytest.mark.slow
def test_status_after_approval_agrees_with_itself(audience_root):  # noqa: F811
    root = audience_root
    before = json.loads(cli(root, "status", "--json").output)
    partner = {lvl["level"]: lvl for lvl in before["levels"]}["partner"]
    assert not partner["ready"]
    assert {r["state"] for r in partner["recipients"]} == {"waiting for approval"}
    assert cli(root, "approve", "--as", "Avery Example", "--audience", "partner").exit_code == 0
    after = cli(root, "status")
    assert after.exit_code == 0
    block = after.output.split("  partner:")[1].split("\n  ")[0]
    assert "ready to send" in block and "has 0" not in block, after.output
    found = json.loads(cli(root, "status", "--json").output)
    partner = {lvl["level"]: lvl for lvl in found["levels"]}["partner"]
    assert partner["ready"] and {r["state"] for r in partner["recipients"]} == {"ready to send"}


# --- 12. attachments are streamed: memory does not grow with the file ---------------------------------

SENDER = """
import resource, sys
from pathlib import Path
from briefing.delivery.mail import Attachment, Letter, Policy, SendLog, Smtp, SmtpConfig, deliver
big, port, log = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
letter = Letter(name="Big Reader", email="big@example.org", title=None, attachments=[Attachment(big, "Big", 1)],
                subject="Big", sender="b@example.org", edition="2026-11-01", edition_label="1 November 2026")
(result,) = deliver([letter], transport=Smtp(SmtpConfig("127.0.0.1", port)), log=SendLog(log),
                    policy=Policy(max_bytes=150 * 1024 * 1024, retries=0))
print(result.outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


@pytest.mark.slow
def test_a_50_mb_attachment_is_streamed_not_held_in_memory(tmp_path):
    import os
    import subprocess
    import sys

    from aiosmtpd.controller import Controller
    from conftest import Recorder, free_port

    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        for _ in range(50):
            handle.write(os.urandom(1024 * 1024))
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), data_size_limit=None)
    controller.start()
    try:
        done = subprocess.run([sys.executable, "-c", SENDER, str(big), str(controller.port), str(tmp_path / "log")],
                              capture_output=True, text=True, timeout=300)
    finally:
        controller.stop()
    assert done.returncode == 0, done.stderr
    outcome, grew_kb = done.stdout.split()
    assert outcome == "sent"
    assert int(grew_kb) < 50 * 1024, f"peak memory grew by {int(grew_kb) // 1024} MB for a 50 MB attachment"
    (msg,) = [email.message_from_bytes(raw, policy=policy.default) for _, _, raw in handler.messages]
    (part,) = list(msg.iter_attachments())
    assert part.get_content() == big.read_bytes()  # the streamed message is the same message
