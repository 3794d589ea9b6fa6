"""Run jobs in forked worker processes: parallel, killable on timeout, memory returned.

Each job runs in its own forked process, which ends when the job ends: a hung WeasyPrint
layout can be killed, a crash takes down only its sponsor, and no process accumulates the
pages of every sponsor. Fork (not spawn) lets workers inherit the imported libraries.

A worker sends its outcome back through a pipe and keeps its temporary files in the call's
scratch folder (``briefing-jobs-*``), removed on the way out however ``run_jobs`` ends; a worker
dies with the run that forked it (``lifetime.die_with_parent``), and a run that ends early
(SIGTERM, Ctrl-C, an error) kills and reaps its workers before it goes on.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, NoReturn

from briefing.processes.lifetime import check_stop, die_with_parent

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


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


_answer: list[Connection] = []  # in a worker: its end of the pipe, for ``tell``


def tell(news: Any) -> None:
    """From inside a job: give the parent ``news`` now, before the job's result (run_jobs'
    ``on_news``); the preview shows a sponsor's PDF while its worker still prepares the book's
    pages. Outside a worker, nothing: the result says it all."""
    if _answer:
        _answer[0].send(("news", news))


def _enter(parent: int) -> None:
    die_with_parent(parent)
    # children die with the default SIGTERM action; the parent's handlers do not apply
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked by the parent around the fork


def _child(job: Job, answer: Connection, parent: int, scratch: str) -> None:
    _enter(parent)
    _run(job, answer, scratch)


def _run(job: Job, answer: Connection, scratch: str) -> NoReturn:
    _answer[:] = [answer]
    tempfile.tempdir = scratch  # what the job leaves in a temporary folder goes when the run does
    try:
        payload = ("ok", job.func(*job.args))
    except BaseException as err:  # noqa: BLE001 - report every failure to the parent
        from briefing.errors import BriefingError

        message = str(err) if isinstance(err, BriefingError) else (
            f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=-8)}")
        payload = ("failed", message)
    try:
        answer.send(payload)
    except Exception as err:  # noqa: BLE001 - a result that cannot be pickled is a failure too
        answer.send(("failed", f"its result could not be sent back: {type(err).__name__}: {err}"))
    os._exit(0)


def _held(prepare: Callable[[], Any], calls: Connection, answer: Connection, parent: int) -> None:
    _enter(parent)
    try:
        prepare()
    except Exception as err:  # noqa: BLE001 - the parent raises it, as if it had prepared itself
        try:
            answer.send(("unprepared", err))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            answer.send(("unprepared", RuntimeError(f"{type(err).__name__}: {err}")))
        os._exit(0)
    answer.send(("prepared", None))
    try:
        job, scratch = calls.recv()
    except (EOFError, OSError):  # not needed after all
        os._exit(0)
    _run(job, answer, scratch)


class Held:
    """A worker forked before its job is known, which ``prepare``s meanwhile: the `build` command
    forks one that imports WeasyPrint while the build reads its data and plans, and gives it the
    chapter when there is exactly one to print (docs/architecture.md, "Processes"). The job
    arrives pickled, so it carries what the worker needs (the sponsor, the edition); a run
    that does not use the worker ends it with ``close``."""

    def __init__(self, prepare: Callable[[], Any]) -> None:
        ctx = multiprocessing.get_context("fork")
        calls, self._calls = ctx.Pipe(duplex=False)
        self.answers, answer = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_held, args=(prepare, calls, answer, os.getpid()), name="held")
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        calls.close()
        answer.close()
        self.taken = False

    def give(self, job: Job, scratch: str) -> Any:
        """Send ``job`` to the worker once it has prepared; return its process (``run_jobs`` watches
        it from here), or None if it is gone. What its preparation raised is raised here: a
        missing system library fails the run as it would have in this process."""
        try:
            kind, value = self.answers.recv()
        except (EOFError, OSError, pickle.UnpicklingError):  # killed, or died preparing
            self.close()
            return None
        if kind == "unprepared":
            self.close()
            raise value
        self._calls.send((job, scratch))  # a job that cannot be pickled raises here; ``close`` ends the worker
        self.taken = True
        self._calls.close()
        return self.process

    def close(self) -> None:
        """End the worker if no job was given to it (``run_jobs`` reaps one that was)."""
        if not self.taken:
            self._calls.close()  # a worker still preparing ends when it asks for its job
            self.process.kill()
            self.process.join()
            self.answers.close()
            self.taken = True

    def __enter__(self) -> Held:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _collect(name: str, process: Any, answers: Connection, elapsed: float, timeout: float,
             on_news: Callable[[str, Any], None] | None) -> Outcome | None:
    """The job's outcome once it has one (or is over its time, then killed); None while it runs."""
    while answers.poll():  # news, its answer, or EOF: it ended without one
        try:
            kind, value = answers.recv()
        except (OSError, EOFError, pickle.UnpicklingError):
            process.join()
            return Outcome(name, False, error=f"worker died (exit code {process.exitcode})", seconds=elapsed)
        if kind == "news":
            if on_news:
                on_news(name, value)
            continue
        ok = kind == "ok"
        process.join()
        return Outcome(name, ok, value if ok else None, "" if ok else value, elapsed)
    if process.is_alive() and elapsed > timeout:
        process.kill()
        process.join()
        return Outcome(name, False, error=f"timed out after {timeout:g} s and was stopped", seconds=elapsed)
    return None


def run_jobs(jobs: Iterable[Job], *, workers: int, timeout: float,  # noqa: PLR0913 - keywords only
             on_start: Callable[[str], None] | None = None,
             on_done: Callable[[Outcome], None] | None = None,
             on_news: Callable[[str, Any], None] | None = None, held: Held | None = None) -> list[Outcome]:
    """Run ``jobs`` with at most ``workers`` at once; a job over ``timeout`` seconds is killed.
    ``on_news(name, news)`` hears what a job ``tell``s before it ends; ``held``: a worker forked
    already, given the first job."""
    pending = list(jobs)
    if workers <= 1 and len(pending) <= 1:
        workers = 1
    ctx = multiprocessing.get_context("fork")
    running: dict[str, tuple[Any, Connection, float]] = {}
    outcomes: list[Outcome] = []
    # the workers' temporary files (WeasyPrint's font copies) in one folder, removed on the way out
    # with whatever a killed worker left there
    scratch = tempfile.mkdtemp(prefix="briefing-jobs-")
    # Objects the workers inherit (every imported library, the loaded project) are moved out of
    # the collector's sight before forking: a worker's full collections no longer walk them nor
    # write to their pages, which would copy those pages into each worker (Python's gc.freeze
    # docs; docs/performance.md, "Workers fork from a frozen heap").
    gc.freeze()
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                job = pending.pop(0)
                given = held.give(job, scratch) if held is not None and not held.taken else None
                if given is not None:
                    running[job.name] = (given, held.answers, time.monotonic())  # type: ignore[union-attr]
                else:
                    answers, answer = ctx.Pipe(duplex=False)
                    process = ctx.Process(target=_child, args=(job, answer, os.getpid(), scratch), name=job.name)
                    # a stop signal waits until the worker is in ``running``, where the clean-up finds it
                    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
                    try:
                        process.start()
                        running[job.name] = (process, answers, time.monotonic())
                    finally:
                        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
                    answer.close()  # the worker's end: EOF here once the worker is gone
                if on_start:
                    on_start(job.name)
            # back as soon as a worker answers or ends, else every 10 ms for the stop flag and time-outs
            wait([answers for _, answers, _ in running.values()], timeout=0.01)
            check_stop()
            for name, (process, answers, started) in list(running.items()):
                outcome = _collect(name, process, answers, time.monotonic() - started, timeout, on_news)
                if outcome is None:
                    continue
                answers.close()
                del running[name]
                outcomes.append(outcome)
                if on_done:
                    on_done(outcome)
    finally:
        gc.unfreeze()
        for process, _, _ in running.values():
            process.kill()  # a run that ends early takes its workers with it, and waits for them
        for process, answers, _ in running.values():
            process.join()
            answers.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return outcomes
