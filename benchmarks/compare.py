"""Two checkouts of briefing measured side by side, run by run: did a change cost time?

    .venv/bin/python benchmarks/compare.py OLD_CHECKOUT [NEW_CHECKOUT] [--pairs 5] [--n 50]

Each checkout's own ``src/`` (on PYTHONPATH), templates and assets print the same fictional
sponsors (``run.make_project``), with this interpreter and its libraries. Two measurements, every
round running old, new and the reference back to back in rotating order, so a burst of load from
elsewhere lands on all of them:

- sample ratio: seconds per page of ``briefing build bench-01 --no-book --force --jobs 1``
  against WeasyPrint printing its own report sample (the anchor of ``run.py``);
- refresh: ``briefing build`` of an N-sponsor project (sponsor PDFs and book) after one field
  of one sponsor changed, the editor's common case.

Prints medians, min and max per side and the new/old ratio of each; writes nothing else.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import REPO, SAMPLE_PLACES, make_project, pdf_pages, run  # noqa: E402


class Side:
    """One checkout: its code on PYTHONPATH, its own copy of the fictional projects."""

    def __init__(self, name: str, checkout: Path, work: Path):
        self.name, self.checkout = name, checkout.resolve()
        self.env = dict(os.environ, PYTHONPATH=str(self.checkout / "src"), SOURCE_DATE_EPOCH="1764547200")
        self.work = work / name

    def project(self, label: str, n: int) -> Path:
        root = make_project(self.work / label, n)
        for folder in ("templates", "assets"):  # this checkout's theme, not the running one's
            subprocess.run(["rm", "-rf", str(root / folder)], check=True)
            subprocess.run(["cp", "-r", str(self.checkout / folder), str(root / folder)], check=True)
        return root

    def build(self, root: Path, *args: str) -> list[str]:
        return [sys.executable, "-m", "briefing.cli", "build", "--quiet", "--data", str(root / "data"),
                "--out", str(root / "output"), *args]

    def time(self, cmd: list[str]) -> float:
        return run(cmd, env=self.env)[0]


def summary(samples: list[float]) -> str:
    return f"median {statistics.median(samples):.3f} (min {min(samples):.3f}, max {max(samples):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the checkout to compare against (e.g. a git worktree)")
    parser.add_argument("new", type=Path, nargs="?", default=REPO, help="default: this checkout")
    parser.add_argument("--pairs", type=int, default=5, help="rounds after one warm-up round")
    parser.add_argument("--n", type=int, default=50, help="sponsors in the refresh project")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "work" / "compare")
    args = parser.parse_args()
    sample = next((p for p in SAMPLE_PLACES if p.is_file()), None)
    if sample is None:
        raise SystemExit("the WeasyPrint report sample is not next to this checkout (../shared/anchors/)")
    sides = [Side("old", args.old, args.work), Side("new", args.new, args.work)]

    # sample ratio, rounds of (sample, old, new) in rotating order
    sample_pdf = args.work / "sample.pdf"
    sample_cmd = [sys.executable, "-m", "weasyprint", str(sample), str(sample_pdf)]
    one = {side.name: side.project("one", 1) for side in sides}
    cmds = {side.name: side.build(one[side.name], "bench-01", "--no-book", "--force", "--jobs", "1")
            for side in sides}
    seconds: dict[str, list[float]] = {"sample": [], "old": [], "new": []}
    timers = {"sample": lambda: run(sample_cmd)[0], **{s.name: (lambda s=s: s.time(cmds[s.name])) for s in sides}}
    order = ["sample", "old", "new"]
    for round_ in range(args.pairs + 1):
        for name in order[round_ % 3:] + order[:round_ % 3]:
            took = timers[name]()
            if round_:  # the first round warms imports, fonts and the chart cache
                seconds[name].append(took)
    pages = {s.name: pdf_pages(one[s.name] / "output" / "bench-01.pdf") for s in sides}
    sample_pages = pdf_pages(sample_pdf)
    print(f"sample ratio ({args.pairs} rounds; our {pages['new']} pages vs the sample's {sample_pages}):")
    for side in sides:
        ratios = [(o / pages[side.name]) / (s / sample_pages)
                  for s, o in zip(seconds["sample"], seconds[side.name], strict=True)]
        print(f"  {side.name}: {statistics.median(ratios):.3f}x the sample per page "
              f"(ratios {', '.join(f'{r:.3f}' for r in ratios)}); build {summary(seconds[side.name])} s")
    print(f"  sample: {summary(seconds['sample'])} s")

    # refresh after one change, rounds of (old, new) in alternating order
    big = {side.name: side.project(f"n{args.n}", args.n) for side in sides}
    for side in sides:
        side.time(side.build(big[side.name]))
    refresh: dict[str, list[float]] = {"old": [], "new": []}
    for round_ in range(args.pairs + 1):
        for side in (sides if round_ % 2 else sides[::-1]):
            path = big[side.name] / "data" / "sponsors" / "bench-01.yaml"
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(r"(?m)^headline: .*$", f"headline: Changed headline {round_}", text, count=1),
                            encoding="utf-8")
            took = side.time(side.build(big[side.name]))
            if round_:
                refresh[side.name].append(took)
    print(f"refresh of {args.n} sponsors after one change ({args.pairs} rounds):")
    for side in sides:
        print(f"  {side.name}: {summary(refresh[side.name])} s")
    print(f"  new/old: {statistics.median(refresh['new']) / statistics.median(refresh['old']):.3f}")


if __name__ == "__main__":
    main()
