"""Designed moments and type craft of the default theme (issue 23, items 3 and 4), asserted on
printed PDFs: the fonts' real small caps and old-style figures embedded, tabular lining figures in
tables, the sponsor cover (deal line, critical item, nothing broken mid-word, classification and
date once), section openers, people columns sized from their content, the second colour."""

from __future__ import annotations

import io
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
from conftest import REPO
from fontTools.ttLib import TTFont

FONTS = REPO / "assets" / "fonts"
MM = 72 / 25.4


def _substitute(font: TTFont, feature: str, glyph: str) -> str | None:
    """The glyph an OpenType single substitution of ``feature`` puts for ``glyph``."""
    table = font["GSUB"].table
    for record in table.FeatureList.FeatureRecord:
        if record.FeatureTag != feature:
            continue
        for index in record.Feature.LookupListIndex:
            for sub in table.LookupList.Lookup[index].SubTable:
                sub = getattr(sub, "ExtSubTable", sub)
                if glyph in (getattr(sub, "mapping", None) or {}):
                    return sub.mapping[glyph]
    return None


def _embedded(pdf: Path, family: str) -> tuple[TTFont, dict[int, float]]:
    """The subset of ``family`` (e.g. "Noto-Serif") a PDF embeds, and its glyph widths by glyph id."""
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for font in page.Resources.get("/Font", {}).values():
                if str(font.BaseFont).split("+")[-1] == family:
                    descendant = font.DescendantFonts[0]
                    widths: dict[int, float] = {}
                    w = list(descendant.get("/W", []))
                    i = 0
                    while i < len(w):
                        if isinstance(w[i + 1], pikepdf.Array):
                            for k, value in enumerate(w[i + 1]):
                                widths[int(w[i]) + k] = float(value)
                            i += 2
                        else:
                            for cid in range(int(w[i]), int(w[i + 1]) + 1):
                                widths[cid] = float(w[i + 2])
                            i += 3
                    data = descendant.FontDescriptor.FontFile2.read_bytes()
                    return TTFont(io.BytesIO(data)), widths
    raise AssertionError(f"{family} is not embedded in {pdf.name}")


def _drawn(subset: TTFont, original: TTFont, glyph: str) -> bool:
    """Whether the embedded subset carries the outline of ``glyph`` of the original font (WeasyPrint
    keeps glyph ids and empties the glyphs a document does not use)."""
    gid = original.getGlyphID(glyph)
    order = subset.getGlyphOrder()
    return gid < len(order) and subset["glyf"][order[gid]].numberOfContours != 0


def _text(pdf: Path, first: int, last: int | None = None) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(first), "-l", str(last or first), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


class _Words(HTMLParser):
    """The words of ``pdftotext -bbox`` output: (text, xMin, yMin, xMax, yMax) per page."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: list[list[tuple[str, float, float, float, float]]] = []
        self._word: dict[str, str] | None = None
        self.size: tuple[float, float] = (0, 0)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "page":
            self.pages.append([])
            self.size = (float(a["width"]), float(a["height"]))
        elif tag == "word":
            self._word = a

    def handle_data(self, data):
        if self._word is not None:
            w = self._word
            self.pages[-1].append((data, float(w["xmin"]), float(w["ymin"]), float(w["xmax"]), float(w["ymax"])))
            self._word = None


def _words(pdf: Path) -> _Words:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    parser = _Words()
    parser.feed(out)
    return parser


# --- type craft ----------------------------------------------------------------------------------

def test_labels_are_real_small_caps_that_still_extract_as_words(fiction):
    pdf = fiction / "output" / "acme-anvils.pdf"
    original = TTFont(str(FONTS / "NotoSans-Bold.ttf"))
    subset, _ = _embedded(pdf, "Noto-Sans-Bold")
    # "EXHIBIT", "CATEGORIES", "FACTS AS OF": the capitals of the labels drawn as the font's small caps
    small_caps = {letter: _substitute(original, "c2sc", letter) for letter in "EXHIBTCAGORS"}
    assert all(small_caps.values()), small_caps
    assert all(_drawn(subset, original, glyph) for glyph in small_caps.values()), \
        "labels are not set in the font's small caps"
    text = " ".join(_text(pdf, 1, 4).split())
    assert "CATEGORIES" in text and "FACTS AS OF" in text  # whole words, in capitals, for search


def test_running_text_has_old_style_figures_and_tables_tabular_lining(shipped):
    pdf = shipped / "alibaba.pdf"
    serif = TTFont(str(FONTS / "NotoSerif-Regular.ttf"))
    subset, _ = _embedded(pdf, "Noto-Serif")
    old_style = [_substitute(serif, "onum", name) for name in ("zero", "one", "two")]
    old_style += [_substitute(serif, "pnum", glyph) for glyph in old_style]
    assert any(_drawn(subset, serif, glyph) for glyph in old_style if glyph), "no old-style figures in the text"
    # the sans (tables, cards, exhibits) prints lining figures of one width: columns of figures align
    sans = TTFont(str(FONTS / "NotoSans-Regular.ttf"))
    sans_subset, widths = _embedded(pdf, "Noto-Sans")
    digits = [f"{n}" for n in ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")]
    used = [d for d in digits if _drawn(sans_subset, sans, d)]
    assert len(used) >= 5
    assert len({widths[sans.getGlyphID(d)] for d in used}) == 1, "table figures are not tabular"
    assert not any(_drawn(sans_subset, sans, g) for d in digits if (g := _substitute(sans, "onum", d))), \
        "old-style figures in the sans (tables, cards)"


def test_chart_text_is_set_in_the_sans_with_tabular_lining_figures(fiction):
    """Charts are SVG drawn by WeasyPrint in the family Matplotlib names; that family's default
    figures must be lining and of one width, as OpenType features cannot be asked for there."""
    style = (REPO / "src" / "briefing" / "render" / "styles" / "print.mplstyle").read_text()
    family = re.search(r"^font\.family:\s*([^,\n]+)", style, re.M).group(1).strip()
    assert family == "Noto Sans"
    sans = TTFont(str(FONTS / "NotoSans-Regular.ttf"))
    cmap = sans.getBestCmap()
    advances = {sans["hmtx"][cmap[ord(d)]][0] for d in "0123456789"}
    assert len(advances) == 1
    svgs = list((fiction / "output" / ".cache").rglob("*.svg"))
    assert svgs and all("Noto Sans" in svg.read_text() for svg in svgs[:5] if "<text" in svg.read_text())


# --- designed moments ----------------------------------------------------------------------------

def test_sponsor_cover_states_the_deal_and_the_critical_item_and_breaks_no_value(shipped):
    pdf = shipped / "alibaba.pdf"
    cover = _text(pdf, 1)
    flat = " ".join(cover.split())
    # the deal line and the one critical item, on the cover
    assert "joined January 2017" in flat and "through 2028" in flat and "$800 million" in flat
    assert "CRITICAL" in flat and "political scrutiny" in flat
    # classification and date once
    assert len(re.findall(r"(?i)confidential", cover)) == 1
    assert len(re.findall(r"28\sNovember\s2026", cover)) == 1
    # no value broken inside a word or a short phrase
    lines = [line.strip() for line in cover.splitlines() if line.strip()]
    for line in lines:
        for cell in re.split(r"\s{3,}", line):
            assert not cell.endswith("-"), f"broken at a hyphen: {cell!r}"
            assert not re.match(r"^(years|million|billion)\b", cell), f"a value broken before its unit: {cell!r}"
            assert not cell.startswith("·"), f"a line starts with a separator: {cell!r}"


def test_every_numbered_section_has_an_opener_that_does_not_force_a_page(shipped):
    pdf = shipped / "alibaba.pdf"
    pages = _words(pdf).pages
    toc = " ".join(_text(pdf, 3).split())
    numbers = sorted(set(re.findall(r"(?<![\d.])([1-9]) [A-Z]", toc)))
    assert len(numbers) >= 5
    mid_page = 0
    for number in numbers:
        found = False
        for words in pages[3:]:
            for i, (text, x0, y0, _x1, y1) in enumerate(words):
                height = y1 - y0
                # the number alone on its line, larger than the title under it
                if text == number and i + 1 < len(words) and words[i + 1][2] > y0 + 0.6 * height:
                    title = words[i + 1]
                    if height > 1.15 * (title[4] - title[2]) and abs(title[1] - x0) < 2:
                        found = True
                        mid_page += any(w[4] < y0 - 5 and w[2] > 30 * MM for w in words[:i])
                        break
            if found:
                break
        assert found, f"section {number} has no opener"
    assert mid_page >= 1, "every opener started a page: openers must not force page breaks"


def test_people_columns_are_sized_from_their_content(shipped):
    """The notes (running text) get the room the short names and roles do not need."""
    pdf = shipped / "alibaba.pdf"
    parsed = _words(pdf)
    width = parsed.size[0]
    left, right = 22 * MM, width - 22 * MM
    notes = [x0 for words in parsed.pages for (text, x0, *_rest) in words if text == "NOTES"]
    assert notes
    assert all((x - left) / (right - left) < 0.485 for x in notes), \
        [round((x - left) / (right - left), 2) for x in notes]


def test_section_openers_and_cover_edge_use_the_second_colour_token(fiction):
    token = re.search(r"--secondary:\s*(#[0-9A-Fa-f]{6})", (REPO / "assets/css/print/_tokens.css").read_text())
    rgb = [int(token.group(1)[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    with pikepdf.open(fiction / "output" / "acme-anvils.pdf") as doc:
        painted = 0
        for page in doc.pages[:6]:
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) in ("rg", "sc", "scn") and len(operands) == 3 and \
                        all(abs(float(a) - b) < 0.003 for a, b in zip(operands, rgb, strict=True)):
                    painted += 1
    assert painted >= 2  # the cover's edge and at least one section number
