"""Cost of the structure-keeping merge: `.venv/bin/python benchmarks/structmerge.py [N ...]`.

Prints one fictional 10-page chapter twice (pdf/ua-1 and untagged), then, each in a fresh
process so peak memory is its own, merges N copies dropping each copy's first page (as the
book drops a chapter's contents page): tagged with briefing.pdf.structmerge, untagged with plain
qpdf page copying (what the build did before it was tagged). Reports wall time, peak RSS and output size.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SECTION = """<section><h2 id="s{n}">Fictional section {n}</h2>
<p>{words}</p><ul><li>Imaginary point one</li><li>Imaginary point two</li></ul>
<table><thead><tr><th scope="col">Year</th><th scope="col">Zorkmids</th></tr></thead>
<tbody><tr><th scope="row">2031</th><td>{n}</td></tr><tr><th scope="row">2032</th><td>{n}1</td></tr></tbody>
</table></section>"""


def chapter_html() -> str:
    words = " ".join(["Invented words about an invented sponsor."] * 40)
    body = "".join(SECTION.format(n=n, words=words) for n in range(9))
    css = ("@page { size: A4; margin: 20mm; @top-center { content: string(ch) } "
           "@bottom-right { content: 'Fictional benchmark' } } h1 { string-set: ch content() } "
           "section { break-inside: avoid } nav { break-after: page }")
    return (f"<!DOCTYPE html><html lang='en'><head><title>Fictional chapter</title><style>{css}</style></head>"
            f"<body><nav><p>Contents</p></nav><h1 id='top'>Fictional chapter</h1>{body}</body></html>")


def run_one(mode: str, source: str, n: int, target: str) -> dict:
    import pikepdf

    from briefing.pdf.structmerge import Part, merge

    start = time.perf_counter()
    pages = list(range(1, len(pikepdf.open(source).pages)))
    if mode == "tagged":
        merged = merge([Part(Path(source), pages=pages, title=f"Chapter {i}") for i in range(n)],
                       title="Fictional benchmark book", lang="en")
        merged.save(Path(target))
        merged.close()
    else:
        out = pikepdf.Pdf.new()
        keep = []
        for _ in range(n):
            src = pikepdf.open(source)
            keep.append(src)
            out.pages.extend(src.pages[i] for i in pages)
        out.save(target, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "n": n, "seconds": round(seconds, 2), "peak_mb": round(peak_mb),
            "output_mb": round(Path(target).stat().st_size / 1e6, 1)}


def main(counts: list[int]) -> None:
    from weasyprint import HTML

    with tempfile.TemporaryDirectory() as tmp:
        sources = {}
        for mode, variant in (("tagged", "pdf/ua-1"), ("untagged", None)):
            sources[mode] = f"{tmp}/{mode}.pdf"
            HTML(string=chapter_html()).write_pdf(sources[mode], pdf_variant=variant)
        import pikepdf

        print(f"chapter: {len(pikepdf.open(sources['tagged']).pages)} pages")
        for n in counts:
            for mode in ("untagged", "tagged"):
                result = subprocess.run([sys.executable, __file__, "--one", mode, sources[mode], str(n),
                                         f"{tmp}/out-{mode}-{n}.pdf"], capture_output=True, text=True, check=True)
                print(result.stdout.strip())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(run_one(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])))
    else:
        main([int(a) for a in sys.argv[1:]] or [10, 50])
