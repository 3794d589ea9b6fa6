"""The sponsor file as YAML text, with a ``# check:`` comment above each place the importer guessed.

PyYAML writes the data (block style, multi-line text as ``|`` blocks, quoting where YAML needs it);
the comments are then put on their own lines above the key or list item they concern, found by
reading the text back with the project's own strict loader. Comment lines between block entries
never change what YAML reads, and ``write`` reads the result back to prove it.
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

from briefing.data.importer.lists import Note
from briefing.data.yamlsafe import Located, load_text


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # noqa: ARG002
        super().increase_indent(flow, False)  # lists indented under their key, as the docs write them


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def _comment(text: str, indent: int) -> list[str]:
    clean = "".join(ch if ch.isprintable() else " " for ch in text)
    return [" " * indent + "# " + part for part in textwrap.wrap(clean, 100 - indent - 2) or [""]]


def _line_of(located: Located, path: tuple[str | int, ...]) -> int | None:
    while path:
        where = located.keys.get(path) if isinstance(path[-1], str) else located.values.get(path)
        if where and where[0]:
            return where[0]
        path = path[:-1]
    return None


def with_comments(text: str, notes: list[Note], heading: list[str], name: str) -> str:
    """``text`` with ``heading`` comment lines on top, and each note above the line it concerns."""
    located = load_text(text, name)
    lines = text.splitlines()
    above: dict[int, list[str]] = {}
    top: list[str] = [line for h in heading for line in _comment(h, 0)]
    for note in notes:
        message = f"check: {note.what}; {note.check} (document line {note.line})"
        line = _line_of(located, note.path) if note.path else None
        if line is None:
            top += _comment(message, 0)
            continue
        target = lines[line - 1]
        indent = len(target) - len(target.lstrip(" "))
        above.setdefault(line, []).extend(_comment(message, indent))
    out = top[:]
    for number, line_text in enumerate(lines, 1):
        out += above.get(number, [])
        out.append(line_text)
    return "\n".join(out) + "\n"
