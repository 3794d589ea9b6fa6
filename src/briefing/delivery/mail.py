"""Email delivery: the right PDFs to each executive, over SMTP or into an outbox, once.

A durable send log (SQLite) makes delivery at most once per recipient, edition and set of
attachments: a row is committed as ``sending`` before DATA and as ``sent`` after the server's
250; a run that finds ``sending`` (it crashed mid-send) or ``unknown`` (the connection died after
the final dot) reports it and does not resend unless ``--force``. 4xx replies and dropped
connections are retried with backoff; 5xx replies are final for that recipient only.
"""

from __future__ import annotations

import base64
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
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from briefing.build.options import MAX_SEND_MB
from briefing.data.changes import VERSIONS
from briefing.data.model import parse_sender
from briefing.errors import (
    Ambiguous,
    BriefingError,
    DeliveryError,
    Locked,
    OutputError,
    Permanent,
    Transient,
)
from briefing.files import write_atomic
from briefing.hashing import stream_sha256

MAX_BYTES_DEFAULT = int(MAX_SEND_MB * 1024 * 1024)
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

_URL_SHAPE = ("BRIEFING_SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465 "
              "(percent-encode '#', '?', '/' and '@' in the user name and password: %23, %3F, %2F, %40)")

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
        """Parse BRIEFING_SMTP_URL. No message may quote any part of it: the password is in it, and
        a password with an unencoded ``#``, ``?`` or ``/`` ends up in the port, query or path."""
        try:
            return cls._from_url(url)
        except DeliveryError:
            raise
        except (ValueError, TypeError, UnicodeError):  # the text of these can hold the password
            raise DeliveryError(_URL_SHAPE) from None

    @classmethod
    def _from_url(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        if "@" in parts.path + parts.query + parts.fragment:
            # user info runs past the host: an unencoded #, ? or / in the user name or password
            raise DeliveryError("BRIEFING_SMTP_URL: the user name or password contains '#', '?' or '/'; "
                                "percent-encode them (# as %23, ? as %3F, / as %2F)")
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname or parts.path not in ("", "/"):
            raise DeliveryError(_URL_SHAPE)
        if parts.fragment:
            raise DeliveryError("BRIEFING_SMTP_URL: a '#' after the host is not allowed")
        pairs = parse_qs(parts.query, keep_blank_values=True)
        query = {k: v[-1].lower() for k, v in pairs.items()}
        known = {"starttls", "verify", "insecure_auth", "timeout"}
        if set(query) - known or "=" not in parts.query and parts.query:
            raise DeliveryError(f"BRIEFING_SMTP_URL: unknown option(s); the options are {', '.join(sorted(known))}")
        try:
            port = parts.port
        except ValueError:
            raise DeliveryError("BRIEFING_SMTP_URL: the port must be a number from 1 to 65535; if the "
                                "password contains '#', '?' or '/', percent-encode them (%23, %3F, %2F)") from None
        try:
            timeout = float(query.get("timeout", 30))
        except ValueError:
            timeout = -1
        if not 0 < timeout <= 600:
            raise DeliveryError("BRIEFING_SMTP_URL: timeout must be a number of seconds above 0 and at most 600")
        config = cls(
            host=parts.hostname, port=port or (465 if parts.scheme == "smtps" else 587),
            implicit_tls=parts.scheme == "smtps", starttls_required=query.get("starttls") == "required",
            verify=query.get("verify", "true") != "false",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            insecure_auth=query.get("insecure_auth") == "true",
            timeout=timeout,
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
    path: Path  # on disk: a safe id such as editions/avery-example.pdf
    title: str
    pages: int
    name: str = ""  # what the reader's mail program shows, e.g. "Book — 28 November 2026 — Avery Example.pdf"
    edition: bool = False  # the recipient's own edition of the book (not a sponsor PDF)

    @property
    def shown(self) -> str:
        return self.name or self.path.name

    @property
    def ascii_name(self) -> str:
        """The RFC 2231 fallback for mail programs that read only plain ``name=``."""
        return ascii_fallback(self.shown)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @cached_property  # a letter's key asks for it several times; read each PDF once, in pieces
    def sha256(self) -> str:
        return stream_sha256(self.path)


@dataclass
class Letter:
    """One message for one recipient, before it becomes MIME."""

    name: str
    email: str
    title: str | None
    attachments: list[Attachment]
    subject: str
    sender: str  # 'Name <address>' or 'address', checked by model.parse_sender
    edition: str
    edition_label: str
    changes: list[str] = field(default_factory=list)
    changes_since: str | None = None  # label of the edition the changes are counted from
    watch: list[str] = field(default_factory=list)  # "Critical — Sponsor: title", one per line
    book_title: str = "the sponsor briefing"
    message_id: str = ""  # set by deliver(): stable per letter, new on --force
    references: str | None = None  # earlier Message-IDs this one follows (a --force resend, a correction)
    in_reply_to: str | None = None  # the message the recipient has: the last of ``references``
    correction: bool = False  # replaces an edition sent before whose files changed since
    version: str = ""  # content id of the data this letter carries (changes.save_version)
    organisation: str = ""  # book.yaml `organisation`: who the letter is from, in its sign-off
    purpose: str = ""  # "" for the edition itself; e.g. "review:partner" for an approver's review copy
    intro: str = ""  # a line after the greeting (what a review copy asks of its reader)

    @cached_property
    def key(self) -> str:
        joined = "|".join([self.email.lower(), self.edition, *([self.purpose] if self.purpose else [])]
                          + sorted(a.sha256 for a in self.attachments))
        return hashlib.sha256(joined.encode()).hexdigest()

    @property
    def logged_edition(self) -> str:
        """The send log's edition column: a review copy is not the edition received."""
        return f"{self.edition} {self.purpose}" if self.purpose else self.edition

    @property
    def sender_address(self) -> Address:
        return parse_sender(self.sender)

    def default_message_id(self, fresh: bool = False) -> str:
        domain = self.sender_address.domain
        tail = f".{uuid.uuid4().hex[:12]}" if fresh else ""
        return f"<briefing.{self.key[:32]}{tail}@{domain}>"


def ascii_fallback(name: str) -> str:
    plain = name.replace("\u2014", "-").replace("\u2013", "-").replace("\u2019", "'")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", plain).strip() or "attachment.pdf"


def human_filename(*parts: str) -> str:
    """A file name a person reads ("Book — 28 November 2026 — Avery Example.pdf"), safe as one."""
    name = " \u2014 ".join(p for p in parts if p)
    return re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "-", name)[:150] + ".pdf"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def size_label(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


_size = size_label


def _attachment_line(a: Attachment) -> str:
    what = f"{plural(a.pages, 'page')}, {size_label(a.size)}"
    return f"{a.shown}: {what}" if a.name else f"{a.shown} — {a.title}: {what}"


def opening(letter: Letter) -> str:
    """The first line says what is attached, as it is: the book only when the book is attached."""
    if letter.purpose:
        return f"{letter.book_title} of {letter.edition_label} is attached."
    if letter.correction:
        head = (f"This replaces the edition of {letter.edition_label} you received earlier: "
                "its content changed after it was sent.")
    else:
        head = ""
    book = [a for a in letter.attachments if a.edition]
    others = [a for a in letter.attachments if not a.edition]
    if book:
        line = f"{letter.book_title} of {letter.edition_label} is attached"
        line += f", with {plural(len(others), 'more file')}." if others else "."
    else:
        line = f"Attached, as of {letter.edition_label}: " + "; ".join(a.title for a in others) + "."
    return f"{head} {line}".strip()


def sign_off(letter: Letter) -> str:
    who = f"From {letter.organisation}. " if letter.organisation else ""
    return f"{who}Please do not forward it outside the organisation."


def body_text(letter: Letter) -> str:
    """The plain-text part: what to act on first, then what changed, then what is attached."""
    lines = [f"Dear {letter.name},", "", opening(letter)]
    if letter.intro:
        lines += ["", letter.intro]
    if letter.watch:
        lines += ["", "On the watch list (critical and high):"] + [f"  - {w}" for w in letter.watch]
    if letter.changes:
        lines += ["", _changes_heading(letter) + ":"] + [f"  - {c}" for c in letter.changes]
    total = sum(a.size for a in letter.attachments)
    lines += ["", f"Attached ({plural(len(letter.attachments), 'file')}, {size_label(total)}):"]
    lines += [f"  - {_attachment_line(a)}" for a in letter.attachments]
    lines += ["", sign_off(letter)]
    return "\n".join(lines) + "\n"


def _changes_heading(letter: Letter) -> str:
    if letter.correction:
        return "What changed since the version you received"
    return f"What changed since your last edition ({letter.changes_since})"


_CSS_BODY = ("margin:0;padding:16px;background:#FFFFFF;color:#1F2933;"
             "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:16px;line-height:1.45;")


def _html_item(item: str, strong_head: bool) -> str:
    """One list line; with ``strong_head`` the part before the first ' — ' (a severity, a file
    name) is bold, so the eye finds it when scanning on a phone."""
    head, sep, tail = item.partition(" — ")
    if strong_head and sep:
        text = f"<strong>{html.escape(head)}</strong>{sep}{html.escape(tail)}"
    else:
        text = html.escape(item)
    return f'<li style="margin:0 0 6px 0;overflow-wrap:anywhere;word-break:break-word;">{text}</li>'


def _html_list(items: list[str], strong_head: bool = False) -> str:
    rows = "".join(_html_item(i, strong_head) for i in items)
    return f'<ul style="margin:0 0 16px 0;padding-left:20px;">{rows}</ul>'


def _html_heading(text: str) -> str:
    return f'<h2 style="font-size:16px;margin:20px 0 8px 0;color:#1F3A5F;">{html.escape(text)}</h2>'


def body_html(letter: Letter) -> str:
    """The HTML part: one column, no images, readable on a 375 px phone."""
    parts = [f"<p style=\"margin:0 0 12px 0;\">Dear {html.escape(letter.name)},</p>",
             f"<p style=\"margin:0 0 12px 0;\">{html.escape(opening(letter))}</p>"]
    if letter.intro:
        parts.append(f"<p style=\"margin:0 0 12px 0;\">{html.escape(letter.intro)}</p>")
    if letter.watch:
        parts += [_html_heading("On the watch list (critical and high)"), _html_list(letter.watch, True)]
    if letter.changes:
        parts += [_html_heading(_changes_heading(letter)), _html_list(letter.changes)]
    total = sum(a.size for a in letter.attachments)
    parts += [_html_heading(f"Attached ({plural(len(letter.attachments), 'file')}, {size_label(total)})"),
              _html_list([_attachment_line(a) for a in letter.attachments], True),
              f'<p style="margin:24px 0 0 0;color:#5F6B76;font-size:13px;">{html.escape(sign_off(letter))}</p>']
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(letter.subject)}</title></head>"
            f'<body style="{_CSS_BODY}"><div style="max-width:600px;margin:0 auto;">'
            + "".join(parts) + "</div></body></html>")


def compose(letter: Letter, *, date: float | None = None, read: bool = True) -> EmailMessage:
    """The letter as MIME. With ``read=False`` each attachment part is left empty: ``Outgoing``
    streams the files into them as the message is written or sent."""
    header_safe(letter.name, "recipient name")
    header_safe(letter.subject, "subject")
    if letter.title:
        header_safe(letter.title, "recipient title")
    try:
        sender = letter.sender_address
    except ValueError as err:
        raise DeliveryError(str(err)) from None
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = letter.subject
    msg["From"] = sender
    msg["To"] = Address(display_name=letter.name, addr_spec=letter.email)
    when = dt.datetime.fromtimestamp(date, dt.UTC) if date else dt.datetime.now(dt.UTC)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = letter.message_id or letter.default_message_id()
    if letter.references:
        # a resend or correction follows the earlier message: threads together, not dropped as a duplicate
        msg["References"] = letter.references
        msg["In-Reply-To"] = letter.in_reply_to or letter.references.split()[-1]
    msg["X-Briefing-Edition"] = letter.edition
    msg.set_content(body_text(letter))
    msg.add_alternative(body_html(letter), subtype="html")
    for a in letter.attachments:
        header_safe(a.shown, "attachment name")
        msg.add_attachment(a.path.read_bytes() if read else b"", maintype="application", subtype="pdf",
                           filename=a.shown)
        # filename* (RFC 2231, UTF-8) for mail programs that read it; plain name= for those that do not
        list(msg.iter_attachments())[-1].set_param("name", a.ascii_name)
    return msg


_RAW_PER_LINE = 57  # bytes of a file per 76-character base64 line
_LINES_PER_READ = 16384  # about 1 MB read at a time


@dataclass
class Outgoing:
    """A composed letter whose attachments stay on disk until they are written or sent, so a
    50 MB appendix costs a megabyte of memory, not the file, its base64 and copies of both."""

    msg: EmailMessage  # headers, text and HTML; attachment parts with empty bodies
    files: list[Path]

    @classmethod
    def of(cls, letter: Letter, *, date: float | None = None) -> Outgoing:
        msg = compose(letter, date=date, read=False)
        if letter.attachments:
            msg.set_boundary(f"=_briefing_{uuid.uuid4().hex}")
        return cls(msg, [a.path for a in letter.attachments])

    def chunks(self) -> Iterator[bytes]:
        """The RFC 5322 bytes, CRLF line ends, piece by piece; the same bytes as ``msg`` with the
        files in it, except for where the base64 lines break."""
        policy = SMTP_POLICY
        if not self.files:
            yield self.msg.as_bytes(policy=policy)
            return
        boundary = self.msg.get_boundary().encode()
        yield b"".join(policy.fold_binary(k, v) for k, v in self.msg.items()) + b"\r\n"
        parts = list(self.msg.iter_parts())
        body, attached = parts[0], parts[1:]
        yield b"--" + boundary + b"\r\n" + body.as_bytes(policy=policy) + b"\r\n"
        for part, path in zip(attached, self.files, strict=True):
            yield b"--" + boundary + b"\r\n"
            yield b"".join(policy.fold_binary(k, v) for k, v in part.items()) + b"\r\n"
            with path.open("rb") as handle:
                while block := handle.read(_RAW_PER_LINE * _LINES_PER_READ):
                    yield base64.encodebytes(block).replace(b"\n", b"\r\n")
            yield b"\r\n"
        yield b"--" + boundary + b"--\r\n"


# --- the send log ---------------------------------------------------------------------------

SENDING, SENT, OUTBOX, FAILED, UNKNOWN = "sending", "sent", "written-to-outbox", "failed", "unknown"


LOCK_WAIT = 5.0  # seconds to wait for another run's hold on the send log before saying so
MARKER = ".send-log-id"  # beside the log: which log this output folder has been keeping


def earlier_work(out: Path) -> list[str]:
    """What in ``out`` shows letters went out from it before (so a lost log would resend them).
    A build's snapshots do not: a team may build for weeks before its first send."""
    found = []
    marker = out / MARKER
    if marker.is_file():
        found.append(f"{marker} says a send log was kept here")
    outbox = out / "outbox"
    if outbox.is_dir() and any(outbox.rglob("*.eml")):
        found.append(f"{outbox} holds messages written earlier")
    versions = out / VERSIONS
    if versions.is_dir() and any(versions.iterdir()):
        found.append(f"{versions} holds the data of letters sent earlier")
    return found


@dataclass(frozen=True)
class Received:
    """One letter a recipient got: the edition, its key, Message-ID and the data version it carried."""

    edition: str
    key: str
    message_id: str
    version: str
    at: str


class SendLog:
    """SQLite ledger of every letter: recipient, edition, attachment hashes, Message-ID, state.

    States: ``sending`` (committed just before DATA), ``sent`` (the server said 250: the only
    delivered state), ``written-to-outbox`` (an .eml file, not delivered yet), ``failed`` (nothing
    reached the server's DATA; retried), ``unknown`` (the connection died after the final dot, or
    a run stopped while ``sending``: only then may the server have it).

    A log that is missing, empty or not this folder's (another tool's database, another output
    folder's log) is refused while the folder shows letters went out before: otherwise every
    recipient would be mailed again. ``force_empty`` starts a new log anyway.
    """

    def __init__(self, path: Path | None, *, read_only: bool = False, force_empty: bool = False):
        self.path = path
        try:
            self._open(path, read_only)
            self._check(force_empty)
        except (sqlite3.Error, OSError) as err:
            raise self.error(err) from None

    def error(self, err: Exception) -> BriefingError:
        """A clear message naming the log: locked (and for how long we waited), damaged, unwritable."""
        where = self.path or Path(LOG_NAME)
        if isinstance(err, BriefingError):
            return err
        if isinstance(err, OSError):
            return OutputError(where, "send log", err)
        text = str(err)
        if "locked" in text or "busy" in text:
            return Locked(f"{where} (send log) is locked by another process; waited {LOCK_WAIT:g} s. Is another "
                          "`briefing send`, `tick` or `approve` running? Run again when it has finished.")
        if isinstance(err, sqlite3.DatabaseError) and not isinstance(err, sqlite3.OperationalError) \
                or "no such" in text or "malformed" in text:
            return DeliveryError(f"{where} (send log) is damaged or not a briefing send log ({text}). "
                                 "Restore it from a backup, or move it aside and run `briefing send "
                                 "--force-empty-log` (letters already sent would be sent again).")
        hint = (" (is the disk full, or the folder or the file read-only or immutable?)"
                if "I/O" in text or "readonly" in text else "")
        return OutputError(where, "send log", f"{text}{hint}")

    def _open(self, path: Path | None, read_only: bool) -> None:
        self.read_only = read_only
        self.existed = path is not None and path.is_file()
        if path is None or (read_only and not path.is_file()):
            self.db = sqlite3.connect(":memory:", isolation_level=None)
        elif read_only:
            self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                      timeout=LOCK_WAIT)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), isolation_level=None, timeout=LOCK_WAIT)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")  # a committed 'sending' must survive a crash

    def _condition(self) -> tuple[str, str | None]:
        """("ok" | "missing" | "empty" | "foreign", the log's own id)."""
        if not self.existed:
            return "missing", None
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return "empty", None
        if "sends" not in tables:
            return "foreign", None
        found = self.db.execute("SELECT value FROM meta WHERE key = 'id'").fetchone() if "meta" in tables else None
        mine = found[0] if found else None
        marker = self.path.parent / MARKER if self.path else None
        if mine and marker and marker.is_file() and marker.read_text(encoding="utf-8").strip() != mine:
            return "foreign", mine  # another output folder's log, copied here
        return "ok", mine

    def _check(self, force_empty: bool) -> None:
        condition, log_id = ("ok", None) if self.path is None else self._condition()
        if condition != "ok" and not force_empty:
            evidence = earlier_work(self.path.parent) if self.path else []
            if evidence:
                what = {"missing": "missing", "empty": "empty",
                        "foreign": "not this folder's send log"}[condition]
                raise DeliveryError(
                    f"{self.path} (send log) is {what}, but {'; '.join(evidence)}: every recipient would be "
                    "mailed again. Check that --out names the right folder and restore the log from a backup; "
                    "if it is really lost, `briefing send --force-empty-log` starts a new one.")
        if self.read_only and condition != "ok":  # nothing to read: an empty record, written nowhere
            self.db.close()
            self.db = sqlite3.connect(":memory:", isolation_level=None)
        if not self.read_only or condition != "ok":
            self._create(log_id if condition == "ok" else None)

    def _create(self, log_id: str | None) -> None:
        self.db.execute("""CREATE TABLE IF NOT EXISTS sends (
            key TEXT PRIMARY KEY, recipient TEXT NOT NULL, edition TEXT NOT NULL,
            attachments TEXT NOT NULL, message_id TEXT NOT NULL, state TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '', transport TEXT NOT NULL, updated TEXT NOT NULL,
            version TEXT NOT NULL DEFAULT '')""")
        if self.read_only or self.path is None:
            return
        if "version" not in self._columns():  # a log from before corrections: add the column
            self.db.execute("ALTER TABLE sends ADD COLUMN version TEXT NOT NULL DEFAULT ''")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        if log_id is None:
            log_id = uuid.uuid4().hex
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('id', ?)", (log_id,))
        marker = self.path.parent / MARKER
        if not marker.is_file() or marker.read_text(encoding="utf-8").strip() != log_id:
            write_atomic(marker, f"{log_id}\n".encode(), stage="send log")

    def settle_crashed(self) -> int:
        """A ``sending`` row means a run died mid-send (we hold the lock: nobody else is sending)."""
        cursor = self.db.execute(
            "UPDATE sends SET state = ?, detail = ? WHERE state = ?",
            (UNKNOWN, "a run stopped while sending this message; it may have been delivered", SENDING))
        return cursor.rowcount

    def row(self, key: str) -> tuple[str, str, str] | None:
        """(state, message_id, detail) of a letter, or None if it was never tried."""
        found = self.db.execute("SELECT state, message_id, detail FROM sends WHERE key = ?", (key,)).fetchone()
        if found and found[0] == SENDING and self.read_only:
            return (UNKNOWN, found[1], "a run stopped while sending this message; it may have been delivered")
        return found

    def state(self, key: str) -> str | None:
        found = self.row(key)
        return found[0] if found else None

    def record(self, letter: Letter, state: str, transport: str, detail: str = "") -> None:
        try:
            self._record(letter, state, transport, detail)
        except sqlite3.Error as err:
            raise self.error(err) from None

    def _columns(self) -> set[str]:
        return {r[1] for r in self.db.execute("PRAGMA table_info(sends)")}

    def _record(self, letter: Letter, state: str, transport: str, detail: str) -> None:
        self.db.execute(
            "INSERT INTO sends (key, recipient, edition, attachments, message_id, state, detail, "
            "transport, updated, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
            "state = excluded.state, detail = excluded.detail, transport = excluded.transport, "
            "message_id = excluded.message_id, updated = excluded.updated, version = excluded.version",
            (letter.key, letter.email, letter.logged_edition,
             ",".join(f"{a.path.name}:{a.sha256[:16]}" for a in letter.attachments), letter.message_id,
             state, detail[:500], transport, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
             letter.version))

    def received(self, email: str, edition: str) -> list[Received]:
        """Every version of ``edition`` this person was sent (delivered: ``sent``), oldest first."""
        version = "version" if "version" in self._columns() else "''"
        rows = self.db.execute(f"SELECT key, message_id, {version}, updated FROM sends WHERE recipient = ? "  # noqa: S608
                               "AND edition = ? AND state = ? ORDER BY updated, rowid", (email, edition, SENT))
        return [Received(edition, *row) for row in rows.fetchall()]

    def last_received(self, email: str) -> Received | None:
        """The latest letter this person actually received (an outbox file or review copy is not)."""
        version = "version" if "version" in self._columns() else "''"
        found = self.db.execute(f"SELECT edition, key, message_id, {version}, updated FROM sends "  # noqa: S608
                                "WHERE recipient = ? AND state = ? AND edition NOT LIKE '% %' "
                                "ORDER BY edition DESC, updated DESC, rowid DESC LIMIT 1", (email, SENT)).fetchone()
        return Received(*found) if found else None

    def last_edition(self, email: str) -> str | None:
        """The latest edition this person actually received (an outbox file is not receipt)."""
        found = self.last_received(email)
        return found.edition if found else None

    def close(self) -> None:
        self.db.close()


# --- transports -----------------------------------------------------------------------------

@dataclass
class Stage:
    """How far one attempt got: ``data`` is called just before the message goes out after DATA's
    354 (the send log says ``sending`` only from then), ``dot`` once the final dot was sent."""

    data: Callable[[], None] = lambda: None
    dot: bool = False


class Outbox:
    """The default transport: each message as an RFC 5322 .eml file."""

    name = "outbox"

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, msg: Outgoing, sender: str, recipient: str, key: str, stage: Stage) -> str:
        target = outbox_file(self.folder, recipient, key)
        write_atomic(target, msg.chunks(), stage="send (outbox)")
        return f" in {target}"


def _quote_data(data: bytes) -> bytes:
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _stuffed(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """SMTP's transparency (RFC 5321 4.5.2) piece by piece; every piece ends a line, and base64
    lines never start with a dot, so quoting each piece alone is quoting the whole."""
    last = b""
    for chunk in chunks:
        if chunk:
            chunk = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", chunk)
            yield re.sub(rb"(?m)^\.", b"..", chunk)
            last = chunk
    yield b".\r\n" if last.endswith(b"\r\n") else b"\r\n.\r\n"


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

    def send(self, msg: Outgoing, sender: str, recipient: str, key: str, stage: Stage) -> str:
        conn = self._connect()
        done = False
        try:
            code, reply = conn.mail(sender)
            _check(code, reply, "MAIL FROM")
            code, reply = conn.rcpt(recipient)
            _check(code, reply, f"RCPT TO {recipient}")
            code, reply = conn.docmd("data")
            _check(code, reply, "DATA", expect=354)
            stage.data()  # from here on the server may end up with the message
            for piece in _stuffed(msg.chunks()):
                conn.send(piece)
            stage.dot = True
            code, reply = conn.getreply()
            _check(code, reply, "end of DATA")
            done = True
            return f" via {self.config.where}"
        except (Transient, Permanent):
            raise
        except (OSError, smtplib.SMTPException) as err:
            if stage.dot:
                raise Ambiguous(f"{self.config.where}: connection lost after the message was "
                                f"sent ({type(err).__name__}); it may have been delivered") from None
            raise Transient(f"{self.config.where}: {type(err).__name__}: {err}") from None
        finally:
            _hang_up(conn, polite=done)


QUIT_WAIT = 1.0  # seconds QUIT may wait for the server's goodbye; the message is settled by then


def _hang_up(conn: smtplib.SMTP, polite: bool) -> None:
    """QUIT after a delivery, bounded; after a failure or Ctrl-C just close: never wait on the server."""
    try:
        if polite and conn.sock is not None:
            conn.sock.settimeout(min(QUIT_WAIT, conn.timeout or QUIT_WAIT))
            conn.quit()
    except (OSError, smtplib.SMTPException):
        pass
    finally:
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

# actions, the same for a dry run and a real one: send it, it is already done, or hold it back
SEND, SKIP, HOLD, REFUSE, NOT_BUILT = "send", "skip", "hold", "refuse", "not-built"
IN_OUTBOX = "in-outbox"  # written to the outbox before: done for now, but not delivered
HOLD_CORRECTION = "hold-correction"  # the edition changed after it was sent; book.yaml `updates: hold`
HELD = "held"  # the outcome of a held correction


@dataclass
class Result:
    email: str
    outcome: str  # sent, written-to-outbox, skipped, failed, unknown, not-built; 'would …' in a dry run
    detail: str = ""
    action: str = ""  # send, skip, hold, refuse, not-built: what was (or would be) done

    @property
    def served(self) -> bool:
        """Exit code 0 only when everyone has their edition (sent now or before, or in the outbox)."""
        return self.outcome in (SENT, OUTBOX, "skipped") or (self.outcome.startswith("would ")
                                                              and self.action in (SEND, SKIP))


def decide(letter: Letter, log: SendLog, transport: str, *, force: bool,
           max_bytes: int, correct: bool = False) -> tuple[str, str]:
    """What a run does with ``letter`` and why; ``send --dry-run`` and ``status`` say exactly this.

    ``correct``: a correction (``letter.correction``: its files changed after the edition was
    sent) may go now (``send --correction`` or book.yaml ``updates: correct``)."""
    total = sum(a.size for a in letter.attachments)
    if total > max_bytes:
        biggest = max(letter.attachments, key=lambda a: a.size)
        return REFUSE, (f"attachments total {size_label(total)}, over the {size_label(max_bytes)} limit "
                        f"(largest: {biggest.path.name}, {size_label(biggest.size)}); nothing was sent")
    found = log.row(letter.key)
    state, detail = (found[0], found[2]) if found else (None, "")
    if force and state is not None:
        return SEND, f"--force: sending again with a new Message-ID (was {state})"
    if state == SENT:
        return SKIP, "already sent this edition"
    if state in (SENDING, UNKNOWN):
        return HOLD, (f"{detail or 'a previous attempt may have been delivered'}; "
                      "check with the recipient, then use --force to resend")
    if letter.correction and not (correct or force):
        return HOLD_CORRECTION, ("the edition changed after it was sent to this recipient; "
                                 "`briefing send --correction` sends the correction (book.yaml `updates: hold`)")
    what = "correction of the edition sent before" if letter.correction else "not sent before"
    if state is None:
        return SEND, what
    if state == OUTBOX and transport == "smtp":
        return SEND, f"{what}: only written to the outbox before; delivering it now"
    if state == OUTBOX:
        return IN_OUTBOX, "written to the outbox before, not delivered: set BRIEFING_SMTP_URL to deliver it"
    return SEND, f"retrying: the last attempt failed ({detail})" if detail else "retrying a failed attempt"


@dataclass(frozen=True)
class Policy:
    """How hard to try: resend what was sent (--force), size limit, retries with backoff."""

    force: bool = False
    max_bytes: int = MAX_BYTES_DEFAULT
    retries: int = 3
    backoff: float = 1.0
    correct: bool = False  # corrections may go (send --correction, book.yaml `updates: correct`)
    outbox: Path | None = None  # where earlier .eml copies are: moved to delivered/ once sent


def deliver(letters: list[Letter], *, transport: Outbox | Smtp, log: SendLog, policy: Policy = Policy(),
            say: Callable[[Result], None] | None = None) -> list[Result]:
    results = []
    for letter in letters:
        result = _deliver_one(letter, transport, log, policy)
        results.append(result)
        if say:
            say(result)
    return results


def _deliver_one(letter: Letter, transport: Outbox | Smtp, log: SendLog, policy: Policy) -> Result:
    force = policy.force
    action, reason = decide(letter, log, transport.name, force=force, max_bytes=policy.max_bytes,
                            correct=policy.correct)
    if action == REFUSE:
        return Result(letter.email, FAILED, reason, action)
    if action in (SKIP, IN_OUTBOX):
        return Result(letter.email, "skipped", reason, action)
    if action == HOLD:
        return Result(letter.email, UNKNOWN, reason, action)
    if action == HOLD_CORRECTION:
        return Result(letter.email, HELD, reason, action)
    found = log.row(letter.key)
    earlier = found[1] if found else None
    if force and found and found[0] in (SENT, UNKNOWN, SENDING, OUTBOX):
        letter.message_id = letter.default_message_id(fresh=True)
        letter.references = " ".join(filter(None, [letter.references, earlier])) or None
        letter.in_reply_to = earlier
    else:  # the same letter keeps its Message-ID (an outbox copy delivered later is the same message)
        letter.message_id = earlier or letter.default_message_id()
    try:
        msg = Outgoing.of(letter)
    except DeliveryError as err:
        return Result(letter.email, FAILED, str(err), action)
    result = _attempts(letter, msg, transport, log, (policy.retries, policy.backoff))
    if result.outcome == SENT and found and found[0] == OUTBOX and policy.outbox:
        _file_delivered(policy.outbox, letter)
    return result


def outbox_file(folder: Path, recipient: str, key: str) -> Path:
    safe = re.sub(r"[^a-z0-9]+", "-", recipient.lower()).strip("-")
    return folder / f"{safe}-{key[:12]}.eml"


def _file_delivered(folder: Path, letter: Letter) -> None:
    """An outbox copy that has now been delivered moves to outbox/delivered/: the outbox holds
    only what still waits."""
    source = outbox_file(folder, letter.email, letter.key)
    if source.is_file():
        (folder / "delivered").mkdir(parents=True, exist_ok=True)
        os.replace(source, folder / "delivered" / source.name)


def _attempts(letter: Letter, msg: Outgoing, transport: Outbox | Smtp, log: SendLog,
              retry: tuple[int, float]) -> Result:
    retries, backoff = retry
    done = OUTBOX if transport.name == "outbox" else SENT
    for attempt in range(retries + 1):
        stage = Stage(lambda: log.record(letter, SENDING, transport.name))
        try:
            where = transport.send(msg, letter.sender_address.addr_spec, letter.email, letter.key, stage)
        except KeyboardInterrupt:  # the truth before leaving: nothing reached DATA, or it may have
            if stage.dot:
                log.record(letter, UNKNOWN, transport.name, "interrupted after the message was sent; "
                           "it may have been delivered")
            else:
                log.record(letter, FAILED, transport.name, "interrupted before the message was sent")
            raise
        except Transient as err:
            log.record(letter, FAILED, transport.name, str(err))
            if attempt < retries:
                time.sleep(backoff * (2 ** attempt) * (0.5 + random.random()))  # noqa: S311 - jitter
                continue
            return Result(letter.email, FAILED, f"{err} (after {retries + 1} attempts)", SEND)
        except Permanent as err:
            log.record(letter, FAILED, transport.name, str(err))
            return Result(letter.email, FAILED, str(err), SEND)
        except Ambiguous as err:
            log.record(letter, UNKNOWN, transport.name, str(err))
            return Result(letter.email, UNKNOWN, str(err), SEND)
        except BriefingError as err:  # the outbox folder cannot be written
            log.record(letter, FAILED, transport.name, str(err))
            return Result(letter.email, FAILED, str(err), SEND)
        log.record(letter, done, transport.name)
        return Result(letter.email, done, f"{letter.message_id}{where or ''}", SEND)
    raise AssertionError("unreachable")  # pragma: no cover


def transport_from_env(outbox: Path) -> Outbox | Smtp:
    url = os.environ.get("BRIEFING_SMTP_URL", "").strip()
    return Smtp(SmtpConfig.from_url(url)) if url else Outbox(outbox)
