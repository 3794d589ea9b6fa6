"""What keeps a chapter cheap to print (issue 13), checked without printing.

The contents page draws its leaders as one strip of dots per entry: WeasyPrint's ``leader()``
made a text box of every dot (2,800 of a sponsor's 3,500), each laid out, tagged and painted on
its own. Compiled templates are kept in the build's cache, so a worker does not compile every
template again for every chapter.
"""

from __future__ import annotations

from pathlib import Path

from conftest import FICTION, REPO, make_project
from cssfiles import declarations, stylesheets

from briefing.build.options import Options
from briefing.build.pipeline import make_edition
from briefing.data.load import load_project
from briefing.documents.chapter import chapter_html


def test_no_leader_function_in_print_css():
    leaders = [f"{sheet.relative_to(REPO)}: {selector}" for sheet in stylesheets()
               for selector, prop, value in declarations(sheet) if prop == "content" and "leader(" in value]
    assert leaders == [], "leader() lays out and paints each dot as a text box: use the dot strip"


def test_the_leader_guard_can_fail(tmp_path):
    sheet = tmp_path / "toc.css"
    sheet.write_text(".toc a::after { content: leader(dotted) ' ' target-counter(attr(href url), page) }")
    assert [v for _, p, v in declarations(sheet) if p == "content" and "leader(" in v]


def test_contents_strip_image_exists_and_is_served_from_assets():
    components = (REPO / "assets" / "css" / "print" / "_components.css").read_text()
    assert "url(leader-dot.svg)" in components
    assert (REPO / "assets" / "css" / "print" / "leader-dot.svg").read_text().startswith("<svg")


def _html(root: Path, out: Path) -> str:
    project = load_project(root / "data")
    edition = make_edition(project, Options(data_dir=root / "data", out_dir=out))
    return chapter_html(project, edition, "acme-anvils")[0]


def test_compiled_templates_are_cached_and_follow_template_edits(tmp_path):
    root = make_project(tmp_path / "project", FICTION / "data")
    out = tmp_path / "out"
    first = _html(root, out)
    compiled = sorted((out / ".cache" / "templates").glob("*.cache"))
    assert len(compiled) >= 10  # sponsor.html, base.html and the partials it includes
    assert _html(root, out) == first  # read back from the cache: the same page
    toc = root / "templates" / "partials" / "toc.html"
    toc.write_text(toc.read_text().replace("<h1 class=\"page-title\">Contents</h1>",
                                           "<h1 class=\"page-title\">Contents (edited)</h1>"))
    assert "Contents (edited)" in _html(root, out)  # an edited template is compiled again


def test_an_unwritable_template_cache_only_costs_the_compile(tmp_path):
    root = make_project(tmp_path / "project", FICTION / "data")
    out = tmp_path / "out"
    (out / ".cache").mkdir(parents=True)
    (out / ".cache" / "templates").write_text("a file where the folder would be")
    assert "Contents" in _html(root, out)


def _run(code: str, path: Path | None = None) -> str:
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", **({"PYTHONPATH": str(path)} if path else {})}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_weasyprint_is_imported_without_the_library_search():
    out = _run("import ctypes.util\n"
               "calls = []\n"
               "real = ctypes.util.find_library\n"
               "ctypes.util.find_library = lambda name: calls.append(name) or real(name)\n"
               "from briefing.pdf.printer import import_weasyprint\n"
               "w = import_weasyprint()\n"
               "print(len(calls), hasattr(w, 'HTML'), ctypes.util.find_library.__name__)\n")
    # no search during the import, and the (wrapped) function is put back afterwards
    assert out.split() == ["0", "True", "<lambda>"]


def test_weasyprint_import_falls_back_to_the_library_search(tmp_path):
    """Where no library name loads directly, the import is done again with the search."""
    fake = tmp_path / "weasyprint"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "import ctypes.util\n"
        "from . import part\n"
        "if ctypes.util.find_library('c') is None:\n"
        "    print('install hint')\n"
        "    raise OSError('cannot load library')\n"
        "HTML = 'loaded with the search'\n")
    (fake / "part.py").write_text("")
    out = _run("import ctypes.util, sys\n"
               "from briefing.pdf.printer import import_weasyprint\n"
               "print(import_weasyprint().HTML)\n"
               "print(ctypes.util.find_library('c') is not None)\n", path=tmp_path)
    assert out.splitlines() == ["loaded with the search", "True"]  # the hint of the first try is not shown


def _frozen_in_worker() -> int:
    import gc

    return gc.get_freeze_count()


def test_workers_inherit_frozen_objects_and_the_parent_is_thawed_after():
    """What the workers inherit is frozen before the fork (their collections skip it), and the
    parent collects normally again once the jobs are done."""
    import gc

    from briefing.processes import Job, run_jobs

    [outcome] = run_jobs([Job("frozen", _frozen_in_worker, ())], workers=1, timeout=60)
    assert outcome.ok and outcome.value > 1000
    assert gc.get_freeze_count() == 0


def test_weasyprint_import_leaves_the_collector_as_it_found_it():
    out = _run("import gc\n"
               "gc.disable()\n"
               "from briefing.pdf.printer import import_weasyprint\n"
               "import_weasyprint()\n"
               "print(gc.isenabled())\n")
    assert out.split() == ["False"]


_PARSES = """
import sys
import cffi.cparser
from briefing.pdf.printer import import_weasyprint, print_html, warm_weasyprint
from pathlib import Path
REPO = Path(sys.argv[1])
import_weasyprint()
if sys.argv[2] == "warm":
    warm_weasyprint()
parsed = []
real = cffi.cparser.Parser._parse
cffi.cparser.Parser._parse = lambda self, csource: parsed.append(csource) or real(self, csource)
html = ('<html lang="en"><head><title>T</title><link rel="stylesheet" href="assets/css/sponsor.css"></head>'
        '<body><h1>Invented</h1><p>Text <b>bold</b> <i>italic</i> <a href="#x" id="x">link</a></p>'
        '<table><tr><th>A</th><td>1</td></tr></table></body></html>')
print_html(html, base=REPO, roots=[REPO / "assets"], what="t")
# WeasyPrint names an array's length in its type (hb_codepoint_t[N]): one parse per length, always
print(len([c for c in parsed if "hb_codepoint_t[" not in c]))
"""


def test_a_warm_parent_has_parsed_the_c_declarations_a_print_needs():
    """A worker forked after ``warm_weasyprint`` does not pay again for what a first print in a
    process costs: cffi parsing the C declarations of Pango, HarfBuzz and fontconfig calls."""
    code = f"import sys; sys.argv = ['x', {str(REPO)!r}, 'MODE']\n" + _PARSES
    cold = int(_run(code.replace("MODE", "cold")))
    warm = int(_run(code.replace("MODE", "warm")))
    assert cold > 0, "a first print parses declarations: the test measures nothing otherwise"
    assert warm == 0, f"{warm} declarations parsed again after the warm-up"

