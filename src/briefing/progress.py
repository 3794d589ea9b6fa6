"""What a build tells people: a progress bar on a terminal, plain lines in logs, JSON for collectors."""

from __future__ import annotations

import json
import sys
import time
import uuid
from typing import Any

import click


class Reporter:
    def __init__(self, *, quiet: bool = False, json_lines: bool = False, run_id: str | None = None):
        self.quiet, self.json_lines = quiet, json_lines
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.tty = sys.stderr.isatty() and not json_lines
        self.planned = 0
        self.finished = 0
        self.started: dict[str, float] = {}
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Reporter:
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _json(self, **fields: Any) -> None:
        click.echo(json.dumps({"run_id": self.run_id, **fields}, ensure_ascii=False))

    def _bar(self) -> Any:
        if self._progress is None and self.tty and not self.quiet and self.planned > 1:
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
                                      console=__import__("rich.console").console.Console(stderr=True))
            self._task = self._progress.add_task("building", total=self.planned)
            self._progress.start()
        return self._progress

    def event(self, kind: str, name: str, seconds: float | None = None) -> None:
        now = time.monotonic()
        if kind == "plan":
            self.planned += 1
            return
        if kind == "start":
            self.started[name] = now
        if self.json_lines:
            duration = round(now - self.started.get(name, now), 3) if kind != "start" else None
            stage = "render" if kind in ("start", "chapter") else "assemble"
            self._json(stage=stage, item=name, outcome=kind, duration=duration)
            return
        bar = self._bar()
        if bar is not None:
            if kind in ("done", "fail"):
                self.finished += 1
                bar.update(self._task, completed=self.finished, description=f"built {name}")
            elif kind == "start":
                bar.update(self._task, description=f"rendering {name}")
        elif not self.quiet and kind in ("done", "fail", "chapter"):
            label = {"done": "wrote", "fail": "FAILED", "chapter": "rendered"}[kind]
            click.echo(f"{label} {name}", err=True)

    def summary(self, report: Any) -> None:
        if self.json_lines:
            self._json(stage="summary", rebuilt=len(report.rebuilt), reused=len(report.reused),
                       failed=len(report.failed), duration=round(report.seconds, 3),
                       outcome="ok" if report.ok else "failed")
            for name, error in report.failed:
                self._json(stage="summary", item=name, outcome="failed", error=error)
            return
        for name, error in report.failed:
            click.echo(f"error: {name}: {error}", err=True)
        if self.quiet:
            return
        for warning in report.warnings:
            click.echo(warning, err=True)
        if report.reused and not report.rebuilt and not report.failed:
            click.echo(f"up to date: {len(report.reused)} output(s), nothing rendered ({report.seconds:.1f} s)")
            return
        for name in report.rebuilt:
            click.echo(f"  rebuilt  {name} ({report.pages.get(name, '?')} pages)")
        for name in report.reused:
            click.echo(f"  current  {name}")
        click.echo(f"{len(report.rebuilt)} rebuilt, {len(report.reused)} up to date, "
                   f"{len(report.failed)} failed in {report.seconds:.1f} s")
