"""How many pages a PDF file has: the one page counter, for assembled parts, attached PDFs and letters.

Its errors (``errors.UnreadablePdf``, ``errors.EncryptedPdf``) carry pikepdf's message, so
callers word them for their reader without knowing the PDF library.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from briefing.errors import EncryptedPdf, UnreadablePdf


def page_count(source: Path | bytes, *, refuse_encrypted: bool = False) -> int:
    """The pages of a PDF file (or of a PDF's bytes), opened once.

    ``refuse_encrypted``: a file encrypted without a user password opens, and is counted, unless
    this is set. Raises ``EncryptedPdf``, ``UnreadablePdf`` or, for the file itself, ``OSError``.
    """
    try:
        with pikepdf.Pdf.open(io.BytesIO(source) if isinstance(source, bytes) else source) as pdf:
            if refuse_encrypted and pdf.is_encrypted:
                raise EncryptedPdf(f"{source}: is encrypted")
            return len(pdf.pages)
    except pikepdf.PasswordError as err:
        raise EncryptedPdf(str(err)) from None
    except pikepdf.PdfError as err:
        raise UnreadablePdf(str(err)) from None
