"""Final documents from printed chapters: the sponsor PDF, the book and personalised editions.

A chapter is a sponsor's printed pages (cover, at a glance, contents, sections, sources). The
sponsor PDF is the chapter as it is. A book is its own front matter (cover, contents with
book-wide page numbers, overview, watch list) followed by every chapter without its local
contents page, plus appended PDFs; page numbers run through the whole book.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .assemble import Info, Mark, Part, assemble
from .data import Project, attachment_path
from .errors import RenderError
from .files import write_atomic
from .model import Recipient, date_start, format_date
from .pdf import Rendered, render_html
from .render import DEFAULT_ACCENT, SEVERITY_LABEL, make_env, money, soften
from .sponsor_doc import ChapterMeta, Paths, draw_charts

SEVERITY_ORDER = {"critical": 0, "high": 1}


def _info(project: Project, title: str, subject: str, keywords: str) -> Info:
    return Info(title=title, author=project.book.organisation, subject=subject, keywords=keywords,
                language=project.book.language, date=project.book.edition)


def _chapter_marks(meta: ChapterMeta, page_of: dict[int, int], variant: str) -> list[Mark]:
    """Bookmarks of one chapter, with pages mapped into the final document."""
    if variant == "one-pager":
        return []
    px = f"{meta.slug}--"
    marks = [Mark("At a glance", page_of[meta.anchors[f"{px}at-a-glance"]])]
    if f"{px}changes" in meta.anchors:
        marks.append(Mark("Changes since the previous edition", page_of[meta.anchors[f"{px}changes"]]))
    for sec in meta.sections:
        marks.append(Mark(sec["title"], page_of[sec["page"]],
                          [Mark(sub["title"], page_of[sub["page"]]) for sub in sec["subsections"]]))
    if f"{px}sources" in meta.anchors:
        marks.append(Mark("Sources", page_of[meta.anchors[f"{px}sources"]]))
    return marks


def _contents_pages(meta: ChapterMeta) -> set[int]:
    """Local pages holding the chapter's own contents (dropped in a book)."""
    px = f"{meta.slug}--"
    if f"{px}contents" not in meta.anchors:
        return set()
    first = meta.anchors[f"{px}contents"]
    later = [p for name, p in meta.anchors.items() if p > first and not name.startswith(f"{px}contents")]
    return set(range(first, min(later) if later else first + 1))


def _attachment_parts(project: Project, slug: str, variant: str) -> list[tuple[str, Path, int]]:
    if variant != "full":
        return []
    parts = []
    file = project.files[slug]
    for i, att in enumerate(project.sponsors[slug].attachments):
        path = attachment_path(project.data_dir, att.file)
        where = f"{file}: attachments[{i}].file"
        try:
            from pypdf import PdfReader

            reader = PdfReader(str(path))
            if reader.is_encrypted:
                raise RenderError(f"{where}: '{att.file}' is encrypted; attach an unprotected copy")
            count = len(reader.pages)
            if count == 0:
                raise RenderError(f"{where}: '{att.file}' has no pages")
        except RenderError:
            raise
        except Exception as err:  # noqa: BLE001 - pypdf raises many kinds for broken files
            raise RenderError(f"{where}: '{att.file}' is not a readable PDF ({err})") from None
        parts.append((att.title, path, count))
    return parts


def assemble_sponsor(project: Project, slug: str, meta: ChapterMeta, chapter_dir: Path,
                     paths: Paths, *, page_size: str, target: Path, variant: str) -> int:
    sponsor = project.sponsors[slug]
    page_of = {i: i for i in range(meta.pages)}
    marks = _chapter_marks(meta, page_of, variant)
    parts = [Part(chapter_dir / f"{slug}.pdf", unnumbered={0})]  # a cover or a lone one-pager
    offset = meta.pages
    for title, path, count in _attachment_parts(project, slug, variant):
        parts.append(Part(path))
        marks.append(Mark(f"Appendix: {title}", offset))
        offset += count
    subject = f"{sponsor.name}: {sponsor.headline or 'sponsor briefing'}"
    keywords = ", ".join([sponsor.name, *sponsor.categories, *( [sponsor.tier] if sponsor.tier else [])])
    what = "one-page briefing" if variant == "one-pager" else "sponsor briefing"
    return assemble(parts, info=_info(project, f"{sponsor.name} — {what}", subject, keywords),
                    marks=marks, footer="", page_size=page_size, root=project.root,
                    cache=paths.out / ".cache", target=target)


@dataclass
class _Layout:
    """Where each chapter lands in the book, before the front matter is known."""

    parts: list[Part]
    starts: dict[str, int]  # slug -> first page, counted from the end of the front matter
    page_of: dict[str, dict[int, int]]  # slug -> local page -> page after the front matter
    appendices: dict[str, list[tuple[str, int]]]
    length: int


def _layout(project: Project, slugs: list[str], metas: dict[str, ChapterMeta], chapter_dir: Path,
            variant: str) -> _Layout:
    parts, starts, page_of, appendices = [], {}, {}, {}
    cursor = 0
    for slug in slugs:
        meta = metas[slug]
        dropped = _contents_pages(meta) if variant == "full" else set()
        keep = [p for p in range(meta.pages) if p not in dropped]
        starts[slug] = cursor
        page_of[slug] = {p: cursor + i for i, p in enumerate(keep)}
        # a local page that was dropped maps to the next kept one
        for p in sorted(dropped):
            page_of[slug][p] = cursor + sum(1 for k in keep if k < p)
        parts.append(Part(chapter_dir / f"{slug}.pdf", pages=keep,
                          unnumbered={0} if variant == "full" else set()))
        cursor += len(keep)
        appendices[slug] = []
        for i, (title, path, count) in enumerate(_attachment_parts(project, slug, variant)):
            parts.append(Part(path, dest=f"{slug}--appendix-{i}"))
            appendices[slug].append((title, cursor))
            cursor += count
    return _Layout(parts, starts, page_of, appendices, cursor)


def _overview_rows(project: Project, slugs: list[str]) -> list[dict[str, str]]:
    rows = []
    for slug in slugs:
        s = project.sponsors[slug]
        p = s.partnership
        rows.append({
            "slug": slug, "name": s.name, "tier": s.tier or "–",
            "categories": ", ".join(s.categories) or "–",
            "since": format_date(p.joined) if p else "–", "through": str(p.through) if p else "–",
            "value": money(p.value) if p and p.value else "–", "as_of": format_date(s.as_of),
        })
    return rows


def _book_charts(project: Project, slugs: list[str], paths: Paths) -> tuple[dict[str, str], dict[str, str]]:
    specs: dict[str, dict[str, Any]] = {}
    terms = [(project.sponsors[s].name, project.sponsors[s].partnership) for s in slugs]
    terms = [(n, p) for n, p in terms if p]
    if terms:
        specs["gantt"] = {"kind": "gantt", "accent": DEFAULT_ACCENT, "rows": [
            {"label": n, "start": date_start(p.joined).year + (date_start(p.joined).month - 1) / 12,
             "end": p.through + 1.0, "text": f"{p.joined[:4]}–{p.through}"} for n, p in terms]}
    scale = {"thousand": 1e-3, "million": 1.0, "billion": 1e3, None: 1e-6}
    deals = {n: p.value.amount * scale[p.value.scale] for n, p in terms
             if p.value and p.value.currency == "USD"}
    if deals:
        specs["deals"] = {"kind": "bar", "title": "Deal values", "unit": "US$ million",
                          "accent": DEFAULT_ACCENT, "highlight": None,
                          "series": [{"name": None, "values": dict(sorted(deals.items(),
                                                                          key=lambda kv: -kv[1]))}]}
    return draw_charts(specs, paths)[:2]


def _render_cached(html: str, svgs: dict[str, str], project: Project, paths: Paths) -> Rendered:
    """Front matter printed once per distinct HTML: an unchanged contents costs nothing."""
    key = hashlib.sha256((html + "".join(sorted(svgs))).encode()).hexdigest()[:24]
    pdf_path = paths.out / ".cache" / f"front-{key}.pdf"
    meta_path = pdf_path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text())
        return Rendered(pdf=pdf_path.read_bytes(), pages=meta["pages"], anchors=meta["anchors"],
                        size=tuple(meta["size"]))
    except (OSError, ValueError, KeyError):
        pass
    front = render_html(html, base=project.root, roots=paths.readable, charts=svgs, what="book front matter")
    write_atomic(pdf_path, front.pdf)
    write_atomic(meta_path, json.dumps({"pages": front.pages, "anchors": front.anchors,
                                        "size": front.size}).encode())
    return front


def assemble_book(project: Project, slugs: list[str], metas: dict[str, ChapterMeta],
                  chapter_dir: Path, paths: Paths, *, page_size: str, target: Path,
                  recipient: Recipient | None, variant: str, changes: dict[str, list[str]] | None = None,
                  changes_since: str | None = None) -> int:
    book = project.book
    layout = _layout(project, slugs, metas, chapter_dir, variant)
    urls, svgs = _book_charts(project, slugs, paths)
    prepared = (f"{recipient.name}, {recipient.title}" if recipient and recipient.title
                else recipient.name if recipient else book.prepared_for)
    env = make_env(project.root / "templates")
    # The contents needs book-wide page numbers, which depend on the front matter's own
    # length: guess, print, and print again until the numbers agree (usually twice).
    changed = [{"name": metas[s].name if s in metas else s, "lines": lines}
               for s, lines in (changes or {}).items() if s in slugs or s not in project.sponsors]
    front_titles = [("Overview", "book--overview"), ("Watch list", "book--watch")]
    if changed:
        front_titles.append((f"Changes since {changes_since}", "book--changes"))
    front_pages = 4 + bool(changed)
    found_at = {anchor: 3 + i for i, (_, anchor) in enumerate(front_titles)}  # guesses
    for _ in range(4):
        def page(slug: str, local: int, front: int = front_pages) -> int:
            return front + layout.page_of[slug][local] + 1  # printed numbers are 1-based

        toc: list[dict[str, Any]] = [{"level": 1, "number": "", "title": title, "dest": anchor,
                                      "page": found_at[anchor]} for title, anchor in front_titles]
        watch: list[dict[str, Any]] = []
        for slug in slugs:
            meta = metas[slug]
            toc.append({"level": 0, "number": "", "title": meta.name, "dest": f"{slug}--cover",
                        "page": page(slug, 0)})
            if variant == "full":
                for sec in meta.sections:
                    num, title = sec["title"].split("  ", 1)
                    toc.append({"level": 1, "number": num, "title": title, "dest": sec["id"],
                                "page": page(slug, sec["page"])})
            for i, (title, start) in enumerate(layout.appendices[slug]):
                toc.append({"level": 1, "number": "", "title": f"Appendix: {title}",
                            "dest": f"{slug}--appendix-{i}", "page": front_pages + start + 1})
            for w in meta.watch:
                watch.append(w | {"sponsor": meta.name, "dest": w["anchor"],
                                  "page": page(slug, w["page"])})
        watch.sort(key=lambda w: SEVERITY_ORDER.get(w["severity"], 9))
        html = env.get_template("book.html").render(
            book=book, rows=_overview_rows(project, slugs), toc=toc, watch=watch,
            chart_urls=urls, page_size=page_size, accent=DEFAULT_ACCENT,
            accent_soft=soften(DEFAULT_ACCENT), classification=book.classification,
            edition=format_date(book.edition), prepared_for=prepared, variant=variant,
            SEVERITY=SEVERITY_LABEL, changes_since=changes_since, changes=changed)
        front = _render_cached(html, svgs, project, paths)
        now = {anchor: front.anchors[anchor] + 1 for _, anchor in front_titles}
        if front.pages == front_pages and now == found_at:
            break
        front_pages, found_at = front.pages, now
    else:  # pragma: no cover - front matter that never settles is a template bug
        raise RenderError("book front matter: page numbers did not settle")

    marks_children: list[Mark] = [Mark("Contents", front.anchors.get("book--contents", 1)),
                                  *(Mark(title, found_at[anchor] - 1) for title, anchor in front_titles)]
    for slug in slugs:
        meta = metas[slug]
        mapped = {p: front_pages + v for p, v in layout.page_of[slug].items()}
        chapter = Mark(meta.name, front_pages + layout.starts[slug], _chapter_marks(meta, mapped, variant))
        chapter.children += [Mark(f"Appendix: {t}", front_pages + s) for t, s in layout.appendices[slug]]
        marks_children.append(chapter)
    title = book.title + (" — one-pagers" if variant == "one-pager" else "")
    names = ", ".join(metas[s].name for s in slugs)
    footer = f"Prepared for {prepared}" if recipient else ""
    parts = [Part(front.pdf, unnumbered={0}), *layout.parts]
    return assemble(parts, info=_info(project, title, f"Briefings on {names}", names + ", sponsor briefing"),
                    marks=[Mark(title, 0, marks_children)], footer=footer, page_size=page_size,
                    root=project.root, cache=paths.out / ".cache", target=target)
