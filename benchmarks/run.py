"""Benchmarks, measured side by side in one run: `.venv/bin/python benchmarks/run.py`.

Generates N fictional sponsors shaped like the Alibaba file (same sections, tables and charts,
with every word replaced by an obviously fictional one), then times whole processes:

- anchor: seconds per page of `briefing build SLUG --no-book --force --jobs 1` against
  WeasyPrint's own report sample (../shared/anchors/weasyprint-report-sample/report.html, read in
  place, printed by `python -m weasyprint`), alternated in pairs after a warm-up pair, for the
  shipped sponsor, a generated fictional one and the largest test fixture: a fixed outside
  reference, so the cost of our templates and CSS is not hidden on both sides;
- overhead: `briefing build <one> --force` against bare WeasyPrint printing the same final HTML
  (charts already drawn), cold (empty caches) and warm;
- scale: full build (sponsor PDFs + book) of N sponsors with --jobs 1 and --jobs 2, time per page
  and peak resident memory of the largest process;
- book cost: full build against --no-book;
- incremental: a no-op rebuild, and a rebuild after one field of one sponsor changed;
- peer: headless Chromium printing the same book HTML, where the machine has it
  (`apt-get install chromium` on Debian 12; skipped, and said so, without it).

Writes benchmarks/results.json and prints a Markdown table. `--quick` (N=1, one run, one anchor
pair for the fictional sponsor) is what the smoke test runs so the script cannot rot.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# read in place, never copied: ../shared next to the main clone, or two levels up from a worktree
SAMPLE_PLACES = [up / "shared" / "anchors" / "weasyprint-report-sample" / "report.html"
                 for up in (REPO.parent, REPO.parent.parent)]
FIXTURES = REPO / "tests" / "fixtures" / "fiction"
sys.path.insert(0, str(REPO / "src"))

from briefing.data.yamlsafe import load_file  # noqa: E402

WORDS = ("quillon marrow tessel brindle copse fennick lumen parrel sorrel tamsin vellum wicket "
         "yarrow zephyr amble bracken cobble dapple ember fable gossamer hollow inkling jester").split()
KEEP = {"kind", "severity", "as_of", "joined", "date", "through", "currency", "scale", "url", "id",
        "cite", "colour", "approximate", "align", "leadership", "year", "amount", "season"}


def fictional(text: str, salt: str) -> str:
    """Same shape, fictional words: numbers and punctuation stay, words are replaced."""
    def word(match: re.Match[str]) -> str:
        w = match.group(0)
        digest = int(hashlib.sha256((salt + w.lower()).encode()).hexdigest()[:8], 16)
        new = WORDS[digest % len(WORDS)]
        return new.capitalize() if w[0].isupper() else new

    return re.sub(r"[A-Za-z][A-Za-z'’]*", word, text)


def transform(value: Any, salt: str, key: str = "") -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            new_key = fictional(k, salt) if key == "values" else k
            out[new_key] = transform(v, salt, k)
        return out
    if isinstance(value, list):
        return [transform(v, salt, key) for v in value]
    if isinstance(value, str) and key not in KEEP and not re.fullmatch(r"[\d.,~%$ +-]+", value):
        return fictional(value, salt)
    return value


def make_project(root: Path, n: int) -> Path:
    """A project with n fictional sponsors shaped like data/sponsors/alibaba.yaml."""
    import yaml

    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "assets", root / "assets")
    sponsors = root / "data" / "sponsors"
    sponsors.mkdir(parents=True)
    template = load_file(REPO / "data" / "sponsors" / "alibaba.yaml").data
    for i in range(1, n + 1):
        data = transform(template, salt=str(i))
        data["name"] = f"Benchmark Fictional Co {i:02d}"
        with open(sponsors / f"bench-{i:02d}.yaml", "w", encoding="utf-8") as handle:
            yaml.safe_dump(data, handle, allow_unicode=True, sort_keys=False, width=100)
    (root / "data" / "book.yaml").write_text(
        "title: Benchmark Book (fictional)\norganisation: Benchmark City (fictional)\n"
        "edition: 2026-11-28\nclassification: Benchmark\n")
    return root


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the largest process in the tree (wait4 rusage)."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def stats(samples: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(samples), 3), "min": round(min(samples), 3),
            "max": round(max(samples), 3), "runs": len(samples)}


def measure(cmd: list[str], runs: int, before=None) -> tuple[dict[str, float], float]:
    times, peak = [], 0.0
    for _ in range(runs):
        if before:
            before()
        seconds, rss = run(cmd)
        times.append(seconds)
        peak = max(peak, rss)
    return stats(times), round(peak, 1)


BRIEFING = [sys.executable, "-m", "briefing.cli"]


def briefing(root: Path, out: Path, *args: str) -> list[str]:
    return [*BRIEFING, "build", "--quiet", "--data", str(root / "data"), "--out", str(out), *args]


def bare_inputs(root: Path, out: Path, slug: str) -> Path:
    """The project's own final HTML for one sponsor, charts drawn and saved as files."""
    from briefing.build.options import Options
    from briefing.build.pipeline import make_edition
    from briefing.data.load import load_project
    from briefing.documents.chapter import chapter_html

    project = load_project(root / "data")
    edition = make_edition(project, Options(data_dir=root / "data", out_dir=out))
    html, drawn = chapter_html(project, edition, slug)
    svgs = drawn.svgs
    charts = root / "bare-charts"
    charts.mkdir(exist_ok=True)
    for key, svg in svgs.items():
        (charts / f"{key}.svg").write_text(svg, encoding="utf-8")
        html = html.replace(f"chart:{key}", f"bare-charts/{key}.svg")
    target = root / f"bare-{slug}.html"
    target.write_text(html, encoding="utf-8")
    return target


BARE = ("import sys\nfrom weasyprint import HTML\n"
        "HTML(filename=sys.argv[1], base_url=sys.argv[2]).write_pdf(sys.argv[3])\n")


def book_html(root: Path, out: Path) -> Path:
    """Every sponsor's final HTML in one document, for the peer (Chromium)."""
    from briefing.data.load import load_project

    project = load_project(root / "data")
    bodies, head = [], ""
    for slug in project.sponsors:
        page = bare_inputs(root, out, slug).read_text(encoding="utf-8")
        head = head or page.split("<body", 1)[0]
        bodies.append(page.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0])
    # The contents' dot leaders are a repeated SVG strip per entry (WeasyPrint draws that faster
    # than leader(), which Chromium does not support and so never drew). Chromium draws the strips
    # so slowly (measured: 30 s for the 50-sponsor book instead of 10 s, and twice the PDF size)
    # that the peer would flatter every ratio against it: it prints the book without them, as it
    # printed the book before the strips existed.
    head = head.replace("</head>", "<style>.toc-list li a::before { display: none }</style></head>")
    target = root / "book-peer.html"
    target.write_text(head + "<body>" + "\n".join(bodies) + "</body></html>", encoding="utf-8")
    return target


def pdf_pages(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def fixture_project(root: Path) -> Path:
    """The test fixtures' fictional sponsors in a throw-away project (as tests/conftest.py)."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "assets", root / "assets")
    shutil.copytree(FIXTURES / "data", root / "data")
    (root / "assets" / "logos").mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "logo" / "acme-fictional.svg", root / "assets" / "logos")
    return root


def anchor_pairs(sample: Path, data: Path, out: Path, slug: str, pairs: int, warm_up: bool) -> dict[str, Any]:
    """Seconds per page of one sponsor against the report sample, alternated pair by pair.

    Each pair runs both whole processes back to back, so a burst of load from elsewhere on the
    machine lands on both sides; the ratio is taken per pair and its median reported.
    """
    out.mkdir(parents=True, exist_ok=True)
    sample_pdf = out.parent / "anchor-sample.pdf"
    sample_cmd = [sys.executable, "-m", "weasyprint", str(sample), str(sample_pdf)]
    ours_cmd = [*BRIEFING, "build", "--quiet", "--data", str(data), "--out", str(out), slug,
                "--no-book", "--force", "--jobs", "1"]
    if warm_up:  # imports from disk, fonts, the chart cache: the first pair pays for them
        run(sample_cmd)
        run(ours_cmd)
    sample_s, ours_s = [], []
    for _ in range(pairs):
        sample_s.append(run(sample_cmd)[0])
        ours_s.append(run(ours_cmd)[0])
    sample_pages, our_pages = pdf_pages(sample_pdf), pdf_pages(out / f"{slug}.pdf")
    ratios = [(o / our_pages) / (s / sample_pages) for s, o in zip(sample_s, ours_s, strict=True)]
    return {"slug": slug, "pages": our_pages, "sample_pages": sample_pages, "pairs": pairs,
            "seconds": stats(ours_s), "sample_seconds": stats(sample_s),
            "seconds_per_page": round(statistics.median(ours_s) / our_pages, 4),
            "sample_seconds_per_page": round(statistics.median(sample_s) / sample_pages, 4),
            "ratio": round(statistics.median(ratios), 3), "ratios": [round(r, 3) for r in ratios]}


def anchor(work: Path, quick: bool, pairs: int, sample: Path | None) -> dict[str, Any]:
    """The sample ratio for the shipped sponsor and fictional ones (quick: one fictional, one pair)."""
    sample = sample or next((p for p in SAMPLE_PLACES if p.is_file()), None)
    if sample is None or not sample.is_file():
        return {"skipped": f"report sample not found (--sample PATH; looked in {SAMPLE_PLACES[0].parents[2]})"}
    bench = make_project(work / "anchor-fictional", 1)
    cases = [("fictional", bench / "data", "bench-01")]
    if not quick:
        fixtures = fixture_project(work / "anchor-fixtures")
        cases = [("shipped", REPO / "data", "alibaba"), *cases, ("fixture", fixtures / "data", "acme-anvils")]
    result: dict[str, Any] = {"sample": str(sample)}
    for name, data, slug in cases:
        result[name] = anchor_pairs(sample, data, work / f"anchor-out-{name}" / "output", slug,
                                    pairs=1 if quick else pairs, warm_up=not quick)
    return result


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


# --- the editor's loop: save a sponsor file, see its new first page in `briefing serve` ----------

# tagged as our build prints (PDF/UA-1): the floor is the same PDF from WeasyPrint alone
FLOOR = """import sys, time
from weasyprint import HTML
html, base, out = sys.argv[1], sys.argv[2], sys.argv[3]
HTML(filename=html, base_url=base).write_pdf(out, pdf_variant="pdf/ua-1")  # warm: imports, fonts
print("ready", flush=True)
for _ in sys.stdin:
    started = time.perf_counter()
    HTML(filename=html, base_url=base).write_pdf(out, pdf_variant="pdf/ua-1")
    print(f"{time.perf_counter() - started:.4f}", flush=True)
"""


class Preview:
    """A real `briefing serve` on 127.0.0.1 and one live-update stream, as the open page has."""

    def __init__(self, data: Path, out: Path):
        import http.client

        self.process = subprocess.Popen([*BRIEFING, "serve", "--data", str(data), "--out", str(out),
                                         "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True)
        line = self.process.stdout.readline()  # "Preview at http://127.0.0.1:PORT/ (Ctrl+C to stop)"
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            self.process.kill()
            raise SystemExit(f"briefing serve did not start: {line!r}")
        self.port = int(match.group(1))
        self.events = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        self.events.request("GET", "/events")
        self.stream = self.events.getresponse()

    def get(self, path: str) -> bytes:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"GET {path}: {response.status}")
            return body
        finally:
            connection.close()

    def next_version(self) -> None:
        while True:
            line = self.stream.readline()
            if not line:
                raise SystemExit("the live-update stream closed")
            if line.startswith(b"data:"):
                return

    def built_image(self, name: str, stamp: str | None) -> str | None:
        """The first page image's URL once the page lists ``name`` with a stamp other than
        ``stamp`` (the page shows a sponsor's new pages as soon as they are printed)."""
        page = self.get("/").decode()
        match = re.search(rf'src="(/img/{re.escape(name)}/1-\d+\.png\?v=([0-9a-f]+))"', page)
        if match is None or match.group(2) == stamp:
            return None
        return match.group(1)

    def settle(self) -> None:
        """Until the build is over (the book bound too), so the next save starts from rest."""
        while any(word in self.get("/").decode() for word in ("building…", "starting…")):
            self.next_version()

    def wait_for_pages(self, name: str, stamp: str | None = None) -> str:
        while (url := self.built_image(name, stamp)) is None:
            self.next_version()
        self.get(url)  # the first page image, rendered and served
        return url.rsplit("=", 1)[1]

    def close(self) -> None:
        self.events.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def editor_loop(work: Path, saves: int) -> dict[str, Any]:
    """Save-to-page in a real preview against a warm bare print of the same chapter (the floor).

    The clock runs from the write of the sponsor file until the live-update stream has announced
    the new pages and the first page image has been served: what the editor waits for. The floor
    prints the same chapter's final HTML (charts drawn) in one warm process, alternated save by
    save, so the ratio is the cost of everything `serve` does around WeasyPrint.
    """
    root = work / "loop"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(REPO / "data", root / "data")
    # the theme as files beside the data, as make_project does: the bare print reads its CSS there
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "assets", root / "assets")
    path = root / "data" / "sponsors" / "alibaba.yaml"
    original = path.read_text(encoding="utf-8")
    out = root / "output"
    preview = Preview(root / "data", out)
    loop: list[float] = []
    floor: list[float] = []
    warm = None
    try:
        stamp = preview.wait_for_pages("alibaba.pdf")  # the first build
        preview.settle()
        html = bare_inputs(root, out, "alibaba")  # outside data/: the preview does not rebuild for it
        script = work / "floor.py"
        script.write_text(FLOOR)
        warm = subprocess.Popen([sys.executable, str(script), str(html), str(root) + "/", str(work / "floor.pdf")],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert warm.stdout.readline().strip() == "ready"
        for i in range(saves):  # a save and a bare print in turn, so a burst of load lands on both
            changed = re.sub(r"(?m)^(headline: .*?)\.?$", rf"\1 (edit {i + 1}).", original, count=1)
            assert changed != original, "the benchmark's edit found no headline"
            started = time.perf_counter()
            write_file(path, changed)
            stamp = preview.wait_for_pages("alibaba.pdf", stamp)
            loop.append(time.perf_counter() - started)
            preview.settle()
            warm.stdin.write("go\n")
            warm.stdin.flush()
            floor.append(float(warm.stdout.readline()))
    finally:
        preview.close()
        if warm is not None:
            warm.stdin.close()
            warm.wait()
    ratios = [a / b for a, b in zip(loop, floor, strict=True)]
    return {"saves": saves, "loop": stats(loop), "warm_bare_print": stats(floor),
            "ratio": round(statistics.median(ratios), 3), "ratios": [round(r, 3) for r in ratios]}


def write_file(path: Path, text: str) -> None:
    """As an editor saves: the file rewritten in place."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


# --- growth: hundreds of sponsors, a thousand recipients ----------------------------------------

class Tree:
    """Peak RSS per kind of process in a build's tree, sampled from /proc every 0.1 s, to say which
    process is the largest (wait4's ru_maxrss gives the peak of the largest, not which it was)."""

    def __init__(self, root: int):
        import threading

        self.root, self.peaks, self._stop = root, {}, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _kind(self, pid: int, cmdline: str) -> str:
        if pid == self.root:
            return "build process"
        return "binding process" if "briefing.processes" in cmdline else "forked worker"

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            parents: dict[int, int] = {}
            rss: dict[int, float] = {}
            lines: dict[int, str] = {}
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    lines[int(entry.name)] = (entry / "cmdline").read_bytes().decode(errors="replace")
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat[1])
                rss[int(entry.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
            for pid in rss:
                up = pid
                while up not in (self.root, 0, 1) and up in parents:
                    up = parents[up]
                if up == self.root:
                    kind = self._kind(pid, lines[pid])
                    self.peaks[kind] = max(self.peaks.get(kind, 0.0), round(rss[pid], 1))

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return self.peaks


def run_sampled(cmd: list[str]) -> tuple[float, float, dict[str, float]]:
    """As ``run``, and the sampled peak of each kind of process in the tree."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree = Tree(process.pid)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    peaks = tree.stop()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, peaks


def distribution(root: Path, recipients: int, editions: int) -> None:
    """``recipients`` obviously fictional readers at example.org; the first ``editions`` of them
    receive the book (a personalised edition each), the others only sponsor PDFs by email."""
    lines = ["recipients:"]
    for i in range(1, recipients + 1):
        lines += [f"  - name: Fictional Reader {i:04d}", f"    email: reader-{i:04d}@example.org",
                  "    title: Benchmark Recipient (fictional)", "    sponsors: all",
                  f"    receives: [{'book' if i <= editions else 'sponsors'}]"]
    (root / "data" / "distribution.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def growth(work: Path, sizes: list[int], recipients: int, editions: int, edition_sponsors: int) -> dict[str, Any]:
    """Full builds (sponsor PDFs and book, ``--jobs 2``, from an empty output folder, charts drawn
    too, once each) at each N of ``sizes``: seconds per page, the ratio of each N's seconds per
    page to the first's, and the peak RSS of the largest process (and which one it was).

    Then ``recipients`` readers in data/distribution.yaml, of whom ``editions`` receive a
    personalised edition of an ``edition_sponsors``-sponsor book. An edition is the book for one
    reader, so the book's size sets its cost: 10 sponsors (133 pages) is a small federation's
    book, long enough that the merge and the page-number overlays show (two overlay chunks),
    short enough that a sample of editions fits the section's budget. Each edition still prints
    its own front matter (the cover names the reader: docs/performance.md, "Growth"), 1.2–1.7 s
    an edition on the shared machine, so all 1,000 would take 20–30 minutes; the distribution holds
    all 1,000 (the plan, the manifest and the distribution's checks run at that size) and
    ``editions`` of them, 50 by default, receive the book. Seconds per edition is the
    ``--for all`` build less the same build without ``--for`` (nothing stale), over ``editions``.

    Wall time of the defaults, estimated from the parts measured on 7 December 2026 (the machine
    shared with other work, so every part ran 2–5× slower than on a quiet day): about 15 minutes
    on a quiet 2-core machine, most of it the N = 500 build; N = 500 needs about 2 GB of memory
    (the binding process, docs/performance.md "Growth").
    """
    result: dict[str, Any] = {"sizes": {}}
    base = None
    for n in sizes:
        root = make_project(work / f"growth-n{n}", n)
        out = root / "output"
        seconds, rss, peaks = run_sampled(briefing(root, out, "--force", "--jobs", "2"))
        manifest = json.loads((out / ".manifest.json").read_text())
        pages = sum(e["pages"] for e in manifest["outputs"].values())
        per_page = seconds / pages
        base = base or per_page
        result["sizes"][str(n)] = {"seconds": round(seconds, 3), "pages": pages,
                                   "seconds_per_page": round(per_page, 4),
                                   "ratio_to_first": round(per_page / base, 3),
                                   "peak_rss_mb": round(rss, 1), "largest": max(peaks, key=peaks.get, default=""),
                                   "sampled_peaks_mb": peaks}
    root = make_project(work / "growth-editions", edition_sponsors)
    distribution(root, recipients, editions)
    out = root / "output"
    subprocess.run(briefing(root, out, "--jobs", "2"), check=True)  # sponsor PDFs and the book
    plain, plain_rss, _ = run_sampled(briefing(root, out, "--jobs", "2"))  # nothing stale: the floor
    seconds, rss, peaks = run_sampled(briefing(root, out, "--jobs", "2", "--for", "all"))
    built = len(list((out / "editions").glob("*.pdf")))
    if built != editions:
        raise SystemExit(f"growth: {built} editions written, {editions} expected")
    result["editions"] = {"recipients": recipients, "editions": editions, "book_sponsors": edition_sponsors,
                          "edition_pages": pdf_pages(next((out / "editions").glob("*.pdf"))),
                          "seconds": round(seconds, 3), "without_editions": round(plain, 3),
                          "seconds_per_edition": round((seconds - plain) / editions, 3),
                          "peak_rss_mb": round(rss, 1), "largest": max(peaks, key=peaks.get, default=""),
                          "sampled_peaks_mb": peaks}
    return result


def growth_rows(g: dict[str, Any], shown: set[str]) -> list[Row]:
    """Rows of the growth run; a size the scale rows show already (``shown``) gets no memory row."""
    rows: list[Row] = []
    sizes = g.get("sizes", {})
    if sizes:
        first, last = next(iter(sizes)), list(sizes)[-1]
        e = sizes[last]
        rows.append((f"seconds per page, N={last} vs N={first}",
                     f"{e['ratio_to_first']}× ({e['seconds_per_page']} s vs {sizes[first]['seconds_per_page']} s)",
                     "≤ 1.15×", e["ratio_to_first"] <= 1.15))
        for n, e in ((n, e) for n, e in sizes.items() if n not in shown):
            rows.append((f"peak RSS of the largest process, N={n}", f"{e['peak_rss_mb']} MB ({e['largest']})",
                         "≤ 250 MB", e["peak_rss_mb"] <= 250))
    if ed := g.get("editions"):
        rows.append((f"seconds per personalised edition, {ed['recipients']:,} recipients",
                     f"{ed['seconds_per_edition']} s ({ed['editions']} editions of {ed['edition_pages']} pages)",
                     "reported", None))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,50", help="sponsor counts for the scale runs")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the largest N runs once)")
    parser.add_argument("--quick", action="store_true", help="N=2, one run: the smoke test")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "work")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results.json")
    parser.add_argument("--pairs", type=int, default=3, help="anchor pairs per sponsor, after a warm-up pair")
    parser.add_argument("--sample", type=Path, help="WeasyPrint's report.html (default: ../shared/anchors/...)")
    parser.add_argument("--saves", type=int, default=5, help="saves timed in the editor's loop")
    parser.add_argument("--loop-only", action="store_true", help="measure the editor's loop alone and print it")
    parser.add_argument("--growth-sizes", default="50,200,500",
                        help="sponsor counts for the growth runs ('' with --growth-only: editions alone)")
    parser.add_argument("--recipients", type=int, default=1000, help="readers in the growth run's distribution")
    parser.add_argument("--editions", type=int, default=50, help="of them, how many receive an edition")
    parser.add_argument("--edition-sponsors", type=int, default=10, help="sponsors in the editions' book")
    parser.add_argument("--growth-only", action="store_true",
                        help="measure growth alone and merge it into an existing --results file")
    args = parser.parse_args()
    if args.loop_only:
        print(json.dumps(editor_loop(args.work, args.saves), indent=2))
        return
    if args.growth_only:
        args.work.mkdir(parents=True, exist_ok=True)
        measured = growth(args.work, [int(s) for s in args.growth_sizes.split(",") if s], args.recipients,
                          args.editions, args.edition_sponsors)
        print(json.dumps(measured, indent=2))
        if args.results.is_file():
            results = json.loads(args.results.read_text())
            results["growth"] = measured
            args.results.write_text(json.dumps(results, indent=2) + "\n")
            print(table(results))
        return
    sizes = [1] if args.quick else [int(s) for s in args.sizes.split(",")]
    job_counts = (2,) if args.quick else (1, 2)
    runs = 1 if args.quick else args.runs
    work = args.work
    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                           "platform": platform.platform()},
                               "sizes": sizes, "anchor": {}, "editor_loop": {}, "overhead": {}, "scale": {},
                               "incremental": {}, "peer": {}, "growth": {}}
    work.mkdir(parents=True, exist_ok=True)
    partial = args.results.with_suffix(".partial.json")  # a failure late in a long run keeps the rest

    def checkpoint() -> None:
        partial.write_text(json.dumps(results, indent=2) + "\n")

    results["anchor"] = anchor(work, args.quick, max(args.pairs, 3), args.sample)
    checkpoint()
    results["editor_loop"] = editor_loop(work, 1 if args.quick else args.saves)
    checkpoint()

    # overhead: one sponsor, ours against bare WeasyPrint on the same final HTML
    one = make_project(work / "one", 1)
    out = one / "output"
    subprocess.run(briefing(one, out, "--no-book"), check=True)  # warm the caches
    html = bare_inputs(one, out, "bench-01")
    bare_script = work / "bare.py"
    bare_script.write_text(BARE)
    bare_cmd = [sys.executable, str(bare_script), str(html), str(one) + "/", str(work / "bare.pdf")]
    n_runs = max(runs, 5) if not args.quick else 1
    bare, _ = measure(bare_cmd, n_runs)
    warm, _ = measure(briefing(one, out, "bench-01", "--no-book", "--force", "--jobs", "1"), n_runs)
    cold, _ = measure(briefing(one, out, "bench-01", "--no-book", "--force", "--jobs", "1"), n_runs,
                      before=lambda: shutil.rmtree(out / ".cache", ignore_errors=True))
    results["overhead"] = {"bare_weasyprint": bare, "warm": warm, "cold": cold,
                           "warm_ratio": round(warm["median"] / bare["median"], 3),
                           "cold_ratio": round(cold["median"] / bare["median"], 3)}
    checkpoint()

    # scale and book cost
    for n in sizes:
        root = make_project(work / f"n{n}", n)
        out = root / "output"
        subprocess.run(briefing(root, out, "--no-book"), check=True)  # charts cached, as in steady state
        reps = 1 if n >= 50 else runs
        entry: dict[str, Any] = {}
        for jobs in job_counts:
            full, rss_full = measure(briefing(root, out, "--force", "--jobs", str(jobs)), reps)
            nobook, rss_nobook = measure(briefing(root, out, "--force", "--no-book", "--jobs", str(jobs)), reps)
            manifest = json.loads((out / ".manifest.json").read_text())
            pages = sum(e["pages"] for e in manifest["outputs"].values())
            entry[f"jobs{jobs}"] = {"full": full, "no_book": nobook, "pages": pages,
                                    "seconds_per_page": round(full["median"] / pages, 4),
                                    "peak_rss_mb": max(rss_full, rss_nobook),
                                    "book_cost_ratio": round(full["median"] / nobook["median"], 3)}
        if "jobs1" in entry:
            entry["speedup_jobs2"] = round(entry["jobs1"]["full"]["median"] / entry["jobs2"]["full"]["median"], 3)
        results["scale"][str(n)] = entry
        checkpoint()

    # incremental, on the largest N
    n = sizes[-1]
    root = work / f"n{n}"
    out = root / "output"
    subprocess.run(briefing(root, out), check=True)
    full = results["scale"][str(n)]["jobs2"]["full"]["median"]
    noop, _ = measure(briefing(root, out), max(runs, 3) if not args.quick else 1)
    path = root / "data" / "sponsors" / "bench-01.yaml"
    counter = [0]

    def change_one_field() -> None:
        counter[0] += 1
        text = path.read_text(encoding="utf-8")
        changed = re.sub(r"(?m)^headline: .*$", f"headline: Changed headline {counter[0]}", text, count=1)
        assert changed != text
        path.write_text(changed, encoding="utf-8")

    one_changed, _ = measure(briefing(root, out), runs, before=change_one_field)
    results["incremental"] = {"n": n, "full_build": full, "noop": noop, "one_changed": one_changed,
                              "noop_ratio": round(noop["median"] / full, 4),
                              "one_changed_ratio": round(one_changed["median"] / full, 4)}

    # peer: headless Chromium printing the same book's HTML from scratch
    browser = chromium()
    if browser:
        page = book_html(root, out)
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={work / 'chromium-profile'}", "--no-pdf-header-footer",
               f"--print-to-pdf={work / 'peer.pdf'}", page.as_uri()]
        checkpoint()
        run(cmd)  # warm-up: a fresh profile's first start costs Chromium more than the print (30 s vs 10 s)
        peer, _ = measure(cmd, max(runs, 3))
        results["peer"] = {"chromium": peer, "refresh_after_one_change": one_changed,
                           "refresh_ratio": round(one_changed["median"] / peer["median"], 3)}
    else:
        results["peer"] = {"skipped": "no chromium on this machine (apt-get install chromium)"}

    checkpoint()
    if args.quick:  # the smoke test: two small sizes and a few editions, so the section cannot rot
        results["growth"] = growth(work, [1, 2], recipients=5, editions=2, edition_sponsors=1)
    else:
        results["growth"] = growth(work, [int(s) for s in args.growth_sizes.split(",")], args.recipients,
                                   args.editions, args.edition_sponsors)

    args.results.write_text(json.dumps(results, indent=2) + "\n")
    partial.unlink(missing_ok=True)
    print(table(results))


BEFORE_FULL_N50 = 177.373  # seconds, --jobs 2, the results before the layout-speed work (issue 13)
Row = tuple[str, str, str, bool | None]


def anchor_rows(a: dict[str, Any]) -> list[Row]:
    """Sample ratio first: the measure that does not hide the cost of our own templates and CSS."""
    if "skipped" in a:
        return [("seconds per page vs the WeasyPrint report sample", "skipped", a["skipped"], None)]
    rows: list[Row] = []
    for name in ("shipped", "fictional", "fixture"):
        if name in a:
            e = a[name]
            rows.append((f"seconds per page vs the WeasyPrint report sample, {name} ({e['slug']})",
                         f"{e['ratio']}× ({e['seconds_per_page']} s vs {e['sample_seconds_per_page']} s)",
                         "≤ 0.9×", e["ratio"] <= 0.9))
    return rows


def scale_rows(n: str, e: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    if int(n) >= 10 and "speedup_jobs2" in e:
        rows.append((f"--jobs 2 speed-up, N={n}", f"{e['speedup_jobs2']}×", "≥ 1.8×", e["speedup_jobs2"] >= 1.8))
    if int(n) == 50:
        full = e["jobs2"]["full"]["median"]
        rows.append(("full build, N=50, jobs 2", f"{full} s ({BEFORE_FULL_N50 / full:.2f}× faster than before)",
                     f"≤ {BEFORE_FULL_N50 / 2.5:.1f} s (2.5× faster)", full <= BEFORE_FULL_N50 / 2.5))
    b = e["jobs2"]["book_cost_ratio"]
    rows.append((f"book cost (full / no book), N={n}", f"{b}×", "≤ 1.15×", b <= 1.15))
    rss = max(v["peak_rss_mb"] for k, v in e.items() if k.startswith("jobs"))
    rows.append((f"peak RSS of the largest process, N={n}", f"{rss} MB", "≤ 250 MB", rss <= 250))
    rows.append((f"time per page, N={n}, jobs 2", f"{e['jobs2']['seconds_per_page']} s",
                 f"{e['jobs2']['pages']} pages", None))
    return rows


def table(r: dict[str, Any]) -> str:
    o, inc, peer = r["overhead"], r["incremental"], r["peer"]
    rows = anchor_rows(r.get("anchor", {"skipped": "not measured"}))
    if loop := r.get("editor_loop"):
        rows.append(("editor's loop in serve (save to first page image) vs a warm bare print",
                     f"{loop['ratio']}× ({loop['loop']['median']} s vs {loop['warm_bare_print']['median']} s)",
                     "≤ 1.1×", loop["ratio"] <= 1.1))
    rows += [("overhead, warm (vs bare WeasyPrint on our HTML)", f"{o['warm_ratio']}×", "≤ 1.10×",
              o["warm_ratio"] <= 1.10),
             ("overhead, cold (vs bare WeasyPrint on our HTML)", f"{o['cold_ratio']}×", "≤ 1.5×",
              o["cold_ratio"] <= 1.5)]
    for n, e in r["scale"].items():
        rows += scale_rows(n, e)
    rows.append((f"no-op rebuild, N={inc['n']}", f"{inc['noop_ratio'] * 100:.1f}% of full", "≤ 2%",
                 inc["noop_ratio"] <= 0.02))
    rows.append((f"one sponsor changed, N={inc['n']}", f"{inc['one_changed_ratio'] * 100:.1f}% of full", "≤ 6%",
                 inc["one_changed_ratio"] <= 0.06))
    if "refresh_ratio" in peer:
        rows.append((f"refresh vs Chromium printing the book, N={inc['n']}", f"{peer['refresh_ratio']}×", "≤ 0.25×",
                     peer["refresh_ratio"] <= 0.25))
    else:
        rows.append(("peer (Chromium)", "skipped", peer["skipped"], None))
    rows += growth_rows(r.get("growth") or {}, set(r["scale"]))
    lines = ["| measure | result | target | met |", "| --- | --- | --- | --- |"]
    for name, value, target, ok in rows:
        lines.append(f"| {name} | {value} | {target} | {'' if ok is None else ('yes' if ok else 'no')} |")
    return "\n".join(lines)

if __name__ == "__main__":
    main()
