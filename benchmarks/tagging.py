"""Cost of tagging, measured in one run: `.venv/bin/python benchmarks/tagging.py [N ...]` (default 10 50).

Builds N fictional sponsors (benchmarks/run.py's generator: Alibaba-shaped files, every word
replaced) twice, each step in a fresh process:

- untagged: the last code that printed untagged PDFs and joined them with plain qpdf page
  copying (the first parent of the commit that merged tagging, "Merge a11y: …"; on a branch
  without it, `git merge-base HEAD main`), unpacked with `git archive`;
- tagged: this working tree (PDF/UA-1 from WeasyPrint, joined by ``structmerge``).

Each uses its own commit's templates and CSS (today's templates may need filters the older code
lacks), so the untagged numbers are exactly what that commit printed. For
each: sponsor PDFs alone (`--no-book --jobs 2`, charts drawn cold), then the book on its own
(chapters already printed: what is left is the front matter, the overlay and the merge).
Reports wall seconds, peak RSS of the largest process and output size, as JSON lines and a
Markdown table; `--results FILE` also writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import make_project, run  # noqa: E402 - the shared generator and timed-process helper


def baseline_source(work: Path) -> tuple[Path, str]:
    """The untagged code: src/ of the commit just before tagging was merged."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    merged = git("rev-parse", "--verify", "-q", "HEAD^{/^Merge a11y}")
    base = git("rev-parse", f"{merged}^1") if merged else git("merge-base", "HEAD", "main")
    # its templates and assets too: the templates of today may use filters the old code lacks
    archive = subprocess.run(["git", "archive", base, "src", "templates", "assets"], cwd=REPO, capture_output=True,
                             check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(work / "untagged", filter="data")
    return work / "untagged" / "src", base[:10]


def step(src: Path, project: Path, out: Path, *args: str) -> dict[str, float]:
    """One `briefing build` in a fresh process: wall seconds and peak RSS (MB) of the largest process."""
    env = dict(os.environ, PYTHONPATH=str(src))  # ahead of the editable install on sys.path
    cmd = [sys.executable, "-m", "briefing.cli", "build", "--quiet", "--jobs", "2",
           "--data", str(project / "data"), "--out", str(out), *args]
    seconds, peak_mb = run(cmd, env=env)
    return {"seconds": round(seconds, 2), "peak_mb": round(peak_mb, 1)}


def measure(mode: str, src: Path, project: Path, out: Path, n: int) -> dict:
    sponsors = step(src, project, out, "--no-book")
    book = step(src, project, out, "--book-only")
    pdf = out / "briefing-book.pdf"
    tagged = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {"mode": mode, "n": n, "sponsors": sponsors, "book": book,
            "book_cost": round((sponsors["seconds"] + book["seconds"]) / sponsors["seconds"], 3),
            "book_mb": round(pdf.stat().st_size / 1e6, 1), "tagged": "Tagged:          yes" in tagged}


def table(rows: list[dict]) -> str:
    lines = ["| N | build | sponsor PDFs | book alone | full / sponsors | peak RSS | book size |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        peak = max(r["sponsors"]["peak_mb"], r["book"]["peak_mb"])
        lines.append(f"| {r['n']} | {r['mode']} | {r['sponsors']['seconds']} s | {r['book']['seconds']} s | "
                     f"{r['book_cost']}× | {peak} MB | {r['book_mb']} MB |")
    return "\n".join(lines)


NEWER_FIELDS = ("source",)  # sponsor fields added after the untagged commit, which would refuse them
NEWER_BLOCK_FIELDS = {"chart": ("targets",), "table": ("source",)}  # and block fields, by block kind


def _without_newer(value: Any, key: str = "") -> bool:
    """Drop the block fields the untagged checkout predates, in place; True if any was there."""
    dropped = False
    if isinstance(value, dict):
        for field in NEWER_BLOCK_FIELDS.get(key, ()):
            dropped = value.pop(field, None) is not None or dropped
        for k, v in value.items():
            dropped = _without_newer(v, k) or dropped
    elif isinstance(value, list):
        for v in value:
            dropped = _without_newer(v) or dropped
    return dropped


def _with_theme(project: Path, theme: Path, root: Path) -> Path:
    """The same data with another checkout's templates and assets (and without the sponsor
    fields that checkout predates; none of them changes what is tagged)."""
    import yaml

    shutil.copytree(project / "data", root / "data")
    for sponsor in sorted((root / "data" / "sponsors").glob("*.yaml")):
        data = yaml.safe_load(sponsor.read_text(encoding="utf-8"))
        dropped = _without_newer(data)
        if any(field in data for field in NEWER_FIELDS) or dropped:
            for field in NEWER_FIELDS:
                data.pop(field, None)
            sponsor.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    for folder in ("templates", "assets"):
        shutil.copytree(theme / folder, root / folder)
    return root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("counts", nargs="*", type=int, default=[10, 50])
    parser.add_argument("--results", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        untagged, base = baseline_source(work)
        for n in args.counts:
            project = make_project(work / f"n{n}", n)
            old = _with_theme(project, untagged.parent, work / f"n{n}-untagged")
            for mode, src, root in (("untagged", untagged, old), ("tagged", REPO / "src", project)):
                rows.append(measure(mode, src, root, work / f"out-{mode}-{n}", n) | {"base": base})
                print(json.dumps(rows[-1]), flush=True)
    print(table(rows))
    if args.results:
        args.results.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
