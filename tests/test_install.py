"""The tool as a new team installs it: the wheel from `python -m build`, a fresh virtual
environment, `briefing new` in an empty folder outside this checkout, and every build there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import REPO, pdf_text

pytestmark = pytest.mark.slow

THEME_FILES = ("templates/book.html", "templates/partials/cover.html", "assets/css/print/_tokens.css",
               "assets/fonts/NotoSerif-Regular.ttf", "assets/fonts/OFL.txt")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check:
        assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and the wheel, built as a release would (isolated build environment)."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, REPO, cwd=out, timeout=900)
    return out


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """A fresh virtual environment holding the wheel (its dependencies from pip's configured index)."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    run(sys.executable, "-m", "venv", venv, cwd=venv.parent)
    wheel = next(dist.glob("briefing-*.whl"))
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile", "--disable-pip-version-check",
        wheel, cwd=venv.parent, timeout=1200)
    return venv


def test_the_wheel_and_the_sdist_carry_the_theme(dist):
    wheel = next(dist.glob("briefing-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in THEME_FILES:
        assert f"briefing/theme/{rel}" in names, rel
    assert "briefing/render/styles/print.mplstyle" in names
    assert "briefing/scaffold/data/book.yaml" in names
    assert any(n.endswith("licenses/assets/fonts/OFL.txt") for n in names)
    with tarfile.open(next(dist.glob("briefing-*.tar.gz"))) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    for rel in THEME_FILES:
        assert rel in members, rel  # the source of the theme travels as it is in the repository
    assert "pyproject.toml" in members


def _tagged_with_fonts_embedded(path: Path) -> None:
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root, f"{path.name} is not tagged"
        for page in pdf.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                for desc_font in font.get("/DescendantFonts", [font]):
                    desc = desc_font.get("/FontDescriptor")
                    if desc is not None:
                        assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                            f"{path.name}: {desc_font.BaseFont} is not embedded"


def test_a_new_project_outside_the_checkout_builds_from_the_wheel(installed, tmp_path):
    home = tmp_path / "team"
    home.mkdir()
    assert not home.resolve().is_relative_to(REPO)
    briefing = installed / "bin" / "briefing"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")

    made = run(briefing, "new", "my-briefings", cwd=home, env=env)
    assert made.stdout.rstrip().endswith("next:\n  cd my-briefings\n  briefing validate\n  briefing build")
    project = home / "my-briefings"
    assert not (project / "templates").exists()  # the theme comes from the package
    for step in (["validate"], ["build", "--jobs", "2"], ["build", "--for", "all", "--jobs", "2"],
                 ["build", "--variant", "one-pager", "--jobs", "2"], ["doctor"]):
        run(briefing, *step, cwd=project, env=env)
    out = project / "output"
    sponsors = sorted(p.stem for p in (project / "data" / "sponsors").glob("*.yaml"))
    pdfs = sorted(p for p in out.rglob("*.pdf") if not p.relative_to(out).parts[0].startswith("."))  # not caches
    assert {p.name for p in pdfs} >= {"briefing-book.pdf", *(f"{s}.pdf" for s in sponsors)}
    # only Pat receives the book; Sam receives sponsor PDFs, which need no edition of their own
    assert sorted(p.stem for p in (out / "editions").glob("*.pdf")) == ["pat-example-org"]
    assert any("one-pager" in str(p.relative_to(out)) for p in pdfs)
    for pdf in pdfs:
        _tagged_with_fonts_embedded(pdf)
    book = " ".join(pdf_text(out / "briefing-book.pdf"))
    assert "Example Anvils (fictional)" in book and "Sponsor Briefing Book" in book

    # a broken install is named, not reported as fine: the wheel's theme loses one partial
    site = next(installed.glob("lib/python*/site-packages"))
    cover = site / "briefing" / "theme" / "templates" / "partials" / "cover.html"
    shutil.move(cover, tmp_path / "cover.html")
    try:
        doctor = run(briefing, "doctor", cwd=project, env=env, check=False)
        assert doctor.returncode == 4, doctor.stdout + doctor.stderr
        assert "problem: theme: templates/partials/cover.html missing from " in doctor.stderr
    finally:
        shutil.move(tmp_path / "cover.html", cover)
    # a folder without data/ is a usage problem, not a missing library
    empty = run(briefing, "doctor", cwd=home, env=env, check=False)
    assert empty.returncode == 2 and "no data folder at data" in empty.stderr
