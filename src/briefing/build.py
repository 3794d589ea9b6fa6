"""The build: load → validate → plan → chart + render HTML + print (workers) → assemble → save.

Two phases, as in MkDocs and Pelican: everything is loaded and validated before anything is
written, so one bad file never leaves half a book. Each sponsor is laid out once per variant,
in a worker process; the sponsor PDF, the book and every personalised edition reuse those
pages. A manifest of input hashes lets a run skip every output whose inputs did not change.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .changes import load_snapshot, previous_edition, save_snapshot, summarise
from .data import Project, attachment_path, load_project
from .errors import BriefingError, UsageError
from .files import write_atomic
from .jobs import Job, Outcome, run
from .model import Recipient, format_date
from .sponsor_doc import ChapterMeta, Paths, render_sponsor

BOOK_NAME = "briefing-book"
MANIFEST = ".manifest.json"


@dataclass
class Options:
    data_dir: Path = Path("data")
    out_dir: Path = Path("output")
    slugs: list[str] = field(default_factory=list)
    sponsors: bool = True  # per-sponsor PDFs
    book: bool = True
    recipients: str | None = None  # None, "all" or an email: personalised editions
    page_size: str | None = None  # overrides book.yaml
    variant: str = "full"  # or "one-pager"
    jobs: int = 0  # 0 = number of cores
    timeout: float = 120.0
    force: bool = False


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

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class Output:
    """One PDF the build writes: which chapters it holds and how it is dressed."""

    name: str  # path relative to the output folder
    slugs: list[str]
    kind: str  # "sponsor" or "book"
    recipient: Recipient | None = None


Progress = Callable[[str, str], None]  # (event, name): "plan" / "start" / "done" / "fail"


# --- hashing ----------------------------------------------------------------------------

def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def theme_fingerprint(root: Path) -> str:
    """Templates, assets (CSS, fonts, logos), chart style and the package's own code."""
    files: list[Path] = []
    for folder in (root / "templates", root / "assets", Path(__file__).parent):
        files += sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return _hash_files(files) + __version__


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


# --- planning ---------------------------------------------------------------------------

def slugify(text: str) -> str:
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]
    return slug or hashlib.sha256(text.encode()).hexdigest()[:10]


def recipient_slug(recipient: Recipient) -> str:
    """The edition's file name: unique per person (explicit `id` or the address), never the name."""
    return recipient.edition_id


def recipients_for(project: Project, which: str | None) -> list[Recipient]:
    if which is None:
        return []
    if project.distribution is None:
        raise BriefingError("no data/distribution.yaml: add recipients before using --for")
    everyone = project.distribution.recipients
    if which == "all":
        return list(everyone)
    chosen = [r for r in everyone if which.lower() in (r.email.lower(), r.edition_id)]
    if not chosen:
        known = ", ".join(r.email for r in everyone)
        raise UsageError(f"{which} is not in data/distribution.yaml (known: {known})")
    return chosen


def recipient_sponsors(project: Project, recipient: Recipient) -> list[str]:
    if "all" in recipient.sponsors:
        return list(project.sponsors)
    return [s for s in project.sponsors if s in recipient.sponsors]


def plan_outputs(project: Project, opts: Options) -> list[Output]:
    slugs = opts.slugs or list(project.sponsors)
    unknown = [s for s in slugs if s not in project.sponsors]
    if unknown:
        raise BriefingError(f"unknown sponsor(s): {', '.join(unknown)} "
                            f"(known: {', '.join(project.sponsors)})")
    suffix = "-one-pager" if opts.variant == "one-pager" else ""
    outputs: list[Output] = []
    if opts.sponsors:
        outputs += [Output(f"{s}{suffix}.pdf", [s], "sponsor") for s in slugs]
    if opts.book:
        outputs.append(Output(f"{BOOK_NAME}{suffix}.pdf", slugs, "book"))
    for r in recipients_for(project, opts.recipients):
        mine = [s for s in recipient_sponsors(project, r) if s in slugs]
        if mine:
            outputs.append(Output(f"editions/{recipient_slug(r)}{suffix}.pdf", mine, "book", r))
    return outputs


# --- the build --------------------------------------------------------------------------

def _render_job(slug: str, project: Project, paths: Paths, page_size: str, variant: str,
                target: Path, key: str, changes: list[str], since: str | None) -> dict[str, Any]:
    data_file = os.path.relpath(project.files[slug], project.data_dir.resolve().parent)
    pdf, meta = render_sponsor(slug, project.sponsors[slug], project.book, paths,
                               page_size=page_size, variant=variant, data_file=data_file,
                               changes=changes, changes_since=since)
    write_atomic(target, pdf)
    payload = meta.to_json() | {"key": key}
    write_atomic(target.with_suffix(".json"), json.dumps(payload, indent=1).encode())
    return payload


def load_manifest(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}  # missing or unreadable: everything is rebuilt, nothing is lost


def _file_sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def build(opts: Options, progress: Progress | None = None) -> Report:
    started = time.monotonic()
    report = Report()
    say = progress or (lambda event, name: None)
    project = load_project(opts.data_dir)
    report.warnings = [str(w) for w in project.warnings]
    page_size = opts.page_size or project.book.page_size
    out = opts.out_dir
    paths = Paths(root=project.root, data_dir=opts.data_dir.resolve(), out=out.resolve())
    outputs = plan_outputs(project, opts)
    _clear_leftovers(out)

    # what changed since the previous edition goes on a page of its own
    since = previous_edition(out, project.book.edition)
    changes = summarise(project.sponsors, load_snapshot(out, since)) if since else {}
    since_label = format_date(since) if since else None

    # chapter keys: everything a sponsor's pages depend on
    theme = theme_fingerprint(project.root)
    book_bytes = (opts.data_dir / "book.yaml").read_bytes()
    chapter_key = {
        slug: _digest(project.files[slug].read_bytes().decode("utf-8", "replace"),
                      book_bytes.decode(), theme, page_size, opts.variant,
                      changes.get(slug, []) if opts.variant == "full" else [], since_label)
        for slug in {s for o in outputs for s in o.slugs}
    }
    chapter_dir = paths.build / opts.variant / page_size.lower()

    def output_key(o: Output) -> str:
        attachments = [
            _file_sha(attachment_path(project.data_dir, a.file))
            for s in o.slugs for a in project.sponsors[s].attachments
        ] if opts.variant == "full" else []
        who = o.recipient.model_dump() if o.recipient else None
        gone = {s: c for s, c in changes.items() if s not in project.sponsors} if o.kind == "book" else {}
        return _digest([chapter_key[s] for s in o.slugs], o.kind, who, attachments, theme, gone)

    manifest = load_manifest(out)
    previous = manifest.get("outputs", {})
    stale: list[Output] = []
    for o in outputs:
        entry = previous.get(o.name)
        target = out / o.name
        if (not opts.force and entry and entry.get("key") == output_key(o)
                and entry.get("sha256") == _file_sha(target)):
            report.reused.append(o.name)
        else:
            stale.append(o)

    # phase 1, in worker processes: lay out stale chapters and assemble stale sponsor PDFs
    # (a sponsor PDF is finished in the worker that printed it, so it runs in parallel too)
    for o in stale:
        say("plan", o.name)
    sponsor_outputs = {o.slugs[0]: o for o in stale if o.kind == "sponsor"}
    chapters = list(dict.fromkeys(s for o in stale for s in o.slugs))
    jobs = []
    for slug in chapters:
        render = opts.force or not _chapter_fresh(chapter_dir, slug, chapter_key[slug])
        target = out / sponsor_outputs[slug].name if slug in sponsor_outputs else None
        if render or target:
            task = SponsorTask(slug, project, paths, page_size, opts.variant, chapter_dir,
                               chapter_key[slug], changes.get(slug, []) if opts.variant == "full" else [],
                               since_label, render, target)
            jobs.append(Job(slug, _sponsor_job, (task,)))
    failed_chapters: dict[str, str] = {}
    new_entries: dict[str, Any] = dict(previous)

    def finished(o: Output, pages: int) -> None:
        report.rebuilt.append(o.name)
        report.pages[o.name] = pages
        new_entries[o.name] = {"key": output_key(o), "sha256": _file_sha(out / o.name),
                               "sponsors": o.slugs, "pages": pages}
        say("done", o.name)

    def done(outcome: Outcome) -> None:
        value = outcome.value or {}
        if not outcome.ok:  # the chapter itself could not be printed
            failed_chapters[outcome.name] = outcome.error
        if value.get("rendered"):
            report.rendered.append(outcome.name)
            report.charts_drawn += value.get("charts_drawn", 0)
        o = sponsor_outputs.get(outcome.name)
        if o is None:
            return
        error = outcome.error if not outcome.ok else value.get("error")
        if error:
            report.failed.append((o.name, error))
            say("fail", o.name)
        else:
            finished(o, value["pages"])

    if jobs:
        _preload()
        workers = opts.jobs or os.cpu_count() or 1
        run(jobs, workers=min(workers, len(jobs)), timeout=opts.timeout,
            on_start=lambda name: say("start", name), on_done=done)

    # phase 2: books and editions, from the printed chapters
    from .book import assemble_book

    for o in (o for o in stale if o.kind == "book"):
        broken = [s for s in o.slugs if s in failed_chapters]
        if broken:
            report.failed.append((o.name, "not built because " + "; ".join(
                f"{s} failed: {failed_chapters[s]}" for s in broken)))
            say("fail", o.name)
            continue
        try:
            metas = {s: _load_meta(chapter_dir, s) for s in o.slugs}
            pages = assemble_book(project, o.slugs, metas, chapter_dir, paths, page_size=page_size,
                                  target=out / o.name, recipient=o.recipient, variant=opts.variant,
                                  changes=changes, changes_since=since_label)
        except BriefingError as err:
            report.failed.append((o.name, str(err)))
            say("fail", o.name)
            continue
        finished(o, pages)

    for name in report.reused:
        report.pages[name] = previous[name].get("pages", 0)
    if stale:
        manifest = {"version": __version__, "edition": project.book.edition, "outputs": new_entries}
        write_atomic(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
    if not report.failed:
        save_snapshot(out, project.book.edition, project.sponsors)
    report.seconds = time.monotonic() - started
    return report


@dataclass
class SponsorTask:
    """What a worker needs to print one sponsor and, if asked, finish its PDF."""

    slug: str
    project: Project
    paths: Paths
    page_size: str
    variant: str
    chapter_dir: Path
    key: str
    changes: list[str]
    since: str | None
    render: bool
    target: Path | None


def _sponsor_job(task: SponsorTask) -> dict[str, Any]:
    from .book import assemble_sponsor

    result: dict[str, Any] = {"rendered": False}
    if task.render:
        payload = _render_job(task.slug, task.project, task.paths, task.page_size, task.variant,
                              task.chapter_dir / f"{task.slug}.pdf", task.key, task.changes, task.since)
        result.update(rendered=True, charts_drawn=payload.get("charts_drawn", 0))
    if task.target is not None:
        try:
            result["pages"] = assemble_sponsor(
                task.project, task.slug, _load_meta(task.chapter_dir, task.slug), task.chapter_dir,
                task.paths, page_size=task.page_size, target=task.target, variant=task.variant)
        except BriefingError as err:  # the chapter is fine; only this output failed
            result["error"] = str(err)
    return result


def _chapter_fresh(chapter_dir: Path, slug: str, key: str) -> bool:
    try:
        meta = json.loads((chapter_dir / f"{slug}.json").read_text())
    except (OSError, ValueError):
        return False
    return meta.get("key") == key and (chapter_dir / f"{slug}.pdf").is_file()


def _load_meta(chapter_dir: Path, slug: str) -> ChapterMeta:
    data = json.loads((chapter_dir / f"{slug}.json").read_text())
    data.pop("key", None)
    data["size"] = tuple(data["size"])
    return ChapterMeta(**data)


def _clear_leftovers(out: Path) -> None:
    """Temporary files of a run that was killed mid-write (runs are serialised by the lock)."""
    if out.is_dir():
        for leftover in out.rglob(".*.tmp"):
            leftover.unlink(missing_ok=True)


def _preload() -> None:
    """Import WeasyPrint once in the parent so forked workers start warm."""
    import weasyprint  # noqa: F401
