"""Issue 14, against a real SMTP server (aiosmtpd) on loopback: delivery an operator can trust."""

from __future__ import annotations

import email
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BRIEFING, KEYS

from briefing.cli import main
from briefing.delivery.distribute import SendOptions, send
from briefing.delivery.mail import LOG_NAME, SendLog


def smtp(monkeypatch, controller) -> None:
    monkeypatch.setenv("BRIEFING_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")


def opts(root: Path, **extra) -> SendOptions:
    return SendOptions(data_dir=root / "data", out_dir=root / "output", backoff=0.01, **extra)


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def received(handler) -> dict[str, list]:
    got: dict[str, list] = {}
    for _, rcpts, raw in handler.messages:
        got.setdefault(rcpts[0], []).append(parse(raw))
    return got


def states(root: Path) -> dict[str, str]:
    db = sqlite3.connect(root / "output" / LOG_NAME)
    try:
        return dict(db.execute("SELECT recipient, state FROM sends"))
    finally:
        db.close()


def run_cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


# --- 1. the outbox is not "sent"; a later SMTP run delivers it -----------------------------

def test_outbox_is_not_sent_and_a_later_smtp_run_delivers_it(root, server, monkeypatch):
    handler, controller = server
    monkeypatch.delenv("BRIEFING_SMTP_URL", raising=False)
    first = send(opts(root))
    assert [r.outcome for r in first] == ["written-to-outbox", "written-to-outbox"]
    assert states(root) == {"pat@example.org": "written-to-outbox", "sam@example.org": "written-to-outbox"}
    outbox_ids = {parse(p.read_bytes())["To"].addresses[0].addr_spec: parse(p.read_bytes())["Message-ID"]
                  for p in (root / "output" / "outbox").glob("*.eml")}

    smtp(monkeypatch, controller)
    second = send(opts(root))
    assert [r.outcome for r in second] == ["sent", "sent"]
    got = received(handler)
    assert sorted(got) == ["pat@example.org", "sam@example.org"]
    # the same message as the outbox copy, not a different one
    assert {k: v[0]["Message-ID"] for k, v in got.items()} == outbox_ids
    assert states(root) == {"pat@example.org": "sent", "sam@example.org": "sent"}
    assert [r.outcome for r in send(opts(root))] == ["skipped", "skipped"]
    assert len(handler.messages) == 2


def test_cli_says_written_to_outbox_not_sent(root, monkeypatch):
    monkeypatch.delenv("BRIEFING_SMTP_URL", raising=False)
    result = run_cli("send", "--data", str(root / "data"), "--out", str(root / "output"), "--for",
                     "pat@example.org")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("written-to-outbox  pat@example.org  <briefing.")
    assert lines[-1] == "0 sent, 1 written to the outbox, 0 already done"
    assert " sent " not in lines[0]


def test_deploy_cron_loads_the_env_file_and_uses_portable_days():
    repo = Path(__file__).resolve().parents[2]
    cron = (repo / "deploy" / "briefing.cron").read_text()
    unit = (repo / "deploy" / "briefing.service").read_text()
    job = [line for line in cron.splitlines() if line.strip() and not line.startswith("#")]
    assert len(job) == 1 and job[0].split()[:5] == ["0", "6", "*", "*", "1-5"]
    assert "/etc/briefing/env" in job[0] and "EnvironmentFile=/etc/briefing/env" in unit
    assert "briefing tick" in job[0] and "briefing tick" in unit


# --- 2. one recipient's failure stops no one else -------------------------------------------

def test_a_recipient_whose_pdfs_cannot_be_built_does_not_block_the_others(root, server, monkeypatch):
    handler, controller = server
    smtp(monkeypatch, controller)
    (root / "data" / "attachments" / "acme-factsheet.pdf").write_bytes(b"not a pdf")  # only Sam gets Acme
    result = run_cli("send", "--data", str(root / "data"), "--out", str(root / "output"))
    assert result.exit_code == 1
    assert sorted(received(handler)) == ["pat@example.org"]
    out = result.stdout.splitlines()
    assert out[0].startswith("             sent  pat@example.org  <briefing.")
    assert result.stderr.splitlines()[-2].startswith(
        "        not-built  sam@example.org  editions/sam-madeup.pdf could not be built: ")
    assert "acme-factsheet.pdf" in result.stderr and "left for the next run" in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "1 sent, 0 written to the outbox, 0 already done, 1 not served: sam@example.org (not-built)")
    assert "sam@example.org" not in states(root)  # nothing recorded: the next run tries again


# --- 6. --dry-run reads the send log; --force makes a new Message-ID ------------------------

def test_dry_run_says_exactly_what_the_real_run_does(root, server, monkeypatch):
    handler, controller = server
    smtp(monkeypatch, controller)
    send(opts(root, recipients="pat@example.org"))
    dry = send(opts(root, dry_run=True))
    assert [(r.email, r.outcome) for r in dry] == [("pat@example.org", "would skip"),
                                                    ("sam@example.org", "would send")]
    assert "already sent this edition" in dry[0].detail and "not sent before" in dry[1].detail
    real = send(opts(root))
    assert [(r.email, r.action) for r in real] == [(r.email, r.action) for r in dry]
    assert [r.outcome for r in real] == ["skipped", "sent"]
    after = send(opts(root, dry_run=True))
    assert [r.outcome for r in after] == ["would skip", "would skip"]
    assert len(handler.messages) == 2


def test_force_sends_a_new_message_id_that_references_the_earlier_one(root, server, monkeypatch):
    handler, controller = server
    smtp(monkeypatch, controller)
    send(opts(root, recipients="pat@example.org"))
    send(opts(root, recipients="pat@example.org", force=True))
    first, second = received(handler)["pat@example.org"]
    assert first["Message-ID"] != second["Message-ID"]
    assert second["References"] == first["Message-ID"] and first["References"] is None


def test_a_sending_row_left_by_a_crash_becomes_unknown(root, server, monkeypatch):
    handler, controller = server
    smtp(monkeypatch, controller)
    send(opts(root, recipients="pat@example.org"))
    db = sqlite3.connect(root / "output" / LOG_NAME)
    db.execute("UPDATE sends SET state = 'sending'")  # as if the process died during DATA
    db.commit()
    db.close()
    dry = send(opts(root, recipients="pat@example.org", dry_run=True))
    assert dry[0].outcome == "would hold back" and "stopped while sending" in dry[0].detail
    real = send(opts(root, recipients="pat@example.org"))
    assert real[0].outcome == "unknown" and "--force" in real[0].detail
    assert states(root) == {"pat@example.org": "unknown"}
    assert len(handler.messages) == 1


# --- 5. a display name in the sender -----------------------------------------------------

def test_a_display_name_sender_works(root, server, monkeypatch):
    handler, controller = server
    smtp(monkeypatch, controller)
    monkeypatch.setenv("BRIEFING_SMTP_FROM", "Partnerships Briefings <briefings@example.org>")
    results = send(opts(root, recipients="pat@example.org"))
    assert results[0].outcome == "sent", results[0].detail
    mail_from, _, raw = handler.messages[0]
    assert mail_from == "briefings@example.org"
    assert parse(raw)["From"] == "Partnerships Briefings <briefings@example.org>"


@pytest.mark.parametrize("dry", [[], ["--dry-run"]])
def test_a_bad_sender_is_refused_before_anything_is_built(root, monkeypatch, dry):
    monkeypatch.setenv("BRIEFING_SMTP_FROM", "Partnerships Briefings <briefings@>")
    out = root / "fresh-output"
    result = run_cli("send", "--data", str(root / "data"), "--out", str(out), *dry)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: BRIEFING_SMTP_FROM: ")
    assert "Traceback" not in result.output
    assert not list(out.glob("*.pdf")) and not (out / "editions").exists()


# --- 9. the email an executive acts on ---------------------------------------------------------

def test_the_email_surfaces_watch_items_and_attachments(root, server, monkeypatch):
    handler, controller = server
    smtp(monkeypatch, controller)
    send(opts(root))
    got = received(handler)
    sam = got["sam@example.org"][0]
    assert sam["Subject"] == "Fictional Sponsor Book — 1 November 2026"
    text = sam.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "On the watch list (critical and high):\n" \
           "  - Critical — Acme Anvils (fictional): Acme anvil shortage\n" \
           "  - High — Globex Imaginary: Globex widget recall\n" in text
    assert "Attached (7 files, " in text
    one_pager = "Acme Anvils (fictional) on one page — 1 November 2026.pdf"
    assert f"  - {one_pager}: 1 page, " in text
    assert "pages" not in text.split(one_pager)[1].split("\n")[0]
    html = sam.get_body(("html",)).get_content()
    assert "Acme Anvils (fictional) on one page" in html
    assert "<strong>Critical</strong> — Acme Anvils (fictional): Acme anvil shortage" in html
    assert "cid:" not in html  # no decorative images
    pat = got["pat@example.org"][0].get_body(("plain",)).get_content()
    assert "High — Globex Imaginary: Globex widget recall" in pat and "Acme" not in pat  # only her sponsors


# --- 10. two people with the same name get two editions ---------------------------------------

def test_two_recipients_with_the_same_name_get_two_editions(root, server, monkeypatch):
    handler, controller = server
    smtp(monkeypatch, controller)
    (root / "data" / "distribution.yaml").write_text(
        "recipients:\n"
        "  - {name: Avery Example, email: avery.cfo@example.org, title: Chief Financial Officer,"
        " sponsors: [globex-imaginary]}\n"
        "  - {name: Avery Example, email: avery.ceo@example.org, title: Chief Executive Officer,"
        " sponsors: [acme-anvils]}\n")
    results = send(opts(root))
    assert [r.outcome for r in results] == ["sent", "sent"], [r.detail for r in results]
    got = received(handler)
    cfo = {p.get_filename(): p.get_content() for p in got["avery.cfo@example.org"][0].iter_attachments()}
    ceo = {p.get_filename(): p.get_content() for p in got["avery.ceo@example.org"][0].iter_attachments()}
    shown = "Fictional Sponsor Book — 1 November 2026 — Avery Example.pdf"  # files on disk keep their ids
    assert list(cfo) == [shown] and list(ceo) == [shown]
    assert cfo[shown] == (root / "output" / "editions" / "avery-cfo-example-org.pdf").read_bytes()
    assert ceo[shown] == (root / "output" / "editions" / "avery-ceo-example-org.pdf").read_bytes()
    from conftest import normalise, pdf_text

    cfo_text = normalise(" ".join(pdf_text(root / "output" / "editions" / "avery-cfo-example-org.pdf")))
    ceo_text = normalise(" ".join(pdf_text(root / "output" / "editions" / "avery-ceo-example-org.pdf")))
    assert normalise("Chief Financial Officer") in cfo_text and normalise("Chief Executive") not in cfo_text
    assert normalise("Chief Executive Officer") in ceo_text and normalise("Chief Financial") not in ceo_text


# --- 8. exit codes --------------------------------------------------------------------------------

def test_unknown_recipient_and_unknown_slug_are_usage_errors(root):
    data, out = str(root / "data"), str(root / "output")
    result = run_cli("send", "--data", data, "--out", out, "--for", "nobody@example.org")
    assert result.exit_code == 2
    assert result.stderr == ("error: nobody@example.org is not in data/distribution.yaml "
                             "(known: pat@example.org, sam@example.org)\n")
    result = run_cli("build", "no-such-sponsor", "--data", data, "--out", out)
    assert result.exit_code == 2
    assert result.stderr == ("error: unknown sponsor(s): no-such-sponsor "
                             "(known: acme-anvils, globex-imaginary, initech-pretend)\n")


def test_ctrl_c_on_watch_exits_130(root):
    child = subprocess.Popen([str(BRIEFING), "watch", "--data", "data", "--out", "output"], cwd=root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        line = ""
        while "watching" not in line and time.monotonic() < deadline:
            line = child.stdout.readline()
        assert "watching" in line
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=20) == 130
        assert child.stderr.read().strip().endswith("interrupted")
    finally:
        if child.poll() is None:
            child.kill()


def test_doctor_honours_data(tmp_path, root):
    result = run_cli("doctor", "--data", str(tmp_path / "nowhere" / "data"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2  # a folder without data/ is a usage problem, not a missing library
    assert f"error: no data folder at {tmp_path / 'nowhere' / 'data'}: " in result.stderr
    result = run_cli("doctor", "--data", str(root / "data"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert f"ok: project at {root}: " in result.stdout
    assert f"ok: data folder {root / 'data'}: 3 sponsor file(s) valid" in result.stdout


def test_changes_cli_uses_the_library(root):
    result = run_cli("changes", "--data", str(root / "data"), "--out", str(root / "output"))
    assert result.exit_code == 0
    assert result.stdout == f"no earlier edition in {root / 'output'}: this is the first edition\n"
    result = run_cli("changes", "--json", "--data", str(root / "data"), "--out", str(root / "output"))
    assert json.loads(result.stdout) == {"edition": "2026-11-01", "since": None, "sponsors": {}}


def test_send_log_reader_does_not_create_a_log(tmp_path):
    log = SendLog(tmp_path / LOG_NAME, read_only=True)
    assert log.state("x") is None
    log.close()
    assert not (tmp_path / LOG_NAME).exists()


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def test_the_html_body_fits_a_375_px_phone(tmp_path):
    """Lay the HTML part out 375 px wide with WeasyPrint: no box may stick out to the right
    (a phone would scroll sideways); the PNG is kept for a person to look at."""
    import pypdfium2
    import weasyprint

    from briefing.delivery.mail import Attachment, Letter, body_html

    pdf = Path(__file__).parents[1] / "fixtures" / "fiction" / "data" / "attachments" / "acme-factsheet.pdf"
    long_name = tmp_path / ("a-very-long-sponsor-file-name-without-any-spaces-" * 3 + ".pdf")
    shutil.copy(pdf, long_name)
    letter = Letter(name="Avery Example", email="avery@example.org", title=None,
                    attachments=[Attachment(pdf, "Acme factsheet", 1), Attachment(long_name, "Long", 2)],
                    subject="Fictional Sponsor Book — 1 November 2026", sender="b@example.org",
                    edition="2026-11-01", edition_label="1 November 2026", book_title="Fictional Sponsor Book",
                    watch=["Critical — Acme Anvils (fictional): Acme anvil shortage"],
                    changes=["Globex Imaginary: Market value: ~$1 billion → ~$2 billion"])
    html = body_html(letter)
    assert "<strong>Critical</strong> — Acme Anvils" in html and "<strong>acme-factsheet.pdf</strong>" in html
    phone = html.replace("</head>", "<style>@page { size: 375px 1400px; margin: 0 }</style></head>")
    document = weasyprint.HTML(string=phone).render()
    assert len(document.pages) == 1
    right = max(b.position_x + b.margin_width() for b in _boxes(document.pages[0]._page_box)
                if hasattr(b, "margin_width"))
    assert right <= 375, f"content is {right:.0f} px wide at a 375 px viewport"
    document.write_pdf(tmp_path / "mail-375.pdf")
    pypdfium2.PdfDocument(str(tmp_path / "mail-375.pdf"))[0].render(scale=2).to_pil().save(tmp_path / "m.png")


# --- 3. schedules in local time -------------------------------------------------------------------

def test_schedule_next_prints_six_am_los_angeles_on_weekdays_across_dst():
    result = run_cli("schedule", "--cron", "0 6 * * 1-5", "--tz", "America/Los_Angeles", "--next", "300")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 300
    assert all(" 06:00 " in line for line in lines)
    assert {line.split()[0] for line in lines} == {"Mon", "Tue", "Wed", "Thu", "Fri"}
    assert {line.split()[3] for line in lines} == {"-0700", "-0800"}  # a year holds both DST changes
    days = [line.split()[1] for line in lines]
    assert len(set(days)) == 300  # no day twice


def test_next_runs_across_the_november_change_exactly():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from briefing.ops.schedule import next_runs

    la = ZoneInfo("America/Los_Angeles")
    times = next_runs("0 6 * * 1-5", la, after=dt.datetime(2026, 10, 29, 14, tzinfo=dt.UTC))  # 07:00 PDT
    got = [next(times).isoformat() for _ in range(3)]
    assert got == ["2026-10-30T06:00:00-07:00", "2026-11-02T06:00:00-08:00", "2026-11-03T06:00:00-08:00"]
    # 02:30 does not exist on 8 March 2026: it runs once, just after the jump, as cron does
    times = next_runs("30 2 * * *", la, after=dt.datetime(2026, 3, 7, 20, tzinfo=dt.UTC))
    assert [next(times).isoformat() for _ in range(2)] == ["2026-03-08T03:00:00-07:00",
                                                          "2026-03-09T02:30:00-07:00"]


def test_the_machine_zone_is_the_default_and_book_yaml_can_name_one(root, monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    result = run_cli("schedule", "--data", str(root / "data"), "--cron", "0 6 * * MON-FRI", "--next", "1")
    assert result.stdout.split()[2:4] == ["06:00", result.stdout.split()[3]]
    assert result.stdout.split()[3] in ("-0700", "-0800") and result.stdout.split()[0] != "Sun"
    book = root / "data" / "book.yaml"
    book.write_text(book.read_text() + "schedule: '0 7 * * 1-5'\ntimezone: Europe/Zurich\n")
    result = run_cli("schedule", "--data", str(root / "data"), "--next", "1")
    assert " 07:00 " in result.stdout and result.stdout.split()[3] in ("+0100", "+0200")
    result = run_cli("schedule", "--data", str(root / "data"), "--tz", "Mars/Olympus", "--next", "1")
    assert result.exit_code == 2 and "unknown time zone 'Mars/Olympus'" in result.stderr


# --- 11. single-line fields refuse line breaks at validate -------------------------------------------

def test_a_line_break_in_the_book_title_fails_validate(root):
    book = root / "data" / "book.yaml"
    book.write_text(book.read_text().replace("title: Fictional Sponsor Book",
                                             'title: "Fictional\\r\\nBcc: someone@example.org"'))
    result = run_cli("validate", "--data", str(root / "data"))
    assert result.exit_code == 1
    assert "book.yaml:2:8: title: must be one line: remove the line break" in result.stderr


# --- 12. output errors name the output, never a data file -----------------------------------------

def test_a_full_disk_names_the_output_path_and_stage(tmp_path):
    # RLIMIT_FSIZE makes the kernel answer EFBIG, as a full or capped volume does
    code = ("import resource, sys; from pathlib import Path; from briefing.files import write_atomic\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
            "write_atomic(Path(sys.argv[1]), b'x' * 5000, stage='assemble')\n")
    target = tmp_path / "out" / "briefing-book.pdf"
    done = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last == (f"briefing.errors.OutputError: cannot write {target} (assemble): the file is larger "
                    "than this system allows (file size limit) (File too large)")
    assert not target.exists() and not list(target.parent.glob(".*.tmp"))


def test_an_unwritable_output_folder_is_named_with_its_stage(root, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    result = run_cli("build", "--data", str(root / "data"), "--out", str(blocker / "out"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot write {blocker / 'out' / '.briefing.lock'} (lock): ")
    assert ".yaml" not in result.stderr


# --- 7. --log-json: every line one JSON object -------------------------------------------------------



def _json_lines(text: str) -> list[dict]:
    records = [json.loads(line) for line in text.splitlines()]
    for record in records:
        assert KEYS <= set(record), record
        assert record["ts"][-6] in "+-" and record["ts"][10] == "T"  # ISO 8601 with an offset
    return records


@pytest.mark.slow
def test_every_log_json_line_parses_with_a_timestamp_and_run_id(root, server):
    handler, controller = server
    env = {**os.environ, "BRIEFING_SMTP_URL": f"smtp://127.0.0.1:{controller.port}"}
    book = root / "data" / "sponsors" / "acme-anvils.yaml"
    book.write_text(book.read_text().replace("as_of: ", "as_of: 2001 #", 1))  # stale: a warning
    (root / "data" / "attachments" / "acme-factsheet.pdf").write_bytes(b"not a pdf")  # an error
    done = subprocess.run([str(BRIEFING), "tick", "--log-json", "--data", "data", "--out", "output"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    out, err = _json_lines(done.stdout), _json_lines(done.stderr)
    assert len({r["run_id"] for r in out + err}) == 1
    assert any(r["level"] == "warning" and "days old" in r["message"] for r in err)
    assert any(r["level"] == "error" and r["stage"] == "send" and r["outcome"] == "not-built" for r in err)
    assert any(r["stage"] == "send" and r["outcome"] == "sent" and r["item"] == "pat@example.org" for r in out)
    assembled = [r for r in out + err if r["stage"] == "assemble" and r["outcome"] in ("done", "failed")]
    # real durations: an assembled book took time; one refused before assembly (its chapter failed) took ~none
    assert assembled and all(isinstance(r["duration_s"], float) and r["duration_s"] >= 0 for r in assembled)
    assert all(r["duration_s"] > 0 for r in assembled if r["outcome"] == "done")
    assert [r["outcome"] for r in err if r["stage"] == "run"] == ["failed"]
    assert len(handler.messages) == 1


def test_log_json_usage_errors_are_json_too(root):
    result = run_cli("send", "--log-json", "--data", str(root / "data"), "--out", str(root / "output"),
                     "--for", "nobody@example.org")
    assert result.exit_code == 2 and result.stdout == ""
    (record,) = _json_lines(result.stderr)
    assert record["level"] == "error" and record["exit_code"] == 2 and "nobody@example.org" in record["message"]


# --- 4. the scheduled email carries the changes section ------------------------------------------

@pytest.mark.slow
def test_the_scheduled_tick_sends_what_changed_since_the_last_edition(root, server, monkeypatch):
    from briefing.ops.progress import Log
    from briefing.ops.schedule import TickOptions, tick

    handler, controller = server
    smtp(monkeypatch, controller)
    assert send(opts(root, recipients="pat@example.org"))[0].outcome == "sent"  # Pat has 1 November
    book = root / "data" / "book.yaml"
    book.write_text(book.read_text().replace("edition: 2026-11-01", "edition: 2026-11-15"))
    globex = root / "data" / "sponsors" / "globex-imaginary.yaml"
    globex.write_text(globex.read_text().replace("title: Globex widget recall", "title: Globex widget recall widens"))
    result = tick(TickOptions(data_dir=root / "data", out_dir=root / "output", wait=False), Log(quiet=True))
    assert result.ok, result
    latest = received(handler)["pat@example.org"][-1]
    assert latest["Subject"] == "Fictional Sponsor Book — 15 November 2026"
    text = latest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "What changed since your last edition (1 November 2026):\n  - Globex Imaginary: " in text
    assert "Globex widget recall widens" in text


def test_a_damaged_pdf_after_the_build_holds_back_only_its_recipient(root, server, monkeypatch):
    handler, controller = server
    smtp(monkeypatch, controller)
    from briefing.build import pipeline as build_module

    real_build = build_module.build

    def build_then_damage(options, progress=None):  # as if the disk returned garbage after the build
        report = real_build(options, progress)
        (root / "output" / "editions" / "sam-madeup.pdf").write_bytes(b"%PDF-1.7\ngarbage")
        return report

    monkeypatch.setattr("briefing.delivery.distribute.build", build_then_damage)
    results = send(opts(root))
    assert [(r.email, r.outcome) for r in results] == [("pat@example.org", "sent"),
                                                       ("sam@example.org", "not-built")]
    assert "cannot read an attachment" in results[1].detail
    assert sorted(received(handler)) == ["pat@example.org"]


def test_a_full_disk_during_send_names_the_send_log(root):
    import resource

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    done = subprocess.run([str(BRIEFING), "send", "--for", "pat@example.org", "--data", "data", "--out", "output"],
                          cwd=root, capture_output=True, text=True, timeout=120, preexec_fn=small_files)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[-1].startswith("error: cannot write output/send-log.sqlite (send log): ")
    assert "Traceback" not in done.stderr and ".yaml" not in done.stderr
