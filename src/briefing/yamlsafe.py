"""Load YAML strictly: text only, no tags, no anchors, no duplicate keys, with locations.

PyYAML's safe loader still guesses types (YAML 1.1: ``NO`` -> False, ``012`` -> octal,
``12:30`` -> 750), silently keeps the last of duplicate keys and expands aliases (the
"billion laughs" bomb). We build the data from the parser's events ourselves, so every scalar
stays text and the schema decides each field's type, and refuse what an editor never needs.
"""

from __future__ import annotations

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

from .errors import DataError, Problem

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
    def __init__(self, message: str, mark: yaml.Mark | None):
        super().__init__(message)
        self.message, self.mark = message, mark


# libyaml's C parser when present (about 20x faster than PyYAML's Python one); both give the
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


def _compose(events: Iterator[Any], event: Any, path: Path_, out: Located, depth: int) -> Any:
    _refuse_extras(event)
    if depth > MAX_DEPTH:
        raise _Refused(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
    out.values[path] = _mark(event.start_mark)  # type: ignore[assignment]
    if isinstance(event, ScalarEvent):
        if not event.style and event.value in ("", "~", "null", "Null", "NULL"):  # plain: None or ""
            return None
        return event.value
    if isinstance(event, SequenceStartEvent):
        items = []
        while not isinstance(event := next(events), SequenceEndEvent):
            items.append(_compose(events, event, (*path, len(items)), out, depth + 1))
        return items
    if isinstance(event, MappingStartEvent):
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        while not isinstance(key_event := next(events), MappingEndEvent):
            _refuse_extras(key_event)
            if not isinstance(key_event, ScalarEvent):
                raise _Refused("keys must be plain words, not lists or mappings", key_event.start_mark)
            key = key_event.value
            if key == "<<" and not key_event.style:
                raise _Refused("merge keys (<<) are not allowed; write the fields out", key_event.start_mark)
            if key in result:
                raise _Refused(f"duplicate key '{key}' (first defined on line {first_line[key]}); "
                               "keep one of them", key_event.start_mark)
            first_line[key] = key_event.start_mark.line + 1
            out.keys[(*path, key)] = _mark(key_event.start_mark)  # type: ignore[assignment]
            result[key] = _compose(events, next(events), (*path, key), out, depth + 1)
        return result
    raise _Refused("unsupported YAML content", event.start_mark)  # pragma: no cover


def _decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_BYTES:
        raise DataError([Problem(name, f"file is larger than {MAX_BYTES // 1024} KB")])
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DataError([Problem(name, "file contains a NUL byte; is it a binary file?", line)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise DataError(
            [Problem(name, "file is not valid UTF-8; save it as UTF-8", line, column)]
        ) from None


def load_text(text: str, name: str) -> Located:
    """Parse one YAML document from ``text``; raise DataError with the location."""
    located = Located(data=None, file=name)
    try:
        events = yaml.parse(text, Loader=_Parser)
        next(events)  # stream start
        event = next(events)
        if isinstance(event, StreamEndEvent):
            raise DataError([Problem(name, "file is empty (only comments or blank lines)")])
        located.data = _compose(events, next(events), (), located, 0)  # after the document start
        next(events)  # document end
        event = next(events)
        if isinstance(event, DocumentStartEvent):
            line, col = _mark(event.start_mark)
            raise DataError([Problem(name, "file holds several YAML documents (---); "
                                     "keep one document per file", line, col)])
    except _Refused as err:
        line, col = _mark(err.mark)
        raise DataError([Problem(name, err.message, line, col)]) from None
    except yaml.MarkedYAMLError as err:
        line, col = _mark(err.problem_mark)
        problem = (err.problem or str(err)).strip()
        if "'\\t'" in problem or "\\t" in problem or "tab" in problem.lower():
            problem = "tab character used for indentation; indent with spaces"
        raise DataError([Problem(name, f"malformed YAML: {problem}", line, col)]) from None
    except yaml.YAMLError as err:
        raise DataError([Problem(name, f"malformed YAML: {err}")]) from None
    return located


def load_file(path: Path, name: str | None = None) -> Located:
    """Read and parse a YAML file; ``name`` is how messages refer to it."""
    name = name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DataError([Problem(name, f"cannot read file: {err.strerror}")]) from None
    return load_text(_decode(raw, name), name)
