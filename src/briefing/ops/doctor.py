"""`briefing doctor`: can this machine print into this output folder from this data folder?"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from briefing.errors import EXIT_ERROR, EXIT_SYSTEM, BriefingError, UsageError
from briefing.theme import Theme

Check = tuple[bool, str, int]  # ok, the line to print, the exit code when not ok


def checks(data_dir: Path, out_dir: Path) -> Iterator[Check]:
    """WeasyPrint and Pango; the package's theme, every template and asset a build needs and every
    font, with the project's overrides named; the data found from ``data_dir``; whether
    ``out_dir`` can be written. A ``data_dir`` that is no folder is a usage error (raised first)."""
    if not data_dir.is_dir():
        raise UsageError(f"no data folder at {data_dir}: run doctor in a project (a folder with data/), "
                         "give --data DIR, or start one with `briefing new DIR`")
    try:
        import weasyprint

        yield True, f"WeasyPrint {weasyprint.__version__} with Pango", EXIT_SYSTEM
    except OSError as err:
        yield False, (f"WeasyPrint cannot load a system library: {err}; install Pango and HarfBuzz "
                      "(sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)"), EXIT_SYSTEM
    from briefing.data.load import find_root, load_project

    root = find_root(data_dir)
    yield from theme_checks(root)
    try:
        project = load_project(data_dir)
        yield True, f"data folder {data_dir}: {len(project.sponsors)} sponsor file(s) valid", EXIT_ERROR
    except BriefingError as err:
        yield False, f"data folder {data_dir}: {str(err).splitlines()[0]}", EXIT_ERROR
    yield _writable(out_dir)


def theme_checks(root: Path) -> Iterator[Check]:
    """The theme as the project at ``root`` sees it: installed, complete, fonts readable."""
    from briefing.data.brand import font_problem
    from briefing.render.html import reached
    from briefing.theme import ENTRY_TEMPLATES, TOKENS, ThemeMissing

    theme = Theme(root)
    try:
        default = theme.default
    except ThemeMissing as err:
        yield False, str(err), EXIT_SYSTEM
        return
    needed = {f"templates/{name}" for entry in ENTRY_TEMPLATES for name in reached(theme.template_dirs, entry)}
    needed |= _stylesheets(theme, ["assets/css/sponsor.css", "assets/css/book.css", "assets/css/onepager.css",
                                   "assets/css/overlay.css", TOKENS])
    missing = sorted(rel for rel in needed if not theme.find(rel).is_file())
    files = theme.files()
    fonts = theme.font_files()
    broken = [f"{font.name} ({why})" for font in fonts if (why := font_problem(font))]
    if missing:
        yield False, (f"theme: {', '.join(missing)} missing from {default}"
                      f"{' and from the project' if theme.overlays else ''}; reinstall briefing"), EXIT_SYSTEM
    else:
        yield True, f"theme: {len(needed)} templates, stylesheets and fonts found ({default})", EXIT_SYSTEM
    if broken or not fonts:
        yield False, f"fonts: {', '.join(broken) or 'none found'} cannot be read; reinstall briefing", EXIT_SYSTEM
    else:
        yield True, f"fonts: {len(fonts)} load", EXIT_SYSTEM
    overridden = [f for f in files if f.overridden and not f.added]
    added = [f for f in files if f.added]
    yield True, (f"project at {root}: overrides {len(overridden)} file(s) of the default theme, adds "
                 f"{len(added)}"), EXIT_ERROR
    for f in overridden:
        yield True, f"  {f.rel} from {f.path}", EXIT_ERROR


_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


def _stylesheets(theme: Theme, entries: list[str]) -> set[str]:
    """The stylesheets and every file they import or name with url(), as a build looks them up."""
    seen: set[str] = set()
    todo = list(entries)
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.add(rel)
        path = theme.find(rel)
        if rel.endswith(".css") and path.is_file():
            base = posixpath.dirname(rel)
            todo += [posixpath.normpath(posixpath.join(base, ref)) for ref in _URL.findall(path.read_text("utf-8"))
                     if ":" not in ref]
    return seen


def _writable(out_dir: Path) -> Check:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".doctor.", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError as err:
        return False, f"output folder {out_dir} cannot be written: {err.strerror or err}", EXIT_ERROR
    return True, f"output folder {out_dir} is writable", EXIT_ERROR
