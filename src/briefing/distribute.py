"""`briefing send`: work out each recipient's letter, build what is missing, deliver once."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from .build import Options, build, recipient_slug, recipient_sponsors, recipients_for
from .data import load_project
from .errors import BriefingError
from .mail import (
    LOG_NAME,
    MAX_BYTES_DEFAULT,
    Attachment,
    Letter,
    Result,
    SendLog,
    deliver,
    transport_from_env,
)
from .model import format_date


@dataclass
class SendOptions:
    data_dir: Path = Path("data")
    out_dir: Path = Path("output")
    recipients: str = "all"
    dry_run: bool = False
    force: bool = False
    outbox: Path | None = None
    max_bytes: int = MAX_BYTES_DEFAULT
    retries: int = 3
    backoff: float = 1.0
    jobs: int = 0


def _pages(path: Path) -> int:
    return len(PdfReader(str(path)).pages)


def send(opts: SendOptions, say: Callable[[Result], None] | None = None,
         changes_for: Callable[[str | None], list[str]] | None = None) -> list[Result]:
    project = load_project(opts.data_dir, require_distribution=True)
    recipients = recipients_for(project, opts.recipients)
    sender = os.environ.get("BRIEFING_SMTP_FROM") or project.book.sender
    if not sender:
        raise BriefingError("no sender: set BRIEFING_SMTP_FROM or `sender` in data/book.yaml")
    out = opts.out_dir
    # build what the letters need (incremental: nothing is printed twice)
    wants = {w for r in recipients for w in r.receives}
    builds = []
    if "book" in wants:
        builds.append(Options(data_dir=opts.data_dir, out_dir=out, sponsors=False, book=False,
                              recipients=opts.recipients, jobs=opts.jobs))
    if "sponsors" in wants:
        builds.append(Options(data_dir=opts.data_dir, out_dir=out, book=False, jobs=opts.jobs))
    if "one-pagers" in wants:
        builds.append(Options(data_dir=opts.data_dir, out_dir=out, book=False, variant="one-pager",
                              jobs=opts.jobs))
    if not opts.dry_run:
        for options in builds:
            report = build(options)
            if not report.ok:
                raise BriefingError("cannot send: the build failed: "
                                    + "; ".join(f"{n}: {e}" for n, e in report.failed))
    book = project.book
    log = SendLog(out / LOG_NAME if not opts.dry_run else Path(":memory:"))
    try:
        letters = []
        for r in recipients:
            files = _attachments(project, r, out)
            if opts.dry_run:
                names = ", ".join(a.path.name for a in files)
                result = Result(r.email, "dry-run", f"would send {names}" if files else "nothing to send")
                if say:
                    say(result)
                letters.append(result)
                continue
            for a in files:
                if not a.path.is_file():
                    raise BriefingError(f"{a.path} is missing after the build")
                a.pages = _pages(a.path)
            since = log.last_edition(r.email)
            letters.append(Letter(
                name=r.name, email=r.email, title=r.title, attachments=files,
                subject=f"Sponsor briefing — {book.title} — {format_date(book.edition)}",
                sender=sender, edition=book.edition, edition_label=format_date(book.edition),
                changes=changes_for(since) if changes_for and since != book.edition else []))
        if opts.dry_run:
            return letters
        transport = transport_from_env(opts.outbox or out / "outbox")
        return deliver([letter for letter in letters if letter.attachments], transport=transport,
                       log=log, force=opts.force, max_bytes=opts.max_bytes, retries=opts.retries,
                       backoff=opts.backoff, say=say)
    finally:
        log.close()


def _attachments(project, r, out: Path) -> list[Attachment]:
    book = project.book
    files: list[Attachment] = []
    mine = recipient_sponsors(project, r)
    if "book" in r.receives:
        files.append(Attachment(out / "editions" / f"{recipient_slug(r)}.pdf",
                                f"{book.title} — prepared for {r.name}", 0))
    if "sponsors" in r.receives:
        files += [Attachment(out / f"{s}.pdf", f"{project.sponsors[s].name} — sponsor briefing", 0)
                  for s in mine]
    if "one-pagers" in r.receives:
        files += [Attachment(out / f"{s}-one-pager.pdf", f"{project.sponsors[s].name} — one page", 0)
                  for s in mine]
    return files
