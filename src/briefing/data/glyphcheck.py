"""A located refusal of every character in a data file that the shipped fonts cannot print.

WeasyPrint only finds a missing glyph while it lays the pages out, and then cannot say where the
character came from; ``briefing validate`` names the file, line, column and field of each instead,
before any layout (coverage itself is ``briefing.text.glyphs``).
"""

from __future__ import annotations

import bisect
from pathlib import Path

from briefing.data.yamlsafe import Located
from briefing.errors import Problem, field_path
from briefing.text.glyphs import MAX_PER_FILE, coverage, describe, printable, printed_strings
from briefing.theme import Theme


def missing_glyphs(located: Located, path: Path | None, root: Path,
                   fonts: tuple[Path, ...] | None = None, what: str = "the shipped fonts") -> list[Problem]:
    """A located problem for each character in ``located`` that no font of the theme prints
    (the project's assets/fonts, then the package's), or none of ``fonts`` when given."""
    fonts = fonts if fonts is not None else tuple(Theme(root).font_files())
    if not fonts:
        return []  # no fonts at all prints with the system's: nothing to check against
    covered = coverage(fonts)
    source = _Source(path, located)
    problems: list[Problem] = []
    extra = 0
    for where, text, is_key in printed_strings(located.data):
        for char in dict.fromkeys(ch for ch in text if not printable(ord(ch), covered)):
            if len(problems) == MAX_PER_FILE:
                extra += 1
                continue
            table = located.keys if is_key else located.values
            line, col = source.find(table.get(where, located.where(where)), char)
            problems.append(Problem(
                located.file, f"character {describe(char)} has no glyph in {what}; "
                "replace or remove it (assets/fonts/README.md lists what prints)", line, col,
                field_path(where)))
    if extra:
        problems.append(Problem(located.file, f"{extra} more characters without a glyph (not listed)"))
    return problems


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts


class _Source:
    """The file's text, read only when a character must be located to its column."""

    def __init__(self, path: Path | None, located: Located):
        self.path, self.located = path, located
        self._text: str | None = None
        self._starts: list[int] = []
        self._marks: list[int] = []

    def _load(self) -> bool:
        if self._text is None:
            try:
                self._text = self.path.read_bytes().decode("utf-8-sig") if self.path else ""
            except (OSError, UnicodeDecodeError):
                self._text = ""
            self._starts = _line_starts(self._text)
            marks = list(self.located.values.values()) + list(self.located.keys.values())
            self._marks = sorted({self._offset(line, col) for line, col in marks if line and col})
        return bool(self._text)

    def _offset(self, line: int, col: int) -> int:
        return self._starts[line - 1] + col - 1 if line - 1 < len(self._starts) else len(self._text or "")

    def find(self, start: tuple[int | None, int | None], char: str) -> tuple[int | None, int | None]:
        """Line and column of ``char`` in the scalar starting at ``start``; else the scalar's start."""
        line, col = start
        if line is None or col is None or not self._load():
            return line, col
        begin = self._offset(line, col)
        end = next((m for m in self._marks if m > begin), len(self._text or ""))
        at = (self._text or "").find(char, begin, end)
        if at < 0:  # written as an escape ("\U0010FFFD"): point at the value
            return line, col
        row = bisect.bisect_right(self._starts, at) - 1
        return row + 1, at - self._starts[row] + 1
