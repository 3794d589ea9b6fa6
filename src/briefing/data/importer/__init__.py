"""`briefing import`: a sponsor file drafted from a briefing document, every guess reported.

``draft`` reads a plain-text or Markdown document (docs/import.md shows the shapes), and returns
the YAML text of a sponsor file that validates as it is, with a ``# check:`` comment at each guess,
and the report: one ``FILE:LINE: what was guessed; what to check`` line per guess. ``write``
puts it in data/sponsors/ without ever replacing a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from briefing.data.importer.assemble import Draft, assemble
from briefing.data.importer.emit import dump, with_comments
from briefing.data.importer.lists import Note, Style
from briefing.data.importer.parse import is_markdown, parse
from briefing.data.importer.source import read_lines
from briefing.data.importer.text import slugify
from briefing.data.load import find_root, validate
from briefing.data.model import SLUG_PATTERN, Sponsor
from briefing.data.yamlsafe import MAX_BYTES, load_text
from briefing.errors import DataError, OutputError, Problem, UsageError, field_path
from briefing.files import write_new


@dataclass(frozen=True)
class Imported:
    slug: str
    text: str  # the sponsor file, YAML with comments
    report: list[str]  # FILE:LINE: what was guessed; what to check


def _located_in_document(problems: list[Problem], draft: Draft, name: str, lines: list[str]) -> list[Problem]:
    """Problems found in the drafted YAML, moved to the document line the offending block came from
    (and to the very character, when the problem names one)."""
    out = []
    for problem in problems:
        best, line, column = -1, 1, None
        for path, origin in draft.origins.items():
            shown = field_path(path)
            if problem.field.startswith(shown) and len(shown) > best:
                best, line = len(shown), origin
        char = re.search(r"character U\+([0-9A-F]{4,6})", problem.message)
        if char:
            found = next(((n, text.index(chr(int(char.group(1), 16))) + 1) for n, text in
                          enumerate(lines[line - 1:], line) if chr(int(char.group(1), 16)) in text), None)
            line, column = found or (line, None)
        out.append(Problem(name, f"{problem.field + ': ' if problem.field else ''}{problem.message} (in the "
                           "drafted sponsor file; change the document's text here)", line, column))
    return out


def draft(path: Path, *, name: str | None = None, slug: str | None = None, as_of: str | None = None,
          data_dir: Path | None = None) -> Imported:
    """Read the document at ``path`` and draft its sponsor file; DataError with located problems."""
    name = name or str(path)
    if as_of is not None and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", as_of):
        raise UsageError(f"--as-of {as_of!r}: write the date as YYYY-MM-DD, YYYY-MM or YYYY")
    if slug is not None and not re.fullmatch(SLUG_PATTERN, slug):
        raise UsageError(f"--slug {slug!r}: use lowercase letters, digits and hyphens, e.g. acme-anvils")
    lines = read_lines(path, name)
    style = Style(markdown=is_markdown(lines, path.suffix), document=path.name)
    result = assemble(parse(lines, style.markdown), style, name, as_of)
    slug = slug or slugify(result.data["name"])
    if not slug:
        raise UsageError(f"cannot make a file name from the sponsor name {result.data['name']!r}; give one "
                         "with --slug, e.g. --slug acme-anvils")
    yaml_name = f"{slug}.yaml"
    plain = dump(result.data)
    located = load_text(plain, yaml_name)
    sponsor, problems = validate(located, Sponsor)
    problems += _glyphs(located, data_dir)
    if problems or sponsor is None:
        raise DataError(_located_in_document(problems, result, name, lines))
    heading = [f"Drafted by `briefing import` from {path.name}: every sentence of the document is here, "
               "word for word. Each `# check:` comment marks a guess to confirm; delete it once checked. "
               "See docs/import.md."]
    text = with_comments(plain, result.notes, heading, yaml_name)
    if len(text.encode("utf-8")) > MAX_BYTES:  # the loader would refuse the file it is about to become
        raise DataError([Problem(name, f"the drafted sponsor file would be {len(text.encode()) // 1024} KB, over the "
                                 f"{MAX_BYTES // 1024} KB a data file may be; split the document (one per sponsor)",
                                 1, 1)])
    assert load_text(text, yaml_name).data == located.data  # comments never change the data
    return Imported(slug, text, [report_line(name, n) for n in sorted(result.notes, key=lambda n: n.line)])


def _glyphs(located, data_dir: Path | None) -> list[Problem]:
    from briefing.data.glyphcheck import missing_glyphs

    try:
        root = find_root(data_dir or Path("data"))
    except DataError:
        return []
    return missing_glyphs(located, None, root)


def report_line(name: str, note: Note) -> str:
    return f"{name}:{note.line}: {note.what}; {note.check}"


def write(imported: Imported, data_dir: Path) -> Path:
    """data_dir/sponsors/SLUG.yaml, written atomically; never replaces an existing file."""
    target = data_dir / "sponsors" / f"{imported.slug}.yaml"
    if target.exists():
        raise OutputError(target, "import", "the file already exists; choose another --slug, or delete or "
                          "rename the file first (import never overwrites)")
    write_new(target, imported.text.encode("utf-8"), stage="import")
    return target
