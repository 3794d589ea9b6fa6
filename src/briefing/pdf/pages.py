"""How many pages a PDF file has: the one page counter, for assembled parts, attached PDFs and letters.

Errors are this module's own, with pikepdf's message, so callers word them for their reader
without knowing the PDF library.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf


class UnreadablePdf(Exception):
    """pikepdf cannot read the file as a PDF; the message is pikepdf's."""


class EncryptedPdf(UnreadablePdf):
    """The file needs a password (or is encrypted at all, when that is refused)."""


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
