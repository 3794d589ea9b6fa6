"""pdf/pages.py counts a PDF's pages for the assembly, the attachments and the letters alike."""

from __future__ import annotations

import pikepdf
import pytest

from briefing.errors import EncryptedPdf, UnreadablePdf
from briefing.pdf.pages import page_count


def _pdf(target, pages: int, encryption: pikepdf.Encryption | None = None):
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    pdf.save(target, encryption=encryption or False)
    return target


def test_counts_a_file_and_its_bytes(tmp_path):
    path = _pdf(tmp_path / "three.pdf", 3)
    assert page_count(path) == page_count(path.read_bytes()) == 3


def test_encrypted_and_unreadable_files_are_told_apart(tmp_path):
    locked = _pdf(tmp_path / "locked.pdf", 1, pikepdf.Encryption(user="secret", owner="owner"))
    with pytest.raises(EncryptedPdf):
        page_count(locked)
    protected = _pdf(tmp_path / "protected.pdf", 2, pikepdf.Encryption(user="", owner="owner"))
    assert page_count(protected) == 2  # opens without a password
    with pytest.raises(EncryptedPdf):
        page_count(protected, refuse_encrypted=True)
    (tmp_path / "garbage.pdf").write_bytes(b"%PDF-1.7\ngarbage")
    with pytest.raises(UnreadablePdf) as found:
        page_count(tmp_path / "garbage.pdf")
    assert not isinstance(found.value, EncryptedPdf)
    with pytest.raises(OSError):
        page_count(tmp_path / "missing.pdf")
