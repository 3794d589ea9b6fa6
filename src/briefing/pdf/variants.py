"""The PDF variants briefing prints, named once: every list of them reads this one.

Tagged PDF/UA-1 by default; PDF/A-3a copies (also PDF/UA-1) for records retention.
"""

from __future__ import annotations

from typing import Literal, get_args

PdfVariant = Literal["pdf/ua-1", "pdf/a-3a"]
PDF_UA, PDF_A = get_args(PdfVariant)
PDF_VARIANTS: tuple[str, ...] = get_args(PdfVariant)


def claim(variant: str) -> str:
    """What a PDF of ``variant`` says it conforms to, in words."""
    return "PDF/A-3a or PDF/UA-1" if variant == PDF_A else "PDF/UA-1"
