"""No word is hyphenated across a page turn ("restric- / tions" on two pages).

CSS would say ``hyphenate-limit-last: page``; WeasyPrint 70 does not support it. Its block
layout ends a page between two lines of a paragraph in two functions of
``weasyprint.layout.block``: ``_break_line`` (the page is full; it removes the lines widows
need) and ``find_earlier_page_break`` (what follows must not start a page alone). Each is
wrapped: when the last line the page keeps ends in a hyphen (a soft-hyphen break, which draws
the hyphenate character, or a compound's own hyphen) and the page keeps enough lines for
``orphans`` without it, that line goes to the next page too (two lines when the one before it
ends in a hyphen as well); where orphans forbid it, the paragraph goes whole, as when orphans
fail. Only where three line ends in a row are hyphenated does the break stay. Applied once per process,
by ``pdf.printer.import_weasyprint``.
"""

from __future__ import annotations

import inspect
from typing import Any

# a compound's own hyphen: U+002D, U+2010 (the hyphenate character WeasyPrint draws by default)
HYPHENS = ("-", "\u2010")
MOST_MOVED = 2  # lines moved on to avoid it; after three hyphenated line ends in a row the hyphen stays


def ends_hyphenated(line: Any, text_box: type) -> bool:
    """The line box ends inside a word: its last text ends in a hyphen after a letter."""
    texts = [box for box in line.descendants() if isinstance(box, text_box)]
    if not texts:
        return False
    text, drawn = texts[-1].text, texts[-1].style["hyphenate_character"]
    for hyphen in (drawn, *HYPHENS):
        if hyphen and text.endswith(hyphen):
            before = text[: -len(hyphen)].rstrip("\u00ad")  # a soft-hyphen break keeps its U+00AD
            return bool(before) and before[-1].isalpha()
    return False


def lines_to_keep(lines: list[Any], orphans: int, text_box: type) -> int:
    """How many of ``lines``, the lines a page keeps of a paragraph, it should keep so that its last
    line does not end in a hyphen: all of them, one or two fewer, or none (the paragraph starts the
    next page) when fewer would break ``orphans``; all of them again when three ends in a row are
    hyphenated."""
    for keep in range(len(lines), len(lines) - MOST_MOVED - 1, -1):
        if keep < max(orphans, 1):
            return 0
        if not ends_hyphenated(lines[keep - 1], text_box):
            return keep
    return len(lines)


_BREAK_LINE = ("context", "box", "line", "new_children", "needed", "page_is_empty", "index", "skip_stack",
               "resume_at", "absolute_boxes", "fixed_boxes")  # WeasyPrint 70's, which the wrapper reads by position
_EARLIER = ("context", "children", "absolute_boxes", "fixed_boxes")


def _parameters(function: Any) -> tuple[str, ...]:
    return tuple(inspect.signature(function).parameters)


def install(weasyprint_block: Any, weasyprint_boxes: Any) -> None:
    """Wrap the two functions of WeasyPrint's block layout module that end a page between two
    lines of a paragraph: ``_break_line`` (the page is full) and ``find_earlier_page_break`` (what
    follows must not start the next page alone: ``break-before: avoid``). Idempotent."""
    block = weasyprint_block
    if getattr(block._break_line, "avoids_hyphen_at_page_end", False):  # noqa: SLF001
        return
    if _parameters(block._break_line) != _BREAK_LINE or _parameters(block.find_earlier_page_break) != _EARLIER:  # noqa: SLF001
        return  # another WeasyPrint: its own page breaks, rather than a wrapper that misreads them
    text_box, line_box = weasyprint_boxes.TextBox, weasyprint_boxes.LineBox
    break_line, earlier_break = block._break_line, block.find_earlier_page_break  # noqa: SLF001

    def _break_line(context: Any, box: Any, line: Any, new_children: list[Any], *args: Any) -> Any:
        abort, stop, resume_at = break_line(context, box, line, new_children, *args)
        if stop and not abort and new_children:
            keep = lines_to_keep(new_children, box.style["orphans"], text_box)
            if keep == 0:
                # as when orphans fail: the whole paragraph goes on (unless it starts the page)
                return (True, False, resume_at) if not args[1] else (abort, stop, resume_at)
            # the caller resumes after new_children[-1] (its resume_at): dropping a line moves it on
            block.remove_placeholders(context, new_children[keep:], *args[5:7])  # absolute, fixed boxes
            del new_children[keep:]
        return abort, stop, resume_at

    def find_earlier_page_break(context: Any, children: list[Any], absolute_boxes: Any, fixed_boxes: Any) -> Any:
        result = earlier_break(context, children, absolute_boxes, fixed_boxes)
        if result and children and isinstance(children[0], line_box):
            lines = result[0]
            keep = lines_to_keep(lines, children[0].style["orphans"], text_box)
            if keep == 0:  # no break in this paragraph: look before it, as for orphans
                return None
            if keep < len(lines):
                block.remove_placeholders(context, lines[keep:], absolute_boxes, fixed_boxes)
                result = lines[:keep], {0: lines[keep - 1].resume_at}
        return result

    _break_line.avoids_hyphen_at_page_end = True  # type: ignore[attr-defined]
    _break_line.__wrapped__ = break_line  # type: ignore[attr-defined]
    find_earlier_page_break.__wrapped__ = earlier_break  # type: ignore[attr-defined]
    block._break_line = _break_line  # noqa: SLF001
    block.find_earlier_page_break = find_earlier_page_break
