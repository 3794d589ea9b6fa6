"""`briefing send`: work out each recipient's letter, build what is missing, deliver once.

Each recipient is served on their own: a recipient whose PDFs could not be built is reported
with the reason and left for the next run, and everyone else still gets their letter.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from briefing.build.options import DATA_DIR, OUT_DIR, Options
from briefing.build.pipeline import build, recipient_sponsors, recipients_for
from briefing.data.audience import project_view
from briefing.data.changes import Changes, changes_since_version, save_version, version_id, what_changed
from briefing.data.levels import Levels, clearance
from briefing.data.load import Project, load_project
from briefing.data.model import Recipient, format_date, parse_sender
from briefing.delivery.approval import REFUSE, REVIEW, SEND, WAIT, Ledger, hashes, waiting
from briefing.delivery.mail import (
    FAILED,
    HOLD_CORRECTION,
    IN_OUTBOX,
    LOG_NAME,
    MAX_BYTES_DEFAULT,
    NOT_BUILT,
    OUTBOX,
    SKIP,
    Attachment,
    Letter,
    Outbox,
    Policy,
    Received,
    Result,
    SendLog,
    Smtp,
    decide,
    deliver,
    human_filename,
    transport_from_env,
)
from briefing.documents.outputs import edition_output, level_prefix, sponsor_output
from briefing.errors import DeliveryError, UnreadablePdf
from briefing.pdf.pages import page_count
from briefing.render.variants import FULL, VARIANTS
from briefing.render.watchlist import watch_list

WAITING = "waiting-approval"

Progress = Callable[..., None]


@dataclass
class SendOptions:
    data_dir: Path = DATA_DIR
    out_dir: Path = OUT_DIR
    recipients: str = "all"
    dry_run: bool = False
    force: bool = False
    outbox: Path | None = None
    max_bytes: int = MAX_BYTES_DEFAULT
    retries: int = 3
    backoff: float = 1.0
    jobs: int = 0
    review: bool = False  # mail approvers a review copy of each edition waiting for approval
    correction: bool = False  # send corrections of editions changed after they were sent
    force_empty_log: bool = False  # start a new send log although the folder shows earlier sends


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
    return [f"{w.severity.capitalize()} — {w.sponsor.name}: {w.callout.title}"
            for w in watch_list({slug: project.sponsors[slug] for slug in slugs})]


# --- building what the letters need -----------------------------------------------------------

def _builds(opts: SendOptions, recipients: list[Recipient], levels: Levels) -> list[Options]:
    """Editions per person; sponsor PDFs and one-pagers once per clearance level that wants them."""
    common = {"data_dir": opts.data_dir, "out_dir": opts.out_dir, "jobs": opts.jobs}
    builds = []
    if any("book" in r.receives for r in recipients):
        builds.append(Options(**common, sponsors=False, book=False, recipients=opts.recipients))
    for document in VARIANTS.values():
        chosen = {clearance(r, levels) for r in recipients if document.receives_key in r.receives}
        builds += [Options(**common, book=False, variant=document.name,
                           audience=None if level == levels.base else level)
                   for level in levels.order if level in chosen]
    return builds


def build_for_letters(opts: SendOptions, recipients: list[Recipient], levels: Levels,
                      progress: Progress | None = None) -> tuple[dict[str, str], list[str]]:
    """Build (incrementally) every PDF the letters attach; return failed outputs and warnings."""
    failed: dict[str, str] = {}
    warnings: list[str] = []
    for options in _builds(opts, recipients, levels):
        report = build(options, progress)
        failed.update(dict(report.failed))
        warnings += [w for w in report.warnings if w not in warnings]
    return failed, warnings


def attachments(view: Project, r: Recipient, out: Path) -> list[Attachment]:
    """What ``r`` receives; ``view`` is the project as their clearance sees it."""
    book = view.book
    files: list[Attachment] = []
    mine = recipient_sponsors(view, r)
    levels = Levels.of(book)
    prefix = level_prefix(clearance(r, levels), levels)
    label = format_date(book.edition)
    if "book" in r.receives and mine:
        files.append(Attachment(out / edition_output(r, FULL), f"{book.title}, prepared for {r.name}", 0,
                                human_filename(book.title, label, r.name), edition=True))
    for document in VARIANTS.values():
        if document.receives_key in r.receives:
            for s in mine:
                title = document.attachment_title.format(name=view.sponsors[s].name)
                files.append(Attachment(out / sponsor_output(s, document, prefix), title, 0,
                                        human_filename(title, label)))
    return files


def edition_files(project: Project, out: Path, level: str) -> list[Path]:
    """The PDFs that make up ``level``'s edition: everything its recipients would receive."""
    levels = project.levels
    view = project_view(project, level)
    everyone = project.distribution.recipients if project.distribution else []
    found = [a.path for r in everyone if clearance(r, levels) == level for a in attachments(view, r, out)]
    return list(dict.fromkeys(found))


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
class Context:
    project: Project
    opts: SendOptions
    sender: str
    log: SendLog
    ledger: Ledger
    changes: dict[tuple[str, str], Changes] = field(default_factory=dict)
    views: dict[str, Project] = field(default_factory=dict)
    version_id: str | None = None

    @property
    def levels(self) -> Levels:
        return self.project.levels

    def view(self, level: str) -> Project:
        """The project as ``level`` sees it: every letter is written from its reader's view."""
        if level not in self.views:
            self.views[level] = project_view(self.project, level)
        return self.views[level]

    @property
    def may_correct(self) -> bool:
        return self.opts.correction or self.project.book.updates == "correct"

    def version(self) -> str:
        """The data's content id; kept on disk (once) when letters really go, for later corrections."""
        if self.version_id is None:
            sponsors = self.project.sponsors
            keep = version_id if self.opts.dry_run else lambda found: save_version(self.opts.out_dir, found)
            self.version_id = keep(sponsors)
        return self.version_id

    def changes_for(self, got: Received, level: str) -> Changes:
        """What changed since the letter ``got``, at ``level``: against the data it carried, else
        (a log from before versions were kept) against the snapshot of its edition."""
        if (got.version or got.edition, level) not in self.changes:  # once per version and level
            found = changes_since_version(self.view(level), self.opts.out_dir, got.version,
                                          format_date(got.edition), level)
            if found is None:
                found = what_changed(self.view(level), self.opts.out_dir, got.edition, level)
            self.changes[got.version or got.edition, level] = found
        return self.changes[got.version or got.edition, level]


def _letter(ctx: Context, r: Recipient, files: list[Attachment]) -> Letter:
    """``r``'s letter. A letter for an edition they already had, with other files, is a correction:
    its own subject, threaded to the message they got, and what changed since *that* version."""
    book = ctx.project.book
    for a in files:
        a.pages = page_count(a.path)
    level = clearance(r, ctx.levels)
    view = ctx.view(level)
    mine = recipient_sponsors(view, r)
    label = format_date(book.edition)
    letter = Letter(
        name=r.name, email=r.email, title=r.title, attachments=files,
        subject=f"{book.title} — {label}", sender=ctx.sender,
        edition=book.edition, edition_label=label, book_title=book.title,
        watch=watch_lines(view, mine), organisation=book.organisation, version=ctx.version())
    had = ctx.log.received(r.email, book.edition)
    if had and letter.key not in {h.key for h in had}:
        letter.correction = True
        letter.subject = f"Updated: {book.title} — {label}"
        letter.references = " ".join(dict.fromkeys(h.message_id for h in had))
        letter.in_reply_to = had[-1].message_id
        got: Received | None = had[-1]
    else:
        got = None if had else ctx.log.last_received(r.email)
    if got is not None:  # "what changed" only against a letter the send log says they received
        changes = ctx.changes_for(got, level)
        letter.changes = changes.lines(mine)
        letter.changes_since = format_date(got.edition)
    return letter


def _gate(ctx: Context, r: Recipient, files: list[Attachment]) -> str | None:
    """Why this letter must wait for approval, or None (a level that needs none never waits)."""
    book = ctx.project.book
    level = clearance(r, ctx.levels)
    need = book.approvals.get(level, 0)
    if need == 0:
        return None
    current = hashes(ctx.opts.out_dir, [a.path for a in files])
    return waiting(need, ctx.ledger.approvals(book.edition, level), current, level, book.edition)


# what a recipient's letter of the current edition is, in the words send, --dry-run and status share
STANDING = {SKIP: "sent", IN_OUTBOX: "written to the outbox", "hold": "unknown",
            HOLD_CORRECTION: "correction held", "refuse": "too large"}


def standing(ctx: Context, r: Recipient, transport: str) -> tuple[str, str]:
    """(state, why) of ``r``'s letter now: the gate and ``decide`` as a real run applies them."""
    level = clearance(r, ctx.levels)
    files = attachments(ctx.view(level), r, ctx.opts.out_dir)
    if not files:
        return "nothing to send", "no sponsors for this recipient"
    missing = [a.path.relative_to(ctx.opts.out_dir).as_posix() for a in files if not a.path.is_file()]
    if missing:
        return "not built", ", ".join(missing)
    unapproved = _gate(ctx, r, files)
    if unapproved:
        return "waiting for approval", unapproved
    book = ctx.project.book
    letter = Letter(name=r.name, email=r.email, title=r.title, attachments=files, subject="", sender=ctx.sender,
                    edition=book.edition, edition_label=format_date(book.edition))
    had = ctx.log.received(r.email, book.edition)
    letter.correction = bool(had) and letter.key not in {h.key for h in had}
    action, reason = decide(letter, ctx.log, transport, force=False, max_bytes=ctx.opts.max_bytes,
                            correct=ctx.may_correct)
    found = ctx.log.row(letter.key)
    if found and found[0] == OUTBOX:
        return "written to the outbox", "not delivered: a run with BRIEFING_SMTP_URL delivers it"
    if found and found[0] == FAILED:
        return "failed", f"{found[2]}; the next run retries"
    if action == "send":
        return ("correction ready" if letter.correction else "ready to send"), reason
    return STANDING[action], reason


def _dry_result(letter: Letter, ctx: Context, transport: str) -> Result:
    action, reason = decide(letter, ctx.log, transport, force=ctx.opts.force, max_bytes=ctx.opts.max_bytes,
                            correct=ctx.may_correct)
    names = ", ".join(a.path.name for a in letter.attachments)
    verb = {"send": "send" if transport == "smtp" else "write to outbox", "skip": "skip",
            IN_OUTBOX: "leave in outbox", "hold": "hold back", HOLD_CORRECTION: "hold correction",
            "refuse": "refuse"}[action]
    return Result(letter.email, f"would {verb}", f"{names}: {reason}", action)


def send(opts: SendOptions, say: Callable[[Result], None] | None = None,
         progress: Progress | None = None) -> list[Result]:
    """Build what the letters need, then deliver each recipient's letter once (or show it: dry run)."""
    project = load_project(opts.data_dir, require_distribution=True)
    recipients = recipients_for(project, opts.recipients)
    sender = sender_for(project)
    transport = transport_from_env(opts.outbox or opts.out_dir / "outbox")
    failed, _ = build_for_letters(opts, recipients, project.levels, progress)
    log = SendLog(opts.out_dir / LOG_NAME, read_only=opts.dry_run, force_empty=opts.force_empty_log)
    results: list[Result] = []

    def tell(result: Result) -> None:
        results.append(result)
        if say:
            say(result)

    try:
        if not opts.dry_run:
            log.settle_crashed()
        ctx = Context(project, opts, sender, log, Ledger(log.db, writable=not opts.dry_run))
        for r in recipients:
            _serve(ctx, r, failed, transport, tell)
        if opts.review:
            review_copies(ctx, transport, tell)
    except sqlite3.Error as err:
        raise log.error(err) from None
    finally:
        log.close()
    return results


def _serve(ctx: Context, r: Recipient, failed: dict[str, str], transport: Outbox | Smtp,
           tell: Callable[[Result], None]) -> None:
    """One recipient, isolated from the others; every outcome goes to the trail with its reason."""
    opts, edition = ctx.opts, ctx.project.book.edition
    level = clearance(r, ctx.levels)

    def told(result: Result) -> None:
        kind = WAIT if result.action in (WAIT, HOLD_CORRECTION) else SEND if result.served else REFUSE
        ctx.ledger.note(kind, edition, level, r.email, f"{result.outcome}: {result.detail}")
        tell(result)

    files = attachments(ctx.view(level), r, opts.out_dir)
    if not files:
        return told(Result(r.email, "skipped", "nothing to send: no sponsors for this recipient", SKIP))
    why = _not_built(files, opts.out_dir, failed)
    if why:
        return told(Result(r.email, NOT_BUILT, f"{why}; left for the next run", NOT_BUILT))
    unapproved = _gate(ctx, r, files)
    if unapproved:
        outcome = "would wait" if opts.dry_run else WAITING
        return told(Result(r.email, outcome, unapproved, WAIT))
    try:
        letter = _letter(ctx, r, files)
    except (OSError, UnreadablePdf) as err:  # a PDF the build left damaged: only this recipient waits
        return told(Result(r.email, NOT_BUILT, f"cannot read an attachment: {err}; left for the next run",
                           NOT_BUILT))
    if opts.dry_run:
        return told(_dry_result(letter, ctx, transport.name))
    deliver([letter], transport=transport, log=ctx.log, say=told, policy=_policy(ctx, transport))
    return None


def _policy(ctx: Context, transport: Outbox | Smtp) -> Policy:
    opts = ctx.opts
    outbox = None if isinstance(transport, Outbox) else opts.outbox or opts.out_dir / "outbox"
    return Policy(opts.force, opts.max_bytes, opts.retries, opts.backoff, correct=ctx.may_correct, outbox=outbox)


# --- review copies -----------------------------------------------------------------------------

def _level_attachments(ctx: Context, level: str) -> list[Attachment]:
    """Everything the readers of ``level`` would receive, each file once."""
    everyone = ctx.project.distribution.recipients if ctx.project.distribution else []
    found: dict[Path, Attachment] = {}
    for r in everyone:
        if clearance(r, ctx.levels) == level:
            for a in attachments(ctx.view(level), r, ctx.opts.out_dir):
                found.setdefault(a.path, a)
    return list(found.values())


def review_copies(ctx: Context, transport: Outbox | Smtp, tell: Callable[[Result], None]) -> None:
    """Each approver (``approver: yes``) gets every waiting edition up to their clearance, once per
    set of files: they review the exact PDFs that will go out once they approve them."""
    book = ctx.project.book
    everyone = ctx.project.distribution.recipients if ctx.project.distribution else []
    approvers = [r for r in everyone if r.approver]
    for level in ctx.levels.order if approvers else ():
        need = book.approvals.get(level, 0)
        files = _level_attachments(ctx, level) if need else []
        if not files or any(not a.path.is_file() for a in files):
            continue
        current = hashes(ctx.opts.out_dir, [a.path for a in files])
        if waiting(need, ctx.ledger.approvals(book.edition, level), current, level, book.edition) is None:
            continue
        for r in approvers:
            if ctx.levels.allows(clearance(r, ctx.levels), level):
                _review(ctx, r, level, files, (transport, tell))


def _review(ctx: Context, r: Recipient, level: str, files: list[Attachment],
            via: tuple[Outbox | Smtp, Callable[[Result], None]]) -> None:
    transport, tell = via
    book, opts = ctx.project.book, ctx.opts
    for a in files:
        a.pages = page_count(a.path)
    letter = Letter(
        name=r.name, email=r.email, title=r.title, attachments=[Attachment(a.path, a.title, a.pages, a.name)
                                                          for a in files],
        subject=f"For review: {book.title}, {level} edition — {format_date(book.edition)}", sender=ctx.sender,
        edition=book.edition, edition_label=format_date(book.edition),
        book_title=f"For your review, the {level} edition of {book.title}", purpose=f"review:{level}",
        intro=("It is sent to no one until it is approved. If it may go out: "
               f"briefing approve --edition {book.edition} --audience {level} --as NAME"))

    def told(result: Result) -> None:
        ctx.ledger.note(REVIEW, book.edition, level, r.email, f"{result.outcome}: {result.detail}")
        tell(Result(result.email, result.outcome, f"review copy of the {level} edition: {result.detail}",
                    result.action))

    if opts.dry_run:
        told(_dry_result(letter, ctx, transport.name))
    else:
        deliver([letter], transport=transport, log=ctx.log, say=told, policy=_policy(ctx, transport))


def _dry_head(count: Callable[..., int]) -> str:
    head = f"dry run: {count(outcome='would send')} would be sent"
    if count(outcome="would write to outbox"):
        head += f", {count(outcome='would write to outbox')} would be written to the outbox"
    head += f", {count(action=SKIP)} skipped"
    if count(action=IN_OUTBOX):
        head += f", {count(action=IN_OUTBOX)} already in the outbox (not delivered)"
    return head + "; nothing was sent"


def summary_line(results: list[Result], dry_run: bool = False) -> str:
    """One closing line: how many were sent, written, skipped; who was not served and why."""
    if not results:
        return "nobody to send to"

    def count(**where: str) -> int:
        return sum(all(getattr(r, k) == v for k, v in where.items()) for r in results)

    in_outbox, held = count(action=IN_OUTBOX), count(action=HOLD_CORRECTION)
    if dry_run:
        head = _dry_head(count)
    elif count(action=SKIP) == len(results):
        return "nothing to send: every recipient already has this edition"
    elif count(action=IN_OUTBOX) + count(action=SKIP) == len(results):
        return (f"nothing new to write: {in_outbox} letter(s) already in the outbox, not delivered "
                "(set BRIEFING_SMTP_URL to deliver them)" + (f"; {count(action=SKIP)} already sent"
                                                               if count(action=SKIP) else ""))
    else:
        head = (f"{count(outcome='sent')} sent, {count(outcome='written-to-outbox')} written to the outbox, "
                f"{count(action=SKIP)} already done")
        if in_outbox:
            head += f", {in_outbox} already in the outbox (not delivered)"
    bad = [r for r in results if not r.served]
    if not bad:
        return head
    waits = [r for r in bad if r.action == WAIT]
    if waits:
        head += f", {len(waits)} waiting for approval ({', '.join(r.email for r in waits)})"
    if held:
        head += (f", {held} correction(s) held: the edition changed after it was sent "
                 "(`briefing send --correction` sends them)")
    bad = [r for r in bad if r.action not in (WAIT, HOLD_CORRECTION)]
    if not bad:
        return head
    return head + f", {len(bad)} not served: " + "; ".join(f"{r.email} ({r.outcome})" for r in bad)
