"""Scheduled runs: one `tick` (build, send with what changed, log) and a loop that calls it.

`briefing schedule` (a long-lived process), `briefing tick` from the cron line and the
systemd unit all run the same `tick`. Cron expressions are read in a time zone: ``--tz``,
else ``timezone:`` in book.yaml, else the machine's own zone; daylight-saving changes behave
as Debian's cron does (cronsim): a time that does not exist runs once just after the jump, a
time that exists twice runs once.

A failing run is logged and the scheduler waits for the next tick; SIGTERM (systemd stop,
docker stop) ends the wait or lets the current run finish, then exits cleanly.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from briefing.build.options import DATA_DIR, OUT_DIR
from briefing.errors import UsageError
from briefing.ops.lock import run_lock
from briefing.ops.progress import Log, Reporter, new_run_id
from briefing.processes import clear_stop, interrupt

# --- time ---------------------------------------------------------------------------------------


def local_zone() -> ZoneInfo:
    """The machine's zone with its DST rules (a fixed UTC offset would drift at the change)."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    localtime = Path("/etc/localtime")
    try:
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            return ZoneInfo(target.split("zoneinfo/", 1)[1])
        with localtime.open("rb") as handle:
            return ZoneInfo.from_file(handle, key="localtime")
    except (OSError, ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def zone(name: str | None) -> ZoneInfo:
    if not name:
        return local_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {name!r}: use an IANA name such as America/Los_Angeles") from None


def check_cron(expression: str) -> str:
    try:
        CronSim(expression, dt.datetime(2026, 1, 1))
    except (CronSimError, ValueError) as err:
        raise UsageError(f"not a valid cron expression: {expression!r} ({err}; e.g. '0 6 * * 1-5')") from None
    return expression


def next_runs(expression: str, tz: ZoneInfo, *, after: dt.datetime | None = None) -> Iterator[dt.datetime]:
    """Every time ``expression`` names after ``after`` (default now), aware, in ``tz``."""
    start = (after or dt.datetime.now(dt.UTC)).astimezone(tz)
    return iter(CronSim(check_cron(expression), start))


# --- one run --------------------------------------------------------------------------------------


@dataclass
class TickOptions:
    data_dir: Path = DATA_DIR
    out_dir: Path = OUT_DIR
    send: bool = True
    wait: bool = True  # another run holds the folder: wait for it (the scheduler) or exit 3 (cron)
    outbox: Path | None = None


@dataclass
class TickResult:
    run_id: str
    ok: bool = True
    counts: dict[str, int] = field(default_factory=dict)


def tick(opts: TickOptions, log: Log) -> TickResult:
    """One scheduled run: build what changed, send new editions with what changed, log it all.

    A sponsor that fails to build is logged and only its recipients wait for the next run.
    """
    from briefing.build.options import Options
    from briefing.build.pipeline import build
    from briefing.delivery.distribute import SendOptions, send

    result = TickResult(log.run_id)
    with run_lock(opts.out_dir, wait=opts.wait):
        started = time.monotonic()
        with Reporter(log=log) as reporter:
            report = build(Options(data_dir=opts.data_dir, out_dir=opts.out_dir), reporter.event)
        reporter.summary(report)
        result.counts.update(rebuilt=len(report.rebuilt), reused=len(report.reused), failed=len(report.failed))
        result.ok = report.ok
        if opts.send:
            # approvers marked in distribution.yaml get a review copy of what waits for them
            counts = _send(SendOptions(data_dir=opts.data_dir, out_dir=opts.out_dir, outbox=opts.outbox,
                                       review=True), log, send)
            result.counts.update(counts)
            result.ok = result.ok and counts["not_served"] == 0
        log.emit("info" if result.ok else "error", "run", outcome="ok" if result.ok else "failed",
                 duration_s=time.monotonic() - started, **result.counts)
    return result


# held back on purpose (a sign-off, or a correction `updates: hold` keeps for `send --correction`)
HELD_BACK = ("wait", "hold-correction")


def _send(opts, log: Log, send: Callable) -> dict[str, int]:
    from briefing.delivery.mail import Result

    counts = {"sent": 0, "outbox": 0, "waiting": 0, "review": 0, "not_served": 0}

    def say(r: Result) -> None:
        if r.served and r.detail.startswith("review copy"):
            counts["review"] += r.outcome in ("sent", "written-to-outbox")
        elif r.outcome == "sent":
            counts["sent"] += 1
        elif r.outcome == "written-to-outbox":
            counts["outbox"] += 1
        elif r.action in HELD_BACK:  # waiting for a sign-off is not a failed run; it is logged with its reason
            counts["waiting"] += 1
        elif not r.served:
            counts["not_served"] += 1
        level = "info" if r.served else "warning" if r.action in HELD_BACK else "error"
        log.emit(level, "send", f"{r.outcome:>17}  {r.email}  {r.detail}", item=r.email, outcome=r.outcome,
                 detail=r.detail)

    with Reporter(log=log) as reporter:
        send(opts, say=say, progress=reporter.event)
    return counts


# --- the long-lived scheduler ------------------------------------------------------------------


def run_schedule(expression: str, tz: ZoneInfo, run: Callable[[Log], TickResult], log: Log, *,
                 max_runs: int | None = None, stop: threading.Event | None = None) -> int:
    """Call ``run`` at every time ``expression`` names in ``tz``; return the number of runs."""
    stop = stop or threading.Event()
    received: list[int] = []

    running = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)
        stop.set()
        if running.is_set():  # stop the run too: its workers are killed, its lock released
            interrupt()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    times = next_runs(expression, tz)
    runs = 0
    log.info("scheduler", f"scheduler started: {expression!r} in {tz.key}", outcome="started",
             cron=expression, tz=tz.key)
    try:
        while not stop.is_set() and (max_runs is None or runs < max_runs):
            due = next(times)
            log.info("scheduler", f"next run {due.isoformat()}", outcome="waiting", next=due.isoformat())
            if stop.wait(max(0.0, due.timestamp() - time.time())):
                break
            running.set()
            try:
                _one(run, log)
            except KeyboardInterrupt:
                clear_stop()
                break  # stopped by the signal; said below
            finally:
                running.clear()
            runs += 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("scheduler", f"scheduler stopped after {runs} run(s)", outcome="stopped", runs=runs)
    if signal.SIGINT in received:  # Ctrl-C: exit as interrupted (130)
        raise KeyboardInterrupt
    return runs


def _one(run: Callable[[Log], TickResult], log: Log) -> None:
    run_log = Log(json_lines=log.json_lines, quiet=log.quiet, run_id=new_run_id(), out=log._out, err=log._err)
    started = time.monotonic()
    try:
        run(run_log)
    except Exception as err:  # noqa: BLE001 - a failing run must not end the scheduler
        run_log.error("run", f"error: run failed: {err}", duration_s=time.monotonic() - started)


def schedule_settings(data_dir: Path, expression: str | None, tz_name: str | None) -> tuple[str, ZoneInfo]:
    """The cron expression and zone: the options first, then book.yaml, then the machine's zone."""
    if expression is None or tz_name is None:
        from briefing.data.load import load_project

        book = load_project(data_dir).book
        expression = expression or book.schedule
        tz_name = tz_name or book.timezone
        if not expression:
            raise UsageError(f"no --cron given and no `schedule` in {data_dir / 'book.yaml'}")
    return check_cron(expression), zone(tz_name)
