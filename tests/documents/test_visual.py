"""Visual regression: chosen pages of a fictional sponsor rasterised with pypdfium2 and compared
with committed goldens, tile by tile, so that a small erased or moved element is caught.

Refresh the goldens after an intended design change (then look at them before committing):
    BRIEFING_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/documents/test_visual.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

GOLDEN = Path(__file__).parents[1] / "golden"
SCALE = 0.5  # 36 dpi: enough to see layout shifts, small enough to commit
GRID = 8  # the page is compared as GRID x GRID tiles
TILE_TOLERANCE = 3.0  # mean absolute difference per channel in any one tile, 0-255


def render(pdf: Path, index: int) -> Image.Image:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return document[index].render(scale=SCALE).to_pil().convert("RGB")
    finally:
        document.close()


def page_with(pdf: Path, text: str) -> int:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return next(i for i in range(len(document)) if text in document[i].get_textpage().get_text_range())
    finally:
        document.close()


def worst_tile(image: Image.Image, expected: Image.Image) -> float:
    """The largest mean difference of any tile: a small change stays visible, noise does not add up."""
    diff = ImageChops.difference(image, expected)
    width, height = diff.size
    worst = 0.0
    for row in range(GRID):
        for col in range(GRID):
            box = (col * width // GRID, row * height // GRID, (col + 1) * width // GRID, (row + 1) * height // GRID)
            worst = max(worst, max(ImageStat.Stat(diff.crop(box)).mean))
    return worst


PAGES = [
    ("acme-cover", lambda pdf: 0),
    ("acme-glance", lambda pdf: 1),
    ("acme-chart", lambda pdf: page_with(pdf, "Fictional revenue by line")),
]


@pytest.mark.parametrize("name,finder", PAGES)
def test_page_matches_golden(fiction, name, finder):
    pdf = fiction / "output" / "acme-anvils.pdf"
    image = render(pdf, finder(pdf))
    golden = GOLDEN / f"{name}.png"
    if os.environ.get("BRIEFING_UPDATE_GOLDEN"):
        image.save(golden, optimize=True)
        pytest.skip(f"golden {golden.name} written")
    assert golden.exists(), f"no golden {golden.name}: run with BRIEFING_UPDATE_GOLDEN=1"
    expected = Image.open(golden).convert("RGB")
    assert image.size == expected.size
    assert worst_tile(image, expected) <= TILE_TOLERANCE, f"{name} differs from its golden"


def test_the_comparison_sees_a_small_erased_figure():
    glance = Image.open(GOLDEN / "acme-glance.png").convert("RGB")
    width, height = glance.size
    erased = glance.copy()
    # white out one key-figure value (about 2 % of the page)
    ImageDraw.Draw(erased).rectangle((int(width * 0.1), int(height * 0.275), int(width * 0.28), int(height * 0.31)),
                                     fill="white")
    assert ImageStat.Stat(ImageChops.difference(glance, erased)).mean[0] < 1.5  # a page-wide mean would pass
    assert worst_tile(glance, erased) > TILE_TOLERANCE
