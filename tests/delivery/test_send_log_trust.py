"""Issue 24 against a real SMTP server (aiosmtpd) on loopback: secrets stay secret, and a send log
that cannot be fooled (emptied, foreign, damaged, locked, or left `sending` by a Ctrl-C)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from conftest import BRIEFING, Recorder, free_port

from briefing.cli import main
from briefing.delivery.distribute import SendOptions, send
from briefing.delivery.mail import LOG_NAME


def run_cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def opts(root: Path, **extra) -> SendOptions:
    return SendOptions(data_dir=root / "data", out_dir=root / "output", backoff=0.01, **extra)


# --- 9. a malformed BRIEFING_SMTP_URL never prints any part of the password -----------------------

PIECES = ("Kq7Zr", "Lm2Wv", "Tp8Xs", "Hj4Nc")


@pytest.mark.parametrize("password", ["Kq7Zr#Lm2Wv", "Kq7Zr?Lm2Wv", "Kq7Zr/Lm2Wv", "Kq7Zr#Lm2Wv?Tp8Xs/Hj4Nc",
                                      "Kq7Zr/Lm2Wv?timeout=x#Hj4Nc"])
@pytest.mark.parametrize("tail", [":587?timeout=5", ""])
def test_a_malformed_smtp_url_never_prints_the_password(root, password, tail):
    out = root / "output"
    first = run_cli("send", "--data", str(root / "data"), "--out", str(out), env={"BRIEFING_SMTP_URL": ""})
    assert first.exit_code == 0, first.output  # a send log and an outbox exist, to be searched too
    url = f"smtp://mailer:{password}@mail.example.org{tail}"
    seen = []
    for extra in ([], ["--log-json"]):
        result = run_cli("send", *extra, "--data", str(root / "data"), "--out", str(out),
                         env={"BRIEFING_SMTP_URL": url})
        assert result.exit_code == 1, result.output
        assert "percent-encode" in result.stderr and "Traceback" not in result.stderr
        seen += [result.stdout, result.stderr]
    files = [p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*")
             if p.is_file() and (p.suffix == ".eml" or p.name.startswith(LOG_NAME))]
    assert len(files) >= 3
    for piece in PIECES:
        for text in seen + files:
            assert piece not in text


@pytest.mark.parametrize("query", ["timeout=-1", "timeout=0", "timeout=soon", "timeuot=5", "verify"])
def test_a_bad_option_is_a_clear_message_and_nothing_is_recorded(root, query):
    result = run_cli("send", "--data", str(root / "data"), "--out", str(root / "output"),
                     env={"BRIEFING_SMTP_URL": f"smtp://mailer:Kq7Zr@127.0.0.1:1?{query}"})
    assert result.exit_code == 1 and result.stderr.startswith("error: BRIEFING_SMTP_URL")
    assert "Kq7Zr" not in result.stderr
    assert not (root / "output" / LOG_NAME).exists()


# --- 7. an emptied, missing or foreign log is refused while the output holds earlier editions --------

@pytest.mark.parametrize("damage", ["empty", "missing", "foreign"])
def test_an_emptied_send_log_does_not_mail_everyone_again(root, server, damage):
    handler, controller = server
    env = {"BRIEFING_SMTP_URL": f"smtp://127.0.0.1:{controller.port}"}
    args = ("send", "--data", str(root / "data"), "--out", str(root / "output"))
    assert run_cli(*args, env=env).exit_code == 0
    assert len(handler.messages) == 2
    log = root / "output" / LOG_NAME
    for extra in (Path(f"{log}-wal"), Path(f"{log}-shm")):
        extra.unlink(missing_ok=True)
    if damage == "empty":
        log.write_bytes(b"")
    elif damage == "missing":
        log.unlink()
    else:
        log.unlink()
        db = sqlite3.connect(log)
        db.execute("CREATE TABLE notes (text TEXT)")
        db.commit()
        db.close()
    result = run_cli(*args, env=env)
    assert result.exit_code == 1, result.output
    assert len(handler.messages) == 2  # nobody was mailed again
    assert str(log) in result.stderr and "--force-empty-log" in result.stderr
    assert "Traceback" not in result.stderr
    dry = run_cli("send", "--dry-run", *args[1:], env=env)
    assert dry.exit_code == 1 and "--force-empty-log" in dry.stderr
    # the operator checked: proceeding is said, and then it sends
    result = run_cli(*args, "--force-empty-log", env=env)
    assert result.exit_code == 0, result.output
    assert len(handler.messages) == 4


@pytest.mark.slow
def test_a_first_send_into_a_fresh_output_needs_no_flag(tmp_path, fiction, server):
    import shutil

    handler, controller = server
    root = tmp_path / "fresh"
    shutil.copytree(fiction / "data", root / "data")
    for name in ("templates", "assets"):
        shutil.copytree(fiction / name, root / name, symlinks=True)
    env = {"BRIEFING_SMTP_URL": f"smtp://127.0.0.1:{controller.port}"}
    result = run_cli("send", "--for", "pat@example.org", "--data", str(root / "data"),
                     "--out", str(root / "output"), env=env)
    assert result.exit_code == 0, result.output
    assert len(handler.messages) == 1


# --- 10. status on a damaged, emptied or locked log: a clear message naming the file ---------------

@pytest.mark.parametrize("damage", ["garbage", "empty", "foreign"])
def test_status_on_a_damaged_log_names_the_file(root, damage):
    log = root / "output" / LOG_NAME
    assert run_cli("send", "--data", str(root / "data"), "--out", str(root / "output"),
                   env={"BRIEFING_SMTP_URL": ""}).exit_code == 0
    for extra in (Path(f"{log}-wal"), Path(f"{log}-shm")):
        extra.unlink(missing_ok=True)
    if damage == "garbage":
        log.write_bytes(b"this is not a database at all, " * 200)
    elif damage == "empty":
        log.write_bytes(b"")
    else:
        log.unlink()
        db = sqlite3.connect(log)
        db.execute("CREATE TABLE notes (text TEXT)")
        db.commit()
        db.close()
    for command in (["status"], ["status", "--json"], ["send", "--dry-run"]):
        result = run_cli(*command, "--data", str(root / "data"), "--out", str(root / "output"),
                         env={"BRIEFING_SMTP_URL": ""})
        assert result.exit_code == 1, (command, result.output)
        assert str(log) in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_a_locked_log_is_a_bounded_wait_then_a_message(root, monkeypatch):
    monkeypatch.setattr("briefing.delivery.mail.LOCK_WAIT", 0.5, raising=False)
    log = root / "output" / LOG_NAME
    assert run_cli("send", "--data", str(root / "data"), "--out", str(root / "output"),
                   env={"BRIEFING_SMTP_URL": ""}).exit_code == 0
    holder = sqlite3.connect(log, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO trail (at, kind, edition, level, who) VALUES ('x', 'x', 'x', 'x', 'x')")
    try:
        for command in (["status"], ["send"], ["approve", "--as", "Robin"]):
            result = run_cli(*command, "--data", str(root / "data"), "--out", str(root / "output"),
                             env={"BRIEFING_SMTP_URL": ""})
            assert result.exit_code == 3, (command, result.output)  # EXIT_LOCKED
            assert str(log) in result.stderr and "locked" in result.stderr and "waited" in result.stderr
            assert "Traceback" not in result.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# --- 8. `sending` only just before DATA: a failure before it is `failed`, and retried ---------------

class SlowRcpt(Recorder):
    """Answers RCPT only after ``hold`` seconds, and says when a RCPT has arrived."""

    def __init__(self, hold: float):
        super().__init__()
        self.hold = hold
        self.rcpt_seen = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_seen.set()
        await asyncio.sleep(self.hold)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture()
def slow_server():
    handler = SlowRcpt(hold=30)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller
    controller.stop()


def test_ctrl_c_before_data_is_failed_not_unknown_and_exits_promptly(root, slow_server, monkeypatch):
    handler, controller = slow_server
    env = {**os.environ, "BRIEFING_SMTP_URL": f"smtp://127.0.0.1:{controller.port}"}
    child = subprocess.Popen([str(BRIEFING), "send", "--for", "pat@example.org", "--data", "data",
                              "--out", "output"], cwd=root, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert handler.rcpt_seen.wait(60), "the RCPT never arrived"
        child.send_signal(signal.SIGINT)
        start = time.monotonic()
        _, err = child.communicate(timeout=20)
        took = time.monotonic() - start
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert took < 2.0  # 11: a bounded quit, whatever the server does
    db = sqlite3.connect(root / "output" / LOG_NAME)
    rows = db.execute("SELECT state FROM sends WHERE recipient = 'pat@example.org'").fetchall()
    db.close()
    assert rows in ([], [("failed",)])  # never `sending`, never `unknown`: DATA was not reached
    handler.hold = 0
    monkeypatch.setenv("BRIEFING_SMTP_URL", env["BRIEFING_SMTP_URL"])
    results = send(opts(root, recipients="pat@example.org"))
    assert [r.outcome for r in results] == ["sent"]
    assert len(handler.messages) == 1


def test_another_folders_send_log_copied_in_is_refused(root, server, tmp_path):
    handler, controller = server
    env = {"BRIEFING_SMTP_URL": f"smtp://127.0.0.1:{controller.port}"}
    args = ("send", "--data", str(root / "data"), "--out", str(root / "output"))
    assert run_cli(*args, env=env).exit_code == 0
    from briefing.delivery.mail import SendLog

    other = SendLog(tmp_path / "elsewhere" / LOG_NAME)  # a log another output folder keeps
    other.close()
    log = root / "output" / LOG_NAME
    for extra in (Path(f"{log}-wal"), Path(f"{log}-shm")):
        extra.unlink(missing_ok=True)
    log.write_bytes((tmp_path / "elsewhere" / LOG_NAME).read_bytes())
    result = run_cli(*args, env=env)
    assert result.exit_code == 1 and "not this folder's send log" in result.stderr, result.output
    assert len(handler.messages) == 2
