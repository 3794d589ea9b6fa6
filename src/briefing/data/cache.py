"""Parsed data files (sponsor files, book.yaml, distribution.yaml) remembered between builds, by their bytes.

Reading a data file keeps every value's line and column (``yamlsafe``) and checks every
character against the project's fonts (``glyphs``): most of a refresh's loading
(docs/performance.md, "Parsed sponsor files"). A file whose bytes, fonts and checking code are unchanged
is read back from JSON (data and positions; validation still runs on it, it is cheap); a
file with any problem is never stored, so its problems are found again on every run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.data.yamlsafe import Located, load_file
from briefing.errors import BriefingError, Problem
from briefing.files import write_atomic
from briefing.hashing import digest

Check = Callable[[Located, Path], list[Problem]]


@dataclass
class Reader:
    """Reads data files through the cache; what it read afresh is stored only by ``keep``,
    which the caller runs once the whole project is valid: a build that stops on a problem
    writes nothing at all."""

    cache: Path | None
    salt: str  # everything else a result depends on: the fonts and the code that checks
    fresh: list[tuple[Path, Located]] = field(default_factory=list)

    def load(self, path: Path, name: str, check: Check) -> tuple[Located, list[Problem]]:
        """``load_file(path, name)`` and ``check`` of it; raises DataError as ``load_file`` does."""
        if self.cache is None:
            located = load_file(path, name)
            return located, check(located, path)
        entry = self.cache / f"{digest(path.read_bytes(), name, self.salt, length=32)}.json"
        try:
            return _located(json.loads(entry.read_text(encoding="utf-8")), name), []
        except (OSError, ValueError, KeyError, TypeError):
            pass
        located = load_file(path, name)
        problems = check(located, path)
        if not problems:
            self.fresh.append((entry, located))
        return located, problems

    def keep(self) -> None:
        for entry, located in self.fresh:
            _store(entry, located)


def _store(entry: Path, located: Located) -> None:
    try:
        text = json.dumps(_plain(located), ensure_ascii=False)
    except (TypeError, ValueError):  # a value JSON cannot carry: read the file each time
        return
    if json.loads(text)["data"] != located.data:  # so for a mapping with number keys: not stored
        return
    try:
        write_atomic(entry, text.encode())
    except (BriefingError, OSError):  # a full disk or a file-size limit: this run goes on without it
        pass


def _plain(located: Located) -> dict[str, Any]:
    return {"data": located.data, "lines": located.lines,
            "values": [[list(p), *at] for p, at in located.values.items()],
            "keys": [[list(p), *at] for p, at in located.keys.items()]}


def _located(stored: dict[str, Any], name: str) -> Located:
    return Located(stored["data"], name, {tuple(p): (line, col) for p, line, col in stored["values"]},
                   {tuple(p): (line, col) for p, line, col in stored["keys"]}, stored["lines"])
