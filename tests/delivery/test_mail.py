"""Email delivery against a real SMTP server (aiosmtpd) on loopback: no mocks of smtplib."""

from __future__ import annotations

import email
import shutil
import ssl
from email import policy
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from conftest import Recorder, free_port

from briefing.cli import main
from briefing.delivery.distribute import SendOptions, send
from briefing.delivery.mail import Attachment, Letter, compose, header_safe
from briefing.errors import DataError, DeliveryError


@pytest.fixture()
def project(fiction, tmp_path):
    """The fictional project's built outputs, copied so each test has its own send log."""
    out = tmp_path / "out"
    shutil.copytree(fiction / "output", out)
    return fiction / "data", out


def options(project, **extra) -> SendOptions:
    data, out = project
    return SendOptions(data_dir=data, out_dir=out, backoff=0.01, **extra)


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def attachments_of(msg) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}


def test_each_recipient_gets_exactly_their_pdfs_once(project, server, monkeypatch):
    handler, controller = server
    monkeypatch.setenv("BRIEFING_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    results = send(options(project))
    assert [r.outcome for r in results] == ["sent", "sent"]
    _, out = project
    by_rcpt = {rcpts[0]: parse(raw) for _, rcpts, raw in handler.messages}
    assert set(by_rcpt) == {"pat@example.org", "sam@example.org"}
    day = "1 November 2026"
    pat = attachments_of(by_rcpt["pat@example.org"])
    assert pat == {f"Fictional Sponsor Book — {day} — Pat Fictional.pdf":
                   (out / "editions" / "pat-fictional.pdf").read_bytes()}
    sam = attachments_of(by_rcpt["sam@example.org"])
    expected = {f"Fictional Sponsor Book — {day} — Sam Madeup.pdf": out / "editions" / "sam-madeup.pdf"}
    for slug, name in (("acme-anvils", "Acme Anvils (fictional)"), ("globex-imaginary", "Globex Imaginary"),
                       ("initech-pretend", "Initech Pretend 伊尼科技")):
        expected[f"{name} sponsor briefing — {day}.pdf"] = out / f"{slug}.pdf"
        expected[f"{name} on one page — {day}.pdf"] = out / f"{slug}-one-pager.pdf"
    assert sam == {name: path.read_bytes() for name, path in expected.items()}
    msg = by_rcpt["pat@example.org"]
    assert msg["Subject"] == "Fictional Sponsor Book — 1 November 2026"
    assert msg["X-Briefing-Edition"] == "2026-11-01"
    assert msg["From"] == "briefings@example.org" and msg["To"] == "Pat Fictional <pat@example.org>"
    assert msg["Message-ID"].startswith("<briefing.") and msg["Date"]
    body = msg.get_body(("plain",)).get_content()
    assert f"Fictional Sponsor Book — {day} — Pat Fictional.pdf: 5 pages, " in body
    assert "1 November 2026" in body
    assert "Pat Fictional.pdf" in msg.get_body(("html",)).get_content()
    assert not [p for p in msg.walk() if p.get_content_maintype() == "image"]  # no decorative image
    for part in msg.iter_attachments():
        assert part.get_content_type() == "application/pdf"

    # a re-run after success sends nothing
    again = send(options(project))
    assert [r.outcome for r in again] == ["skipped", "skipped"]
    assert len(handler.messages) == 2


def test_transient_451_is_retried_and_delivered_once(project, server, monkeypatch):
    handler, controller = server
    handler.fail_data_times = 1
    monkeypatch.setenv("BRIEFING_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    results = send(options(project, recipients="pat@example.org"))
    assert results[0].outcome == "sent"
    assert len(handler.messages) == 1


def test_permanent_550_is_reported_and_others_still_go_out(project, server, monkeypatch):
    handler, controller = server
    handler.reject = {"pat@example.org"}
    monkeypatch.setenv("BRIEFING_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    data, out = project
    result = CliRunner().invoke(main, ["send", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 1
    assert "failed  pat@example.org  RCPT TO pat@example.org: 550" in result.output
    assert [rcpts for _, rcpts, _ in handler.messages] == [["sam@example.org"]]
    # the next run sends only what was not sent (and fails again for pat)
    handler.reject = set()
    results = send(options(project))
    assert {r.email: r.outcome for r in results} == {"pat@example.org": "sent", "sam@example.org": "skipped"}


def test_timeout_after_the_final_dot_is_unknown_and_not_resent(project, server, monkeypatch):
    handler, controller = server
    handler.stall = 3
    monkeypatch.setenv("BRIEFING_SMTP_URL", f"smtp://127.0.0.1:{controller.port}?timeout=1")
    results = send(options(project, recipients="pat@example.org"))
    assert results[0].outcome == "unknown" and "may have been delivered" in results[0].detail
    handler.stall = 0
    results = send(options(project, recipients="pat@example.org"))
    assert results[0].outcome == "unknown" and "--force" in results[0].detail
    results = send(options(project, recipients="pat@example.org", force=True))
    assert results[0].outcome == "sent"


@pytest.fixture()
def tls_server(tmp_path):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    handler = Recorder()

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"mailer" and auth_data.password == b"s3cret"
        return AuthResult(success=ok)

    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), tls_context=context,
                            require_starttls=True, authenticator=authenticate, auth_required=True)
    controller.start()
    yield handler, controller
    controller.stop()


def test_auth_over_starttls_with_self_signed_certificate(project, tls_server, monkeypatch, capfd):
    handler, controller = tls_server
    url = f"smtp://mailer:s3cret@127.0.0.1:{controller.port}?verify=false&starttls=required"
    monkeypatch.setenv("BRIEFING_SMTP_URL", url)
    results = send(options(project, recipients="pat@example.org"))
    assert results[0].outcome == "sent", results[0].detail
    assert len(handler.messages) == 1
    assert "s3cret" not in " ".join(r.detail for r in results)
    _, out = project
    assert b"s3cret" not in (out / "send-log.sqlite").read_bytes()
    assert "s3cret" not in capfd.readouterr().err


def test_certificate_is_verified_by_default(project, tls_server, monkeypatch):
    _, controller = tls_server
    monkeypatch.setenv("BRIEFING_SMTP_URL", f"smtp://mailer:s3cret@127.0.0.1:{controller.port}")
    results = send(options(project, recipients="pat@example.org", retries=0))
    assert results[0].outcome == "failed" and "TLS" in results[0].detail
    assert "s3cret" not in results[0].detail


def test_no_password_over_clear_text(project, server, monkeypatch):
    _, controller = server
    monkeypatch.setenv("BRIEFING_SMTP_URL", f"smtp://u:secret@127.0.0.1:{controller.port}")
    results = send(options(project, recipients="pat@example.org"))
    assert results[0].outcome == "failed" and "without TLS" in results[0].detail
    assert "secret" not in results[0].detail.replace("without TLS", "")


def test_outbox_default_writes_parseable_eml(project, monkeypatch):
    monkeypatch.delenv("BRIEFING_SMTP_URL", raising=False)
    data, out = project
    result = CliRunner().invoke(main, ["send", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted((out / "outbox").glob("*.eml"))
    assert len(files) == 2
    msg = parse(files[0].read_bytes())
    assert msg["To"] == "Pat Fictional <pat@example.org>"
    shown = "Fictional Sponsor Book — 1 November 2026 — Pat Fictional.pdf"
    assert attachments_of(msg)[shown] == (out / "editions" / "pat-fictional.pdf").read_bytes()
    result = CliRunner().invoke(main, ["send", "--data", str(data), "--out", str(out)])
    assert "2 letter(s) already in the outbox, not delivered" in result.output  # not "already has" it
    assert "already has this edition" not in result.output


def test_dry_run_writes_nothing(project, monkeypatch):
    monkeypatch.delenv("BRIEFING_SMTP_URL", raising=False)
    data, out = project
    result = CliRunner().invoke(main, ["send", "--dry-run", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "would write to outbox  pat@example.org  pat-fictional.pdf: not sent before"
    assert not (out / "outbox").exists() and not (out / "send-log.sqlite").exists()


def test_oversized_attachments_are_refused_before_connecting(project, server, monkeypatch):
    handler, controller = server
    monkeypatch.setenv("BRIEFING_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    results = send(options(project, recipients="pat@example.org", max_bytes=1000))
    assert results[0].outcome == "failed"
    assert "pat-fictional.pdf" in results[0].detail and "limit" in results[0].detail
    assert handler.messages == []


def test_crlf_in_a_name_is_refused_at_validation(tmp_path):
    from briefing.data.load import load_one
    from briefing.data.model import Distribution

    path = tmp_path / "distribution.yaml"
    path.write_text('recipients:\n  - name: "Eve\\r\\nBcc: evil@example.org"\n    email: eve@example.org\n')
    with pytest.raises(DataError) as err:
        load_one(path, Distribution)
    assert "distribution.yaml:2:" in str(err.value) and "recipients[0].name" in str(err.value)


@pytest.mark.parametrize("value", ["Briefing=?UTF-8?Q?=0A?=Bcc: injected@example.org", "Briefing\n",
                                   "a\rb", "line\u2028break"])
def test_header_injection_is_refused_when_composing(tmp_path, value):
    with pytest.raises(DeliveryError):
        header_safe(value, "subject")
    pdf = Path(__file__).parents[1] / "fixtures" / "fiction" / "data" / "attachments" / "acme-factsheet.pdf"
    letter = Letter(name="Eve", email="eve@example.org", title=None,
                    attachments=[Attachment(pdf, "x", 1)], subject=value, sender="b@example.org",
                    edition="2026-11-01", edition_label="1 November 2026")
    with pytest.raises(DeliveryError):
        compose(letter)
