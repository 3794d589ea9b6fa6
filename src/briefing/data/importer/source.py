"""Read a briefing document as text, or refuse it with a located reason (never a traceback)."""

from __future__ import annotations

import re
from pathlib import Path

from briefing.errors import DataError, Problem

MAX_BYTES = 1024 * 1024  # a briefing page is tens of KB (the Alibaba source: 17 KB); its YAML must stay
# under the loader's 2 MB, so a larger file is almost certainly the wrong one
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and line ends are text; \f and \v are not
_NAMES = {0x1B: "ESC", 0x0C: "form feed", 0x0B: "vertical tab", 0x07: "BEL", 0x08: "backspace", 0x00: "NUL"}


def _position(raw: bytes, index: int) -> tuple[int, int]:
    line = raw[:index].count(b"\n") + 1
    column = len(raw[raw.rfind(b"\n", 0, index) + 1:index].decode("utf-8", "replace")) + 1
    return line, column


def read_lines(path: Path, name: str) -> list[str]:
    """The document's lines, decoded as UTF-8, or DataError naming the line and column to fix."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise DataError([Problem(name, f"cannot read the document: {err.strerror or err}; check that it "
                                 "exists and that you may read it", 1, 1)]) from None
    if len(raw) > MAX_BYTES:
        raise DataError([Problem(name, f"the document is larger than {MAX_BYTES // 1024} KB; a briefing page "
                                 "is a few tens of KB, so check that this is the right file (or split it "
                                 "into one document per sponsor)", 1, 1)])
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DataError([Problem(name, "the document is saved as UTF-16 (\"Unicode\"); save it as UTF-8 "
                                 "text (in most editors: Save As, encoding UTF-8)", 1, 1)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, column = _position(raw, err.start)
        binary = raw.count(0) or sum(b < 9 for b in raw[:4096]) > 8
        hint = ("it looks like binary data (a PDF, a Word file or an image?), not text: export the page as "
                "plain text or Markdown" if binary else
                f"byte 0x{raw[err.start]:02X} is not UTF-8 (the file looks saved as Latin-1 or Windows-1252); "
                "save it as UTF-8")
        raise DataError([Problem(name, f"cannot read the document as text: {hint}", line, column)]) from None
    lines = text.splitlines()
    problems = []
    for number, line in enumerate(lines, 1):
        for match in _CONTROL.finditer(line):
            code = ord(match.group())
            what = f"control character U+{code:04X}" + (f" ({_NAMES[code]})" if code in _NAMES else "")
            problems.append(Problem(name, f"{what}, which is not text; delete it (a NUL byte means this is "
                                    "probably not a text file)", number, match.start() + 1))
            if len(problems) == 20:
                break
        if len(problems) == 20:
            problems.append(Problem(name, "more control characters follow (not listed)"))
            break
    if problems:
        raise DataError(problems)
    if not any(line.strip() for line in lines):
        raise DataError([Problem(name, "the document is empty", 1, 1)])
    return lines
