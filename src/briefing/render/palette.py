"""Colours: one source for the charts, and the sponsor accent made readable.

The print CSS declares the same colours as custom properties in
``assets/css/print/_tokens.css``; a test keeps the two in step.
"""

from __future__ import annotations

ACCENT = "#1F3A5F"  # sober navy when a sponsor gives no brand colour
INK = "#333333"  # chart text
MUTED = "#5F6B76"  # secondary text, rules' labels
FAINT = "#777777"  # chart axis years
GREY = "#B9C0C8"  # bars that are not highlighted
GRID = "#E4E7EB"  # hairline gridlines
SERIES = (ACCENT, "#C77C02", "#4F7F52", GREY)  # several series in one chart: distinct hues


def soften(colour: str, amount: float = 0.9) -> str:
    """A pale tint of ``colour`` for card backgrounds."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02X}" for c in mix)


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])


def readable_accent(colour: str) -> str:
    """Darken a brand colour until white text on it has a contrast of at least 4.5:1."""
    rgb = tuple(float(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    while 1.05 / (_luminance(rgb) + 0.05) < 4.5:
        rgb = tuple(v * 0.92 for v in rgb)
    return "#" + "".join(f"{round(v):02X}" for v in rgb)
