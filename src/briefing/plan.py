"""Plan a build: which PDFs to write, what each is made of, and which are out of date."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .data import Project, attachment_path
from .errors import BriefingError, UsageError
from .hashing import digest, file_sha256
from .manifest import Manifest, theme_fingerprint
from .model import Recipient
from .settings import BOOK_NAME, Edition, Options

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

    def sponsor_target(self, slug: str) -> Target | None:
        return next((t for t in self.stale if t.kind == SPONSOR and t.slugs == [slug]), None)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]
    return slug or digest(text, length=10)


def recipient_slug(recipient: Recipient) -> str:
    return slugify(recipient.name)


def recipients_for(project: Project, which: str | None) -> list[Recipient]:
    if which is None:
        return []
    if project.distribution is None:
        raise BriefingError("no data/distribution.yaml: add recipients before using --for")
    everyone = project.distribution.recipients
    if which == "all":
        return list(everyone)
    chosen = [r for r in everyone if r.email.lower() == which.lower()]
    if not chosen:
        raise UsageError(f"{which} is not in data/distribution.yaml")
    return chosen


def recipient_sponsors(project: Project, recipient: Recipient) -> list[str]:
    if "all" in recipient.sponsors:
        return list(project.sponsors)
    return [s for s in project.sponsors if s in recipient.sponsors]


def targets(project: Project, opts: Options, edition: Edition) -> list[Target]:
    slugs = opts.slugs or list(project.sponsors)
    unknown = [s for s in slugs if s not in project.sponsors]
    if unknown:
        raise UsageError(f"unknown sponsor(s): {', '.join(unknown)} (known: {', '.join(project.sponsors)})")
    found: list[Target] = []
    if opts.sponsors:
        found += [Target(f"{s}{edition.suffix}.pdf", [s], SPONSOR) for s in slugs]
    if opts.book:
        found.append(Target(f"{BOOK_NAME}{edition.suffix}.pdf", slugs, BOOK))
    for r in recipients_for(project, opts.recipients):
        mine = [s for s in recipient_sponsors(project, r) if s in slugs]
        if mine:
            found.append(Target(f"editions/{recipient_slug(r)}{edition.suffix}.pdf", mine, BOOK, r))
    return found


def chapter_key(project: Project, edition: Edition, slug: str, theme: str) -> str:
    """Everything a sponsor's pages depend on."""
    book_yaml = (project.data_dir / "book.yaml").read_bytes().decode("utf-8", "replace")
    data = project.files[slug].read_bytes().decode("utf-8", "replace")
    return digest(data, book_yaml, theme, edition.page_size, edition.variant, edition.pdf_variant,
                  edition.changes_for(slug),
                  edition.since)


def _target_key(project: Project, edition: Edition, target: Target, chapter_keys: dict[str, str],
                theme: str) -> str:
    attachments = [] if edition.one_pager else [
        file_sha256(attachment_path(project.data_dir, a.file))
        for s in target.slugs for a in project.sponsors[s].attachments]
    who = target.recipient.model_dump() if target.recipient else None
    gone = {s: list(c) for s, c in edition.changes.items() if s not in project.sponsors} if target.kind == BOOK else {}
    return digest([chapter_keys[s] for s in target.slugs], target.kind, who, attachments, theme, gone)


def plan(project: Project, opts: Options, edition: Edition, manifest: Manifest) -> Plan:
    wanted = targets(project, opts, edition)
    theme = theme_fingerprint(project.root)
    chapter_keys = {s: chapter_key(project, edition, s, theme) for s in dict.fromkeys(
        s for t in wanted for s in t.slugs)}
    target_keys = {t.name: _target_key(project, edition, t, chapter_keys, theme) for t in wanted}
    stale = [t for t in wanted if opts.force or not manifest.fresh(edition.paths.out, t.name, target_keys[t.name])]
    return Plan(wanted, chapter_keys, target_keys, stale)
