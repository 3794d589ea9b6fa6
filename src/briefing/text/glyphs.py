"""Which characters the shipped fonts can print, and a located refusal of any other.

WeasyPrint only finds a missing glyph while it lays the pages out (a build's slowest step; see
docs/performance.md, "Glyph coverage"), and then cannot say where the character came from.
``briefing validate`` instead reads the fonts' character maps (once; the result is cached by
the fonts' hashes) and names the file, line, column and field of every character that no
shipped font has, before any layout.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError, field_path
from briefing.files import write_atomic

FONT_PATTERNS = ("*.ttf", "*.otf")
# Text is set in these families and then, per character, in the fallbacks (assets/css/print/
# _fonts.css). A character counts as printable when every style of the main families has it
# (bold headings and italic notes must print it too) or when any fallback font has it.
MAIN_FAMILIES = ("Noto Serif", "Noto Sans")
CACHE_VERSION = "1"  # bump when the way coverage is computed changes
MAX_PER_FILE = 20  # a pasted paragraph in an unsupported script should not flood the terminal

# Characters that need no glyph: line breaks and tabs become spaces, and HarfBuzz hides the
# Unicode "default ignorable" characters (joiners, variation selectors, bidi marks, tags).
_IGNORABLE = {0x09, 0x0A, 0x0D, 0xAD, 0x34F, 0x61C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFEFF,
              0xFFA0}
_IGNORABLE_RANGES = ((0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F),
                     (0xFE00, 0xFE0F), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
                     (0xE0000, 0xE0FFF))
# Fields that are never printed, or whose form the schema already restricts to ASCII.
_NOT_PRINTED = {"email", "sender", "schedule", "file", "logo", "colour", "cite", "id", "receives",
                "language", "page_size", "sponsors", "primary", "accent", "text_font", "heading_font",
                "cover_image"}


def _ignorable(code: int) -> bool:
    return code in _IGNORABLE or any(lo <= code <= hi for lo, hi in _IGNORABLE_RANGES)


def font_files(fonts_dir: Path) -> list[Path]:
    return sorted(p for pattern in FONT_PATTERNS for p in fonts_dir.glob(pattern))


def _fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def _read_coverage(files: list[Path]) -> set[int]:
    from fontTools.ttLib import TTFont, TTLibError  # WeasyPrint's own dependency; only read on a cache miss

    main: set[int] | None = None
    fallback: set[int] = set()
    for path in files:
        try:
            font = TTFont(str(path), lazy=True)
            codes = set(font.getBestCmap() or {})
        except (TTLibError, OSError, KeyError, AssertionError, ValueError):
            continue  # a file in assets/fonts that is no font prints nothing (`briefing doctor` names it)
        if font["name"].getDebugName(1) in MAIN_FAMILIES:
            main = codes if main is None else main & codes
        else:
            fallback |= codes
        font.close()
    return (main or set()) | fallback


def _ranges(codes: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for code in sorted(codes):
        if out and out[-1][1] == code - 1:
            out[-1][1] = code
        else:
            out.append([code, code])
    return out


def cache_dir() -> Path | None:
    """The user's cache folder for the fonts' coverage (validation runs without a build folder too)."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no HOME and no passwd entry
            return None
    return Path(base) / "briefing"


def coverage(fonts: Path | tuple[Path, ...]) -> frozenset[int]:
    """Every code point the fonts (files, or a folder of them) print; cached by the fonts' hashes."""
    files = fonts if isinstance(fonts, tuple) else tuple(font_files(fonts))
    # sizes and times pick the in-process memo (a watch run may see fonts change); hashes key the file
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _coverage(files, stamp)


@lru_cache(maxsize=4)
def _coverage(files: tuple[Path, ...], stamp: tuple[Any, ...]) -> frozenset[int]:
    key = _fingerprint(list(files))
    cache = cache_dir()
    cached = cache / f"glyphs-{key}.json" if cache else None
    if cached and cached.is_file():
        try:
            return frozenset(c for lo, hi in json.loads(cached.read_text()) for c in range(lo, hi + 1))
        except (OSError, ValueError, TypeError):
            pass  # a damaged cache is read again from the fonts below
    codes = _read_coverage(list(files))
    if cached:
        try:
            write_atomic(cached, json.dumps(_ranges(codes)).encode())
        except (OSError, BriefingError):
            pass  # no writable cache (a cron job without HOME): read the fonts again next time
    return frozenset(codes)


def printable(code: int, covered: frozenset[int]) -> bool:
    return code in covered or _ignorable(code)


def printed_strings(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str, bool]]:
    """(path, text, is_key) of every printed string; chart labels are mapping keys."""
    if isinstance(data, str):
        yield path, data, False
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from printed_strings(item, (*path, i))
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in _NOT_PRINTED:
                continue
            if path and path[-1] == "values" and isinstance(key, str):
                yield (*path, key), key, True
            yield from printed_strings(value, (*path, key))


def describe(char: str) -> str:
    # the character itself, unless it is invisible or would upset a terminal
    shown = "" if unicodedata.category(char)[0] in "CZ" and unicodedata.category(char) not in ("Co", "Cn") \
        else f" '{char}'"
    name = unicodedata.name(char, "")
    named = f" ({name})" if name else ""
    return f"U+{ord(char):04X}{shown}{named}"


def where_in(data: Any, char: str) -> list[str]:
    """Where ``char`` occurs in a sponsor's validated data, as 'section 'X', field a.b[0]' phrases."""
    found = []
    for where, text, _ in printed_strings(data):
        # Markdown turns entities (&#x10FFFD;) into characters only when it prints
        if char in text or ("&" in text and char in html.unescape(text)):
            phrase = f"field {field_path(where)}"
            if len(where) > 1 and where[0] == "sections" and isinstance(where[1], int):
                title = data["sections"][where[1]].get("title", "")
                phrase = f"section '{title}', {phrase}"
            found.append(phrase)
    return found


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]")


def visual_order(text: str) -> str:
    """Right-to-left text as it reads on the page, left to right, Arabic letters in joined forms.

    WeasyPrint sets SVG text one character at a time, without the bidi algorithm or Arabic
    shaping, so chart text gets both done here (python-bidi, arabic-reshaper), line by line.
    """
    if not _RTL.search(text):
        return text
    import arabic_reshaper
    from bidi import get_display

    return "\n".join(get_display(arabic_reshaper.reshape(line), base_dir="L") for line in text.split("\n"))


def order_chart_text(fig: Any) -> None:
    """Put every right-to-left label of a Matplotlib figure in visual order before it is saved."""
    from matplotlib.text import Text
    from matplotlib.ticker import FuncFormatter

    for axes in fig.axes:  # tick labels are set again from their formatter when drawn
        for axis in (axes.xaxis, axes.yaxis):
            if any(_RTL.search(label.get_text()) for label in axis.get_ticklabels()):
                before = axis.get_major_formatter()
                axis.set_major_formatter(FuncFormatter(lambda x, pos, f=before: visual_order(f(x, pos))))
    for artist in fig.findobj(Text):
        text = artist.get_text()
        if _RTL.search(text):
            artist.set_text(visual_order(text))
