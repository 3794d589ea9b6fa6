"""Rebuild the fonts that are not shipped as their authors publish them (run by hand, not at run time).

    python assets/fonts/make_fonts.py CJK_TTC EMOJI_TTF OUT_DIR
    python assets/fonts/make_fonts.py --renumber NotoSansCJKsc-Subset.otf   (CIDs as glyph numbers only)

CJK_TTC   NotoSansCJK-Regular.ttc from Debian's fonts-noto-cjk (1:20220127+repack1-1)
EMOJI_TTF NotoEmoji[wght].ttf from the PyPI wheel manimgx-fonts (2026.9.26.post1; Noto Emoji 3.002)

See README.md beside this file for what is covered and why.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont
from fontTools.varLib import instancer

# What the CJK subset keeps: ideographs (URO, Ext A, the Ext B characters the font has,
# compatibility ideographs), kana, Hangul, bopomofo, CJK punctuation and symbols, full-width
# forms. No Latin, Greek, Cyrillic or general punctuation: those always come from Noto Serif /
# Noto Sans, so mixed CJK/Latin text keeps the main font's letters, digits and punctuation.
CJK_RANGES = [
    (0x0020, 0x0020), (0x00A0, 0x00A0),  # Pango gives a space the font of the character before it
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x2FF0, 0x2FFF),  # ideographic description characters
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F), (0x31A0, 0x31BF),  # Bopomofo
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x3190, 0x319F), (0x31C0, 0x31FF),  # Kanbun, strokes, Katakana phonetic extensions
    (0x3200, 0x33FF),  # enclosed CJK letters (㈱), CJK compatibility (㍻)
    (0x3400, 0x4DBF),  # Ext A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xA960, 0xA97F), (0xD7B0, 0xD7FF),  # Hangul Jamo extensions
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
    (0x20000, 0x2FA1F),  # Ext B-F and compatibility supplement: what the font has (mostly Hong Kong)
]
SPACE_ADVANCE = 260  # Noto Sans's and Noto Serif's space, in 1/1000 em (the CJK font's own is 224)


def cjk(ttc: Path, out: Path) -> None:
    collection = TTCollection(str(ttc))
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == "Noto Sans CJK SC")
    cmap = font.getBestCmap()
    wanted = [u for lo, hi in CJK_RANGES for u in range(lo, hi + 1) if u in cmap]
    options = subset.Options()
    options.hinting = False  # PDF viewers rasterise outlines; hints only add bytes
    options.layout_features = ["ccmp", "ljmo", "vjmo", "tjmo"]  # Hangul jamo composition
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["VORG", "vhea", "vmtx"]  # horizontal text only
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    hmtx = font["hmtx"]
    for code in (0x20, 0xA0):
        name = font.getBestCmap()[code]
        hmtx[name] = (SPACE_ADVANCE, hmtx[name][1])
    cids_as_glyph_ids(font)
    font.save(str(out / "NotoSansCJKsc-Subset.otf"))


def cids_as_glyph_ids(font: TTFont) -> None:
    """Number the CIDs of a CID-keyed CFF font 0, 1, 2, ... as its glyphs, in place.

    Subsetting keeps each glyph's CID from the full font (glyph 2 is CID 372) while renumbering
    the glyphs. WeasyPrint writes glyph numbers into the PDF as CIDs (Identity-H, no CIDToGIDMap
    for CFF fonts), and a reader that follows the CFF charset, as the PDF standard says, finds
    another glyph or none: MuPDF printed no Chinese at all, and outloud reports .notdef glyphs
    (TXT-005, PDF/UA-1 7.21.8). With CID = glyph number both readings agree."""
    top = font["CFF "].cff.topDictIndex[0]  # decompiled first, under the old names
    old = list(top.charset)
    new = [".notdef"] + [f"cid{gid:05d}" for gid in range(1, len(old))]
    font.setGlyphOrder(new)  # the other tables hold glyph numbers: they read these names
    strings = top.CharStrings.charStrings
    if set(strings) != set(new):
        top.CharStrings.charStrings = {name: strings[was] for was, name in zip(old, new, strict=True)}
    top.charset = new


def emoji(variable: Path, out: Path) -> None:
    font = TTFont(str(variable))
    static = instancer.instantiateVariableFont(font, {"wght": 400}, updateFontNames=True)
    static.save(str(out / "NotoEmoji-Regular.ttf"))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--renumber"]:  # the shipped subset, fixed in place: python make_fonts.py --renumber FILE
        subset_font = TTFont(sys.argv[2])
        cids_as_glyph_ids(subset_font)
        subset_font.save(sys.argv[2])
        sys.exit(0)
    ttc_path, emoji_path, out_dir = (Path(a) for a in sys.argv[1:4])
    cjk(ttc_path, out_dir)
    emoji(emoji_path, out_dir)
