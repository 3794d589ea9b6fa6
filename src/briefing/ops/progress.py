"""What a run tells people: a progress bar on a terminal, plain lines in logs, JSON for collectors.

With ``json_lines`` every line on stdout and stderr is one JSON object with the same keys:
``ts`` (ISO 8601 with the UTC offset), ``run_id``, ``level``, ``stage``, ``item``,
``duration_s`` and ``outcome`` (plus ``message`` and counts where they apply). Warnings and
errors are JSON too, on stderr, so a cron line that merges both streams stays parseable.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
import uuid
from typing import Any, TextIO

from briefing.documents.outputs import is_book, stem


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


class Log:
    """One place every command writes its lines through (library code; no click)."""

    def __init__(self, *, json_lines: bool = False, quiet: bool = False, run_id: str | None = None,
                 out: TextIO | None = None, err: TextIO | None = None):
        self.json_lines, self.quiet = json_lines, quiet
        self.run_id = run_id or new_run_id()
        self._out, self._err = out, err

    @property
    def out(self) -> TextIO:
        return self._out or sys.stdout  # looked up late: click's test runner swaps sys.stdout

    @property
    def err(self) -> TextIO:
        return self._err or sys.stderr

    def record(self, level: str, stage: str, *, item: str | None = None, outcome: str | None = None,
               duration_s: float | None = None, **extra: Any) -> dict[str, Any]:
        return {"ts": dt.datetime.now().astimezone().isoformat(timespec="milliseconds"),
                "run_id": self.run_id, "level": level, "stage": stage, "item": item,
                "duration_s": None if duration_s is None else round(duration_s, 3),
                "outcome": outcome, **extra}

    def emit(self, level: str, stage: str, text: str | None = None, **fields: Any) -> None:
        """``text`` is the human line; in JSON mode it becomes ``message``."""
        stream = self.err if level in ("warning", "error") else self.out
        if self.json_lines:
            record = self.record(level, stage, **fields)
            if text is not None:
                record["message"] = text.strip()
            print(json.dumps(record, ensure_ascii=False, default=str), file=stream, flush=True)
            return
        if text is None or (self.quiet and level != "error"):
            return
        print(text, file=stream, flush=True)

    def capture_logging(self) -> None:
        """Send what libraries log (pypdf, WeasyPrint, fontTools, Python warnings) through this
        log, so that no plain-text line slips into a JSON log."""
        root = logging.getLogger()
        for handler in [h for h in root.handlers if isinstance(h, _JsonHandler)]:
            root.removeHandler(handler)
        if not self.json_lines:
            return
        root.addHandler(_JsonHandler(self))
        root.setLevel(min(root.level or logging.WARNING, logging.WARNING))
        logging.captureWarnings(True)

    def info(self, stage: str, text: str | None = None, **fields: Any) -> None:
        self.emit("info", stage, text, **fields)

    def warning(self, stage: str, text: str, **fields: Any) -> None:
        self.emit("warning", stage, text, outcome=fields.pop("outcome", "warning"), **fields)

    def error(self, stage: str, text: str, **fields: Any) -> None:
        self.emit("error", stage, text, outcome=fields.pop("outcome", "failed"), **fields)


class _JsonHandler(logging.Handler):
    def __init__(self, log: Log):
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        level = "error" if record.levelno >= logging.ERROR else "warning"
        try:
            self.log.emit(level, "library", record.getMessage(), item=record.name, outcome=level)
        except Exception:  # noqa: BLE001 - logging must never break a run
            self.handleError(record)


def _stage(name: str) -> str:
    """Sponsor PDFs are printed (render); books and editions are put together (assemble)."""
    return "assemble" if is_book(name) else "render"


class Reporter:
    """The build's progress callback: ``event(kind, name, seconds=None)``."""

    def __init__(self, *, quiet: bool = False, json_lines: bool = False, run_id: str | None = None,
                 log: Log | None = None):
        self.log = log or Log(json_lines=json_lines, quiet=quiet, run_id=run_id)
        self.quiet, self.json_lines = self.log.quiet, self.log.json_lines
        self.run_id = self.log.run_id
        self.tty = sys.stderr.isatty() and not self.json_lines
        self.planned = 0
        self.finished = 0
        self.started: dict[str, float] = {}
        self.t0 = time.monotonic()
        self.last = self.t0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Reporter:
        self.t0 = self.last = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _bar(self) -> Any:
        if self._progress is None and self.tty and not self.quiet and self.planned > 1:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), TimeRemainingColumn(), transient=True,
                                      console=Console(stderr=True))
            self._task = self._progress.add_task("building", total=self.planned)
            self._progress.start()
        return self._progress

    def _duration(self, kind: str, name: str, seconds: float | None, now: float) -> float | None:
        """The real time an item took: the build's own figure, else since its start event,
        else since the previous finished item (books are assembled one after another)."""
        if kind == "start":
            return None
        if seconds is not None:
            return seconds
        began = self.started.get(name, self.started.get(stem(name), self.last))
        return now - began

    def event(self, kind: str, name: str, seconds: float | None = None) -> None:
        now = time.monotonic()
        if kind == "plan":
            self.planned += 1
            return
        if kind == "start":
            self.started[name] = now
        duration = self._duration(kind, name, seconds, now)
        if kind in ("done", "fail"):
            self.last = now
        if self.json_lines:
            level = "error" if kind == "fail" else "info"
            self.log.emit(level, _stage(name) if kind != "start" else "render", item=name,
                          outcome={"fail": "failed"}.get(kind, kind), duration_s=duration)
            return
        self._human(kind, name)

    def _human(self, kind: str, name: str) -> None:
        bar = self._bar()
        if bar is not None:
            if kind in ("done", "fail"):
                self.finished += 1
                bar.update(self._task, completed=self.finished, description=f"built {name}")
            elif kind == "start":
                bar.update(self._task, description=f"rendering {name}")
        elif not self.quiet and kind in ("done", "fail", "chapter"):
            label = {"done": "wrote", "fail": "FAILED", "chapter": "rendered"}[kind]
            print(f"{label} {name}", file=sys.stderr, flush=True)

    def summary(self, report: Any) -> None:
        log = self.log
        for warning in report.warnings:
            log.warning("load", str(warning))
        for name, error in report.failed:
            log.error("build", f"error: {name}: {error}", item=name)
        outcome = "ok" if report.ok else "failed"
        if self.json_lines:
            log.emit("info" if report.ok else "error", "summary", duration_s=report.seconds, outcome=outcome,
                     rebuilt=len(report.rebuilt), reused=len(report.reused), failed=len(report.failed))
            return
        if self.quiet:
            return
        if report.reused and not report.rebuilt and not report.failed:
            log.info("summary", f"up to date: {len(report.reused)} output(s), nothing rendered "
                                f"({report.seconds:.1f} s)")
            return
        for name in report.rebuilt:
            log.info("summary", f"  rebuilt  {name} ({report.pages.get(name, '?')} pages)")
        for name in report.reused:
            log.info("summary", f"  current  {name}")
        log.info("summary", f"{len(report.rebuilt)} rebuilt, {len(report.reused)} up to date, "
                            f"{len(report.failed)} failed in {report.seconds:.1f} s")
