"""Colours: read from the theme's design tokens, the one place they are declared.

``assets/css/print/_tokens.css`` (the project's copy, else the package's) declares every colour
as a CSS custom property; the pages use them through ``var()``, and this module reads the same
file for the charts, so no colour is written in Python. ``book.yaml``'s ``brand:`` replaces
``--primary`` and ``--secondary``. The sponsor accent is made readable here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefing.theme import TOKENS, Theme, colours, default_root

_TOKEN = re.compile(r"(--[a-z0-9-]+)\s*:\s*(#[0-9A-Fa-f]{6})\s*;")


def read_tokens(css: str) -> dict[str, str]:
    """Every ``--name: #RRGGBB;`` of a tokens stylesheet, colours in capitals."""
    return {name: value.upper() for name, value in _TOKEN.findall(re.sub(r"/\*.*?\*/", "", css, flags=re.S))}


@dataclass(frozen=True)
class Palette:
    """The colours of one project's documents and charts."""

    primary: str  # the book's accent, and a sponsor's without a brand colour
    secondary: str
    third: str
    ink: str
    faint: str
    muted: str
    grey: str
    grid: str

    @property
    def series(self) -> tuple[str, ...]:
        """Several series in one chart: distinct hues, the accent first."""
        return (self.primary, self.secondary, self.third, self.grey)

    def chart(self, accent: str) -> dict[str, Any]:
        """What a chart spec carries (and its cache key hashes): its accent and every other colour."""
        return {"accent": accent, "palette": [accent, *self.series[1:]],
                "colours": {"ink": self.ink, "faint": self.faint, "muted": self.muted, "grey": self.grey,
                            "grid": self.grid}}


# the token each Palette colour is read from
CHART_TOKENS = {"primary": "--primary", "secondary": "--secondary", "third": "--chart-third", "ink": "--chart-ink",
          "faint": "--chart-faint", "muted": "--chart-muted", "grey": "--chart-grey", "grid": "--chart-grid"}


def palette(root: Path | None = None, primary: str | None = None, secondary: str | None = None) -> Palette:
    """The palette of the project ``root`` (its tokens file, else the package's; None: the
    package's), with the brand's ``primary`` and ``secondary`` colours when it gives them."""
    path = Theme(root).find(TOKENS) if root is not None else default_root() / TOKENS
    info = path.stat()
    colours = _from_file(path, info.st_size, info.st_mtime_ns)
    return Palette(**(colours | {k: v for k, v in (("primary", primary), ("secondary", secondary)) if v}))


@lru_cache(maxsize=8)
def _from_file(path: Path, _size: int, _mtime: int) -> dict[str, str]:
    tokens = read_tokens(path.read_text(encoding="utf-8"))
    missing = [name for name in CHART_TOKENS.values() if name not in tokens]
    if missing:
        from briefing.errors import RenderError

        raise RenderError(f"{path}: the design tokens lack {', '.join(missing)}; copy them from the "
                          "default theme (briefing theme copy assets/css/print/_tokens.css)")
    return {key: tokens[name] for key, name in CHART_TOKENS.items()}


def soften(colour: str, amount: float = 0.9) -> str:
    """A pale tint of ``colour`` for card backgrounds."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02X}" for c in mix)


def readable_accent(colour: str) -> str:
    """Darken a brand colour until white text on it has a contrast of at least 4.5:1."""
    rgb = colours.rgb(colour)
    while 1.05 / (colours.luminance(rgb) + 0.05) < 4.5:
        rgb = tuple(v * 0.92 for v in rgb)
    return "#" + "".join(f"{round(v):02X}" for v in rgb)
