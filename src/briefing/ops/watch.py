"""One watcher for `briefing watch` and `briefing serve`: a rebuild after every save that matters.

Saves under data/, templates/ or assets/ matter; saves inside the output folder (which may lie
inside data/, e.g. `--out data/preview`) and editors' backup and lock files do not. Paths are
compared as real paths (symbolic links resolved), never as strings: `output-letter/` beside
`output/` is not inside it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from briefing.errors import BriefingError, DataError
from briefing.ops.lock import run_lock
from briefing.ops.progress import Log, Reporter


def source_folders(data_dir: Path) -> list[Path]:
    """The data folder and, where the project is found, its templates/ and assets/."""
    from briefing.data.load import find_root

    folders = [data_dir]
    try:
        root = find_root(data_dir)
        folders += [root / "templates", root / "assets"]
    except DataError:
        pass  # the build says so; the data folder is watched all the same
    return [folder for folder in folders if folder.exists()]


def outside(out_dir: Path) -> Callable[[object, str], bool]:
    """A watchfiles filter: True for saves that matter, i.e. not inside ``out_dir`` and not
    editor backups."""
    out = out_dir.resolve()

    def keep(change: object, path: str) -> bool:
        saved = Path(path).resolve()
        if saved.is_relative_to(out):
            return False
        return not (saved.name.endswith(("~", ".swp", ".tmp")) or saved.name.startswith(".#"))

    return keep


def follow(data_dir: Path, out_dir: Path, rebuild: Callable[[], None], *, stop: threading.Event | None = None,
           debounce: int = 300, step: int = 100) -> None:
    """Call ``rebuild`` now, then after every batch of saves that matter (``debounce`` ms of
    quiet, looked for every ``step`` ms) until ``stop`` is set or Ctrl-C."""
    from watchfiles import watch as watch_files

    rebuild()
    for _ in watch_files(*source_folders(data_dir), debounce=debounce, step=step, watch_filter=outside(out_dir),
                         stop_event=stop, raise_interrupt=True):
        rebuild()


def watch(data_dir: Path, out_dir: Path, log: Log, *, stop: threading.Event | None = None) -> None:
    """`briefing watch`: rebuild on every save in data/, templates/ or assets/ until interrupted."""
    from briefing.build.options import Options
    from briefing.build.pipeline import build

    def once() -> None:
        try:
            with run_lock(out_dir, wait=True), Reporter(log=log) as reporter:
                report = build(Options(data_dir=data_dir, out_dir=out_dir), reporter.event)
            for name, error in report.failed:
                log.error("build", f"error: {name}: {error}", item=name)
            log.info("watch", f"{time.strftime('%H:%M:%S')} {len(report.rebuilt)} rebuilt, "
                              f"{len(report.failed)} failed ({report.seconds:.1f} s); watching…",
                     outcome="ok" if report.ok else "failed", duration_s=report.seconds)
        except BriefingError as err:  # located data errors: print them and keep watching
            log.error("build", str(err))

    follow(data_dir, out_dir, once, stop=stop)
