"""The CJK subset numbers its CIDs as its glyphs, so a reader that maps CIDs through the font's
charset (as the PDF standard says, and MuPDF and outloud do) finds the glyph WeasyPrint wrote.

WeasyPrint writes glyph numbers as CIDs for a CFF font (Identity-H, no CIDToGIDMap); in the
subset as fontTools first made it, glyph 2 was CID 372, and MuPDF printed no Chinese at all.
"""

from __future__ import annotations

import io

import pikepdf
from conftest import REPO
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont

from briefing.pdf.printer import print_html

SUBSET = REPO / "assets" / "fonts" / "NotoSansCJKsc-Subset.otf"


def test_the_shipped_subset_numbers_cids_as_glyphs():
    top = TTFont(str(SUBSET))["CFF "].cff.topDictIndex[0]
    assert top.ROS[:2] == ("Adobe", "Identity")
    wrong = [(gid, name) for gid, name in enumerate(top.charset) if gid and name != f"cid{gid:05d}"]
    assert wrong == []


def test_a_printed_chinese_name_uses_cids_the_embedded_font_has(tmp_path):
    css = (REPO / "assets" / "css" / "print" / "_fonts.css").read_text()
    html = (f"<html lang='en'><head><title>t</title><style>{css} body {{ font-family: 'Noto Sans', "
            f"'Noto Sans CJK SC' }}</style></head><body><p>Initech Pretend 伊尼科技</p></body></html>")
    pdf = pikepdf.open(io.BytesIO(print_html(html, base=REPO / "assets" / "css" / "print",
                                             roots=[REPO / "assets"]).pdf))
    font = next(f for f in pdf.pages[0].Resources.Font.values() if "CJK" in str(f.BaseFont))
    program = font.DescendantFonts[0].FontDescriptor.FontFile3.read_bytes()
    cff = TTFont(io.BytesIO(program))["CFF "].cff if program[:4] == b"OTTO" else _cff(program)
    cids = {int(name[3:]) for name in cff.topDictIndex[0].charset if name.startswith("cid")}
    shown = {int(code, 16) for code in _codes(pdf.pages[0])}
    assert shown and shown <= cids


def _cff(data: bytes) -> CFFFontSet:
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    return cff


def _codes(page: pikepdf.Page) -> list[str]:
    """The two-byte codes of every string shown in the CJK font on ``page``."""
    codes, current = [], None
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "Tf":
            current = str(operands[0])
        elif str(operator) in ("Tj", "TJ") and current is not None and "CJK" in str(
                page.Resources.Font[current].BaseFont):
            strings = operands[0] if str(operator) == "TJ" else [operands[0]]
            for s in strings:
                if isinstance(s, pikepdf.String):
                    raw = bytes(s)
                    codes += [raw[i:i + 2].hex() for i in range(0, len(raw) - 1, 2)]
    return codes

