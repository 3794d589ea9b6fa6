"""Hyphenation points of long words, remembered between runs.

Loading Pyphen's en_GB patterns costs ~0.09 s in every worker that typesets a sponsor, more
than typesetting the sponsor itself. The words it hyphenated are kept in the build folder's
cache (``use_folder``, set by the worker that prints a chapter: printing reads nothing outside
the project and its build folder), keyed by the dictionary's and Pyphen's own bytes, so the
patterns are loaded only when a sponsor brings a word not seen before. An entry is used only
if it is its word with soft hyphens added: a damaged or edited cache can never change text.
Without a folder, every word is hyphenated by Pyphen, as before.
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

_known: dict[str, str] | None = None  # every word this process knows: cache, then new ones
_learned: dict[str, str] = {}  # hyphenated in this process, not yet written back
_folder: Path | None = None  # where the cache lives: the build folder's .cache, once set


def use_folder(folder: Path | None) -> None:
    """Keep the cache in ``folder`` (None: no cache); what this process knew is forgotten."""
    global _folder, _known
    _folder, _known = folder, None
    _learned.clear()


@lru_cache(maxsize=1)
def _pyphen() -> Any:
    import pyphen  # WeasyPrint's own dependency, so no new package

    return pyphen.Pyphen(lang=LANG, left=LEFT, right=RIGHT)


def cache_file() -> Path | None:
    """``FOLDER/hyphens-KEY.json``; None without a cache folder or Pyphen's files."""
    folder = _folder
    spec = find_spec("pyphen")
    if folder is None or spec is None or spec.origin is None:
        return None
    code = Path(spec.origin)
    digest = hashlib.sha256(f"{CACHE_VERSION} {LANG} {LEFT} {RIGHT}".encode())
    try:
        for path in (code, code.parent / "dictionaries" / f"hyph_{LANG}.dic"):
            digest.update(path.read_bytes())
    except OSError:
        return None
    return folder / f"hyphens-{digest.hexdigest()[:24]}.json"


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


def hyphenated(word: str) -> str:
    """``word`` with a soft hyphen at each of its hyphenation points."""
    global _known
    if _known is None:
        _known = _read(cache_file())
    marked = _known.get(word)
    if marked is None:
        marked = _pyphen().inserted(word, hyphen=SHY)
        _known[word] = _learned[word] = marked
    return marked


def remember() -> None:
    """Add the words hyphenated in this process to the cache (merged with what other workers
    wrote meanwhile); an unwritable cache only costs loading the patterns next time."""
    path = cache_file()
    if not _learned or path is None:
        return
    merged = {**_read(path), **_learned}
    try:
        write_atomic(path, json.dumps(merged, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    except (OSError, BriefingError):
        return
    _learned.clear()
