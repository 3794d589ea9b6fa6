"""Errors carry every problem found, each with the place an editor must look."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
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


# Exit codes, one place: the CLI ends with the code of the error it caught (README, "Exit codes").
EXIT_ERROR, EXIT_USAGE, EXIT_LOCKED, EXIT_SYSTEM, EXIT_WAITING, EXIT_INTERRUPTED = 1, 2, 3, 4, 5, 130


class BriefingError(Exception):
    """Base class: anything the CLI turns into a message and an exit code (``exit_code``)."""

    exit_code = EXIT_ERROR


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

    exit_code = EXIT_USAGE


class Locked(BriefingError):
    """Another run holds the output folder: exit code 3 (``--wait`` waits instead)."""

    exit_code = EXIT_LOCKED


_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is larger than this system allows (file size limit)",
    errno.EROFS: "the folder is on a read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


class OutputError(BriefingError):
    """An output could not be written: a problem of the output folder, not of the data."""

    def __init__(self, path: Path, stage: str, err: OSError | str):
        self.path, self.stage = path, stage
        if isinstance(err, OSError):
            plain = err.strerror or str(err)
            reason = f"{_REASONS[err.errno]} ({plain})" if err.errno in _REASONS else plain
        else:
            reason = err
        super().__init__(f"cannot write {path} ({stage}): {reason}")


class UnreadablePdf(Exception):
    """pikepdf cannot read the file as a PDF; the message is pikepdf's."""


class EncryptedPdf(UnreadablePdf):
    """The file needs a password (or is encrypted at all, when that is refused)."""


class MergeError(ValueError):
    """A PDF that cannot be merged (unreadable, encrypted, bad page index); binding reports it
    as a RenderError naming the output."""


# Delivery's verdicts on one SMTP attempt: caught inside delivery/mail.py, never shown as such.

class Transient(Exception):
    """Worth another try: 4xx reply, refused or dropped connection, timeout before DATA ended."""


class Permanent(Exception):
    """Not worth another try: 5xx reply, refused recipient, TLS policy."""


class Ambiguous(Exception):
    """The connection died after the final dot: the server may have accepted the message."""


def field_path(loc: tuple[Any, ...]) -> str:
    """``('sections', 0, 'title')`` -> ``sections[0].title``, as messages name fields."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
