"""PDFs a sponsor file appends to its chapter (``attachments:``), checked before merging."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefing.data.load import Project, attachment_path
from briefing.errors import EncryptedPdf, RenderError, UnreadablePdf
from briefing.pdf.pages import page_count


@dataclass(frozen=True)
class Appended:
    title: str
    path: Path
    pages: int


def _page_count(path: Path, where: str, name: str) -> int:
    try:
        count = page_count(path, refuse_encrypted=True)
    except EncryptedPdf:
        raise RenderError(f"{where}: '{name}' is encrypted; attach an unprotected copy") from None
    except (UnreadablePdf, OSError) as err:
        raise RenderError(f"{where}: '{name}' is not a readable PDF ({err})") from None
    if count == 0:
        raise RenderError(f"{where}: '{name}' has no pages")
    return count


def appended(project: Project, slug: str) -> list[Appended]:
    """The sponsor's attachments, in order, each opened once to count (and check) its pages."""
    found = []
    for i, att in enumerate(project.sponsors[slug].attachments):
        path = attachment_path(project.data_dir, att.file)
        where = f"{project.files[slug]}: attachments[{i}].file"
        found.append(Appended(att.title, path, _page_count(path, where, att.file)))
    return found
