"""Plan a build: which PDFs to write, what each is made of, and which are out of date."""

from __future__ import annotations

from dataclasses import dataclass

from briefing.build.manifest import Manifest
from briefing.build.options import Options
from briefing.data.audience import sponsor_level
from briefing.data.levels import Levels, clearance
from briefing.data.load import Project, attachment_path
from briefing.data.model import Recipient
from briefing.documents.outputs import book_output, edition_output, level_prefix, sponsor_output
from briefing.errors import BriefingError, UsageError
from briefing.hashing import digest, file_sha256, theme_fingerprint
from briefing.render.edition import Edition
from briefing.render.html import BOOK_TEMPLATE, OVERLAY_TEMPLATE, reached

SPONSOR, BOOK = "sponsor", "book"


@dataclass(frozen=True)
class Target:
    """One PDF the build writes: which chapters it holds and how it is dressed."""

    name: str  # path relative to the output folder
    slugs: list[str]
    kind: str  # SPONSOR or BOOK
    recipient: Recipient | None = None


@dataclass(frozen=True)
class Plan:
    targets: list[Target]
    chapter_keys: dict[str, str]  # slug -> key of everything its pages depend on
    target_keys: dict[str, str]  # target name -> key
    stale: list[Target]  # targets to (re)build, in order

    @property
    def chapters(self) -> list[str]:
        """Chapters the stale targets need, in book order."""
        return list(dict.fromkeys(s for t in self.stale for s in t.slugs))

    @property
    def book_chapters(self) -> set[str]:
        """Chapters a stale book or edition takes: the ones whose book pages this build needs."""
        return {s for t in self.stale if t.kind == BOOK for s in t.slugs}

    def sponsor_target(self, slug: str) -> Target | None:
        return next((t for t in self.stale if t.kind == SPONSOR and t.slugs == [slug]), None)


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


def book_level(opts: Options, levels: Levels) -> str:
    """The level of the sponsor PDFs and book a build writes (recipients' editions have their own):
    without --audience the base level, that of unmarked items and recipients (fail closed)."""
    return levels.check(opts.audience) if opts.audience else levels.base


def check_slugs(project: Project, opts: Options) -> None:
    """Unknown sponsors, or sponsors above the requested level, are usage errors before any work."""
    unknown = [s for s in opts.slugs if s not in project.sponsors]
    if unknown:
        raise UsageError(f"unknown sponsor(s): {', '.join(unknown)} (known: {', '.join(project.sponsors)})")
    if opts.audience and (opts.sponsors or opts.book):
        levels = project.levels
        level = book_level(opts, levels)
        above = [s for s in opts.slugs if not levels.allows(level, sponsor_level(project.sponsors[s], levels))]
        if above:
            raise UsageError(f"{', '.join(above)}: above the '{level}' audience, so not in its edition")


def targets(project: Project, opts: Options, edition: Edition) -> list[Target]:
    """What to write at ``edition.audience``; ``project`` is already that level's view."""
    levels = project.levels
    slugs = [s for s in opts.slugs if s in project.sponsors] if opts.slugs else list(project.sponsors)
    found: list[Target] = []
    if edition.audience == book_level(opts, levels):
        prefix = level_prefix(edition.audience, levels)
        if opts.sponsors:
            found += [Target(sponsor_output(s, edition.document, prefix), [s], SPONSOR) for s in slugs]
        if opts.book and slugs:  # a level that may see no sponsor has no book
            found.append(Target(book_output(edition.document, prefix), slugs, BOOK))
    for r in recipients_for(project, opts.recipients):
        if clearance(r, levels) != edition.audience or "book" not in r.receives:
            continue  # an edition is built only for someone who receives the book
        mine = [s for s in recipient_sponsors(project, r) if s in slugs]
        if mine:
            found.append(Target(edition_output(r, edition.document), mine, BOOK, r))
    return found


def chapter_key(project: Project, edition: Edition, slug: str, theme: str) -> str:
    """Everything a sponsor's pages depend on."""
    book_yaml = (project.data_dir / "book.yaml").read_bytes().decode("utf-8", "replace")
    data = project.files[slug].read_bytes().decode("utf-8", "replace")
    return digest(data, book_yaml, theme, edition.page_size, edition.document.name, edition.pdf_variant,
                  edition.changes_for(slug), edition.since, edition.audience, edition.audience_label)


def _target_key(project: Project, edition: Edition, target: Target, chapter_keys: dict[str, str],
                theme: str) -> str:
    appending = target.slugs if edition.document.appends_attachments else []
    attachments = [file_sha256(attachment_path(project.data_dir, a.file))
                   for s in appending for a in project.sponsors[s].attachments]
    who = target.recipient.model_dump() if target.recipient else None
    gone = {s: list(c) for s, c in edition.changes.items() if s not in project.sponsors} if target.kind == BOOK else {}
    return digest([chapter_keys[s] for s in target.slugs], target.kind, who, attachments, theme, gone)


def theme_keys(project: Project, edition: Edition) -> tuple[str, str]:
    """The theme as a chapter prints it, and as the book's own pages do: a template counts only
    for the documents that reach it, so editing the book's cover leaves every chapter as it is."""
    folders, cache = edition.paths.templates, edition.paths.template_references
    overlay = reached(folders, OVERLAY_TEMPLATE, cache)  # page numbers, on chapters and books alike
    chapter = theme_fingerprint(project.root, reached(folders, edition.document.template, cache) | overlay)
    book = theme_fingerprint(project.root, reached(folders, BOOK_TEMPLATE, cache) | overlay)
    return chapter, book


def plan(project: Project, opts: Options, edition: Edition, manifest: Manifest) -> Plan:
    wanted = targets(project, opts, edition)
    chapter_theme, book_theme = theme_keys(project, edition)
    chapter_keys = {s: chapter_key(project, edition, s, chapter_theme) for s in dict.fromkeys(
        s for t in wanted for s in t.slugs)}
    target_keys = {t.name: _target_key(project, edition, t, chapter_keys, book_theme if t.kind == BOOK
                                       else chapter_theme) for t in wanted}
    stale = [t for t in wanted if opts.force or not manifest.fresh(edition.paths.out, t.name, target_keys[t.name])]
    return Plan(wanted, chapter_keys, target_keys, stale)
