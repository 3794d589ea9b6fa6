"""One watcher for `briefing watch` and `briefing serve`: real paths against the output folder."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from briefing.build.pipeline import Report
from briefing.ops import serve
from briefing.ops import watch as watching
from briefing.ops.progress import Log


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A project whose output folder lies inside data/ (`--out data/output`), as the watcher sees it."""
    for folder in ("data/sponsors", "templates", "assets"):
        (tmp_path / folder).mkdir(parents=True)
    return tmp_path


def test_the_filter_compares_real_paths(tmp_path):
    project = tmp_path / "output" / "project"  # a project path that contains "/output"
    keep = watching.outside(project / "site")
    assert keep(None, str(project / "data" / "sponsors" / "acme.yaml"))
    assert not keep(None, str(project / "site" / "acme.pdf"))
    assert not keep(None, str(project / "site" / "editions" / "x.pdf"))
    assert keep(None, str(project / "site-notes.yaml"))  # a sibling that merely starts alike
    assert keep(None, str(project / "site-letter" / "acme.pdf"))
    assert not keep(None, str(project / "data" / "acme.yaml~"))
    assert not keep(None, str(project / "data" / ".#acme.yaml"))
    (project / "site").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "data" / "preview").symlink_to(project / "site")
    assert not keep(None, str(project / "data" / "preview" / "acme.pdf"))  # the output folder under another name


def _watch_command(project: Path, out: Path, stop: threading.Event, builds: list[float],
                   monkeypatch: pytest.MonkeyPatch) -> threading.Thread:
    """`briefing watch` (ops.watch.watch), with a build that only counts."""
    import briefing.build.pipeline

    def build(opts, progress=None) -> Report:
        builds.append(time.monotonic())
        return Report()

    monkeypatch.setattr(briefing.build.pipeline, "build", build)
    log = Log(quiet=True, out=io.StringIO(), err=io.StringIO())
    return threading.Thread(target=watching.watch, args=(project / "data", out, log), kwargs={"stop": stop})


def _serve_command(project: Path, out: Path, stop: threading.Event, builds: list[float],
                   monkeypatch: pytest.MonkeyPatch) -> threading.Thread:
    """`briefing serve`'s watcher (ops.serve._watch), with a rebuild that only counts."""
    monkeypatch.setattr(serve.Preview, "rebuild", lambda self: builds.append(time.monotonic()))
    return threading.Thread(target=serve._watch, args=(serve.Preview(project / "data", out), stop))


def _wait_for(builds: list[float], count: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while len(builds) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(builds) >= count


@pytest.mark.slow  # two real watchers and builds: kept out of the two-minute default run
@pytest.mark.parametrize("command", [_watch_command, _serve_command], ids=["watch", "serve"])
def test_a_save_beside_the_output_folder_rebuilds_and_one_inside_does_not(project, command, monkeypatch):
    out = project / "data" / "output"
    sibling = project / "data" / "output-letter"  # its name starts with the output folder's
    for folder in (out, sibling):
        folder.mkdir()
    stop = threading.Event()
    builds: list[float] = []
    thread = command(project, out, stop, builds, monkeypatch)
    thread.start()
    try:
        assert _wait_for(builds, 1, 10), "no first build"
        time.sleep(0.5)  # the watcher starting
        (out / "acme.pdf").write_bytes(b"%PDF- inside the output folder")
        time.sleep(1.5)  # well past either command's debounce
        assert len(builds) == 1, "a save inside the output folder started a rebuild"
        (sibling / "acme.pdf").write_bytes(b"%PDF- beside it")
        assert _wait_for(builds, 2, 10), "a save in output-letter/ was taken for one in output/"
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
