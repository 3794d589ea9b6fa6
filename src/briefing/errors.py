"""Errors carry every problem found, each with the place an editor must look."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located as precisely as we know."""

    file: str
    message: str
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    field: str = ""
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}:{field} {prefix}{self.message}"


class FieldErrors(ValueError):
    """Raised by a model rule that knows which fields are wrong: each item is (path, message), the
    path relative to the model that raised it, so the loader can point at the offending node."""

    def __init__(self, items: list[tuple[tuple[str | int, ...], str]]):
        super().__init__(items[0][1])
        self.items = items


class BriefingError(Exception):
    """Base class: anything the CLI turns into a message and exit code 1."""


class DataError(BriefingError):
    """Input data is invalid; holds every problem found in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        files = len({p.file for p in problems})
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{lines}\n{count} problem{'s' * (count != 1)} in {files} file{'s' * (files != 1)}")


class RenderError(BriefingError):
    """A document could not be rendered (fetch refused, missing glyphs, timeout...)."""


class DeliveryError(BriefingError):
    """Email could not be composed or sent."""


class UsageError(BriefingError):
    """The command names something that does not exist (a sponsor slug, a recipient): exit code 2."""


def field_path(loc: tuple[Any, ...]) -> str:
    """``('sections', 0, 'title')`` -> ``sections[0].title``, as messages name fields."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
