"""`briefing doctor`: can this machine print into this output folder from this data folder?"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from briefing.errors import BriefingError


def checks(data_dir: Path, out_dir: Path) -> Iterator[tuple[bool, str]]:
    """(ok, line) for WeasyPrint and Pango, the project found from ``data_dir``, its fonts,
    and whether ``out_dir`` can be written."""
    try:
        import weasyprint

        yield True, f"WeasyPrint {weasyprint.__version__} with Pango"
    except OSError as err:
        yield False, (f"WeasyPrint cannot load a system library: {err}; install Pango and HarfBuzz "
                      "(sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)")
    from briefing.data.load import find_root, load_project

    try:
        root = find_root(data_dir)
        fonts = sorted(p.name for p in (root / "assets" / "fonts").glob("*.[ot]tf"))
        yield True, f"project at {root} with {len(fonts)} fonts"
        project = load_project(data_dir)
        yield True, f"data folder {data_dir}: {len(project.sponsors)} sponsor file(s) valid"
    except BriefingError as err:
        yield False, f"data folder {data_dir}: {str(err).splitlines()[0]}"
    yield _writable(out_dir)


def _writable(out_dir: Path) -> tuple[bool, str]:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".doctor.", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError as err:
        return False, f"output folder {out_dir} cannot be written: {err.strerror or err}"
    return True, f"output folder {out_dir} is writable"
