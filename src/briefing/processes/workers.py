"""Run jobs in forked worker processes: parallel, killable on timeout, memory returned.

Each job runs in its own forked process, which ends when the job ends: a hung WeasyPrint
layout can be killed, a crash takes down only its sponsor, and no process accumulates the
pages of every sponsor. Fork (not spawn) lets workers inherit the imported libraries.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Job:
    name: str
    func: Callable[..., Any]
    args: tuple[Any, ...]


@dataclass
class Outcome:
    name: str
    ok: bool
    value: Any = None
    error: str = ""
    seconds: float = 0.0


def _child(job: Job, result_path: str) -> None:
    # children die with the default SIGTERM action; the parent's handlers do not apply
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        payload = (True, job.func(*job.args))
    except BaseException as err:  # noqa: BLE001 - report every failure to the parent
        from briefing.errors import BriefingError

        message = str(err) if isinstance(err, BriefingError) else (
            f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=5)}")
        payload = (False, message)
    with open(result_path, "wb") as handle:
        pickle.dump(payload, handle)
    os._exit(0)


def run_jobs(jobs: Iterable[Job], *, workers: int, timeout: float,
             on_start: Callable[[str], None] | None = None,
             on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run ``jobs`` with at most ``workers`` at once; a job over ``timeout`` seconds is killed."""
    pending = list(jobs)
    if workers <= 1 and len(pending) <= 1:
        workers = 1
    ctx = multiprocessing.get_context("fork")
    running: dict[str, tuple[Any, str, float]] = {}
    outcomes: list[Outcome] = []
    tmpdir = tempfile.mkdtemp(prefix="briefing-jobs-")
    # Objects the workers inherit (every imported library, the loaded project) are moved out of
    # the collector's sight before forking: a worker's full collections no longer walk them nor
    # write to their pages, which would copy those pages into each worker (Python's gc.freeze
    # docs; docs/performance.md, "Workers fork from a frozen heap").
    gc.freeze()
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                job = pending.pop(0)
                result_path = os.path.join(tmpdir, f"{len(outcomes) + len(running)}.pickle")
                process = ctx.Process(target=_child, args=(job, result_path), name=job.name)
                process.start()
                running[job.name] = (process, result_path, time.monotonic())
                if on_start:
                    on_start(job.name)
            time.sleep(0.01)
            for name, (process, result_path, started) in list(running.items()):
                elapsed = time.monotonic() - started
                if process.is_alive() and elapsed > timeout:
                    process.kill()
                    process.join()
                    outcome = Outcome(name, False, error=f"timed out after {timeout:g} s and was stopped",
                                      seconds=elapsed)
                elif process.is_alive():
                    continue
                else:
                    process.join()
                    try:
                        with open(result_path, "rb") as handle:
                            ok, value = pickle.load(handle)
                        outcome = Outcome(name, ok, value if ok else None, "" if ok else value, elapsed)
                    except (OSError, EOFError, pickle.UnpicklingError):
                        outcome = Outcome(name, False, error=f"worker died (exit code {process.exitcode})",
                                          seconds=elapsed)
                del running[name]
                outcomes.append(outcome)
                if on_done:
                    on_done(outcome)
    finally:
        gc.unfreeze()
        for process, _, _ in running.values():
            process.kill()
        for leftover in Path(tmpdir).glob("*"):
            leftover.unlink()
        os.rmdir(tmpdir)
    return outcomes
