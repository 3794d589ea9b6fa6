"""A line broken at a soft hyphen always draws its hyphen (issue 23: "activ / ations").

WeasyPrint 70 lays out a line (``weasyprint.text.line_break.split_first_line``) in steps. When
Pango's first break falls on a soft hyphen and the text fits, but not with the hyphen added,
its last step, meant for a long unbreakable word (``overflow-wrap: break-word``, which
``_base.css`` sets on every element), breaks the line again at the same soft hyphen and drops
the hyphen ("Is it really OK to remove hyphenation for word-break?" says its source). Seen in
narrow table cells, where a hyphen's width decides more breaks; any box can meet it.

The fix is one wrapper around the function the inline layout calls: a line that came back
ending in a soft hyphen without its hyphen is laid out again as if it were not at the start of
a line, which skips that last step only; WeasyPrint then moves the word to the next line (or
hyphenates it earlier), exactly as with ``overflow-wrap: normal``. Long unbreakable strings
carry no soft hyphen (``render.markup`` adds them to plain lower-case words only), so they
still wrap. Applied once per process, by ``pdf.printer.import_weasyprint``.
"""

from __future__ import annotations

from typing import Any

SHY = "\u00ad".encode()


def dropped_hyphen(text: str, resume_index: int | None, layout_text: str, hyphen: str) -> bool:
    """The line ``text[:resume_index]`` (bytes) ends at a soft hyphen and no hyphen is drawn."""
    if not resume_index:
        return False
    return text.encode()[:resume_index].endswith(SHY) and not layout_text.endswith(hyphen)


def install(weasyprint_inline: Any) -> None:
    """Wrap ``split_first_line`` in WeasyPrint's inline layout module (idempotent)."""
    original = weasyprint_inline.split_first_line
    if getattr(original, "keeps_soft_hyphens", False):
        return

    def split_first_line(text: str, style: Any, context: Any, max_width: float | None,  # noqa: PLR0913 - WeasyPrint's signature
                         justification_spacing: float, is_line_start: bool = True,
                         minimum: bool = False) -> Any:
        result = original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        layout, _, resume_index = result[0], result[1], result[2]
        if (is_line_start and max_width is not None
                and dropped_hyphen(text, resume_index, layout.text, style["hyphenate_character"])):
            return original(text, style, context, max_width, justification_spacing, False, minimum)
        return result

    split_first_line.keeps_soft_hyphens = True  # type: ignore[attr-defined]
    weasyprint_inline.split_first_line = split_first_line
