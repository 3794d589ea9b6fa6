"""Every character prints: mixed scripts print with the shipped fonts, any other character is refused
by `briefing validate` with its file, line, column and field, and a glyph missing at print time
anyway is named with its section and field."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, make_project
from fontTools.ttLib import TTFont

from briefing.build.pipeline import Options, build
from briefing.cli import main
from briefing.errors import DataError
from briefing.pdf.printer import print_html
from briefing.text import glyphs

FONTS = REPO / "assets" / "fonts"
SCRIPTS = REPO / "tests" / "fixtures" / "scripts"
SPONSOR = "lotus-lantern-example"
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufe0f"))
RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
RTL = re.compile(f"[{RTL_CHARS}]")

# One line per script, each mixed with Latin, spaces (ordinary, no-break, thin, ideographic) and digits.
MIXED = {
    "chinese-simplified": "示例控股 Corpus 2026, 云计算\u00a0Cloud 12",
    "chinese-traditional": "蓮花燈示例 Holdings 2026 年, 電子商務\u2009E-commerce",
    "japanese": "トヨタ風 ひらがな Example 2026 年、カタカナ\u3000Games 7",
    "korean": "홍길동 Gildong Hong 2026년, 삼성풍\u202fSample 3",
    "arabic": "شركة مثال Example 2026 و ١٢٣",
    "hebrew": "חברה לדוגמה Example 2026 ו-456",
    "emoji": "Launch 🚀 medal 🏅 2026 ✓ ★ → ≈ ❤️",
}


def _font_cmap(path: Path) -> set[int]:
    return set(TTFont(str(path), lazy=True).getBestCmap())


def test_every_font_has_a_space_because_pango_sets_spaces_in_the_previous_characters_font():
    for path in glyphs.font_files(FONTS):
        assert 0x20 in _font_cmap(path), path.name


def test_cjk_subset_leaves_latin_digits_and_punctuation_to_the_main_font():
    cjk = TTFont(str(FONTS / "NotoSansCJKsc-Subset.otf"), lazy=True)
    codes = set(cjk.getBestCmap())
    assert not codes & set(range(0x21, 0x7F)) and 0x2014 not in codes and 0x2019 not in codes
    noto = TTFont(str(FONTS / "NotoSans-Regular.ttf"), lazy=True)
    space = cjk["hmtx"][cjk.getBestCmap()[0x20]][0] / cjk["head"].unitsPerEm
    assert space == noto["hmtx"][noto.getBestCmap()[0x20]][0] / noto["head"].unitsPerEm


def test_fonts_stay_small():
    assert sum(p.stat().st_size for p in glyphs.font_files(FONTS)) < 25 * 1024 * 1024


def test_coverage_holds_every_script_and_refuses_rare_ones():
    covered = glyphs.coverage(FONTS)
    for line in MIXED.values():
        assert [c for c in line if not glyphs.printable(ord(c), covered)] == [], line
    # all CJK unified ideographs up to Unicode 11 (URO to U+9FEF, Ext A to U+4DB5), every Hangul
    # syllable and all kana, not just the common national repertoires
    for lo, hi in ((0x4E00, 0x9FEF), (0x3400, 0x4DB5), (0xAC00, 0xD7A3), (0x3041, 0x3096), (0x30A1, 0x30FA)):
        assert all(c in covered for c in range(lo, hi + 1)), hex(lo)
    for rare in (0x10FFFD, 0x17000, 0x10000, 0xE000):  # private use, Tangut, Linear B
        assert not glyphs.printable(rare, covered)


def test_coverage_is_cached_by_font_hashes(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    glyphs._coverage.cache_clear()
    first = glyphs.coverage(FONTS)
    cached = list((tmp_path / "briefing").glob("glyphs-*.json"))
    assert len(cached) == 1
    glyphs._coverage.cache_clear()
    assert glyphs.coverage(FONTS) == first
    cached[0].write_text("[[65, 66]]")  # a cache that lies is only trusted for the same fonts' hash
    glyphs._coverage.cache_clear()
    assert glyphs.coverage(FONTS) == frozenset({65, 66})
    cached[0].write_text("not json")
    glyphs._coverage.cache_clear()
    assert glyphs.coverage(FONTS) == first
    glyphs._coverage.cache_clear()


def test_coverage_without_a_writable_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # mkdir below it fails, as on a read-only HOME
    glyphs._coverage.cache_clear()
    assert 0x4E2D in glyphs.coverage(FONTS) and 0x10FFFD not in glyphs.coverage(FONTS)
    glyphs._coverage.cache_clear()


# --- validate: refused before any layout, located -------------------------------------------

BAD = """\
name: Refused Example 示例
as_of: 2026-10
sections:
  - title: Plain 示例 \U00017000 Tangut
    blocks:
      - people:
          items:
            - {name: "Example \U0010fffd Person", role: Chair}
      - chart:
          kind: bar
          title: Linear B label
          unit: US$ million
          period: FY2026
          source: Invented
          as_of: 2026-10
          series:
            - values: {"Lab \U00010000": 1}
      - text: "escaped \\U0010FFFD character"
sources:
  - {id: x, title: Nothing real}
"""

EXPECTED = [
    "data/sponsors/refused.yaml:4:21: sections[0].title: character U+17000 '\U00017000'"
    " has no glyph in the shipped fonts; replace or remove it (assets/fonts/README.md lists what prints)",
    "data/sponsors/refused.yaml:8:31: sections[0].blocks[0].people.items[0].name: character U+10FFFD '\U0010fffd'"
    " has no glyph in the shipped fonts; replace or remove it (assets/fonts/README.md lists what prints)",
    "data/sponsors/refused.yaml:17:29: sections[0].blocks[1].chart.series[0].values.Lab \U00010000: character"
    " U+10000 '\U00010000' (LINEAR B SYLLABLE B008 A) has no glyph in the shipped fonts; replace or remove it"
    " (assets/fonts/README.md lists what prints)",
    # written as an escape, the character is not in the file: the value's start is named
    "data/sponsors/refused.yaml:18:15: sections[0].blocks[2].text: character U+10FFFD '\U0010fffd' has no glyph"
    " in the shipped fonts; replace or remove it (assets/fonts/README.md lists what prints)",
]


@pytest.fixture()
def refused(tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(SCRIPTS / "data", data)
    (data / "sponsors" / "refused.yaml").write_text(BAD, encoding="utf-8")
    text = (data / "book.yaml").read_text().replace("sponsors: [", "sponsors: [refused, ")
    (data / "book.yaml").write_text(text, encoding="utf-8")
    return data


def test_validate_refuses_characters_without_glyphs_with_their_location(refused, monkeypatch):
    monkeypatch.chdir(refused.parent)  # paths in messages are relative to where the editor stands
    result = CliRunner().invoke(main, ["validate", "--data", "data"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:4] == EXPECTED, "\n".join(lines)
    assert lines[4] == "4 problems in 1 file"


def test_build_stops_on_the_same_finding_before_any_layout(refused, tmp_path, monkeypatch):
    monkeypatch.chdir(refused.parent)
    with pytest.raises(DataError) as caught:
        build(Options(data_dir=Path("data"), out_dir=tmp_path / "out"))
    assert [str(p) for p in caught.value.problems] == EXPECTED
    assert not (tmp_path / "out").exists()  # nothing was planned, charted or laid out


def test_the_fixture_and_the_shipped_data_validate():
    for data in (SCRIPTS / "data", REPO / "data"):
        result = CliRunner().invoke(main, ["validate", "--data", str(data), "--quiet"])
        assert result.exit_code == 0, result.output


# --- printing: real WeasyPrint --------------------------------------------------------------

def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text.translate(BIDI_CONTROLS))).lower()


def _extracted_forms(word: str) -> set[str]:
    # Text extractors put a right-to-left run back in logical order by reversing it, and so also
    # reverse the two letters of Arabic's lam-alef ligature when the PDF maps that one glyph to two
    # characters (HTML text): they read back as alef-lam. In charts the glyph maps to U+FEFB, whole.
    return {_flat(word), _flat(re.sub("ل([اأإآ])", r"\1ل", word))}


def found_in(line: str, text: str) -> bool:
    """Left-to-right text is found whole. Mixed-direction text is found run by run: the bidi
    algorithm reorders runs and moves neutral punctuation, so each run of right-to-left letters
    and each run of other letters and digits must be there."""
    flat = _flat(text)
    if not RTL.search(line):
        return _flat(line) in flat
    pieces = [run for word in re.findall(r"\w+", line) for run in re.findall(f"{RTL.pattern}+|[^{RTL_CHARS}]+", word)]
    return all(any(form in flat for form in _extracted_forms(piece)) for piece in pieces)


@pytest.mark.parametrize("script", list(MIXED))
def test_each_script_mixed_with_latin_spaces_and_digits_prints(script, tmp_path):
    line = MIXED[script]
    html = (f'<html lang="en"><head><title>Scripts</title>'
            f'<link rel="stylesheet" href="assets/css/sponsor.css"></head><body>'
            f'<h2>{line}</h2><p>{line}</p><p><b>{line}</b></p><p><i>{line}</i></p>'
            f'<table><tr><th>{line}</th><td>{line}</td></tr></table></body></html>')
    rendered = print_html(html, base=REPO, roots=[REPO / "assets"], what=script)  # raises on .notdef
    (tmp_path / "x.pdf").write_bytes(rendered.pdf)
    text = _pdftotext(tmp_path / "x.pdf")
    assert found_in(line, text), text
    assert _flat(text).count("2026") >= 5  # every copy printed (each line holds 2026)


def test_found_in_can_fail():
    assert not found_in("示例控股 Corpus", "示例控股 Corps")
    assert not found_in("شركة مثال 2026", "شركة 2026")


def _fixture_strings() -> list[str]:
    """Every string of the fixture sponsor that holds a character outside ASCII."""
    from briefing.data.yamlsafe import load_file

    located = load_file(SCRIPTS / "data" / "sponsors" / f"{SPONSOR}.yaml")
    return [text for _, text, _ in glyphs.printed_strings(located.data) if not text.isascii()]


@pytest.fixture(scope="module")
def scripts_pdf(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("scripts"), SCRIPTS / "data")
    for variant in ("full", "one-pager"):  # key points print on the one-pager only
        report = build(Options(data_dir=root / "data", out_dir=root / "output", book=False, variant=variant))
        assert report.ok, report.failed
    return root / "output" / f"{SPONSOR}.pdf"


@pytest.mark.slow
def test_fixture_sponsor_prints_every_mixed_string(scripts_pdf):
    text = _pdftotext(scripts_pdf) + _pdftotext(scripts_pdf.with_name(f"{SPONSOR}-one-pager.pdf"))
    strings = _fixture_strings()
    assert len(strings) > 40
    missing = [s for s in strings if not found_in(s, text)]
    assert missing == []
    fonts = subprocess.run(["pdffonts", str(scripts_pdf)], capture_output=True, text=True).stdout
    for family in ("Noto-Sans-CJK-SC", "Noto-Sans-Arabic", "Noto-Sans-Hebrew", "Noto-Emoji", "Noto-Serif"):
        assert family in fonts


@pytest.mark.slow
def test_chart_labels_in_cjk_and_emoji_are_drawn(scripts_pdf):
    svgs = list((scripts_pdf.parent / ".cache" / "charts").glob("*.svg"))
    assert svgs
    svg = "".join(p.read_text(encoding="utf-8") for p in svgs)
    for label in ("云计算 Cloud", "ゲーム Games", "게임 Games", "Rockets 🚀"):
        assert f">{label}<" in svg
    # right-to-left labels are stored in visual order, Arabic in joined forms (WeasyPrint sets SVG
    # text one character at a time); the PDF's text still reads back in logical order
    assert ">\ufe90\ufecb\ufefb \ufe90\ufecc\ufee0\ufee3 Stadium 2027<" in svg  # ملعب لاعب, visually
    assert ">ןוידטצא Arena 2027<" in svg
    text = _pdftotext(scripts_pdf)
    assert found_in("ملعب لاعب Stadium 2027", text) and found_in("אצטדיון Arena 2027", text)


@pytest.mark.slow
def test_glyph_missing_at_print_time_names_sponsor_section_and_field(tmp_path):
    # Markdown turns an entity into a character only when it prints, past `validate`
    data = tmp_path / "src"
    shutil.copytree(SCRIPTS / "data", data)
    path = data / "sponsors" / f"{SPONSOR}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("with spaces.", "with &#x10FFFD; spaces."), encoding="utf-8")
    root = make_project(tmp_path / "p", data)
    report = build(Options(data_dir=root / "data", out_dir=root / "output", book=False))
    assert [name for name, _ in report.failed] == [f"{SPONSOR}.pdf"]
    message = report.failed[0][1]
    assert f"data/sponsors/{SPONSOR}.yaml" in message
    assert ("character U+10FFFD '\U0010fffd' has no glyph in the shipped fonts "
            "(in section '示例控股 Corpus', field sections[0].blocks[0].text)") in message


def test_fonts_readme_names_every_font_file():
    readme = (FONTS / "README.md").read_text(encoding="utf-8")
    for path in glyphs.font_files(FONTS):
        assert f"`{path.name}`" in readme, path.name
