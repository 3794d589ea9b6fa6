"""The documents briefing prints of each sponsor, one record per variant: the full briefing and
the one-pager. Every stage reads what differs between them from here, never from the variant's name.

Imported by the command line when it starts (``--variant`` lists these names), so it imports
next to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefing.errors import UsageError


@dataclass(frozen=True)
class DocumentVariant:
    """What one kind of sponsor document is, from its template to its file names and letters."""

    name: str  # what --variant and Options.variant say; the folder of its chapters under .build/
    suffix: str  # added to the name of every PDF of this variant: acme-one-pager.pdf, briefing-book-one-pager.pdf
    template: str  # the sponsor's template
    block_charts: bool  # draws the charts of its blocks (the one-pager draws only the timeline)
    has_contents: bool  # prints its own contents page, which a book drops: it has its own
    change_lines: bool  # prints what changed since the previous edition (a one-pager has no room)
    appends_attachments: bool  # the sponsor's attached PDFs follow its pages
    lists_headings: bool  # its headings are bookmarked and listed in a book's contents (else one entry)
    cover_first: bool  # its first page is a cover, printed without a page number in a book
    receives_key: str  # what a recipient lists under `receives:` (distribution.yaml) to get these PDFs
    what: str  # "Acme — sponsor briefing": the title of a sponsor PDF
    attachment_title: str  # a letter's line for the attached PDF; {name} is the sponsor's
    book_title_suffix: str  # added to book.yaml's title in a book of this variant's documents
    book_format: str  # the cover's "Format" line of such a book; empty: none
    compact_front: bool  # a book's contents, overview and watch list share pages
    has_sections: bool = True  # numbered sections: a cross-reference may say "see section 2.2"
    one_page_blocks: tuple[str, ...] = ()  # must fit on one page: its blocks in the order printed; () any length


FULL = DocumentVariant(
    name="full", suffix="", template="sponsor.html", block_charts=True, has_contents=True, change_lines=True,
    appends_attachments=True, lists_headings=True, cover_first=True, receives_key="sponsors",
    what="sponsor briefing", attachment_title="{name} sponsor briefing", book_title_suffix="", book_format="",
    compact_front=False)

ONE_PAGER = DocumentVariant(
    name="one-pager", suffix="-one-pager", template="onepager.html", block_charts=False, has_contents=False,
    change_lines=False, appends_attachments=False, lists_headings=False, cover_first=False,
    receives_key="one-pagers", what="one-page briefing", attachment_title="{name} on one page",
    book_title_suffix=" — one-pagers", book_format="One page per sponsor", compact_front=True, has_sections=False,
    # each has a start and an end anchor in onepager.html (ChapterAnchors.op_start, op_end)
    one_page_blocks=("headline", "key_figures", "critical_callout", "timeline", "key_points", "leadership"))

VARIANTS: dict[str, DocumentVariant] = {v.name: v for v in (FULL, ONE_PAGER)}


def variant_named(name: str) -> DocumentVariant:
    """The variant ``Options.variant`` names (library callers may name one the CLI would refuse)."""
    try:
        return VARIANTS[name]
    except KeyError:
        raise UsageError(f"unknown document variant {name!r}: choose {' or '.join(VARIANTS)}") from None
