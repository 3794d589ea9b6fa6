"""The combined book, personalised editions, one-pagers and appended PDFs (fictional sponsors)."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import FICTION, make_project, pdf_text
from pypdf import PdfReader

from briefing.build.pipeline import Options, build

NAMES = ["Acme Anvils (fictional)", "Globex Imaginary", "Initech Pretend 伊尼科技"]


def chapter_pages(out, slug):
    return len(PdfReader(str(out / f"{slug}.pdf")).pages)


def test_book_page_count_is_front_matter_plus_chapters(fiction):
    out = fiction / "output"
    book = PdfReader(str(out / "briefing-book.pdf"))
    front = 3  # cover, contents, overview with the watch list flowing on after it
    # each chapter drops its own contents page; acme's fact sheet (2 pages) is already in its PDF
    expected = front + sum(chapter_pages(out, s) - 1 for s in ("acme-anvils", "globex-imaginary", "initech-pretend"))
    assert len(book.pages) == expected
    texts = pdf_text(out / "briefing-book.pdf")
    covers = {book.get_destination_page_number(d) for n, d in book.named_destinations.items()
              if n.endswith("--cover") and not n.startswith("book--")}
    assert len(covers) == 3
    for i, text in enumerate(texts):
        numbered = f"Page {i + 1} of {len(texts)}" in text
        assert numbered == (i != 0 and i not in covers), (i, text[-80:])


def _contents_entries(reader):
    """(title line, printed number, page the link really goes to) for every contents link."""
    page = reader.pages[1]
    lines = page.extract_text().splitlines()
    dests = reader.named_destinations
    entries = []
    for annot in page.get("/Annots", []):
        name = str(annot.get_object().get("/Dest", ""))
        if name and (not entries or entries[-1][0] != name):  # one link may have several boxes
            entries.append((name, reader.get_destination_page_number(dests[name]) + 1))
    return lines, entries


def test_book_contents_numbers_equal_real_pages(fiction):
    reader = PdfReader(str(fiction / "output" / "briefing-book.pdf"))
    lines, entries = _contents_entries(reader)
    assert len(entries) >= 10
    numbers = [int(m.group(1)) for line in lines if (m := re.search(r"(\d+)\s*$", line))]
    real = [page for _, page in entries]
    assert numbers[: len(real)] == real
    for name, page in entries:
        if name.endswith("--cover"):
            assert reader.pages[page - 1].extract_text().count("SPONSOR BRIEFING") == 1


def test_bookmarks_nest_book_sponsor_section(fiction):
    reader = PdfReader(str(fiction / "output" / "briefing-book.pdf"))
    outline = reader.outline
    assert outline[0].title == "Fictional Sponsor Book"
    level1 = [item.title for item in outline[1] if not isinstance(item, list)]
    assert level1[:3] == ["Contents", "Overview", "Watch list"]
    assert level1[3:] == NAMES
    acme_children = outline[1][level1.index(NAMES[0]) + 1]
    titles = [c.title for c in acme_children if not isinstance(c, list)]
    assert titles == ["At a glance", "1  Overview", "2  Leadership", "Sources", "Appendix: Acme fact sheet"]
    appendix = acme_children[-1]
    assert "Acme fact sheet (fictional)" in reader.pages[reader.get_destination_page_number(appendix)].extract_text()


def test_overview_lists_every_sponsor(fiction):
    overview = pdf_text(fiction / "output" / "briefing-book.pdf")[2]
    for name in ("Acme Anvils (fictional)", "Globex Imaginary", "Initech Pretend"):
        assert name in overview
    assert "~$1.2 billion" in overview and "$300 million" in overview


def test_watch_list_links_go_to_the_callouts(fiction):
    reader = PdfReader(str(fiction / "output" / "briefing-book.pdf"))
    watch = reader.pages[2]  # the watch list flows on after the overview
    text = watch.extract_text()
    assert text.index("Acme anvil shortage") < text.index("Globex widget recall")  # critical first
    dests = reader.named_destinations
    links = [str(a.get_object()["/Dest"]) for a in watch.get("/Annots", []) if "/Dest" in a.get_object()]
    links = [name for name in links if "--risk-" in name]  # the overview's sponsor links share the page
    assert len(links) == 2
    for name, title in zip(links, ("Acme anvil shortage", "Globex widget recall"), strict=True):
        target = reader.get_destination_page_number(dests[name])
        assert title in reader.pages[target].extract_text()
        assert f"page {target + 1})" in text  # the one-line summary links to the full text


def test_personalised_edition_holds_only_its_sponsors(fiction):
    path = fiction / "output" / "editions" / "pat-fictional.pdf"
    texts = pdf_text(path)
    joined = " ".join(texts)
    assert "PREPARED FOR" in texts[0].upper() and "Pat Fictional, Chief Pretend Officer" in texts[0]
    footed = [t for t in texts if re.search(r"Page \d+ of", t)]
    assert len(footed) == len(texts) - 2  # all but the book cover and the chapter title page
    assert all("Prepared for Pat Fictional, Chief Pretend Officer" in t for t in footed)
    assert "Globex Imaginary" in joined
    assert "Acme Anvils" not in joined and "Initech" not in joined
    everyone = PdfReader(str(fiction / "output" / "editions" / "sam-madeup.pdf"))
    assert len(everyone.pages) == len(PdfReader(str(fiction / "output" / "briefing-book.pdf")).pages)


def test_one_pagers_are_one_page_each(fiction):
    out = fiction / "output"
    for slug in ("acme-anvils", "globex-imaginary", "initech-pretend"):
        assert len(PdfReader(str(out / f"{slug}-one-pager.pdf")).pages) == 1
    text = pdf_text(out / "acme-anvils-one-pager.pdf")[0]
    for fact in ("Acme anvil shortage", "Invented point three.", "Wile E. Example", "1,000,000"):
        assert fact in text
    book = PdfReader(str(out / "briefing-book-one-pager.pdf"))
    assert len(book.pages) == 2 + 3  # cover; contents, overview (with the terms chart) and watch list on one page


def test_overflowing_one_pager_is_reported(tmp_path):
    root = make_project(tmp_path, FICTION / "data")
    path = root / "data" / "sponsors" / "globex-imaginary.yaml"
    path.write_text(path.read_text() + "key_points:\n" + "".join(
        f"  - {'A long invented point that goes on. ' * 25}\n" for _ in range(3)))
    report = build(Options(data_dir=root / "data", out_dir=root / "out", slugs=["globex-imaginary"],
                           book=False, variant="one-pager"))
    assert not report.ok
    (name, error), = report.failed
    assert name == "globex-imaginary-one-pager.pdf"
    assert "does not fit on one page: 'key_points' overflowed onto page 2" in error
    assert not (root / "out" / "globex-imaginary-one-pager.pdf").exists()


@pytest.mark.parametrize("content,message", [
    (b"%PDF-1.4 this is not really a pdf", "is not a readable PDF"),
    (None, "does not exist"),
])
def test_broken_attachment_is_a_clear_error(tmp_path, content, message):
    root = make_project(tmp_path, FICTION / "data")
    target = root / "data" / "attachments" / "acme-factsheet.pdf"
    if content is None:
        target.unlink()
        from briefing.errors import DataError

        with pytest.raises(DataError) as err:
            build(Options(data_dir=root / "data", out_dir=root / "out", slugs=["acme-anvils"], book=False))
        assert "acme-anvils.yaml:" in str(err.value) and "attachments[0].file" in str(err.value)
        assert message in str(err.value)
        return
    target.write_bytes(content)
    report = build(Options(data_dir=root / "data", out_dir=root / "out", slugs=["acme-anvils"], book=False))
    (name, error), = report.failed
    assert "acme-anvils.yaml: attachments[0].file" in error and message in error


def test_encrypted_attachment_is_refused(tmp_path):
    from pypdf import PdfWriter

    root = make_project(tmp_path, FICTION / "data")
    target = root / "data" / "attachments" / "acme-factsheet.pdf"
    writer = PdfWriter(clone_from=str(target))
    writer.encrypt("secret")
    with open(target, "wb") as handle:
        writer.write(handle)
    report = build(Options(data_dir=root / "data", out_dir=root / "out", slugs=["acme-anvils"], book=False))
    assert "is encrypted" in report.failed[0][1]


def test_a_book_of_one_sponsor_is_still_a_book(fiction, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(fiction / "output", out)  # printed chapters are reused: only the front matter is new
    report = build(Options(data_dir=fiction / "data", out_dir=out, slugs=["globex-imaginary"], sponsors=False))
    assert report.ok and report.rendered == [], report
    texts = pdf_text(out / "briefing-book.pdf")
    assert "Fictional Sponsor Book" in texts[0] and "Contents" in texts[1]
    # one sponsor's front matter is short: contents, overview and watch list share one page
    assert "Overview" in texts[1] and "1 sponsor in this book" in texts[1] and "Watch list" in texts[1]
    assert "Globex widget recall" in texts[1]


def _cached(fiction, prefix):
    """The cached PDFs a build printed for its documents (front matter, page-number overlays), as text."""
    return {path.name: pdf_text(path) for path in sorted((fiction / "output" / ".cache").glob(f"{prefix}-*.pdf"))}


def test_editions_share_the_books_page_numbers_and_print_only_their_footer(fiction):
    # an edition is the book for one reader: its "Page X of Y" stamps are the book's (printed once
    # for every document of that length), and the reader's footer is printed once, on one page
    overlays = _cached(fiction, "overlay")
    footers = {name: pages for name, pages in overlays.items() if any("Prepared for" in p for p in pages)}
    assert sorted(" ".join(pages).strip() for pages in footers.values()) == [
        "Prepared for Pat Fictional, Chief Pretend Officer", "Prepared for Sam Madeup, Head of Make-Believe"]
    assert all(len(pages) == 1 for pages in footers.values())
    assert not any("Page" in " ".join(pages) for pages in footers.values())
    everyone = len(PdfReader(str(fiction / "output" / "editions" / "sam-madeup.pdf")).pages)
    numbers = [pages for pages in overlays.values() if any(f"of {everyone}" in p for p in pages)]
    assert len(numbers) == 1  # the book and Sam's edition (same length) share one set of numbers


def test_an_edition_of_the_whole_book_prints_its_front_matter_once(fiction):
    # the contents of an edition with the book's sponsors has the book's page numbers: it settles
    # in the first print instead of printing a guess first
    fronts = _cached(fiction, "front")
    assert len([name for name, pages in fronts.items() if "Sam Madeup" in pages[0]]) == 1
    assert len([name for name, pages in fronts.items() if "Pat Fictional" in pages[0]]) >= 1


@pytest.mark.slow  # a real build
@pytest.mark.parametrize("garbage", [b"{not json", b'{"pages": 3, "found_at": ["a list"]}', b'{"pages": "x"}'])
def test_a_damaged_settled_guess_only_costs_a_print(root, garbage):
    # the remembered page numbers are a first guess: damaged, the front matter settles as it did
    out = root / "output"
    settled = sorted((out / ".cache").glob("settled-*.json"))
    assert settled
    for path in settled:
        path.write_bytes(garbage)
    front_prints = len(list((out / ".cache").glob("front-*.pdf")))
    (out / "editions" / "sam-madeup.pdf").unlink()
    report = build(Options(data_dir=root / "data", out_dir=out, recipients="all"))
    assert report.ok, report.failed
    assert report.rebuilt == ["editions/sam-madeup.pdf"]
    assert len(list((out / ".cache").glob("front-*.pdf"))) == front_prints + 1  # the wrong guess, printed
    texts = pdf_text(out / "editions" / "sam-madeup.pdf")
    assert "Sam Madeup, Head of Make-Believe" in texts[0]
    assert any(path.read_bytes() != garbage for path in settled)  # rewritten where it settled
