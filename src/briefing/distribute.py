"""`briefing send`: work out each recipient's letter, build what is missing, deliver once.

Each recipient is served on their own: a recipient whose PDFs could not be built is reported
with the reason and left for the next run, and everyone else still gets their letter.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import PdfError

from .build import Options, build, recipient_slug, recipient_sponsors, recipients_for
from .changes import Changes, what_changed
from .data import Project, load_project
from .errors import DeliveryError
from .mail import (
    LOG_NAME,
    MAX_BYTES_DEFAULT,
    NOT_BUILT,
    SKIP,
    Attachment,
    Letter,
    Policy,
    Result,
    SendLog,
    decide,
    deliver,
    transport_from_env,
)
from .model import Recipient, format_date, parse_sender, walk_blocks

Progress = Callable[..., None]
WATCHED = ("critical", "high")


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


def sender_for(project: Project) -> str:
    """The From of every letter, checked before anything is built (a bad one fails fast)."""
    env = os.environ.get("BRIEFING_SMTP_FROM", "").strip()
    where, value = ("BRIEFING_SMTP_FROM", env) if env else ("sender in data/book.yaml", project.book.sender)
    if not value:
        raise DeliveryError("no sender: set BRIEFING_SMTP_FROM or `sender` in data/book.yaml, "
                            "e.g. 'Partnerships Briefings <briefings@example.org>'")
    try:
        return str(parse_sender(value))
    except ValueError as err:
        raise DeliveryError(f"{where}: {err}") from None


# --- what to watch ---------------------------------------------------------------------------

def watch_lines(project: Project, slugs: list[str]) -> list[str]:
    """Critical and high callouts of these sponsors, one line each, most severe first."""
    found = []
    for slug in slugs:
        sponsor = project.sponsors[slug]
        for _, block in walk_blocks(sponsor):
            c = block.callout
            if c is not None and c.severity in WATCHED:
                found.append((WATCHED.index(c.severity), f"{c.severity.capitalize()} — {sponsor.name}: {c.title}"))
    return [line for _, line in sorted(found, key=lambda item: item[0])]


# --- building what the letters need -----------------------------------------------------------

def _builds(opts: SendOptions, recipients: list[Recipient]) -> list[Options]:
    wants = {w for r in recipients for w in r.receives}
    common = {"data_dir": opts.data_dir, "out_dir": opts.out_dir, "jobs": opts.jobs}
    builds = []
    if "book" in wants:
        builds.append(Options(**common, sponsors=False, book=False, recipients=opts.recipients))
    if "sponsors" in wants:
        builds.append(Options(**common, book=False))
    if "one-pagers" in wants:
        builds.append(Options(**common, book=False, variant="one-pager"))
    return builds


def build_for_letters(opts: SendOptions, recipients: list[Recipient],
                      progress: Progress | None = None) -> tuple[dict[str, str], list[str]]:
    """Build (incrementally) every PDF the letters attach; return failed outputs and warnings."""
    failed: dict[str, str] = {}
    warnings: list[str] = []
    for options in _builds(opts, recipients):
        report = build(options, progress)
        failed.update(dict(report.failed))
        warnings += [w for w in report.warnings if w not in warnings]
    return failed, warnings


def _pages(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def attachments(project: Project, r: Recipient, out: Path) -> list[Attachment]:
    book = project.book
    files: list[Attachment] = []
    mine = recipient_sponsors(project, r)
    if "book" in r.receives and mine:
        files.append(Attachment(out / "editions" / f"{recipient_slug(r)}.pdf",
                                f"{book.title}, prepared for {r.name}", 0))
    if "sponsors" in r.receives:
        files += [Attachment(out / f"{s}.pdf", f"{project.sponsors[s].name} sponsor briefing", 0)
                  for s in mine]
    if "one-pagers" in r.receives:
        files += [Attachment(out / f"{s}-one-pager.pdf", f"{project.sponsors[s].name} on one page", 0)
                  for s in mine]
    return files


def _not_built(files: list[Attachment], out: Path, failed: dict[str, str]) -> str | None:
    """Why this recipient cannot be served now, or None."""
    for a in files:
        name = a.path.relative_to(out).as_posix()
        if name in failed:
            return f"{name} could not be built: {failed[name]}"
        if not a.path.is_file():
            return f"{name} is missing after the build"
    return None


# --- sending --------------------------------------------------------------------------------

@dataclass
class _Context:
    project: Project
    opts: SendOptions
    sender: str
    log: SendLog
    changes: dict[str | None, Changes] = field(default_factory=dict)

    def changes_for(self, since: str | None) -> Changes:
        if since not in self.changes:  # one comparison per distinct "last edition", not per person
            self.changes[since] = what_changed(self.project, self.opts.out_dir, since)
        return self.changes[since]


def _letter(ctx: _Context, r: Recipient, files: list[Attachment]) -> Letter:
    book = ctx.project.book
    for a in files:
        a.pages = _pages(a.path)
    mine = recipient_sponsors(ctx.project, r)
    changes = ctx.changes_for(ctx.log.last_edition(r.email))
    return Letter(
        name=r.name, email=r.email, title=r.title, attachments=files,
        subject=f"{book.title} — {format_date(book.edition)}", sender=ctx.sender,
        edition=book.edition, edition_label=format_date(book.edition), book_title=book.title,
        changes=changes.lines(mine), changes_since=format_date(changes.base) if changes.base else None,
        watch=watch_lines(ctx.project, mine))


def _dry_result(letter: Letter, ctx: _Context, transport: str) -> Result:
    action, reason = decide(letter, ctx.log, transport, force=ctx.opts.force, max_bytes=ctx.opts.max_bytes)
    names = ", ".join(a.path.name for a in letter.attachments)
    verb = {"send": "send" if transport == "smtp" else "write to outbox", "skip": "skip",
            "hold": "hold back", "refuse": "refuse"}[action]
    return Result(letter.email, f"would {verb}", f"{names}: {reason}", action)


def send(opts: SendOptions, say: Callable[[Result], None] | None = None,
         progress: Progress | None = None) -> list[Result]:
    """Build what the letters need, then deliver each recipient's letter once (or show it: dry run)."""
    project = load_project(opts.data_dir, require_distribution=True)
    recipients = recipients_for(project, opts.recipients)
    sender = sender_for(project)
    transport = transport_from_env(opts.outbox or opts.out_dir / "outbox")
    failed, _ = build_for_letters(opts, recipients, progress)
    log = SendLog(opts.out_dir / LOG_NAME, read_only=opts.dry_run)
    results: list[Result] = []

    def tell(result: Result) -> None:
        results.append(result)
        if say:
            say(result)

    try:
        if not opts.dry_run:
            log.settle_crashed()
        ctx = _Context(project, opts, sender, log)
        for r in recipients:
            files = attachments(project, r, opts.out_dir)
            if not files:
                tell(Result(r.email, "skipped", "nothing to send: no sponsors for this recipient", SKIP))
                continue
            why = _not_built(files, opts.out_dir, failed)
            if why:
                tell(Result(r.email, NOT_BUILT, f"{why}; left for the next run", NOT_BUILT))
                continue
            try:
                letter = _letter(ctx, r, files)
            except (OSError, PdfError) as err:  # a PDF the build left damaged: only this recipient waits
                tell(Result(r.email, NOT_BUILT, f"cannot read an attachment: {err}; left for the next run",
                            NOT_BUILT))
                continue
            if opts.dry_run:
                tell(_dry_result(letter, ctx, transport.name))
                continue
            deliver([letter], transport=transport, log=log, say=tell,
                    policy=Policy(opts.force, opts.max_bytes, opts.retries, opts.backoff))
    finally:
        log.close()
    return results


def summary_line(results: list[Result], dry_run: bool = False) -> str:
    """One closing line: how many were sent, written, skipped; who was not served and why."""
    if not results:
        return "nobody to send to"
    count = {o: sum(r.outcome == o for r in results) for o in ("sent", "written-to-outbox", "skipped")}
    bad = [r for r in results if not r.served]
    if dry_run:
        would = {a: sum(r.action == a for r in results) for a in ("send", "skip")}
        head = f"dry run: {would['send']} would be sent, {would['skip']} skipped; nothing was sent"
    elif count["skipped"] == len(results):
        return "nothing to send: every recipient already has this edition"
    else:
        head = (f"{count['sent']} sent, {count['written-to-outbox']} written to the outbox, "
                f"{count['skipped']} already done")
    if not bad:
        return head
    return head + f", {len(bad)} not served: " + "; ".join(f"{r.email} ({r.outcome})" for r in bad)
