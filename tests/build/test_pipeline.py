"""Reproducible, incremental builds; change pages; locking; the scheduler; watch; crash safety."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FICTION, make_project, pdf_text
from pypdf import PdfReader

from briefing.build.pipeline import MANIFEST, Options, build
from briefing.cli import main
from briefing.ops.lock import run_lock

BRIEFING = [sys.executable, "-m", "briefing.cli"]


@pytest.fixture()
def project(tmp_path, fiction):
    """A fresh copy of the fictional project, with the session's built outputs."""
    root = make_project(tmp_path / "p", FICTION / "data")
    shutil.copytree(fiction / "output", root / "output")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.slow  # a real build or a server: kept out of the two-minute default run
def test_same_inputs_give_byte_identical_pdfs(fiction, tmp_path):
    out = tmp_path / "again"
    report = build(Options(data_dir=fiction / "data", out_dir=out, recipients="all"))
    assert report.ok
    for name in ("acme-anvils.pdf", "initech-pretend.pdf", "briefing-book.pdf", "editions/pat-fictional.pdf"):
        assert (out / name).read_bytes() == (fiction / "output" / name).read_bytes(), name


@pytest.mark.slow  # two real prints
def test_only_a_run_that_prints_again_warms_weasyprint_for_a_lone_chapter(project, monkeypatch):
    """The `build` command prints a lone chapter in the worker it forked as it started
    (processes.Held): a warm-up in its parent would be paid for nothing. A process that builds
    again (serve, watch) warms once, so that every later worker forks warm."""
    import briefing.build.pipeline as pipeline

    warmed: list[int] = []
    monkeypatch.setattr(pipeline, "warm_weasyprint", lambda: warmed.append(1))
    sponsor = project / "data" / "sponsors" / "acme-anvils.yaml"
    for once, value, expected in ((True, "Changed once", []), (False, "Changed again", [1])):
        text = sponsor.read_text()
        sponsor.write_text(text.replace("headline: ", f"headline: {value} ", 1))
        report = build(Options(data_dir=project / "data", out_dir=project / "output", book=False, once=once))
        assert report.ok and report.rendered == ["acme-anvils"]
        assert warmed == expected, once


@pytest.mark.slow  # a real print
def test_the_build_command_draws_a_lone_chapters_charts_while_its_worker_starts(project):
    """The build's own process draws them (in parallel with the held worker's import of
    WeasyPrint); the worker's print finds every chart drawn."""
    edit(project / "data" / "sponsors" / "acme-anvils.yaml", "Anvils: 10,", "Anvils: 11,")
    report = build(Options(data_dir=project / "data", out_dir=project / "output", book=False, once=True))
    assert report.ok and report.rendered == ["acme-anvils"]
    assert report.charts_drawn == 1  # the one chart whose value changed, counted once
    metas = [p for p in (project / "output").rglob("acme-anvils.json") if "charts_drawn" in p.read_text()]
    meta = json.loads(max(metas, key=lambda p: p.stat().st_mtime_ns).read_text())  # this print's
    assert meta["charts_drawn"] == 0  # none left for the worker to draw


def test_a_run_with_no_change_renders_nothing(project):
    report = build(Options(data_dir=project / "data", out_dir=project / "output", recipients="all"))
    assert report.ok and report.rendered == [] and report.rebuilt == []
    assert len(report.reused) == 6


def test_one_changed_sponsor_rebuilds_only_what_contains_it(project):
    edit(project / "data" / "sponsors" / "globex-imaginary.yaml", 'value: "42"', 'value: "43"')
    before = (project / "output" / "acme-anvils.pdf").stat().st_mtime_ns
    report = build(Options(data_dir=project / "data", out_dir=project / "output", recipients="all"))
    assert report.rendered == ["globex-imaginary"]
    assert sorted(report.rebuilt) == ["briefing-book.pdf", "editions/pat-fictional.pdf",
                                      "editions/sam-madeup.pdf", "globex-imaginary.pdf"]
    assert (project / "output" / "acme-anvils.pdf").stat().st_mtime_ns == before
    manifest = json.loads((project / "output" / MANIFEST).read_text())
    assert set(manifest["outputs"]) >= {"acme-anvils.pdf", "globex-imaginary.pdf", "briefing-book.pdf"}


@pytest.mark.slow  # a real build or a server: kept out of the two-minute default run
def test_a_build_without_a_book_leaves_the_book_pages_to_the_next_book(project, tmp_path):
    """A build that binds no book prepares no book pages (and drops those of the chapter's earlier
    print); the next book build prepares them from the chapter it kept, without printing it again,
    and binds the same book as a build from nothing."""
    out = project / "output"
    [chapter] = [p for p in (out / ".build").rglob("globex-imaginary.pdf") if "/full/" in p.as_posix()]
    book_pages = chapter.with_name("globex-imaginary.book.pdf")
    assert book_pages.is_file()  # a normal build keeps them
    edit(project / "data" / "sponsors" / "globex-imaginary.yaml", 'value: "42"', 'value: "43"')
    report = build(Options(data_dir=project / "data", out_dir=out, slugs=["globex-imaginary"], book=False))
    assert report.ok and report.rendered == ["globex-imaginary"], report.failed
    assert chapter.is_file() and not book_pages.exists()
    printed = chapter.read_bytes()

    report = build(Options(data_dir=project / "data", out_dir=out))
    assert report.ok and report.rendered == [] and "briefing-book.pdf" in report.rebuilt, report.failed
    assert chapter.read_bytes() == printed and book_pages.is_file()
    assert "43" in " ".join(pdf_text(out / "briefing-book.pdf"))
    fresh = build(Options(data_dir=project / "data", out_dir=tmp_path / "fresh", book=True))
    assert fresh.ok, fresh.failed
    assert (out / "briefing-book.pdf").read_bytes() == (tmp_path / "fresh" / "briefing-book.pdf").read_bytes()


def test_unchanged_charts_are_not_drawn_again(project):
    report = build(Options(data_dir=project / "data", out_dir=project / "output", slugs=["acme-anvils"],
                           book=False, force=True))
    assert report.rendered == ["acme-anvils"] and report.charts_drawn == 0


@pytest.mark.slow  # a real build or a server: kept out of the two-minute default run
def test_new_edition_gets_a_change_page_in_plain_words(project):
    data = project / "data"
    edit(data / "book.yaml", "edition: 2026-11-01", "edition: 2026-11-15")
    edit(data / "sponsors" / "globex-imaginary.yaml", 'value: "42"', 'value: "43"')
    edit(data / "sponsors" / "globex-imaginary.yaml", "  - title: People",
         "  - title: Milano Cortina 2026\n    blocks:\n      - text: New.\n  - title: People")
    report = build(Options(data_dir=data, out_dir=project / "output", slugs=["globex-imaginary", "acme-anvils"]))
    assert report.ok, report.failed
    pages = pdf_text(project / "output" / "globex-imaginary.pdf")
    change = next(p for p in pages if "Changes since 1 November 2026" in p)
    assert "Widgets: 42 → 43" in change and "New section: Milano Cortina 2026" in change
    acme = pdf_text(project / "output" / "acme-anvils.pdf")
    assert not any("Changes since" in p for p in acme)  # nothing changed for acme: no page
    book = pdf_text(project / "output" / "briefing-book.pdf")
    assert any("Changes since 1 November 2026" in p and "Globex Imaginary" in p for p in book[:6])
    result = CliRunner().invoke(main, ["changes", "--data", str(data), "--out", str(project / "output"), "--json"])
    summary = json.loads(result.output)
    assert summary["since"] == "2026-11-01"
    assert summary["sponsors"] == {"globex-imaginary": ["Widgets: 42 → 43", "New section: Milano Cortina 2026"]}


def test_first_edition_has_no_change_page(fiction):
    assert not any("Changes since" in p for p in pdf_text(fiction / "output" / "acme-anvils.pdf"))


def test_overlapping_run_exits_3_or_waits(project):
    out = project / "output"
    args = ["build", "--data", str(project / "data"), "--out", str(out), "globex-imaginary", "--no-book"]
    with run_lock(out):
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 3 and "another briefing run is using" in result.output

    held = threading.Event()

    def hold() -> None:
        with run_lock(out):
            held.set()
            time.sleep(1.0)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    started = time.monotonic()
    result = CliRunner().invoke(main, [*args, "--wait"])
    thread.join()
    assert result.exit_code == 0 and time.monotonic() - started >= 0.5


def test_lock_of_a_killed_process_does_not_block(project):
    out = project / "output"
    code = ("from briefing.ops.lock import run_lock; import os, pathlib\n"
            f"with run_lock(pathlib.Path({str(out)!r})): os.kill(os.getpid(), 9)")
    subprocess.run([sys.executable, "-c", code], check=False)
    with run_lock(out):
        pass


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.splitlines() if line.startswith("{")]


@pytest.mark.slow  # a real build or a server: kept out of the two-minute default run
def test_watch_rebuilds_after_a_save(project):
    out = project / "output"
    target = out / "globex-imaginary.pdf"
    process = subprocess.Popen([*BRIEFING, "watch", "--data", str(project / "data"), "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(4)  # first (no-op) build and the watcher starting
        before = target.read_bytes()
        edit(project / "data" / "sponsors" / "globex-imaginary.yaml", 'value: "42"', 'value: "44"')
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and target.read_bytes() == before:
            time.sleep(0.3)
        assert target.read_bytes() != before
        assert "44" in " ".join(pdf_text(target))
    finally:
        process.terminate()
        process.wait(timeout=20)


def _kill_when_writing(process: subprocess.Popen, out: Path, limit: float) -> bool:
    """SIGKILL the build (and its workers) the moment a temporary file appears in ``out``:
    that is a write in progress. Return True when one was seen."""
    deadline = time.monotonic() + limit
    left_by_earlier_kills = set(out.rglob(".*.tmp"))
    seen = False
    while time.monotonic() < deadline and process.poll() is None:
        if set(out.rglob(".*.tmp")) - left_by_earlier_kills:
            seen = True
            break
        time.sleep(0.0005)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return seen


@pytest.mark.slow
def test_killing_builds_never_leaves_a_torn_pdf_or_manifest(project):
    out = project / "output"
    data = project / "data"
    value = "1,000,000"
    mid_write = 0
    for i in range(6):
        edit(data / "sponsors" / "acme-anvils.yaml", f'value: "{value}"', f'value: "{i + 2},000,000"')
        value = f"{i + 2},000,000"
        process = subprocess.Popen([*BRIEFING, "build", "--quiet", "--data", str(data), "--out", str(out)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        mid_write += _kill_when_writing(process, out, limit=30)
        for pdf in out.rglob("*.pdf"):
            assert len(PdfReader(str(pdf)).pages) > 0, pdf  # every PDF there opens
        json.loads((out / MANIFEST).read_text())  # old or new, never torn
    assert mid_write >= 3, "the builds were not killed while writing"
    report = build(Options(data_dir=data, out_dir=out, recipients="all"))
    assert report.ok
    manifest = json.loads((out / MANIFEST).read_text())
    import hashlib

    for name, entry in manifest["outputs"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"], name
    assert "7,000,000" in " ".join(pdf_text(out / "acme-anvils.pdf"))
    assert not list(out.rglob("*.tmp"))  # what killed runs left half-written is cleared


def test_full_disk_is_a_clear_error_and_keeps_old_outputs(project):
    out = project / "output"
    good = (out / "globex-imaginary.pdf").read_bytes()
    edit(project / "data" / "sponsors" / "globex-imaginary.yaml", 'value: "42"', 'value: "45"')

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = subprocess.run([*BRIEFING, "build", "globex-imaginary", "--no-book", "--data", str(project / "data"),
                             "--out", str(out)], capture_output=True, text=True, preexec_fn=small_files)
    assert result.returncode == 1
    assert "File too large" in result.stderr
    assert (out / "globex-imaginary.pdf").read_bytes() == good


@pytest.mark.slow  # a real build or a server: kept out of the two-minute default run
def test_the_sponsor_pdf_is_announced_before_its_book_pages_are_prepared(project, monkeypatch):
    """The preview shows a saved sponsor's PDF as soon as it is written: its worker says so before
    preparing the chapter's pages for the book. Here the worker cannot prepare them until the
    build's progress has announced the sponsor PDF."""
    from briefing.build import pipeline

    announced = project / "announced"
    real = pipeline.keep_for_books

    def keep_after_the_announcement(edition, chapter, **kwargs):  # runs in the forked worker
        deadline = time.monotonic() + 20
        while not announced.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the sponsor PDF was not announced while its worker ran")
            time.sleep(0.02)
        return real(edition, chapter, **kwargs)

    def progress(event: str, name: str, seconds: float | None = None) -> None:
        if event == "done" and name == "globex-imaginary.pdf":
            announced.write_text("yes")

    monkeypatch.setattr(pipeline, "keep_for_books", keep_after_the_announcement)
    edit(project / "data" / "sponsors" / "globex-imaginary.yaml", 'value: "42"', 'value: "43"')
    report = build(Options(data_dir=project / "data", out_dir=project / "output"), progress=progress)
    assert report.ok, report.failed
    assert sorted(report.rebuilt) == ["briefing-book.pdf", "globex-imaginary.pdf"]
    assert "43" in " ".join(pdf_text(project / "output" / "briefing-book.pdf"))


@pytest.mark.slow  # a real build or a server: kept out of the two-minute default run
def test_a_stylesheet_edit_prints_the_book_front_matter_again(project):
    """The front matter is kept by what it is printed from: its HTML and the theme, so that an
    edited stylesheet is not answered with the front matter printed before the edit."""
    css = project / "assets" / "css" / "book.css"
    css.write_text(css.read_text() + '\nh1::after { content: " (restyled)" }\n')
    report = build(Options(data_dir=project / "data", out_dir=project / "output"))
    assert report.ok and "briefing-book.pdf" in report.rebuilt, report.failed
    assert "(restyled)" in " ".join(pdf_text(project / "output" / "briefing-book.pdf")[:4])
