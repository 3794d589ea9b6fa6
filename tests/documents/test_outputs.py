"""Every output file is named in documents/outputs.py: the plan, the letters and the logs agree."""

from __future__ import annotations

from briefing.data.levels import Levels
from briefing.data.model import Recipient
from briefing.documents.outputs import (
    book_output,
    edition_output,
    is_book,
    level_prefix,
    sponsor_output,
    stem,
)
from briefing.render.variants import FULL, ONE_PAGER

LEVELS = Levels(("public", "internal", "partner"), "internal")


def test_output_names_by_variant_and_level():
    partner = level_prefix("partner", LEVELS)
    assert level_prefix("internal", LEVELS) == ""
    assert [sponsor_output("acme", d, p) for d in (FULL, ONE_PAGER) for p in ("", partner)] == [
        "acme.pdf", "levels/partner/acme.pdf", "acme-one-pager.pdf", "levels/partner/acme-one-pager.pdf"]
    assert [book_output(d, p) for d in (FULL, ONE_PAGER) for p in ("", partner)] == [
        "briefing-book.pdf", "levels/partner/briefing-book.pdf",
        "briefing-book-one-pager.pdf", "levels/partner/briefing-book-one-pager.pdf"]
    avery = Recipient.model_validate({"name": "Avery Example", "email": "avery@example.org", "id": "avery"})
    assert edition_output(avery, FULL) == "editions/avery.pdf"


def test_progress_lines_read_books_and_stems_from_the_names():
    assert [is_book(n) for n in ("briefing-book.pdf", "editions/avery.pdf", "acme.pdf", "acme-one-pager.pdf")] == [
        True, True, False, False]
    assert [stem(n) for n in ("acme.pdf", "acme-one-pager.pdf", "briefing-book-one-pager.pdf")] == [
        "acme", "acme", "briefing-book"]
