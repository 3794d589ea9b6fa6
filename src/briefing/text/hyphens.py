"""Hyphenation points of long words, remembered between runs.

Loading Pyphen's en_GB patterns costs more than typesetting a sponsor (docs/performance.md,
"Hyphenation"), and every worker that typesets one would load them. So the words hyphenated
are kept in the build folder's cache (printing reads nothing outside the project and its build
folder), keyed by the dictionary's and Pyphen's own bytes, and the patterns are loaded only
when a sponsor brings a word not seen before. An entry is used only if it is its word with
soft hyphens added: a damaged or edited cache can never change text. The chapter that prints a
sponsor makes a ``Hyphens(folder)`` and hands it to the typesetting; without a folder, every
word is hyphenated by Pyphen, as before.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError
from briefing.files import write_atomic

SHY = "\u00ad"
LANG, LEFT, RIGHT = "en_GB", 4, 4
CACHE_VERSION = "1"


# a pure memo: the patterns never change while a process runs, and loading them is the cost
@lru_cache(maxsize=1)
def _pyphen() -> Any:
    import pyphen  # WeasyPrint's own dependency, so no new package

    return pyphen.Pyphen(lang=LANG, left=LEFT, right=RIGHT)


class Hyphens:
    """The words one typesetting knows (``folder``'s cache, then the new ones), and those it
    hyphenated that ``remember`` has not written back yet."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder  # where the cache lives (the build folder's .cache); None: no cache
        self._known: dict[str, str] | None = None  # read from the cache on the first word
        self.learned: dict[str, str] = {}

    def cache_file(self) -> Path | None:
        """``FOLDER/hyphens-KEY.json``; None without a cache folder or Pyphen's files."""
        if self.folder is None:
            return None
        spec = find_spec("pyphen")
        if spec is None or spec.origin is None:
            return None
        code = Path(spec.origin)
        digest = hashlib.sha256(f"{CACHE_VERSION} {LANG} {LEFT} {RIGHT}".encode())
        try:
            for path in (code, code.parent / "dictionaries" / f"hyph_{LANG}.dic"):
                digest.update(path.read_bytes())
        except OSError:
            return None
        return self.folder / f"hyphens-{digest.hexdigest()[:24]}.json"

    def hyphenated(self, word: str) -> str:
        """``word`` with a soft hyphen at each of its hyphenation points."""
        if self._known is None:
            self._known = _read(self.cache_file())
        marked = self._known.get(word)
        if marked is None:
            marked = _pyphen().inserted(word, hyphen=SHY)
            self._known[word] = self.learned[word] = marked
        return marked

    def remember(self) -> None:
        """Add the words hyphenated since the last call to the cache (merged with what other
        workers wrote meanwhile); an unwritable cache only costs loading the patterns next time."""
        path = self.cache_file()
        if not self.learned or path is None:
            return
        merged = {**_read(path), **self.learned}
        try:
            write_atomic(path, json.dumps(merged, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        except (OSError, BriefingError):
            return
        self.learned.clear()


def _read(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: hyphenated again below
    if not isinstance(stored, dict):
        return {}
    return {word: marked for word, marked in stored.items()
            if isinstance(word, str) and isinstance(marked, str) and marked.replace(SHY, "") == word}
