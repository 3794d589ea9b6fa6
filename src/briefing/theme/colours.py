"""Colour arithmetic shared by validation (brand contrast) and rendering (readable accents)."""

from __future__ import annotations


def rgb(colour: str) -> tuple[float, ...]:
    return tuple(float(int(colour[i:i + 2], 16)) for i in (1, 3, 5))


def luminance(value: tuple[float, ...]) -> float:
    """WCAG relative luminance of an (r, g, b) of 0-255 channels."""
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(value[0]) + 0.7152 * channel(value[1]) + 0.0722 * channel(value[2])


def contrast(colour: str, other: str) -> float:
    """WCAG contrast ratio of two "#RRGGBB" colours (1 to 21)."""
    light, dark = sorted((luminance(rgb(colour)), luminance(rgb(other))), reverse=True)
    return (light + 0.05) / (dark + 0.05)
