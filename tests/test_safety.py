"""Hostile input is normal input: it prints literally, or is refused with a clear error."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import FICTION, REPO, make_project, normalise, pdf_text
from pypdf import PdfReader

from briefing.errors import BriefingError, DataError, RenderError
from briefing.files import write_atomic
from briefing.pdf.fetcher import SafeFetcher
from briefing.pdf.printer import print_html
from briefing.processes import Job, run_jobs


def test_hostile_text_prints_literally(fiction):
    path = fiction / "output" / "initech-pretend.pdf"
    text = " ".join(pdf_text(path))
    flat = normalise(text)
    for literal in ("<script>alert(1)</script>", "<img src=file:///etc/passwd>",
                    '<iframe src="http://169.254.169.254/"></iframe>', "{{ 7 * 7 }}",
                    "Hostile <b>input</b>", "$x^2$", "Deal $800 million vs $137.3 billion"):
        assert normalise(literal) in flat, literal
    assert "伊尼科技" in text and "阿里巴巴 label" in text  # CJK in text and in a chart label
    assert "$800 million" in text  # the chart label, not mathtext
    one_pager = pdf_text(fiction / "output" / "initech-pretend-one-pager.pdf")[0]
    assert "שלום" in one_pager or "םולש" in one_pager  # right-to-left text has glyphs
    assert normalise("Supercalifragilisticexpialidocious" * 3) in flat  # long word wrapped, not lost


def test_hostile_links_are_not_links(fiction):
    reader = PdfReader(str(fiction / "output" / "initech-pretend.pdf"))
    uris = [str(a.get_object()["/A"].get("/URI", "")) for p in reader.pages for a in p.get("/Annots", [])
            if "/A" in a.get_object()]
    assert not [u for u in uris if not u.startswith("https://")]
    raw = (fiction / "output" / "initech-pretend.pdf").read_bytes()
    assert b"/EmbeddedFiles" not in raw and b"root:x:0" not in raw


@pytest.fixture()
def roots(tmp_path):
    allowed = tmp_path / "assets"
    allowed.mkdir()
    (allowed / "ok.css").write_text("p {}")
    (tmp_path / "secret.css").write_text("secret")
    (allowed / "link.css").symlink_to(tmp_path / "secret.css")
    return allowed


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://169.254.169.254/latest", "https://example.org/x.css",
    "ftp://example.org/x", "data:text/css,p{}", "chart:nope",
])
def test_fetcher_refuses_everything_outside(roots, url):
    fetcher = SafeFetcher([roots])
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.denied


def test_fetcher_resolves_dotdot_encoded_dots_and_symlinks(roots):
    fetcher = SafeFetcher([roots])
    base = roots.as_uri()
    for url in (f"{base}/../secret.css", f"{base}/%2e%2e/secret.css", f"{base}/link.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.denied) == 3
    assert fetcher.fetch(f"{base}/ok.css").read() == b"p {}"


def test_render_fails_on_a_refused_fetch(roots):
    html = '<p>x</p><img src="file:///etc/passwd">'
    with pytest.raises(RenderError, match="refused to read file:///etc/passwd"):
        print_html(html, base=roots, roots=[roots], what="data/sponsors/x.yaml")


def test_render_fails_on_missing_glyphs(roots):
    html = "<p style='font-family: nonexistent'>\U0001F680\U0001F6F8</p>"
    with pytest.raises(RenderError, match="no glyph"):
        print_html(html, base=roots, roots=[roots])


def test_logo_symlinked_outside_assets_is_refused(tmp_path):
    root = make_project(tmp_path, FICTION / "data")
    logo = root / "assets" / "logos" / "acme-fictional.svg"
    logo.unlink()
    logo.symlink_to("/etc/hostname")
    from briefing.data.load import load_project

    with pytest.raises(DataError) as err:
        load_project(root / "data")
    assert "acme-anvils.yaml:6:34: brand.logo:" in str(err.value) and "outside assets/" in str(err.value)


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def test_a_hanging_render_is_stopped_and_others_finish():
    outcomes = {o.name: o for o in run_jobs([Job("hang", _sleep, (30,)), Job("quick", _sleep, (0,))],
                                       workers=2, timeout=1.0)}
    assert not outcomes["hang"].ok and "timed out after 1 s" in outcomes["hang"].error
    assert outcomes["quick"].ok and outcomes["quick"].value == "woke"


def test_atomic_write_keeps_the_old_file_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "a.pdf"
    write_atomic(target, b"good")

    def boom(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(BriefingError, match="No space left on device"):
        write_atomic(target, b"half")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_build_refuses_unknown_sponsor(tmp_path):
    from briefing.build.pipeline import Options, build

    with pytest.raises(BriefingError, match="unknown sponsor"):
        build(Options(data_dir=REPO / "data", out_dir=tmp_path, slugs=["nobody"]))


def test_markdown_cannot_become_markup():
    from briefing.render.markup import markdown

    html = str(markdown("<script>x</script> [a](file:///etc/passwd) ![i](file:///x.png) [ok](https://e.org)"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="file:' not in html and "<img" not in html
    assert 'href="https://e.org"' in html


def test_unreadable_data_file_path_is_reported(tmp_path):
    from briefing.data.yamlsafe import load_file

    with pytest.raises(DataError, match="cannot read file"):
        load_file(Path(tmp_path / "missing.yaml"))


def test_printing_in_a_worker_leaves_no_font_copies_behind(tmp_path, monkeypatch):
    """WeasyPrint copies @font-face fonts to a temporary folder per document; a worker ends with
    os._exit, so nothing but print_html itself can remove it (it left ~17 MB per chapter)."""
    import tempfile

    from conftest import REPO

    from briefing.processes import Job, run_jobs

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    html = ('<html lang="en"><head><title>Fonts</title><link rel="stylesheet" href="assets/css/sponsor.css">'
            '</head><body><p>Invented text in the shipped fonts.</p></body></html>')
    def job() -> int:
        return print_html(html, base=REPO, roots=[REPO / "assets"], what="fonts").pages

    (outcome,) = run_jobs([Job("fonts", job, ())], workers=1, timeout=120)
    assert outcome.ok and outcome.value == 1, outcome.error
    assert not list(tmp_path.glob("weasyprint-*"))
