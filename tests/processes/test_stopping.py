"""Stopped means stopped: a run ended by SIGTERM takes its workers with it, nothing writes into
the output afterwards, and no temporary folder is left behind (issue 25, item 10)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BRIEFING, FICTION, make_project

from briefing.ops.lock import LOCK_NAME


def _state(out: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``out`` (hidden caches included): mtime and content hash."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name != LOCK_NAME:
            found[str(path.relative_to(out))] = (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def _forked_workers(pid: int) -> list[int]:
    """Children of ``pid`` forked from it (same command line; the binding process has its own)."""
    try:
        own = Path(f"/proc/{pid}/cmdline").read_bytes()
        return [c for c in _children(pid) if Path(f"/proc/{c}/cmdline").read_bytes() == own]
    except OSError:
        return []


def _children(pid: int) -> list[int]:
    """Of every thread (`serve` forks from its watcher thread)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


@pytest.mark.slow
def test_sigterm_mid_build_stops_every_worker_and_leaves_no_temporary_folder(tmp_path):
    root = make_project(tmp_path / "project", FICTION / "data")
    out = root / "output"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp))
    env.pop("BRIEFING_RUN_LOCK", None)  # files.RUN_LOCK_ENV: this test runs no lock of its own
    log = tmp_path / "stderr.txt"  # a file, as a terminal or a log: a closed pipe would end an orphan early
    process = subprocess.Popen([str(BRIEFING), "build", "--jobs", "1", "--data", "data", "--out", "output"],
                               cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        # mid-build: a forked worker is printing a chapter, which it will write when done
        deadline = time.monotonic() + 90
        while not _forked_workers(process.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "the build ended before it could be stopped"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130 and "interrupted" in log.read_text()
    before = _state(out)
    time.sleep(30)  # the orphaned worker on main wrote its PDF well inside this
    assert _state(out) == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not list(tmp.iterdir())  # no folder of the run's (briefing-jobs-*), nor WeasyPrint's font copies


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for child in _children(pid):
        found |= {child} | _descendants(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except (OSError, IndexError):
        return False


COMMANDS = {"build": ["build", "--jobs", "1"], "tick": ["tick", "--no-send"], "watch": ["watch"],
            "schedule": ["schedule", "--cron", "* * * * * *", "--tz", "UTC", "--no-send"],
            "serve": ["serve", "--port", "0", "--jobs", "1"]}
# SIGINT to build, tick and watch already stopped their workers; to schedule and serve it did not
STOPS = [(name, signal.SIGTERM) for name in COMMANDS] + [(name, signal.SIGINT) for name in ("schedule", "serve")]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "sig"), STOPS, ids=[f"{n}-{s.name}" for n, s in STOPS])
def test_a_stopped_command_ends_every_worker_it_started(tmp_path, name, sig):
    command = COMMANDS[name]
    root = make_project(tmp_path / "project", FICTION / "data")
    env = dict(os.environ)
    env.pop("BRIEFING_RUN_LOCK", None)
    log = tmp_path / "log.txt"
    process = subprocess.Popen([str(BRIEFING), *command], cwd=root, env=env, stdout=log.open("w"),
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            # seen twice: a subprocess between its fork and its exec looks like a worker too
            seen = set(_forked_workers(process.pid))
            time.sleep(0.3)
            if seen & set(_forked_workers(process.pid)):
                break
        started = _descendants(process.pid)
        time.sleep(0.3)
        started &= _descendants(process.pid)  # past their first steps (asking to die with the run)
        assert _forked_workers(process.pid), log.read_text()
        for pid in started:  # held still, so none ends on its own by finishing its job
            os.kill(pid, signal.SIGSTOP)
        process.send_signal(sig)
        process.wait(timeout=30)
        deadline = time.monotonic() + 2
        while any(_alive(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in started if _alive(pid)], log.read_text()
    finally:
        process.kill()
        for pid in started if "started" in locals() else ():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def test_a_write_after_the_run_lost_its_lock_is_refused(tmp_path, monkeypatch):
    """The final rename checks the run still holds the lock (what a leftover worker would do)."""
    from briefing.errors import OutputError
    from briefing.files import RUN_LOCK_ENV, write_atomic
    from briefing.ops.lock import run_lock

    monkeypatch.delenv(RUN_LOCK_ENV, raising=False)
    out = tmp_path / "out"
    with run_lock(out):
        held = os.environ[RUN_LOCK_ENV]
        write_atomic(out / "a.pdf", b"first")
    monkeypatch.setenv(RUN_LOCK_ENV, held)  # as a worker forked during the run still has it
    with pytest.raises(OutputError, match="no longer holds the output folder's lock"):
        write_atomic(out / "a.pdf", b"late")
    with run_lock(out):  # the next run: the leftover still may not write
        with pytest.raises(OutputError):
            monkeypatch.setenv(RUN_LOCK_ENV, held)
            write_atomic(out / "a.pdf", b"late")
    assert (out / "a.pdf").read_bytes() == b"first"
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME, "a.pdf"]  # no temporary file left either
