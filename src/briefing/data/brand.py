"""book.yaml's ``brand:`` checked before anything is printed: files inside the project's assets/,
colours that text reads on, fonts that print every character the data uses."""

from __future__ import annotations

from pathlib import Path

from briefing.data.glyphcheck import missing_glyphs
from briefing.data.model import BookBrand
from briefing.data.yamlsafe import Located
from briefing.errors import Problem, field_path
from briefing.theme import Theme
from briefing.theme.colours import contrast

MIN_CONTRAST = 4.5  # WCAG AA for text
WHITE = "#FFFFFF"  # the page, and the text on a cover band
FONT_SUFFIXES = (".ttf", ".otf")
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
FILES = {"logo": IMAGE_SUFFIXES, "cover_image": IMAGE_SUFFIXES, "text_font": FONT_SUFFIXES,
         "heading_font": FONT_SUFFIXES}
# what each colour carries, so the message says what would be hard to read
_COLOURS = {"primary": "white text on it (cover band, badges)", "accent": "it on the white page (chart series)"}
_MAIN_FONTS = ("NotoSans-", "NotoSerif-")  # replaced by a brand font; the fallbacks stay behind it


def brand_file(root: Path, rel: str) -> Path:
    return (root / rel).resolve()


def check_brand(brand: BookBrand | None, located: Located, root: Path) -> list[Problem]:
    """Every problem of book.yaml's ``brand:``, located in book.yaml."""
    if brand is None:
        return []
    problems: list[Problem] = []

    def problem(name: str, message: str) -> None:
        line, col = located.where(("brand", name))
        problems.append(Problem(located.file, message, line, col, field_path(("brand", name))))

    assets = (root / "assets").resolve()
    for name, suffixes in FILES.items():
        rel = getattr(brand, name)
        if rel is None:
            continue
        target = brand_file(root, rel)
        if not target.is_relative_to(assets):
            problem(name, f"'{rel}' is outside assets/ (directly or through a symbolic link); put the file "
                    "in the project's assets/ folder, e.g. assets/logos/")
        elif not target.is_file():
            problem(name, f"file '{rel}' does not exist; put it in assets/ or fix the path")
        elif target.suffix.lower() not in suffixes:
            problem(name, f"'{rel}' is not a {' or '.join(suffixes)} file; use one")
        elif suffixes is FONT_SUFFIXES and (why := font_problem(target)):
            problem(name, f"'{rel}' cannot be read as a font ({why}); use a TrueType or OpenType file")
    for name, carries in _COLOURS.items():
        colour = getattr(brand, name)
        if colour is not None and (ratio := contrast(colour, WHITE)) < MIN_CONTRAST:
            problem(name, f"'{colour}' has a contrast of {ratio:.2f}:1 with white, below {MIN_CONTRAST}:1 for "
                    f"{carries}; choose a darker colour")
    return problems


def font_problem(path: Path) -> str | None:
    """Why ``path`` is not a font a document can print with, or None."""
    from fontTools.ttLib import TTFont, TTLibError  # WeasyPrint's own dependency

    try:
        with TTFont(str(path), lazy=True) as font:
            if not font.getBestCmap():
                return "it maps no characters"
    except (TTLibError, OSError, KeyError, AssertionError, ValueError) as err:
        return str(err) or type(err).__name__
    return None


def usable_fonts(brand: BookBrand | None, root: Path) -> dict[str, Path]:
    """The brand's fonts that exist and read ({"text_font": path, ...}); others are reported above."""
    found = {}
    for name in ("text_font", "heading_font"):
        rel = getattr(brand, name) if brand else None
        if rel:
            path = brand_file(root, rel)
            if path.is_relative_to((root / "assets").resolve()) and path.is_file() and not font_problem(path):
                found[name] = path
    return found


def brand_glyphs(located: Located, path: Path | None, root: Path, fonts: dict[str, Path]) -> list[Problem]:
    """Characters of a data file that a brand font lacks (and no fallback font prints): with the
    brand's font in place of Noto, they would be drawn from whatever the machine has."""
    if not fonts:
        return []
    fallbacks = tuple(f for f in Theme(root).font_files() if not f.name.startswith(_MAIN_FONTS))
    problems: list[Problem] = []
    for name, font in fonts.items():
        problems += missing_glyphs(located, path, root, fonts=(font, *fallbacks),
                                   what=f"the brand's {name.replace('_', ' ')} ({font.name})")
    return problems
