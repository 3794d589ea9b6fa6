"""The build, as one pipeline of named steps:

    load → per audience level: view → edition → plan → print chapters (charts, HTML, PDF)
         → assemble books → save

Each level's outputs are built from that level's view of the data (``audience.view``), taken
before anything is rendered, so nothing above the level can reach a page, an outline or an email.

Two phases, as in MkDocs and Pelican: everything is loaded and validated before anything is
written, so one bad file never leaves half a book. Each sponsor is laid out once per variant,
in a worker process that also finishes the sponsor's own PDF; books and personalised
editions reuse those pages. A manifest of input hashes lets a run skip every output whose
inputs did not change.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import MappingProxyType

from briefing.build.manifest import MANIFEST, Manifest
from briefing.build.options import Options
from briefing.build.plan import (
    BOOK,
    Plan,
    Target,
    book_level,
    check_slugs,
    plan,
    recipient_sponsors,
    recipients_for,
)
from briefing.data.audience import label, project_view, uses_levels, view_all
from briefing.data.changes import load_snapshot, previous_edition, save_snapshot, summarise
from briefing.data.levels import clearance
from briefing.data.load import Project, load_project
from briefing.data.model import format_date
from briefing.documents.assemble import Runner, in_this_process
from briefing.documents.book import BookRequest, assemble_book, print_fronts_ahead, printed_parts
from briefing.documents.chapter import draw_charts_ahead, keep_book_pages, keep_for_books, print_chapter
from briefing.documents.meta import ChapterMeta
from briefing.documents.outputs import chapter_book_pdf, chapter_meta_path, chapter_pdf
from briefing.documents.sponsor_pdf import finish_sponsor_pdf
from briefing.errors import BriefingError
from briefing.pdf.binding import Binder
from briefing.pdf.printer import import_weasyprint, warm_weasyprint
from briefing.processes import Held, Job, Outcome, Spare, run_jobs, tell
from briefing.render.edition import Edition, Paths
from briefing.render.variants import variant_named

__all__ = ["MANIFEST", "Options", "Report", "build", "recipient_sponsors", "recipients_for"]


class Progress:
    """What a build tells its caller; the CLI's reporter overrides these."""

    def __call__(self, event: str, name: str, seconds: float | None = None) -> None:
        """``event`` is "plan", "start", "done" or "fail"; ``seconds`` how long it took."""


ProgressFn = Callable[..., None]


@dataclass
class Report:
    rebuilt: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)  # chapters laid out by WeasyPrint
    charts_drawn: int = 0
    pages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # preflight, one line each
    strict: bool = False  # findings fail the build

    @property
    def ok(self) -> bool:
        return not self.failed and not (self.strict and self.findings)  # failed also names "preflight"


# --- step 1: the edition ------------------------------------------------------------------

def make_edition(project: Project, opts: Options, level: str | None = None, labelled: bool = False) -> Edition:
    """Settings for one level's build: page size, variant, and what changed since the last edition.

    ``project`` is the level's view; the earlier edition is seen through the same level, so no
    change line speaks of anything the level may not read."""
    out = opts.out_dir
    levels = project.levels
    level = level or levels.base
    since = previous_edition(out, project.book.edition)
    before = view_all(load_snapshot(out, since), level, levels) if since else {}
    changes = summarise(project.sponsors, before) if since else {}
    return Edition(book=project.book,
                   paths=Paths(root=project.root, data_dir=opts.data_dir.resolve(), out=out.resolve()),
                   page_size=opts.page_size or project.book.page_size, document=variant_named(opts.variant),
                   pdf_variant=opts.pdf_variant or project.book.pdf_variant,
                   since=format_date(since) if since else None,
                   changes=MappingProxyType({s: tuple(lines) for s, lines in changes.items()}), audience=level,
                   audience_label=label(level) if labelled else "")


# --- step 2: chapters, in worker processes ------------------------------------------------

@dataclass(frozen=True)
class ChapterTask:
    """What a worker needs to print one sponsor and, if asked, finish its PDF."""

    project: Project
    edition: Edition
    slug: str
    key: str
    render: bool  # False: the chapter on disk is current, only the sponsor PDF or book pages are wanted
    target: Target | None  # the sponsor PDF to finish, if it is stale
    book_pages: bool = True  # write the chapter's book pages: a stale book takes it, and they are not on disk


@dataclass(frozen=True)
class ChapterResult:
    rendered: bool
    charts_drawn: int = 0
    pages: int = 0  # of the sponsor PDF, when one was finished
    error: str = ""  # the chapter printed but the sponsor PDF failed
    warnings: tuple[str, ...] = ()  # of the sponsor PDF: an untagged attachment


def _chapter_job(task: ChapterTask) -> ChapterResult:
    """Print the chapter if asked, finish the sponsor PDF and ``tell`` the parent it is written,
    then keep the chapter for the books (its preflight, its book pages if a book wants them): the
    preview shows the sponsor's new pages while its worker still does the rest
    (docs/performance.md, "The editor's loop")."""
    chapter = print_chapter(task.project, task.edition, task.slug, task.key) if task.render else None
    meta = chapter.meta if chapter else ChapterMeta.load(chapter_meta_path(task.edition, task.slug))
    drawn = meta.charts_drawn if chapter else 0
    result = ChapterResult(task.render, drawn)
    if task.target is not None:
        try:
            written = finish_sponsor_pdf(task.project, task.edition, meta, task.edition.paths.out / task.target.name,
                                         chapter.pdf if chapter else None)
        except BriefingError as err:  # the chapter is fine; only this output failed
            result = ChapterResult(task.render, drawn, error=str(err))
        else:
            result = ChapterResult(task.render, drawn, written.pages, warnings=tuple(written.warnings))
            tell(result)
    if chapter:
        keep_for_books(task.edition, chapter, books=task.book_pages)
    elif task.book_pages:  # printed by a build that bound no book
        keep_book_pages(task.edition, meta)
    return result


def chapter_fresh(edition: Edition, slug: str, key: str) -> bool:
    """The chapter on disk was printed for ``key``; its book pages may still be to come
    (``chapter.keep_book_pages``)."""
    try:
        meta = ChapterMeta.load(chapter_meta_path(edition, slug))
    except (OSError, ValueError, TypeError, KeyError):
        return False
    return meta.key == key and chapter_pdf(edition, slug).is_file()


def chapter_tasks(project: Project, edition: Edition, the_plan: Plan, force: bool) -> list[ChapterTask]:
    tasks = []
    in_books = the_plan.book_chapters
    for slug in the_plan.chapters:
        key = the_plan.chapter_keys[slug]
        render = force or not chapter_fresh(edition, slug, key)
        target = the_plan.sponsor_target(slug)
        # a chapter printed by a build that bound no book has no book pages yet
        pages = slug in in_books and (render or not chapter_book_pdf(edition, slug).is_file())
        if render or target or pages:
            tasks.append(ChapterTask(project, edition, slug, key, render, target, pages))
    return tasks


class _Ledger:
    """Collects outcomes into the report and the manifest as they arrive."""

    def __init__(self, the_plan: Plan, edition: Edition, manifest: Manifest, say: ProgressFn,
                 report: Report | None = None):
        self.plan, self.edition, self.manifest, self.say = the_plan, edition, manifest, say
        self.report = report if report is not None else Report()
        self.failed_chapters: dict[str, str] = {}
        self.told: set[str] = set()  # sponsor PDFs a worker said were written before it ended
        self.started: dict[str, float] = {}  # chapter -> when its worker started

    def built(self, target: Target, pages: int, seconds: float, warnings: tuple[str, ...] | list[str] = ()) -> None:
        self.report.rebuilt.append(target.name)
        self.report.warnings += warnings
        self.report.pages[target.name] = pages
        self.manifest.record(self.edition.paths.out, target.name, self.plan.target_keys[target.name],
                             slugs=target.slugs, pages=pages)
        self.say("done", target.name, seconds)

    def failed(self, target: Target, error: str, seconds: float | None = None) -> None:
        self.report.failed.append((target.name, error))
        self.say("fail", target.name, seconds)

    def sponsor_written(self, slug: str, result: ChapterResult) -> None:
        """A worker's news: the sponsor PDF is written, the chapter's book pages still to come."""
        target = self.plan.sponsor_target(slug)
        if target is not None and target.name not in self.told:
            self.told.add(target.name)
            self.built(target, result.pages, time.monotonic() - self.started.get(slug, time.monotonic()),
                       result.warnings)

    def chapter_done(self, outcome: Outcome) -> None:
        result: ChapterResult | None = outcome.value
        if not outcome.ok or result is None:  # the chapter itself could not be printed
            self.failed_chapters[outcome.name] = outcome.error
        elif result.rendered:
            self.report.rendered.append(outcome.name)
            self.report.charts_drawn += result.charts_drawn
        target = self.plan.sponsor_target(outcome.name)
        if target is None or target.name in self.told:  # written and said so already
            return
        error = outcome.error if not outcome.ok or result is None else result.error
        if error:
            self.failed(target, error, outcome.seconds)
        else:
            assert result is not None
            self.built(target, result.pages, outcome.seconds, result.warnings)

    def chapter_started(self, slug: str) -> None:
        self.started[slug] = time.monotonic()
        self.say("start", slug)


def print_chapters(tasks: list[ChapterTask], ledger: _Ledger, *, jobs: int, timeout: float,
                   held: Held | None) -> None:
    """``held``: the `build` command's worker forked as it started, given a lone chapter; a build
    that prints more warms WeasyPrint here once, inherited by every worker it forks
    (docs/performance.md, "A warm parent")."""
    if held is not None and (held.taken or len(tasks) != 1):
        held.close()
        held = None
    if not tasks:
        return
    if held is None:
        warm_weasyprint()
    else:  # the held worker imports WeasyPrint meanwhile, then finds the charts drawn
        for task in tasks:
            if task.render:
                ledger.report.charts_drawn += draw_charts_ahead(task.project, task.edition, task.slug)
        tasks = [replace(task, project=task.project.only(task.slug)) for task in tasks]  # sent pickled

    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    run_jobs([Job(t.slug, _chapter_job, (t,)) for t in tasks], workers=workers, timeout=timeout,
             on_start=ledger.chapter_started, on_done=ledger.chapter_done, on_news=ledger.sponsor_written, held=held)


# --- step 3: books and editions, from the printed chapters -------------------------------

def start_binding(project: Project, edition: Edition, books: list[Target], reprinting: set[str],
                  binding: Spare[Binder]) -> None:
    """Have the binding process merge the largest book's chapters that are printed already while
    the others print (one book only: each merge ahead holds its pages in memory until bound);
    ``reprinting``: the chapters whose book pages the workers write now."""
    book = max(books, key=lambda t: len(t.slugs))
    try:
        parts = printed_parts(project, edition, book.slugs, reprinting)
    except BriefingError:  # e.g. an unreadable attachment: that book's own step will say so
        return
    if parts and reprinting:  # with nothing to print there is nothing to overlap
        binding.send(Binder.prebind, edition.paths.out / book.name, parts, edition.pdf_variant)


AHEAD = 2  # books whose front matter is printed at once, per worker: enough to keep every core busy


def assemble_books(project: Project, edition: Edition, ledger: _Ledger, binding: Spare[Binder] | None,
                   workers: int = 1) -> None:
    runner: Runner = partial(binding.call, Binder.bind) if binding else in_this_process
    stale = [t for t in ledger.plan.stale if t.kind == BOOK]
    # the book first: where its front matter settles is the first guess of every edition's
    for target in (t for t in stale if t.recipient is None):
        _assemble(project, edition, ledger, runner, target)
    editions = [t for t in stale if t.recipient is not None]
    batch = max(2, AHEAD * workers)
    for at in range(0, len(editions), batch):
        books = editions[at:at + batch]
        if len(books) > 1:  # personalised editions: their front matter printed on every core first
            _fronts_ahead(project, edition, ledger, books, workers)
        for target in books:
            _assemble(project, edition, ledger, runner, target)


def _fronts_ahead(project: Project, edition: Edition, ledger: _Ledger, books: list[Target], workers: int) -> None:
    try:
        requests = [BookRequest(t.slugs, [ChapterMeta.load(chapter_meta_path(edition, s)) for s in t.slugs],
                                t.recipient) for t in books if not any(s in ledger.failed_chapters for s in t.slugs)]
    except (OSError, ValueError, TypeError, KeyError):
        return  # each book's own step says what is wrong
    print_fronts_ahead(project, edition, requests, workers)


def _assemble(project: Project, edition: Edition, ledger: _Ledger, runner: Runner, target: Target) -> None:
    broken = [s for s in target.slugs if s in ledger.failed_chapters]
    if broken:
        ledger.failed(target, "not built because " + "; ".join(
            f"{s} failed: {ledger.failed_chapters[s]}" for s in broken))
        return
    ledger.say("start", target.name)
    started = time.monotonic()
    try:
        metas = [ChapterMeta.load(chapter_meta_path(edition, s)) for s in target.slugs]
        written = assemble_book(project, edition, BookRequest(target.slugs, metas, target.recipient),
                                edition.paths.out / target.name, runner)
    except BriefingError as err:
        ledger.failed(target, str(err), time.monotonic() - started)
        return
    ledger.built(target, written.pages, time.monotonic() - started, written.warnings)


# --- the pipeline -------------------------------------------------------------------------

def levels_wanted(project: Project, opts: Options) -> list[str]:
    """Every level this build prints: the sponsor PDFs' and book's, and each chosen recipient's."""
    levels = project.levels
    wanted = {book_level(opts, levels)} if opts.sponsors or opts.book else set()
    wanted |= {clearance(r, levels) for r in recipients_for(project, opts.recipients)}
    return [level for level in levels.order if level in wanted]


def build_level(project: Project, opts: Options, level: str, manifest: Manifest, say: ProgressFn,  # noqa: PLR0913
                report: Report, held: Held | None = None) -> bool:
    """One level's outputs, from that level's view of the data; True if anything was stale."""
    view = project_view(project, level)
    if not view.sponsors and level == book_level(opts, project.levels) and (opts.sponsors or opts.book):
        report.warnings.append(f"no sponsor may be read at the '{level}' audience level: nothing printed for it")
    edition = make_edition(view, opts, level, uses_levels(project))
    the_plan = plan(view, opts, edition, manifest)
    for target in the_plan.stale:
        say("plan", target.name)
    ledger = _Ledger(the_plan, edition, manifest, say, report)
    tasks = chapter_tasks(view, edition, the_plan, opts.force)
    books = [t for t in the_plan.stale if t.kind == BOOK]
    # books are bound in a lean process of their own, started now so that it is ready when they
    # are, and already merging the chapters that are not printed again
    with Spare(Binder) if books else nullcontext() as binding:
        if binding is not None:
            start_binding(view, edition, books, {t.slug for t in tasks if t.book_pages}, binding)
        print_chapters(tasks, ledger, jobs=opts.jobs, timeout=opts.timeout, held=held)
        assemble_books(view, edition, ledger, binding, opts.jobs or os.cpu_count() or 1)
    report.findings += stored_findings(view, edition)
    fresh = {t.name for t in the_plan.stale}
    reused = [t.name for t in the_plan.targets if t.name not in fresh]
    report.reused += reused
    for name in reused:
        report.pages[name] = manifest.pages(name)
    return bool(the_plan.stale)


def build(opts: Options, progress: ProgressFn | None = None, project: Project | None = None) -> Report:
    """Build what ``opts`` asks for, rebuilding only outputs whose inputs changed; ``project``:
    ``opts.data_dir`` loaded already (the preview loads it for the titles it shows)."""
    started = time.monotonic()
    say = progress or Progress()
    # the `build` command's worker, importing WeasyPrint while the data is read (Held)
    with Held(import_weasyprint) if opts.once else nullcontext() as held:
        project = project or load_project(opts.data_dir, cache=opts.out_dir / ".cache" / "data")
        check_slugs(project, opts)
        manifest = Manifest.load(opts.out_dir)
        _clear_leftovers(opts.out_dir)
        report = Report(strict=opts.strict)
        stale = [build_level(project, opts, level, manifest, say, report, held)
                 for level in levels_wanted(project, opts)]
    report.warnings = [str(w) for w in project.warnings] + report.warnings + report.findings
    if opts.strict and report.findings:
        report.failed.append(("preflight", f"{len(report.findings)} finding(s); --strict fails the build"))
    if any(stale):
        manifest.save(opts.out_dir, project.book.edition)
    if report.ok:
        save_snapshot(opts.out_dir, project.book.edition, project.sponsors, project.files)
    report.seconds = time.monotonic() - started
    return report


def stored_findings(project: Project, edition: Edition) -> list[str]:
    """Preflight findings of every chapter on disk for this edition, reused or printed now, so a
    strict run fails again while a flaw stays in the data (not only on the run that printed it)."""
    found: list[str] = []
    for slug in project.sponsors:
        try:
            found += ChapterMeta.load(chapter_meta_path(edition, slug)).findings
        except (OSError, ValueError, TypeError, KeyError):
            continue  # not printed in this variant and size
    return list(dict.fromkeys(found))


def _clear_leftovers(out: Path) -> None:
    """Temporary files of a run that was killed mid-write (runs are serialised by the lock)."""
    if out.is_dir():
        for leftover in out.rglob(".*.tmp"):
            leftover.unlink(missing_ok=True)
