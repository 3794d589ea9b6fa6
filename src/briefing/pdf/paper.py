"""The paper sizes briefing prints on, named once: book.yaml's `page_size` (the model), the CLI's
--page-size and the templates' full-bleed covers read this.
"""

from __future__ import annotations

from typing import Literal, get_args

PageSize = Literal["A4", "Letter"]
PAGE_SIZES: tuple[str, ...] = get_args(PageSize)
PAGE_HEIGHT = {"A4": "297mm", "Letter": "279.4mm"}  # full-bleed covers are one page tall
