"""A project overrides the package's theme file by file: the pages an override draws change, no
others do, and editing it rebuilds what it affects and nothing else."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner
from conftest import REPO, pdf_text

from briefing.build.pipeline import Options, build
from briefing.cli import main
from briefing.ops.new import new_project
from briefing.ops.overrides import copy_default
from briefing.pdf.fetcher import SafeFetcher
from briefing.theme import Theme, default_root


def page_images(pdf: Path) -> list[str]:
    """A hash of each page as pixels (the shipped fonts make them the same on every machine)."""
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        return [hashlib.sha256(doc[i].render(scale=0.5).to_pil().tobytes()).hexdigest() for i in range(len(doc))]
    finally:
        doc.close()


def changed_pages(before: list[str], after: list[str]) -> list[int]:
    assert len(before) == len(after)
    return [i + 1 for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]


@pytest.fixture()
def project(tmp_path) -> Path:
    """A project as `briefing new` makes it, not built."""
    root = tmp_path / "p"
    new_project(root)
    return root


def _rebuild(root: Path):
    report = build(Options(data_dir=root / "data", out_dir=root / "output", jobs=1))
    assert report.ok, report.failed
    return report


def test_the_package_carries_the_theme_and_the_checkout_reads_it_in_place():
    root = default_root()
    for rel in ("templates/book.html", "assets/css/print/_tokens.css", "assets/fonts/OFL.txt"):
        assert (root / rel).is_file()
    # this repository is a project like any other: its own folders are the default theme, not overrides
    assert (root / "templates").resolve() == (REPO / "templates").resolve()
    assert not [f.rel for f in Theme(REPO).files() if f.overridden]


@pytest.mark.slow
def test_overriding_one_partial_changes_only_its_pages_and_rebuilds_only_what_it_draws(project):
    _rebuild(project)
    out = project / "output"
    book_before, sponsor_before = page_images(out / "briefing-book.pdf"), page_images(out / "example-anvils.pdf")

    cover = copy_default(project, "templates/partials/book_cover.html")
    cover.write_text(cover.read_text().replace("book.subtitle", '"Our own cover"'))
    report = _rebuild(project)
    assert report.rebuilt == ["briefing-book.pdf"] and report.rendered == []  # no chapter printed again
    assert changed_pages(book_before, page_images(out / "briefing-book.pdf")) == [1]
    assert page_images(out / "example-anvils.pdf") == sponsor_before

    cover.write_text(cover.read_text().replace("Our own cover", "Our cover, edited"))
    assert _rebuild(project).rebuilt == ["briefing-book.pdf"]
    assert _rebuild(project).rebuilt == []  # nothing changed: nothing built

    # the sponsor's cover is drawn on the sponsor PDF's first page and on its first page in the book
    book_before = page_images(out / "briefing-book.pdf")
    own = copy_default(project, "templates/partials/sponsor_cover.html")
    own.write_text(own.read_text().replace('"Sponsor briefing"', '"Partner briefing"'))
    report = _rebuild(project)
    assert sorted(report.rebuilt) == ["briefing-book.pdf", "example-anvils.pdf"] and report.rendered
    assert changed_pages(sponsor_before, page_images(out / "example-anvils.pdf")) == [1]
    (page,) = changed_pages(book_before, page_images(out / "briefing-book.pdf"))
    assert "partner briefing" in pdf_text(out / "briefing-book.pdf")[page - 1].lower()  # the chapter cover


def test_an_override_of_a_stylesheet_or_font_is_read_before_the_packages(project, tmp_path):
    theme = Theme(project)
    css = project / "assets" / "css" / "print" / "_covers.css"
    assert theme.find("assets/css/print/_covers.css") == default_root() / "assets/css/print/_covers.css"
    fetcher = SafeFetcher(theme.roots, overlays=theme.overlays)
    shipped = fetcher.fetch((project / "assets/css/print/_covers.css").as_uri())
    assert shipped.read() == (default_root() / "assets/css/print/_covers.css").read_bytes()
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text("/* ours */")
    assert fetcher.fetch(css.as_uri()).read() == b"/* ours */"
    assert theme.find("assets/css/print/_covers.css") == css
    # a symbolic link out of the project is refused, as before
    secret = tmp_path / "secret.css"
    secret.write_text("x")
    link = project / "assets" / "css" / "leak.css"
    link.symlink_to(secret)
    with pytest.raises(ValueError, match="outside templates/"):
        fetcher.fetch(link.as_uri())
    link.unlink()
    css.unlink()
    # a font of the project replaces the package's of the same name
    fonts = project / "assets" / "fonts"
    fonts.mkdir(exist_ok=True)
    shutil.copy(default_root() / "assets/fonts/NotoSans-Bold.ttf", fonts / "NotoSans-Regular.ttf")
    try:
        chosen = {f.name: f for f in theme.font_files()}
        assert chosen["NotoSans-Regular.ttf"] == fonts / "NotoSans-Regular.ttf"
        assert chosen["NotoSerif-Regular.ttf"].is_relative_to(default_root().resolve()) or \
            chosen["NotoSerif-Regular.ttf"].parent == default_root() / "assets" / "fonts"
    finally:
        shutil.rmtree(fonts)


def test_theme_list_and_copy(project):
    if not (project / "templates/partials/book_cover.html").exists():
        copy_default(project, "templates/partials/book_cover.html")
    runner = CliRunner()
    listed = runner.invoke(main, ["theme", "list", "--data", str(project / "data")])
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert "default  templates/book.html" in lines
    assert "project  templates/partials/book_cover.html" in lines  # copied by the test above
    assert "project  assets/logos/example-organisation.svg  (added by the project)" in lines
    again = runner.invoke(main, ["theme", "copy", "templates/partials/book_cover.html", "--data",
                                 str(project / "data")])
    assert again.exit_code == 2 and "exists already" in again.stderr
    nothing = runner.invoke(main, ["theme", "copy", "templates/nothing.html", "--data", str(project / "data")])
    assert nothing.exit_code == 2 and "is not a file of the default theme" in nothing.stderr
    doctor = runner.invoke(main, ["doctor", "--data", str(project / "data"), "--out", str(project / "output")])
    assert doctor.exit_code == 0, doctor.output
    assert f"ok:   templates/partials/book_cover.html from {project / 'templates/partials/book_cover.html'}" \
        in doctor.stdout.splitlines()


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    result = CliRunner().invoke(main, ["new", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path} is not empty; name a new or empty folder (nothing was written)\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_the_example_sponsor_shows_every_block_kind(tmp_path):
    from briefing.data.load import load_project
    from briefing.data.model import BLOCK_KINDS, walk_blocks

    new_project(tmp_path / "p")
    project = load_project(tmp_path / "p" / "data")
    (sponsor,) = project.sponsors.values()
    assert {block.kind for _, block in walk_blocks(sponsor)} == set(BLOCK_KINDS)
    assert "fictional" in sponsor.name
    assert all(r.email.endswith("@example.org") for r in project.distribution.recipients)
