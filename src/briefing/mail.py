"""Email delivery: the right PDFs to each executive, over SMTP or into an outbox, once.

A durable send log (SQLite) makes delivery at most once per recipient, edition and set of
attachments: a row is committed as ``sending`` before DATA and as ``sent`` after the server's
250; a run that finds ``sending`` (it crashed mid-send) or ``unknown`` (the connection died after
the final dot) reports it and does not resend unless ``--force``. 4xx replies and dropped
connections are retried with backoff; 5xx replies are final for that recipient only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import ipaddress
import os
import random
import re
import smtplib
import sqlite3
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import DeliveryError
from .files import write_atomic

MAX_BYTES_DEFAULT = 20 * 1024 * 1024
LOG_NAME = "send-log.sqlite"
_UNSAFE_HEADER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]|=\?")


def header_safe(value: str, what: str) -> str:
    """Refuse anything that could end or smuggle a header (CR/LF, controls, encoded words).

    CPython before 3.11.10 lets ``=?UTF-8?Q?=0A?=`` and trailing newlines through
    (CVE-2024-6923), so every header-bound value is checked here, whatever the policy does.
    """
    if _UNSAFE_HEADER.search(value) or len(value) > 300:
        raise DeliveryError(f"{what} contains a line break, control character or encoded word: {value!r}")
    return value


# --- configuration ------------------------------------------------------------------------

@dataclass
class SmtpConfig:
    host: str
    port: int
    implicit_tls: bool = False
    starttls_required: bool = False
    verify: bool = True
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    insecure_auth: bool = False  # AUTH without TLS: loopback test servers only
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise DeliveryError("BRIEFING_SMTP_URL must look like smtp://user:pass@host:587 or "
                                "smtps://user:pass@host:465")
        query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
        known = {"starttls", "verify", "insecure_auth", "timeout"}
        if set(query) - known:
            raise DeliveryError(f"BRIEFING_SMTP_URL: unknown option(s) {sorted(set(query) - known)}")
        config = cls(
            host=parts.hostname, port=parts.port or (465 if parts.scheme == "smtps" else 587),
            implicit_tls=parts.scheme == "smtps", starttls_required=query.get("starttls") == "required",
            verify=query.get("verify", "true") != "false",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            insecure_auth=query.get("insecure_auth") == "true",
            timeout=float(query.get("timeout", 30)),
        )
        if config.insecure_auth and not _is_loopback(config.host):
            raise DeliveryError("insecure_auth=true is allowed only for a loopback test server")
        return config

    @property
    def where(self) -> str:
        """host:port, for messages: never the credentials."""
        return f"{self.host}:{self.port}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- composing ------------------------------------------------------------------------------

@dataclass
class Attachment:
    path: Path
    title: str
    pages: int

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @cached_property  # a letter's key asks for it several times; read each PDF once
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass
class Letter:
    """One message for one recipient, before it becomes MIME."""

    name: str
    email: str
    title: str | None
    attachments: list[Attachment]
    subject: str
    sender: str
    edition: str
    edition_label: str
    changes: list[str] = field(default_factory=list)

    @cached_property
    def key(self) -> str:
        joined = "|".join([self.email.lower(), self.edition] + sorted(a.sha256 for a in self.attachments))
        return hashlib.sha256(joined.encode()).hexdigest()

    @property
    def message_id(self) -> str:
        domain = self.sender.rsplit("@", 1)[-1]
        return f"<briefing.{self.key[:32]}@{domain}>"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def cover_png(pdf: Path, width: int = 360) -> bytes:
    """The first page as a small PNG for the message body (pypdfium2)."""
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        page = document[0]
        image = page.render(scale=width / page.get_width()).to_pil()
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="PNG", optimize=True)
        return buf.getvalue()
    finally:
        document.close()


def compose(letter: Letter, *, date: float | None = None) -> EmailMessage:
    header_safe(letter.name, "recipient name")
    header_safe(letter.subject, "subject")
    if letter.title:
        header_safe(letter.title, "recipient title")
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = letter.subject
    msg["From"] = Address(addr_spec=letter.sender)
    msg["To"] = Address(display_name=letter.name, addr_spec=letter.email)
    when = dt.datetime.fromtimestamp(date, dt.UTC) if date else dt.datetime.now(dt.UTC)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = letter.message_id
    msg["X-Briefing-Edition"] = letter.edition

    lines = [f"Dear {letter.name},", "",
             f"Attached is the sponsor briefing of {letter.edition_label}:", ""]
    lines += [f"  - {a.title} ({a.path.name}, {a.pages} pages, {_size(a.size)})" for a in letter.attachments]
    if letter.changes:
        lines += ["", "What changed since the previous edition:", ""]
        lines += [f"  - {c}" for c in letter.changes]
    lines += ["", "This message was sent by briefing. Please do not forward it outside the organisation."]
    msg.set_content("\n".join(lines))

    items = "".join(f"<li><strong>{html.escape(a.title)}</strong> — {a.pages} pages, {_size(a.size)}</li>"
                    for a in letter.attachments)
    changes = ""
    if letter.changes:
        changes = ("<p><strong>What changed since the previous edition</strong></p><ul>"
                   + "".join(f"<li>{html.escape(c)}</li>" for c in letter.changes) + "</ul>")
    body = (f'<html><body style="font-family: Helvetica, Arial, sans-serif; color: #1F2933;">'
            f"<p>Dear {html.escape(letter.name)},</p>"
            f"<p>Attached is the sponsor briefing of {html.escape(letter.edition_label)}:</p>"
            f'<p><img src="cid:cover" alt="Cover of the briefing" width="180" '
            f'style="border: 1px solid #C5CBD3;"></p><ul>{items}</ul>{changes}'
            f'<p style="color: #5F6B76; font-size: 12px;">Sent by briefing. Please do not forward '
            f"it outside the organisation.</p></body></html>")
    msg.add_alternative(body, subtype="html")
    html_part = msg.get_payload()[1]
    html_part.add_related(cover_png(letter.attachments[0].path), maintype="image", subtype="png",
                          cid="<cover>", filename="cover.png", disposition="inline")
    for a in letter.attachments:
        msg.add_attachment(a.path.read_bytes(), maintype="application", subtype="pdf", filename=a.path.name)
    return msg


# --- the send log ---------------------------------------------------------------------------

class SendLog:
    """SQLite ledger of every attempt: recipient, edition, attachment hashes, outcome."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a committed 'sending' must survive a crash
        self.db.execute("""CREATE TABLE IF NOT EXISTS sends (
            key TEXT PRIMARY KEY, recipient TEXT NOT NULL, edition TEXT NOT NULL,
            attachments TEXT NOT NULL, message_id TEXT NOT NULL, state TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '', transport TEXT NOT NULL, updated TEXT NOT NULL)""")

    def state(self, key: str) -> str | None:
        row = self.db.execute("SELECT state FROM sends WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def record(self, letter: Letter, state: str, transport: str, detail: str = "") -> None:
        self.db.execute(
            "INSERT INTO sends (key, recipient, edition, attachments, message_id, state, detail, "
            "transport, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
            "state = excluded.state, detail = excluded.detail, transport = excluded.transport, "
            "updated = excluded.updated",
            (letter.key, letter.email, letter.edition,
             ",".join(f"{a.path.name}:{a.sha256[:16]}" for a in letter.attachments), letter.message_id,
             state, detail[:500], transport, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))

    def last_edition(self, email: str) -> str | None:
        row = self.db.execute("SELECT MAX(edition) FROM sends WHERE recipient = ? AND state = 'sent'",
                              (email,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.db.close()


# --- transports -----------------------------------------------------------------------------

class Transient(Exception):
    """Worth another try: 4xx reply, refused or dropped connection, timeout before DATA ended."""


class Permanent(Exception):
    """Not worth another try: 5xx reply, refused recipient, TLS policy."""


class Ambiguous(Exception):
    """The connection died after the final dot: the server may have accepted the message."""


class Outbox:
    """The default transport: each message as an RFC 5322 .eml file."""

    name = "outbox"

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, msg: EmailMessage, sender: str, recipient: str, key: str) -> None:
        safe = re.sub(r"[^a-z0-9]+", "-", recipient.lower()).strip("-")
        write_atomic(self.folder / f"{safe}-{key[:12]}.eml", msg.as_bytes(policy=SMTP_POLICY))


def _quote_data(data: bytes) -> bytes:
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class Smtp:
    """SMTP with verified TLS; one transaction per recipient."""

    name = "smtp"

    def __init__(self, config: SmtpConfig):
        self.config = config

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()  # smtplib's own default does not verify
        if not self.config.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        try:
            if c.implicit_tls:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=self._context())
            else:
                conn = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            conn.ehlo()
            encrypted = c.implicit_tls
            if not encrypted and conn.has_extn("starttls"):
                conn.starttls(context=self._context())
                conn.ehlo()
                encrypted = True
            if not encrypted and c.starttls_required:
                conn.close()
                raise Permanent(f"{c.where} does not offer STARTTLS and the URL requires it")
            if c.username:
                if not encrypted and not c.insecure_auth:
                    conn.close()
                    raise Permanent(f"refusing to send the password to {c.where} without TLS")
                conn.login(c.username, c.password or "")
            return conn
        except smtplib.SMTPAuthenticationError as err:
            raise Permanent(f"{c.where} refused the login ({err.smtp_code})") from None
        except ssl.SSLError as err:
            raise Permanent(f"TLS with {c.where} failed: {err.reason or err}") from None
        except (OSError, smtplib.SMTPException) as err:
            if isinstance(err, smtplib.SMTPResponseException) and err.smtp_code >= 500:
                raise Permanent(f"{c.where}: {err.smtp_code} {_text(err.smtp_error)}") from None
            raise Transient(f"{c.where}: {type(err).__name__}: {err}") from None

    def send(self, msg: EmailMessage, sender: str, recipient: str, key: str) -> None:
        conn = self._connect()
        dot_sent = False
        try:
            code, reply = conn.mail(sender)
            _check(code, reply, "MAIL FROM")
            code, reply = conn.rcpt(recipient)
            _check(code, reply, f"RCPT TO {recipient}")
            code, reply = conn.docmd("data")
            _check(code, reply, "DATA", expect=354)
            conn.send(_quote_data(msg.as_bytes(policy=SMTP_POLICY)))
            dot_sent = True
            code, reply = conn.getreply()
            _check(code, reply, "end of DATA")
        except (Transient, Permanent):
            raise
        except (OSError, smtplib.SMTPException) as err:
            if dot_sent:
                raise Ambiguous(f"{self.config.where}: connection lost after the message was "
                                f"sent ({type(err).__name__}); it may have been delivered") from None
            raise Transient(f"{self.config.where}: {type(err).__name__}: {err}") from None
        finally:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _check(code: int, reply: bytes, what: str, expect: int | None = None) -> None:
    ok = code == expect if expect else 200 <= code < 300
    if ok:
        return
    message = f"{what}: {code} {_text(reply)}"
    if 400 <= code < 500 or code == -1:
        raise Transient(message)
    raise Permanent(message)


# --- sending --------------------------------------------------------------------------------

@dataclass
class Result:
    email: str
    outcome: str  # sent, skipped, failed, unknown, dry-run
    # exit code 0 only when every message went out (sent now or before)
    detail: str = ""


def deliver(letters: list[Letter], *, transport: Outbox | Smtp, log: SendLog, force: bool = False,
            max_bytes: int = MAX_BYTES_DEFAULT, retries: int = 3,
            backoff: float = 1.0, say: Callable[[Result], None] | None = None) -> list[Result]:
    results = []
    for letter in letters:
        result = _deliver_one(letter, transport, log, force, max_bytes, retries, backoff)
        results.append(result)
        if say:
            say(result)
    return results


def _deliver_one(letter: Letter, transport: Outbox | Smtp, log: SendLog, force: bool,
                 max_bytes: int, retries: int, backoff: float) -> Result:
    total = sum(a.size for a in letter.attachments)
    if total > max_bytes:
        biggest = max(letter.attachments, key=lambda a: a.size)
        return Result(letter.email, "failed",
                      f"attachments total {_size(total)}, over the {_size(max_bytes)} limit "
                      f"(largest: {biggest.path.name}, {_size(biggest.size)}); nothing was sent")
    state = log.state(letter.key)
    if not force and state == "sent":
        return Result(letter.email, "skipped", "already sent this edition")
    if not force and state in ("sending", "unknown"):
        return Result(letter.email, "unknown",
                      "a previous attempt may have been delivered (connection lost after sending); "
                      "check with the recipient, then use --force to resend")
    try:
        msg = compose(letter)
    except DeliveryError as err:
        return Result(letter.email, "failed", str(err))
    for attempt in range(retries + 1):
        log.record(letter, "sending", transport.name)
        try:
            transport.send(msg, letter.sender, letter.email, letter.key)
        except Transient as err:
            log.record(letter, "failed", transport.name, str(err))
            if attempt < retries:
                time.sleep(backoff * (2 ** attempt) * (0.5 + random.random()))  # noqa: S311 - jitter
                continue
            return Result(letter.email, "failed", f"{err} (after {retries + 1} attempts)")
        except Permanent as err:
            log.record(letter, "failed", transport.name, str(err))
            return Result(letter.email, "failed", str(err))
        except Ambiguous as err:
            log.record(letter, "unknown", transport.name, str(err))
            return Result(letter.email, "unknown", str(err))
        log.record(letter, "sent", transport.name)
        return Result(letter.email, "sent", letter.message_id)
    raise AssertionError("unreachable")  # pragma: no cover


def transport_from_env(outbox: Path) -> Outbox | Smtp:
    url = os.environ.get("BRIEFING_SMTP_URL", "").strip()
    return Smtp(SmtpConfig.from_url(url)) if url else Outbox(outbox)
