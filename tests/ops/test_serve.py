"""`briefing serve`: the preview page, driven in the machine's real Chromium through Playwright.

The server runs as a real subprocess (`briefing serve --port 0`) over a throw-away project with
two tiny fictional sponsors; edits are real file saves that the server's watcher picks up.
Screenshots go to the test's temporary folder (printed) so a person can look at them.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"]

BOOK = """title: Fictional Preview Book
organisation: Example Partnerships (fictional)
edition: 2026-11-28
sponsors: [anvil-co, kite-co]
"""
SPONSOR = """name: {name} (fictional)
as_of: 2026-10
headline: An invented company
summary: {name} is an invented company for testing the preview page.
key_points:
  - Invented point one.
sections:
  - title: Overview
    blocks:
      - text: Nothing here is real.
sources:
  - {{id: site, title: Invented website}}
"""


def _project(root: Path) -> Path:
    for folder in ("templates", "assets"):
        os.symlink(REPO / folder, root / folder)  # read-only use; the build never writes there
    sponsors = root / "data" / "sponsors"
    sponsors.mkdir(parents=True)
    (root / "data" / "book.yaml").write_text(BOOK)
    (sponsors / "anvil-co.yaml").write_text(SPONSOR.format(name="Anvil Co"))
    (sponsors / "kite-co.yaml").write_text(SPONSOR.format(name="Kite Co"))
    return root


@pytest.fixture
def server(tmp_path):
    """A running `briefing serve` and its project folder; stopped with SIGTERM afterwards."""
    root = _project(tmp_path)
    briefing = Path(sys.executable).with_name("briefing")
    proc = subprocess.Popen([str(briefing), "serve", "--port", "0", "--jobs", "1"], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert match, line
    yield match.group(0), root
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0  # stops cleanly, even with an event stream open


def _wait_http(url: str, predicate, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        body = urllib.request.urlopen(url, timeout=10).read().decode()  # noqa: S310 (loopback)
        if predicate(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.3)


@pytest.mark.slow
def test_serves_loopback_html_without_javascript_and_only_listed_pdfs(server):
    url, root = server
    body = _wait_http(url, lambda b: 'class="cards"' in b, 120)
    # the HTML as served lists both sponsors and the book, with thumbnail images
    assert "Anvil Co (fictional)" in body and "Kite Co (fictional)" in body and "Fictional Preview Book" in body
    thumbs = re.findall(r'<img src="(/img/[^"]+)"', body)
    assert len(thumbs) >= 3
    png = urllib.request.urlopen(url + thumbs[0].lstrip("/"), timeout=10).read()  # noqa: S310
    assert png.startswith(b"\x89PNG")
    # nothing but the build's own PDFs can be read through the image route
    (root / "output" / "secret.pdf").write_bytes((root / "output" / "anvil-co.pdf").read_bytes())
    for bad in ("img/secret.pdf/1-180.png", "img/..%2Fdata%2Fbook.yaml/1-180.png",
                "img/anvil-co.pdf/99-180.png", "img/anvil-co.pdf/1-5000.png", "nothing"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + bad, timeout=10)  # noqa: S310
        assert err.value.code == 404


@pytest.mark.slow
def test_preview_page_follows_saves_in_chromium(server, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium; run ./setup.sh --test")
    from playwright.sync_api import expect, sync_playwright

    url, root = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    anvil = root / "data" / "sponsors" / "anvil-co.yaml"
    good = anvil.read_text()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(url)
        # 1. the first build ends and the page fills in by itself: titles and loaded thumbnails
        card = page.locator('[data-pdf="anvil-co.pdf"]')
        expect(card).to_contain_text("Anvil Co (fictional)", timeout=120_000)
        thumb = card.locator("img").first
        expect(thumb).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=thumb.element_handle())
        page.screenshot(path=str(shots / "1-loaded.png"), full_page=True)

        # 2. a saved change reaches the open page without a reload
        page.evaluate("window.marker = 'same page'")
        started = time.monotonic()
        anvil.write_text(good.replace("name: Anvil Co (fictional)", "name: Anvil Works (fictional)"))
        expect(card).to_contain_text("Anvil Works (fictional)", timeout=60_000)
        updated = time.monotonic() - started
        assert page.evaluate("window.marker") == "same page"  # updated in place, not reloaded
        page.screenshot(path=str(shots / "2-updated.png"), full_page=True)

        # 3. an invalid save shows the located error instead of the (now stale) pages
        anvil.write_text(good.replace("as_of: 2026-10", "as_of: 2026-10\n\theadline: tabbed"))
        errors = page.locator(".errors")
        expect(errors).to_contain_text("data/sponsors/anvil-co.yaml:3:1", timeout=30_000)
        expect(errors).to_contain_text("tab character")
        expect(page.locator("img")).to_have_count(0)
        page.screenshot(path=str(shots / "3-error.png"), full_page=True)

        # 4. fixing the file brings the pages back
        anvil.write_text(good)
        expect(card).to_contain_text("Anvil Co (fictional)", timeout=60_000)
        expect(page.locator(".errors")).to_have_count(0)

        # 5. one sponsor's pages, large, on click
        card.locator("h2 a").click()
        large = page.locator(".pages img").first
        expect(large).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth >= 900", arg=large.element_handle())
        page.screenshot(path=str(shots / "4-pages.png"), full_page=False)

        # 6. without JavaScript the page as served still lists the PDFs with their thumbnails
        plain = browser.new_context(java_script_enabled=False).new_page()
        plain.goto(url)
        expect(plain.locator(".card")).to_have_count(3)
        plain.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
        browser.close()
    print(f"\nscreenshots in {shots}; saved change shown after {updated:.1f} s")
    assert updated < 30


def test_page_escapes_data_and_shows_errors_instead_of_pages():
    from briefing.errors import Problem
    from briefing.ops.serve import Entry, State, page

    hostile = '<script>alert("x")</script>'
    entry = Entry("acme.pdf", hostile, 2, 123)
    html = page(State(version=3, building=False, entries=(entry,), finished="10:00:00"))
    assert hostile not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert html.count('<img src="/img/acme.pdf/') == 2 and 'data-version="3"' in html
    error = Problem("data/sponsors/acme.yaml", f"bad {hostile}", 4, 7, "headline")
    html = page(State(version=4, building=False, entries=(entry,), errors=(error,), finished="10:00:01"))
    assert "<img" not in html and hostile not in html
    assert "data/sponsors/acme.yaml:4:7</span>: <code>headline</code>:" in html
    # the only script is the live-update file; the page itself is complete without it
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/live.js">']


@pytest.mark.slow  # a real build or a server: kept out of the two-minute default run
def test_a_saved_sponsor_is_shown_before_the_book_is_bound(tmp_path):
    """The editor waits for the sponsor they saved: its new pages are published (and the page
    told) as soon as its PDF is written, while the build still binds the book."""
    from briefing.ops.serve import Preview

    root = _project(tmp_path)
    preview = Preview(root / "data", root / "output", jobs=1)
    preview.rebuild()
    before = {e.name: e.stamp for e in preview.state.entries}
    assert set(before) == {"anvil-co.pdf", "kite-co.pdf", "briefing-book.pdf"} and all(before.values())
    seen = []
    publish = preview._publish

    def record(**changes):
        publish(**changes)
        seen.append(preview.state)

    preview._publish = record
    anvil = root / "data" / "sponsors" / "anvil-co.yaml"
    anvil.write_text(anvil.read_text().replace("Invented point one.", "Invented point two."))
    preview.rebuild()
    early = [s for s in seen if s.building and {e.name: e.stamp for e in s.entries}.get("anvil-co.pdf")
             not in (None, before["anvil-co.pdf"])]
    assert early, "the new anvil-co.pdf was shown only when the whole build had ended"
    stamps = {e.name: e.stamp for e in early[0].entries}
    assert stamps["briefing-book.pdf"] == before["briefing-book.pdf"]  # the book: still the last one
    final = {e.name: e.stamp for e in seen[-1].entries}
    assert not seen[-1].building and final["anvil-co.pdf"] == stamps["anvil-co.pdf"]
    assert final["briefing-book.pdf"] != before["briefing-book.pdf"]
