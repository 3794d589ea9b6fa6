"""Profile one sponsor's render in-process: `.venv/bin/python benchmarks/profile_render.py SLUG`.

`briefing build` renders in worker processes, so a cProfile of the CLI sees only the parent
waiting. This runs the same `render_sponsor` in this process (charts from the cache after the
first call) and prints where layout time goes, plus how often WeasyPrint laid out all pages
(`make_all_pages` reruns for `target-counter` and running strings).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def render_once(slug: str, data: Path, out: Path) -> int:
    """Print one chapter as a build's worker does (charts from the cache after the first call)."""
    from briefing.build.options import Options
    from briefing.build.pipeline import make_edition
    from briefing.data.load import load_project
    from briefing.documents.chapter import keep_for_books, print_chapter

    project = load_project(data)
    opts = Options(data_dir=data, out_dir=out, slugs=[slug], book=False, force=True, jobs=1)
    edition = make_edition(project, opts)
    return keep_for_books(edition, print_chapter(project, edition, slug, key="profile")).pages


def whole_build(slug: str, data: Path, out: Path) -> None:
    """`briefing build SLUG --no-book --force` with its worker's job run inline, so the profile
    sees the whole process: loading, charts, layout, stamping and merging."""
    from briefing.build import pipeline as build_module
    from briefing.build.pipeline import Options, build
    from briefing.processes import Outcome

    def inline(jobs, *, workers, timeout, on_start, on_done):  # type: ignore[no-untyped-def]
        for job in jobs:
            on_start(job.name)
            on_done(Outcome(job.name, True, job.func(*job.args)))

    build_module.run_jobs = inline
    report = build(Options(data_dir=data, out_dir=out, slugs=[slug], book=False, force=True, jobs=1))
    assert report.ok, report.failed


def _counting(function, calls: dict[str, int], name: str):  # type: ignore[no-untyped-def]
    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls[name] += 1
        return function(*args, **kwargs)

    return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("slug")
    parser.add_argument("--data", type=Path, default=REPO / "data")
    parser.add_argument("--save", type=Path, help="write the raw profile here")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--whole", action="store_true",
                        help="profile a whole cold `briefing build` (imports included), worker inline")
    args = parser.parse_args()
    if args.whole:
        with tempfile.TemporaryDirectory() as tmp:
            # charts cached by a first build in its own process, as in the benchmark's steady state
            subprocess.run([sys.executable, "-m", "briefing.cli", "build", "--quiet", "--data", str(args.data),
                            "--out", tmp, args.slug, "--no-book", "--jobs", "1"], check=True)
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            whole_build(args.slug, args.data, Path(tmp))
            profile.disable()
            print(f"whole build: {time.perf_counter() - started:.2f} s under cProfile (cold imports, charts cached)")
        if args.save:
            profile.dump_stats(str(args.save))
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
        return
    with tempfile.TemporaryDirectory() as tmp:
        render_once(args.slug, args.data, Path(tmp))  # warm-up: imports, fonts, chart cache
        import weasyprint.layout as layout
        from weasyprint.layout import page as layout_page

        calls = {"make_all_pages": 0, "remake_page": 0}
        layout.make_all_pages = _counting(layout.make_all_pages, calls, "make_all_pages")
        layout_page.remake_page = _counting(layout_page.remake_page, calls, "remake_page")
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        pages = render_once(args.slug, args.data, Path(tmp))
        profile.disable()
        seconds = time.perf_counter() - started
    print(f"{args.slug}: {pages} pages, {seconds:.2f} s ({seconds / pages:.3f} s/page, under cProfile); "
          f"make_all_pages ran {calls['make_all_pages']}×, "
          f"{calls['remake_page']} page layouts for {pages} pages")
    if args.save:
        profile.dump_stats(str(args.save))
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
