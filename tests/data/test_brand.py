"""book.yaml's `brand:`: the organisation's colours, logo and fonts on every page of the book,
and a located message for each value that cannot work."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner

from briefing.build.pipeline import Options, build
from briefing.cli import main
from briefing.ops.new import new_project
from briefing.theme import default_root

PRIMARY, ACCENT = "#00573F", "#7A3E00"
NAVY = "#1F3A5F"  # the default theme's --primary
LOGO_GREY = (0x3A, 0x3A, 0x3A)  # the example logo's squares


def _project(tmp_path: Path, brand: str, *, sponsor_colour: bool = True) -> Path:
    root = tmp_path / "p"
    new_project(root)
    book = root / "data" / "book.yaml"
    text = book.read_text()
    book.write_text(text[:text.index("brand:")] + brand)
    if not sponsor_colour:  # the sponsor's chapter then takes the book's colour
        sponsor = root / "data" / "sponsors" / "example-anvils.yaml"
        sponsor.write_text(re.sub(r"^  colour: .*\n", "", sponsor.read_text(), flags=re.M))
    return root


def _validate(root: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["validate", "--data", str(root / "data")])
    return result.exit_code, result.stdout.splitlines() + result.stderr.splitlines()


def _line(root: Path, rel: str, needle: str) -> int:
    return next(i for i, line in enumerate((root / rel).read_text().splitlines(), 1) if needle in line)


def test_each_bad_brand_value_gets_its_located_message(tmp_path, monkeypatch):
    root = _project(tmp_path, "brand:\n"
                    "  name: Example Organisation\n"
                    "  logo: assets/logos/nothing.svg\n"
                    "  cover_image: data/book.yaml\n"
                    "  primary: \"#FFD700\"\n"
                    "  accent: \"#B0B0B0\"\n"
                    "  text_font: assets/fonts/broken.ttf\n")
    fonts = root / "assets" / "fonts"
    fonts.mkdir()
    (fonts / "broken.ttf").write_bytes(b"not a font at all")
    monkeypatch.chdir(root)
    code, lines = _validate(root)
    assert code == 1
    book = "data/book.yaml"
    at = {name: f"{book}:{_line(root, book, name + ':')}:" for name in
          ("logo", "cover_image", "primary", "accent", "text_font")}
    expected = [
        f"{at['logo']}9: brand.logo: file 'assets/logos/nothing.svg' does not exist; put it in assets/ or fix the path",
        f"{at['cover_image']}16: brand.cover_image: 'data/book.yaml' is outside assets/ (directly or through a "
        "symbolic link); put the file in the project's assets/ folder, e.g. assets/logos/",
        f"{at['primary']}12: brand.primary: '#FFD700' has a contrast of 1.40:1 with white, below 4.5:1 for white "
        "text on it (cover band, badges); choose a darker colour",
        f"{at['accent']}11: brand.accent: '#B0B0B0' has a contrast of 2.17:1 with white, below 4.5:1 for it on the "
        "white page (chart series); choose a darker colour",
    ]
    for line in expected:
        assert line in lines, "\n".join(lines)
    font_line = next(line for line in lines if "brand.text_font" in line)
    assert font_line.startswith(f"{at['text_font']}14: brand.text_font: 'assets/fonts/broken.ttf' cannot be read "
                                "as a font (")


def test_a_brand_font_must_print_every_character_the_data_uses(tmp_path, monkeypatch):
    from fontTools import subset
    from fontTools.ttLib import TTFont

    root = _project(tmp_path, "brand:\n  heading_font: assets/fonts/ascii.ttf\n")
    fonts = root / "assets" / "fonts"
    fonts.mkdir()
    font = TTFont(str(default_root() / "assets/fonts/NotoSans-Regular.ttf"))
    subsetter = subset.Subsetter()
    subsetter.populate(unicodes=range(0x20, 0x7F))  # ASCII only
    subsetter.subset(font)
    font.save(str(fonts / "ascii.ttf"))
    sponsor = root / "data" / "sponsors" / "example-anvils.yaml"
    sponsor.write_text(sponsor.read_text().replace("headline: An invented heavy-goods supplier",
                                                   "headline: An invented café supplier"))
    monkeypatch.chdir(root)
    code, lines = _validate(root)
    assert code == 1
    where = _line(root, "data/sponsors/example-anvils.yaml", "headline:")
    assert any(line.startswith(f"data/sponsors/example-anvils.yaml:{where}:")
               and "headline: character U+00E9 'é'" in line
               and "has no glyph in the brand's heading font (ascii.ttf)" in line for line in lines), lines
    # the same font with every character the data uses is fine
    sponsor.write_text(sponsor.read_text().replace("café", "cafe"))
    assert _validate(root)[0] == 0


def _pixels(pdf: Path, page: int) -> set[tuple[int, int, int]]:
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        image = doc[page].render(scale=1).to_pil().convert("RGB")
    finally:
        doc.close()
    return {colour for _, colour in image.getcolors(maxcolors=1 << 24)}


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.mark.slow
def test_a_brand_colours_the_cover_the_rules_the_charts_and_the_book(tmp_path):
    root = _project(tmp_path, f"brand:\n  name: Example Organisation\n  logo: assets/logos/example-organisation.svg\n"
                    f"  primary: \"{PRIMARY}\"\n  accent: \"{ACCENT}\"\n", sponsor_colour=False)
    report = build(Options(data_dir=root / "data", out_dir=root / "output", jobs=1))
    assert report.ok, report.failed
    out = root / "output"
    for pdf, pages in ((out / "briefing-book.pdf", (0, 1)), (out / "example-anvils.pdf", (0, 1))):
        cover, rules = (_pixels(pdf, page) for page in pages)
        assert _rgb(PRIMARY) in cover, f"{pdf.name}: the cover band is not in the brand's colour"
        assert _rgb(PRIMARY) in rules, f"{pdf.name}: the rules under the titles are not in the brand's colour"
        assert _rgb(NAVY) not in cover | rules, f"{pdf.name}: the default navy is still printed"
        # the second colour (the edge under the cover's band, section openers) is the brand's accent
        assert _rgb(ACCENT) in cover, f"{pdf.name}: the cover's edge is not in the brand's accent"
    doc = pypdfium2.PdfDocument(str(out / "briefing-book.pdf"))
    try:
        counts = {colour: n for n, colour in doc[0].render(scale=1).to_pil().convert("RGB").getcolors(1 << 24)}
    finally:
        doc.close()
    assert counts.get(LOGO_GREY, 0) > 50, "the organisation's logo is not on the book's cover"
    svgs = [p.read_text() for p in (out / ".cache" / "charts").glob("*.svg")]
    assert any(f"fill: {PRIMARY.lower()}" in svg for svg in svgs), "no chart highlights in the brand's colour"
    assert not any(NAVY.lower() in svg for svg in svgs)
