"""A long-lived scheduler: on each cron tick, an incremental build, then send what changed.

A failing run is logged and the scheduler waits for the next tick; SIGTERM (systemd stop,
docker stop) ends the wait or lets the current run finish, then exits cleanly.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from croniter import croniter

from .errors import BriefingError


def check_cron(expression: str) -> str:
    if not croniter.is_valid(expression):
        raise BriefingError(f"not a valid cron expression: {expression!r} (e.g. '0 6 * * MON-FRI')")
    return expression


def run_schedule(expression: str, tick: Callable[[str], dict[str, Any]],
                 log: Callable[[dict[str, Any]], None], *, max_runs: int | None = None,
                 stop: threading.Event | None = None) -> int:
    """Run ``tick(run_id)`` at every time ``expression`` names; return the number of runs."""
    stop = stop or threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    schedule = croniter(check_cron(expression), dt.datetime.now())
    runs = 0
    log({"stage": "scheduler", "outcome": "started", "cron": expression})
    try:
        while not stop.is_set() and (max_runs is None or runs < max_runs):
            due = schedule.get_next(float)
            log({"stage": "scheduler", "outcome": "waiting",
                 "next": dt.datetime.fromtimestamp(due).isoformat(timespec="seconds")})
            if stop.wait(max(0.0, due - time.time())):
                break
            run_id = uuid.uuid4().hex[:12]
            started = time.monotonic()
            try:
                counts = tick(run_id)
                log({"run_id": run_id, "stage": "run", "outcome": "ok",
                     "duration": round(time.monotonic() - started, 3), **counts})
            except Exception as err:  # noqa: BLE001 - a failing run must not end the scheduler
                log({"run_id": run_id, "stage": "run", "outcome": "failed",
                     "duration": round(time.monotonic() - started, 3), "error": str(err)})
            runs += 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log({"stage": "scheduler", "outcome": "stopped", "runs": runs})
    return runs
