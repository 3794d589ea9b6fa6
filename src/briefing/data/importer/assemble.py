"""A parsed briefing document as a sponsor file's data, with a note for every guess.

The document's shape (see docs/import.md): a header (tier, name, headline), an executive summary,
numbered sections and subsections, and a source appendix. Text is kept word for word: a field
holds the document's characters (escaped so Markdown prints them as written), never a rewording.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from briefing.data.importer.lists import Note, Piece, Style, bullet, inline_list, inline_people, list_blocks
from briefing.data.importer.parse import Element, Heading, Items, Para, Skipped
from briefing.data.importer.text import first_sentence, month_dates, slugify, split_label, title_words
from briefing.errors import DataError, Problem

_SUMMARY = re.compile(r"^(executive\s+)?summary$|^overview$|^at a glance$", re.IGNORECASE)
_APPENDIX = re.compile(r"^(appendix\b.*|sources?|references?|source references|bibliography)$", re.IGNORECASE)
_EDITION = re.compile(r"^(?P<label>\D*?(?P<year>(?:18|19|20)\d\d))\s*(?:\((?P<season>[^()]{1,40})\))?$")
_SEVERITY = {"critical": "critical", "high": "high", "medium": "medium", "low": "low"}
_URL = re.compile(r"https?://[^\s,;()<>]+")
_MD_LINK = re.compile(r"^\[(?P<title>[^\]]{1,300})\]\((?P<url>https?://[^)\s]+)\)(?:[:,]?\s+(?P<note>\S.*))?$")
_AS_OF = re.compile(r"\bas of\b", re.IGNORECASE)


@dataclass
class _Container:
    title: str
    line: int
    number: str | None
    content: list[Element] = field(default_factory=list)
    subsections: list[_Container] = field(default_factory=list)


@dataclass
class Draft:
    """The sponsor file's data, every guess, and the document line each block came from."""

    data: dict[str, Any]
    notes: list[Note]
    origins: dict[tuple[str | int, ...], int]


def _kind(heading: Heading) -> str:
    text = heading.text.strip().rstrip(":")
    if heading.number is None and _SUMMARY.match(text):
        return "summary"
    if heading.number is None and _APPENDIX.match(text):
        return "appendix"
    return "section"


class _Builder:
    def __init__(self, style: Style, name: str):
        self.style, self.file = style, name
        self.notes: list[Note] = []
        self.origins: dict[tuple[str | int, ...], int] = {}

    def note(self, line: int, what: str, check: str, path: tuple[str | int, ...] = ()) -> None:
        self.notes.append(Note(line, what, check, path))

    # --- blocks -------------------------------------------------------------------------

    def _callout(self, label: str, value: str, line: int) -> Piece:
        callout: dict[str, Any] = {"title": self.style.line(label)}
        severity = _SEVERITY.get(label.split()[0].lower())
        if severity:
            callout["severity"] = severity
            note = Note(line, f"read '{label}' as a note of severity {severity} (the label says so)",
                        "check the source means a risk level", ("callout", "severity"))
        else:
            note = Note(line, f"the note '{label}' states no severity: none set (it prints as a plain note)",
                        "give it `severity: context` if it is background, or a risk severity only if the source "
                        "states one", ("callout",))
        callout["body"] = self.style.md(value)
        return Piece({"callout": callout}, line, [note])

    def _paragraph(self, para: Para, heading: str) -> list[Piece] | None:
        """A paragraph that is more than text: a list written on one line, or a labelled note."""
        inline = inline_list(para.text)
        if inline:
            intro, parts = inline
            people = inline_people(intro, parts, para.line, self.style)
            if people:
                return [people]
            pieces = list_blocks([(para.line, p) for p in parts], intro, para.line, heading, self.style)
            pieces[0].notes.insert(0, Note(para.line, f"split the line at ' - ' into {len(parts)} list items",
                                           "check no item was cut in two"))
            return pieces
        labelled = split_label(para.text)
        if labelled and len(labelled[0]) <= 60 and title_words(labelled[0]):
            return [self._callout(labelled[0], labelled[1], para.line)]
        return None

    def _timeline(self, content: list[Element]) -> Piece | None:
        headings = [e for e in content if isinstance(e, Heading)]
        matches = [_EDITION.match(self.style.line(h.text)) for h in headings]
        if not headings or not all(matches) or not all(1896 <= int(m.group("year")) <= 2100 for m in matches if m):
            return None
        entries: list[dict[str, Any]] = []
        for element in content[content.index(headings[0]):]:
            if isinstance(element, Heading):
                m = _EDITION.match(self.style.line(element.text))
                assert m is not None
                entry: dict[str, Any] = {"year": m.group("year"), "label": m.group("label").strip()}
                if m.group("season"):
                    entry["season"] = m.group("season")
                entry["highlights"] = []
                entries.append(entry)
            elif isinstance(element, Para):
                entries[-1]["highlights"].append(self.style.md(element.text))
            elif isinstance(element, Items):
                entries[-1]["highlights"] += [bullet(split_label(t), t, self.style) for _, t in element.items]
        for entry in entries:
            if not entry["highlights"]:
                del entry["highlights"]
        names = ", ".join(f"'{h.text}'" for h in headings[:3]) + (", …" if len(headings) > 3 else "")
        return Piece({"timeline": entries}, headings[0].line, [Note(
            headings[0].line, f"read the headings {names} as a timeline of Games editions (year, label and season "
            "from each heading; each paragraph or bullet under it one highlight)",
            "check the years and seasons", ("timeline",))])

    def blocks(self, content: list[Element], heading: str) -> list[Piece]:
        pieces: list[Piece] = []
        text: list[tuple[int, str]] = []

        def flush() -> None:
            if text:
                pieces.append(Piece({"text": "\n\n".join(t for _, t in text)}, text[0][0]))
                text.clear()

        timeline = None
        first = next((i for i, e in enumerate(content) if isinstance(e, Heading)), len(content))
        if first < len(content):
            timeline = self._timeline(content)
        for element in content[:first] if timeline else content:
            if isinstance(element, Heading):
                flush()
                text.append((element.line, f"**{self.style.md(self.style.line(element.text))}**"))
                self.note(element.line, f"'{element.text}' is a third level of heading, which the format does not "
                          "have: printed as a bold line", "check it reads well, or make it a subsection")
            elif isinstance(element, Para):
                special = self._paragraph(element, heading)
                if special:
                    flush()
                    pieces += special
                else:
                    text.append((element.line, self.style.md(element.text)))
            elif isinstance(element, Items):
                flush()
                pieces += list_blocks(element.items, None, element.line, heading, self.style)
        flush()
        if timeline:
            pieces.append(timeline)
        return pieces

    def place(self, pieces: list[Piece], path: tuple[str | int, ...]) -> list[dict[str, Any]]:
        out = []
        for j, piece in enumerate(pieces):
            where = (*path, j)
            self.origins[where] = piece.line
            self.notes += [Note(n.line, n.what, n.check, (*where, *n.path)) for n in piece.notes]
            out.append(piece.block)
        return out

    # --- the summary and the appendix ------------------------------------------------------

    def summary(self, content: list[Element]) -> str | None:
        parts: list[str] = []
        for element in content:
            if isinstance(element, Heading):
                parts.append(f"**{self.style.md(self.style.line(element.text))}**")
            elif isinstance(element, Items):
                parts.append("\n".join(f"- {bullet(split_label(t), t, self.style)}" for _, t in element.items))
            elif isinstance(element, Para):
                labelled = split_label(element.text)
                if labelled and len(labelled[0]) <= 60 and title_words(labelled[0]):
                    label, value = labelled
                    parts.append(bullet(labelled, element.text, self.style))
                    severity = _SEVERITY.get(label.split()[0].lower())
                    stated = f"; it states severity {severity}" if severity else ""
                    self.note(element.line, f"the labelled note '{label}' stays in the summary, its label in bold "
                              f"(the summary holds text, not callouts){stated}",
                              "to list it among the risks to watch, move it into a callout"
                              f"{' with severity: ' + severity if severity else ''} in the section it concerns",
                              ("summary",))
                else:
                    parts.append(self.style.md(element.text))
        return "\n\n".join(parts) or None

    def sources(self, content: list[Element], line: int) -> list[dict[str, Any]]:
        entries: list[tuple[int, str]] = []
        for element in content:
            if isinstance(element, Items):
                entries += element.items
            elif isinstance(element, Para | Heading):
                entries.append((element.line, element.text))
        sources: list[dict[str, Any]] = []
        ids: set[str] = set()
        for number, text in entries:
            link = _MD_LINK.match(text) if self.style.markdown else None
            labelled = split_label(text)
            if link:
                title, note = link.group("title"), (link.group("note") or "")
            else:
                title, note = labelled if labelled else (text, "")
            if len(title) > 300:
                title, note = first_sentence(text)
            base = slugify(self.style.line(title))[:40].strip("-") or "source"
            sid, k = base, 2
            while sid in ids:
                sid, k = f"{base}-{k}", k + 1
            ids.add(sid)
            source: dict[str, Any] = {"id": sid, "title": self.style.line(title)}
            url = _URL.search(text)
            if url:
                source["url"] = url.group(0).rstrip(".")
            if note and note != source.get("url"):
                source["note"] = note
            self.origins[("sources", len(sources))] = number
            sources.append(source)
        if sources:
            bare = sum("url" not in s for s in sources)
            self.note(line, f"read the appendix as {len(sources)} source(s) (title before the colon, the rest as a "
                      f"note){'; ' + str(bare) + ' without a web address written with https://' if bare else ''}",
                      "add `url:` where a source is a web page, and `cite:` only where the document ties a "
                      "statement to a source", ("sources",))
        return sources


def _header(header: list[Element], title: Heading | None, b: _Builder, name: str) -> tuple[dict[str, Any], list[str]]:
    lines = [(e.line, e.text.strip()) for e in header if isinstance(e, Para | Heading)]
    if title is not None:
        before = [x for x in lines if x[0] < title.line]
        after = [x for x in lines if x[0] > title.line]
        tier, headline = (before[-1] if before else None), (after[0] if after else None)
        extra = before[:-1] + after[1:]
        named = (title.line, title.text)
    else:
        if not lines:
            raise DataError([Problem(name, "no sponsor name: the document should open with a header (tier, name, "
                                     "headline) before its first section; see docs/import.md", 1, 1)])
        if len(lines) >= 3:
            tier, named, headline, extra = lines[0], lines[1], lines[2], lines[3:]
        elif len(lines) == 2:
            tier, named, headline, extra = None, lines[0], lines[1], []
        else:
            tier, named, headline, extra = None, lines[0], None, []
    identity: dict[str, Any] = {"name": b.style.line(named[1])}
    if tier:
        identity["tier"] = b.style.line(tier[1])
    if headline:
        identity["headline"] = b.style.line(headline[1])
    for key, found in (("name", named), ("tier", tier), ("headline", headline)):
        line, text = found or (0, "")
        if len(b.style.line(text)) > 300:
            raise DataError([Problem(name, f"the header's {key} is {len(text)} characters long; a {key} is one "
                                     "short line (at most 300): check the header (see docs/import.md)", line, 1)])
    places = (("tier", tier[0] if tier else 0), ("name", named[0]), ("headline", headline[0] if headline else 0))
    shown = ", ".join(f"{k} '{identity[k]}' (line {ln})" for k, ln in places if k in identity)
    b.note(named[0], f"identity from the header: {shown}", "check which line is which; `categories` left empty",
           ("name",))
    for line, text in extra:
        b.note(line, f"the header line '{text}' is none of tier, name or headline: put at the top of the summary",
               "move it where it belongs")
    return identity, [b.style.md(t) for _, t in extra]


def _as_of(elements: list[Element], header: list[Element], given: str | None, b: _Builder,
           name: str) -> str:
    if given:
        return given
    for e in header:
        if isinstance(e, Para | Heading) and _AS_OF.search(e.text) and month_dates(e.text):
            written, value = month_dates(e.text)[-1]
            b.note(e.line, f"as_of {value} from the header's '{written}'", "check it is when the facts were current",
                   ("as_of",))
            return value
    now = dt.date.today().strftime("%Y-%m")
    dated = [(value, written, e.line) for e in elements if isinstance(e, Para | Heading)
             for written, value in month_dates(e.text)]
    dated += [(value, written, line) for e in elements if isinstance(e, Items) for line, text in e.items
              for written, value in month_dates(text)]
    dated = [d for d in dated if d[0] <= now]  # a later month is a plan ("July 2028"), not when facts held
    if not dated:
        raise DataError([Problem(name, "the document names no past month and year to date its facts, and a "
                                 "sponsor file needs `as_of` (when the facts were current); give it: --as-of YYYY-MM",
                                 1, 1)])
    value, written, line = max(dated)
    b.note(line, f"as_of {value}: the document states no date for its facts, so the latest past date it names "
           f"('{written}') was taken", "set as_of to when the facts were current (--as-of YYYY-MM)", ("as_of",))
    return value


def _depths(body: list[Element]) -> dict[int, int]:
    """Markdown heading levels as section (1), subsection (2) and minor heading (3)."""
    levels = sorted({e.depth for e in body if isinstance(e, Heading) and e.markdown})
    return {level: min(i + 1, 3) for i, level in enumerate(levels)}


def _numbering(sections: list[_Container], b: _Builder) -> None:
    for i, section in enumerate(sections, 1):
        if section.number and section.number != str(i):
            b.note(section.line, f"the document numbers this section {section.number}; it prints as {i} (sections "
                   "are numbered in order)", "check whether a section is missing from the document")
        for j, sub in enumerate(section.subsections, 1):
            if sub.number and sub.number != f"{i}.{j}" and sub.number != f"{section.number}.{j}":
                b.note(sub.line, f"the document numbers this subsection {sub.number}; it prints as {i}.{j}",
                       "check whether a subsection is missing from the document")


def _title(kept: list[Element]) -> Heading | None:
    """A Markdown document's name: its one heading of the top level, when it comes first."""
    headings = [e for e in kept if isinstance(e, Heading) and e.markdown]
    if headings:
        top = min(h.depth for h in headings)
        if sum(h.depth == top for h in headings) == 1 and headings[0].depth == top:
            return headings[0]
    return None


@dataclass
class _Outline:
    summary: list[Element] = field(default_factory=list)
    appendix: list[Element] = field(default_factory=list)
    appendix_line: int = 0
    sections: list[_Container] = field(default_factory=list)


def _outline(body: list[Element], style: Style, b: _Builder) -> _Outline:
    """The body's elements under the summary, the sections and subsections, or the appendix."""
    depths = _depths(body)
    out = _Outline()
    mode, target = "summary", out.summary
    current: _Container | None = None
    for element in body:
        if not isinstance(element, Heading):
            target.append(element)
            continue
        depth = depths.get(element.depth, 3) if element.markdown else element.depth
        if depth == 2 and mode == "section" and current is not None:
            sub = _Container(style.line(element.text), element.line, element.number)
            current.subsections.append(sub)
            target = sub.content
        elif depth in (1, 2):
            if depth == 2:
                b.note(element.line, f"'{element.text}' is a subsection heading outside any section: read as a "
                       "section", "check the document's heading levels")
            mode = _kind(element) if depth == 1 else "section"
            if mode == "summary":
                target = out.summary
            elif mode == "appendix":
                target, out.appendix_line = out.appendix, element.line
            else:
                current = _Container(style.line(element.text), element.line, element.number)
                out.sections.append(current)
                target = current.content
        else:
            target.append(element)
    return out


def _sections(sections: list[_Container], b: _Builder) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for section in sections:
        i = len(out)
        entry: dict[str, Any] = {"title": section.title}
        blocks = b.place(b.blocks(section.content, section.title), ("sections", i, "blocks"))
        if blocks:
            entry["blocks"] = blocks
        subs = []
        for sub in section.subsections:
            sub_blocks = b.place(b.blocks(sub.content, sub.title), ("sections", i, "subsections", len(subs), "blocks"))
            if not sub_blocks:
                b.note(sub.line, f"the subsection '{sub.title}' has no text under it: left out", "check the document")
                continue
            b.origins[("sections", i, "subsections", len(subs))] = sub.line
            subs.append({"title": sub.title, "blocks": sub_blocks})
        if subs:
            entry["subsections"] = subs
        if not blocks and not subs:
            b.note(section.line, f"the section '{section.title}' has no text under it: left out", "check the document")
            continue
        b.origins[("sections", i)] = section.line
        out.append(entry)
    return out


def _lacking(b: _Builder) -> None:
    """What the model has room for and the document does not give: said, never made up."""
    b.note(1, "the document gives no brand colour and no logo: left out (the PDF uses the default accent)",
           "add `brand: {colour, logo}` from the sponsor's own material")
    for what in ("key figures", "key points for the one-pager", "partnership terms (joined, through, value)"):
        b.note(1, f"{what} are not picked out of the prose: left out", "add them by hand, only as the document "
               "states them (docs/data-format.md)")


def assemble(elements: list[Element], style: Style, name: str, as_of: str | None = None) -> Draft:
    """The sponsor file's data from the document's elements, with a note for every guess."""
    b = _Builder(style, name)
    for e in elements:
        if isinstance(e, Skipped):
            b.note(e.line, f"skipped '{e.text[:60]}' ({e.why}): page furniture, not briefing text",
                   "check nothing of substance is lost")
    kept = [e for e in elements if not isinstance(e, Skipped)]
    title = _title(kept)
    start = next((i for i, e in enumerate(kept) if isinstance(e, Heading) and e is not title and
                  (e.number or e.markdown or _kind(e) != "section")), len(kept))
    header, body = kept[:start], kept[start:]
    identity, extra = _header(header, title, b, name)
    outline = _outline(body, style, b)

    data: dict[str, Any] = dict(identity)
    data["as_of"] = _as_of(kept, header, as_of, b, name)
    text = b.summary(outline.summary)
    if outline.summary:
        b.origins[("summary",)] = outline.summary[0].line
    if extra or text:
        data["summary"] = "\n\n".join([*extra, *([text] if text else [])])
    if not outline.summary:
        b.note(1, "no executive summary found", "write a `summary` for the at-a-glance page")
    _numbering(outline.sections, b)
    sections = _sections(outline.sections, b)
    if sections:
        data["sections"] = sections
    sources = b.sources(outline.appendix, outline.appendix_line or 1)
    if sources:
        data["sources"] = sources
    else:
        b.note(outline.appendix_line or 1, "no source appendix found: no `sources`",
               "list the sources the facts come from")
    _lacking(b)
    return Draft(data, b.notes, b.origins)
