"""Load YAML strictly: text only, no tags, no anchors, no duplicate keys, with locations.

PyYAML's safe loader still guesses types (YAML 1.1: ``NO`` -> False, ``012`` -> octal,
``12:30`` -> 750), silently keeps the last of duplicate keys and expands aliases (the
"billion laughs" bomb). We build the data from the parser's events ourselves, so every scalar
stays text and the schema decides each field's type, and refuse what an editor never needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from briefing.errors import DataError, Problem, field_path

MAX_BYTES = 2 * 1024 * 1024  # a sponsor file is a few tens of KB; refuse anything absurd
MAX_DEPTH = 40

Path_ = tuple[str | int, ...]


@dataclass
class Located:
    """Plain Python data plus where each value (and each mapping key) came from."""

    data: Any
    file: str
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list, repr=False)  # the text, for messages about it

    def where(self, path: Path_, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of ``path``, or of its nearest located ancestor."""
        table = self.keys if key else self.values
        if key and path not in table:
            table = self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            p = p[:-1]
        return self.values.get((), (None, None))


class _Refused(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None, path: Path_ = ()):
        super().__init__(message)
        self.message, self.mark, self.path = message, mark, path


# libyaml's C parser when present (far faster than PyYAML's Python one); both give the
# same events, and we compose those events ourselves, refusing what we refuse as they come.
_Parser = yaml.CBaseLoader if getattr(yaml, "__with_libyaml__", False) else yaml.BaseLoader


def _mark(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


def _refuse_extras(event: Any) -> None:
    if isinstance(event, AliasEvent):
        raise _Refused(f"aliases (*{event.anchor}) are not allowed; write the value out in full",
                       event.start_mark)
    anchor = getattr(event, "anchor", None)
    if anchor is not None:
        raise _Refused(f"anchors (&{anchor}) are not allowed; write the value out in full",
                       event.start_mark)
    tag = getattr(event, "tag", None)
    if isinstance(event, ScalarEvent | CollectionStartEvent) and tag is not None:
        raise _Refused(f"tags ({tag}) are not allowed; remove the tag", event.start_mark)


def _check_flow_comma(event: ScalarEvent, lines: list[str], path: Path_) -> None:
    """In ``[2,300 hours]`` YAML splits at the comma: "2" and "300 hours". Refuse, never split."""
    if event.style:  # quoted text was written deliberately
        return
    line, column = event.end_mark.line, event.end_mark.column
    text = lines[line] if line < len(lines) else ""
    if text[column:column + 1] == "," and text[column + 1:column + 2] not in ("", " ", "\t", "]", "}"):
        start = event.start_mark.column if event.start_mark.line == line else 0
        raw = re.match(r"[^\s\]}]*", text[start:]).group(0).rstrip(",:")  # type: ignore[union-attr]
        raise _Refused(f"YAML splits '{raw}' at the comma into two items; put the whole item in quotes "
                       f"(\"{raw} ...\"), or write a space after the comma if you meant two items",
                       event.start_mark, path)


def _compose_mapping(events: Iterator[Any], path: Path_, out: Located, depth: int, flow: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    while not isinstance(key_event := next(events), MappingEndEvent):
        _refuse_extras(key_event)
        if not isinstance(key_event, ScalarEvent):
            raise _Refused("keys must be plain words, not lists or mappings", key_event.start_mark)
        if flow:
            _check_flow_comma(key_event, out.lines, (*path, key_event.value))
        key = key_event.value
        if key == "<<" and not key_event.style:
            raise _Refused("merge keys (<<) are not allowed; write the fields out", key_event.start_mark)
        if key in result:
            raise _Refused(f"duplicate key '{key}' (first defined on line {first_line[key]}); "
                           "keep one of them", key_event.start_mark, (*path, key))
        first_line[key] = key_event.start_mark.line + 1
        out.keys[(*path, key)] = _mark(key_event.start_mark)  # type: ignore[assignment]
        result[key] = _compose(events, next(events), (*path, key), out, depth + 1, flow)
    return result


def _compose(events: Iterator[Any], event: Any, path: Path_, out: Located, depth: int,
             flow: bool = False) -> Any:
    _refuse_extras(event)
    if depth > MAX_DEPTH:
        raise _Refused(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
    out.values[path] = _mark(event.start_mark)  # type: ignore[assignment]
    if isinstance(event, ScalarEvent):
        if flow:
            _check_flow_comma(event, out.lines, path)
        if not event.style and event.value in ("", "~", "null", "Null", "NULL"):  # plain: None or ""
            return None
        return event.value
    flow = flow or bool(getattr(event, "flow_style", False))
    if isinstance(event, SequenceStartEvent):
        items = []
        while not isinstance(event := next(events), SequenceEndEvent):
            items.append(_compose(events, event, (*path, len(items)), out, depth + 1, flow))
        return items
    if isinstance(event, MappingStartEvent):
        return _compose_mapping(events, path, out, depth, flow)
    raise _Refused("unsupported YAML content", event.start_mark)  # pragma: no cover


def _utf16(raw: bytes) -> bool:
    """A byte-order mark, or NUL in every other byte of ASCII text: UTF-16 (Windows "Unicode")."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = raw[:200]
    return len(head) >= 4 and (head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4)


def _position(raw: bytes, index: int) -> tuple[int, int]:
    line = raw[:index].count(b"\n") + 1
    column = len(raw[raw.rfind(b"\n", 0, index) + 1:index].decode("utf-8", "replace")) + 1
    return line, column


def _decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_BYTES:
        raise DataError([Problem(name, f"file is larger than {MAX_BYTES // 1024} KB; a data file is a few "
                                 "tens of KB, so check that this is the right file", 1, 1)])
    if _utf16(raw):
        raise DataError([Problem(name, "file is saved as UTF-16 (\"Unicode\"); save it as UTF-8 "
                                 "(in most editors: Save As, encoding UTF-8)", 1, 1)])
    if b"\x00" in raw:
        line, column = _position(raw, raw.index(b"\x00"))
        raise DataError([Problem(name, "file contains a NUL byte (character 0), which text never holds; "
                                 "delete it, or check that this is the YAML file you meant", line, column)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, column = _position(raw, err.start)
        byte = raw[err.start]
        guess = raw[err.start:err.start + 1].decode("cp1252", "replace")
        raise DataError([Problem(
            name, f"byte 0x{byte:02X} is not UTF-8 (the file looks saved as Latin-1 or Windows-1252, where it "
            f"means '{guess}'); save the file as UTF-8", line, column)]) from None


def _unclosed_quote(lines: list[str], before: int) -> tuple[int, int, str] | None:
    """The first value opened with a quote and not closed on its line, above line ``before``."""
    for number, text in enumerate(lines[:before], start=1):
        match = re.match(r"""^\s*(?:-\s+|[^#'"]*?:\s+)(["'])""", text)
        if not match:
            continue
        quote, rest = match.group(1), text[match.end():]
        body = rest.replace("\\\\", "").replace('\\"', "") if quote == '"' else rest.replace("''", "")
        if quote not in body:
            return number, match.end(), quote
    return None


def _plain_words(err: yaml.MarkedYAMLError, lines: list[str]) -> tuple[str, tuple[int | None, int | None]]:
    """Parser messages ("did not find expected key") in an editor's words, at the line to fix."""
    problem = (err.problem or "").strip()
    context = (err.context or "").strip()
    at = _mark(err.problem_mark)
    opened = _mark(err.context_mark)
    line = lines[at[0] - 1] if at[0] and at[0] <= len(lines) else ""
    if "tab" in problem or (at[1] and line[at[1] - 1:at[1]] == "\t") or "\t" in line[:len(line) - len(line.lstrip())]:
        col = line.index("\t") + 1 if "\t" in line else at[1]
        return "a tab character is used for indentation; YAML needs spaces: replace the tab with spaces", (at[0], col)
    if "quoted scalar" in context:
        return f"a quote opened here is never closed; add the closing {lines[opened[0] - 1][opened[1] - 1]} " \
               "at the end of the text", opened
    quote = _unclosed_quote(lines, at[0] or 0)
    if quote and problem.startswith(("did not find expected", "could not find expected", "mapping values",
                                     "found unexpected end", "expected <block end>")):
        number, col, mark = quote
        return f"a quote ({mark}) opened here is never closed on its line; add the closing {mark}", (number, col)
    if "flow sequence" in context or "flow mapping" in context:
        bracket, closing = ("[", "]") if "sequence" in context else ("{", "}")
        return f"the '{bracket}' opened here is never closed; add '{closing}' at the end of the list " \
               f"(and quote any item holding '{closing}' or ', ')", opened
    if problem.startswith("mapping values are not allowed"):
        return "unexpected ':' here: either this line is indented deeper than the key it belongs under " \
               "(align it with the key above) or the value holds ': ' (put the whole value in quotes)", at
    if problem.startswith("could not find expected ':'"):
        return "this line is not a 'key: value' line; add ': ' after the key, join it to the text above, " \
               "or start it with '- ' if it is a list item", opened
    if problem.startswith(("did not find expected key", "expected <block end>", "did not find expected '-'")):
        return "this line's indentation does not match the lines above it; indent it by the same number " \
               "of spaces as the other keys at its level", at
    return f"this line cannot be read as YAML ({problem or context}); check its quotes, colons and " \
           "indentation", at


def load_text(text: str, name: str) -> Located:
    """Parse one YAML document from ``text``; raise DataError with the location."""
    located = Located(data=None, file=name, lines=text.splitlines())
    try:
        events = yaml.parse(text, Loader=_Parser)
        next(events)  # stream start
        event = next(events)
        if isinstance(event, StreamEndEvent):
            what = "holds only comments" if text.strip() else "is empty"
            raise DataError([Problem(name, f"file {what}; write the fields, e.g. `name: ...` on the first "
                                     "line (see docs/data-format.md)", 1, 1)])
        located.data = _compose(events, next(events), (), located, 0)  # after the document start
        next(events)  # document end
        event = next(events)
        if isinstance(event, DocumentStartEvent):
            line, col = _mark(event.start_mark)
            raise DataError([Problem(name, "file holds several YAML documents (---); "
                                     "keep one document per file", line, col)])
    except _Refused as err:
        line, col = _mark(err.mark)
        raise DataError([Problem(name, err.message, line, col, field_path(err.path))]) from None
    except yaml.MarkedYAMLError as err:
        message, (line, col) = _plain_words(err, located.lines)
        raise DataError([Problem(name, message, line or 1, col or 1)]) from None
    except yaml.YAMLError as err:
        raise DataError([Problem(name, f"this file cannot be read as YAML ({err})", 1, 1)]) from None
    return located


def load_file(path: Path, name: str | None = None) -> Located:
    """Read and parse a YAML file; ``name`` is how messages refer to it."""
    name = name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DataError([Problem(name, f"cannot read file: {err.strerror}; check that it exists and "
                                 "that you may read it", 1, 1)]) from None
    return load_text(_decode(raw, name), name)
