"""Visual regression: chosen pages rasterised with pypdfium2 and compared with committed goldens.

Refresh the goldens after an intended design change (then look at them before committing):
    BRIEFING_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_visual.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat

GOLDEN = Path(__file__).parent / "golden"
SCALE = 0.5  # 36 dpi: enough to see layout shifts, small enough to commit
TOLERANCE = 1.5  # mean absolute difference per channel, 0-255


def render(pdf: Path, index: int) -> Image.Image:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return document[index].render(scale=SCALE).to_pil().convert("RGB")
    finally:
        document.close()


def page_with(pdf: Path, text: str) -> int:
    from pypdf import PdfReader

    return next(i for i, page in enumerate(PdfReader(str(pdf)).pages) if text in (page.extract_text() or ""))


@pytest.mark.parametrize("name,finder", [
    ("alibaba-cover", lambda pdf: 0),
    ("alibaba-glance", lambda pdf: 1),
    ("alibaba-chart", lambda pdf: page_with(pdf, "Alibaba Cloud is fourth")),
])
def test_page_matches_golden(shipped, name, finder):
    pdf = shipped / "alibaba.pdf"
    image = render(pdf, finder(pdf))
    golden = GOLDEN / f"{name}.png"
    if os.environ.get("BRIEFING_UPDATE_GOLDEN"):
        image.save(golden, optimize=True)
        pytest.skip(f"golden {golden.name} written")
    assert golden.exists(), f"no golden {golden.name}: run with BRIEFING_UPDATE_GOLDEN=1"
    expected = Image.open(golden).convert("RGB")
    assert image.size == expected.size
    diff = ImageStat.Stat(ImageChops.difference(image, expected)).mean
    assert max(diff) <= TOLERANCE, f"{name} differs from its golden by {max(diff):.2f}"
