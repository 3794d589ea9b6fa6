"""The command line: flags in, library calls, messages and exit codes out.

Exit codes: 0 success; 1 data, render or delivery errors (each with its location);
2 usage errors; 3 another run holds the lock; 4 the system lacks a library WeasyPrint needs.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click

from .errors import BriefingError, DataError
from .lock import Locked, run_lock

EXIT_ERROR, EXIT_USAGE, EXIT_LOCKED, EXIT_SYSTEM = 1, 2, 3, 4

data_option = click.option("--data", "data_dir", type=click.Path(path_type=Path), default=Path("data"),
                           show_default=True, help="Folder with book.yaml, sponsors/ and distribution.yaml.")
out_option = click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"),
                          show_default=True, help="Folder the PDFs, manifest and send log are written to.")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
wait_option = click.option("--wait", is_flag=True,
                           help="If another run holds the output folder, wait for it (default: exit 3).")


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    click.echo(message, err=True)
    sys.exit(code)


class Group(click.Group):
    """Turn library errors into messages and exit codes; never a traceback for known failures."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except DataError as err:
            _fail(f"{err}\nFix the lines above and run again (`briefing validate` lists every problem).")
        except Locked as err:
            _fail(f"error: {err}", EXIT_LOCKED)
        except BriefingError as err:
            _fail(f"error: {err}")
        except OSError as err:
            if "pango" in str(err).lower() or "gobject" in str(err).lower() or "cannot load library" in str(err):
                _fail(_system_hint(err), EXIT_SYSTEM)
            raise


def _system_hint(err: Exception) -> str:
    return (f"error: WeasyPrint cannot load a system library: {err}\n"
            "Install Pango and HarfBuzz, e.g. on Debian/Ubuntu:\n"
            "  sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0\n"
            "then run `briefing doctor`.")


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="briefing")
def main() -> None:
    """Print executive sponsor briefing PDFs from YAML data.

    \b
    Typical use:
      briefing validate                 check every data file, with file:line:column errors
      briefing build                    sponsor PDFs + the book into output/
      briefing build --for all          also one personalised edition per recipient
      briefing send --dry-run           show what each executive would receive
      briefing changes                  what changed since the previous edition
    """
    logging.getLogger("fontTools").setLevel(logging.ERROR)


@main.command()
@data_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Date for the staleness warning (default: today).")
@quiet_option
def validate(data_dir: Path, paths: tuple[Path, ...], today, quiet: bool) -> None:
    """Check data files and report every problem as FILE:LINE:COLUMN: field: message.

    \b
    Examples:
      briefing validate
      briefing validate data/sponsors/alibaba.yaml
    """
    from .data import load_project

    project = load_project(data_dir, only=list(paths) or None, today=today.date() if today else None)
    if not quiet:
        for warning in project.warnings:
            click.echo(str(warning), err=True)
        click.echo(f"ok: {len(project.sponsors)} sponsor file(s), book.yaml"
                   f"{' and distribution.yaml' if project.distribution else ''} are valid")


@main.command()
@click.option("--book", "which", flag_value="book", help="Schema of book.yaml.")
@click.option("--distribution", "which", flag_value="distribution", help="Schema of distribution.yaml.")
def schema(which: str | None) -> None:
    """Print the JSON Schema of a sponsor file (or of book.yaml / distribution.yaml).

    \b
    Example (VS Code YAML extension): briefing schema > sponsor.schema.json
    """
    from .model import Book, Distribution, Sponsor

    model = {"book": Book, "distribution": Distribution}.get(which or "", Sponsor)
    document = model.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@main.command()
@click.argument("slugs", nargs=-1)
@data_option
@out_option
@click.option("--no-book", is_flag=True, help="Only the per-sponsor PDFs.")
@click.option("--book-only", is_flag=True, help="Only the book.")
@click.option("--for", "recipients", metavar="EMAIL|all", help="Also write personalised editions to OUT/editions/.")
@click.option("--page-size", type=click.Choice(["A4", "Letter"]), help="Override book.yaml's page size.")
@click.option("--variant", type=click.Choice(["full", "one-pager"]), default="full", show_default=True)
@click.option("--pdf-variant", type=click.Choice(["pdf/ua-1", "pdf/a-3a"]), help="Override book.yaml's pdf_variant.")
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=0, help="Worker processes (0 = cores).")
@click.option("--timeout", type=click.FloatRange(1), default=120.0, show_default=True,
              help="Seconds before a hanging render is stopped.")
@click.option("--force", is_flag=True, help="Rebuild everything, ignoring the manifest.")
@click.option("--log-json", is_flag=True, help="One JSON object per line on stdout, for log collectors.")
@wait_option
@quiet_option
def build(slugs, data_dir, out_dir, no_book, book_only, recipients, page_size, variant, pdf_variant, jobs, timeout,
          force, log_json, wait, quiet) -> None:
    """Build sponsor PDFs and the briefing book (only what changed).

    \b
    Examples:
      briefing build                         everything, into output/
      briefing build alibaba --no-book       one sponsor's PDF
      briefing build --for all               plus personalised editions
      briefing build --variant one-pager     one page per sponsor, and a book of them
      briefing build --page-size Letter --out output-letter
    """
    from .build import Options
    from .build import build as run_build
    from .progress import Reporter

    if no_book and book_only:
        raise click.UsageError("--no-book and --book-only contradict each other")
    options = Options(data_dir=data_dir, out_dir=out_dir, slugs=list(slugs), sponsors=not book_only,
                      book=not no_book, recipients=recipients, page_size=page_size, variant=variant,
                      pdf_variant=pdf_variant, jobs=jobs, timeout=timeout, force=force)
    with run_lock(out_dir, wait=wait), Reporter(quiet=quiet, json_lines=log_json) as reporter:
        report = run_build(options, progress=reporter.event)
    reporter.summary(report)
    if not report.ok:
        sys.exit(EXIT_ERROR)


@main.command()
def doctor() -> None:
    """Check that this machine can print: Python packages, Pango, fonts, output folder."""
    ok = True
    try:
        import weasyprint

        click.echo(f"ok: WeasyPrint {weasyprint.__version__} with Pango")
    except OSError as err:
        click.echo(_system_hint(err), err=True)
        ok = False
    from .data import find_root

    try:
        root = find_root(Path("data"))
        fonts = sorted(p.name for p in (root / "assets" / "fonts").glob("*.[ot]tf"))
        click.echo(f"ok: project at {root} with {len(fonts)} fonts")
    except BriefingError as err:
        click.echo(f"problem: {err}", err=True)
        ok = False
    sys.exit(0 if ok else EXIT_SYSTEM)


@main.command()
@data_option
@out_option
@click.option("--for", "recipients", metavar="EMAIL|all", default="all", show_default=True,
              help="Whom to send to.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write and send nothing.")
@click.option("--force", is_flag=True, help="Send again even if the send log says it was sent.")
@click.option("--outbox", type=click.Path(path_type=Path),
              help="Folder for .eml files when BRIEFING_SMTP_URL is not set (default OUT/outbox).")
@click.option("--max-size", type=click.FloatRange(0.1), default=20.0, show_default=True,
              help="Largest total of attachments per message, in MB.")
@click.option("--log-json", is_flag=True, help="One JSON object per recipient on stdout.")
@wait_option
@quiet_option
def send(data_dir, out_dir, recipients, dry_run, force, outbox, max_size, log_json, wait, quiet) -> None:
    """Email each recipient in data/distribution.yaml what they receive, once.

    \b
    Transport: BRIEFING_SMTP_URL, e.g. smtp://user:pass@host:587 (STARTTLS when offered;
    ?starttls=required refuses clear text), smtps://user:pass@host:465; ?verify=false for test
    servers. Without it, messages are written as .eml files into OUT/outbox/.
    Sender: BRIEFING_SMTP_FROM or `sender` in book.yaml.

    \b
    Examples:
      briefing send --dry-run
      briefing send --for avery.example@example.org
      BRIEFING_SMTP_URL=smtps://mailer:secret@mail.example.org:465 briefing send
    """
    from .changes import changes_since
    from .distribute import SendOptions
    from .distribute import send as run_send

    def say(result) -> None:
        if log_json:
            click.echo(json.dumps({"stage": "send", "recipient": result.email, "outcome": result.outcome,
                                   "detail": result.detail}))
            return
        if quiet and result.outcome in ("sent", "skipped", "dry-run"):
            return
        stream_err = result.outcome in ("failed", "unknown")
        click.echo(f"{result.outcome:>8}  {result.email}  {result.detail}", err=stream_err)

    options = SendOptions(data_dir=data_dir, out_dir=out_dir, recipients=recipients, dry_run=dry_run,
                          force=force, outbox=outbox, max_bytes=int(max_size * 1024 * 1024))
    with run_lock(out_dir, wait=wait):
        results = run_send(options, say=say,
                           changes_for=lambda since: changes_since(data_dir, out_dir, since))
    bad = [r for r in results if r.outcome in ("failed", "unknown")]
    if not quiet and not log_json:
        sent = sum(r.outcome == "sent" for r in results)
        skipped = sum(r.outcome == "skipped" for r in results)
        if results and skipped == len(results):
            click.echo("nothing to send: every recipient already has this edition")
        elif not dry_run:
            click.echo(f"{sent} sent, {skipped} already sent, {len(bad)} not sent")
    if bad:
        sys.exit(EXIT_ERROR)


@main.command()
@data_option
@out_option
@click.option("--since", metavar="DATE", help="Compare with the edition of this date or the latest before it.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {edition, since, sponsors: {slug: [lines]}}.")
def changes(data_dir, out_dir, since, as_json) -> None:
    """Say what changed in the data since the previous edition (as the change pages do).

    \b
    Examples:
      briefing changes
      briefing changes --since 2026-10-01 --json
    """
    from .changes import load_snapshot, previous_edition, summarise
    from .data import load_project
    from .model import format_date

    project = load_project(data_dir)
    base = previous_edition(out_dir, project.book.edition, since)
    summary = summarise(project.sponsors, load_snapshot(out_dir, base)) if base else {}
    if as_json:
        click.echo(json.dumps({"edition": project.book.edition, "since": base, "sponsors": summary},
                              indent=2, ensure_ascii=False))
        return
    if base is None:
        click.echo("no earlier edition in " + str(out_dir) + ": this is the first edition")
        return
    if not summary:
        click.echo(f"no changes since {format_date(base)}")
        return
    click.echo(f"Changes since {format_date(base)}:")
    for slug, lines in summary.items():
        name = project.sponsors[slug].name if slug in project.sponsors else slug
        click.echo(f"\n{name}")
        for line in lines:
            click.echo(f"  - {line}")


@main.command()
@data_option
@out_option
@click.option("--cron", "expression", help="When to run, e.g. '0 6 * * MON-FRI' (default: book.yaml `schedule`).")
@click.option("--no-send", is_flag=True, help="Only build on each tick.")
@click.option("--max-runs", type=click.IntRange(1), help="Stop after this many runs (default: run until SIGTERM).")
@click.option("--log-json", is_flag=True, help="One JSON object per line (run id, stage, duration, outcome).")
def schedule(data_dir, out_dir, expression, no_send, max_runs, log_json) -> None:
    """Run forever: on each cron tick build what changed, then send new editions once.

    \b
    Examples:
      briefing schedule                              uses `schedule:` from book.yaml
      briefing schedule --cron "0 6,14 * * *" --log-json
    A failing run is logged and the next tick still comes; SIGTERM stops cleanly.
    For cron or systemd instead, see deploy/ and the README.
    """
    from .build import Options
    from .build import build as run_build
    from .data import load_project
    from .distribute import SendOptions
    from .distribute import send as run_send
    from .schedule import run_schedule

    if expression is None:
        expression = load_project(data_dir).book.schedule
        if not expression:
            raise click.UsageError("no --cron given and no `schedule` in data/book.yaml")

    def log(record: dict) -> None:
        if log_json:
            click.echo(json.dumps(record, ensure_ascii=False), nl=True)
        else:
            click.echo(" ".join(f"{k}={v}" for k, v in record.items()), err=True)

    def tick(run_id: str) -> dict:
        with run_lock(out_dir, wait=True):
            started = time.monotonic()
            report = run_build(Options(data_dir=data_dir, out_dir=out_dir))
            log({"run_id": run_id, "stage": "build", "duration": round(time.monotonic() - started, 3),
                 "rebuilt": len(report.rebuilt), "reused": len(report.reused), "failed": len(report.failed),
                 "outcome": "ok" if report.ok else "failed"})
            if not report.ok:
                raise BriefingError("; ".join(f"{n}: {e}" for n, e in report.failed))
            sent = 0
            if not no_send:
                results = run_send(SendOptions(data_dir=data_dir, out_dir=out_dir))
                sent = sum(r.outcome == "sent" for r in results)
                bad = [r for r in results if r.outcome in ("failed", "unknown")]
                if bad:
                    raise BriefingError("; ".join(f"{r.email}: {r.detail}" for r in bad))
            return {"rebuilt": len(report.rebuilt), "sent": sent}

    run_schedule(expression, tick, log, max_runs=max_runs)


@main.command()
@data_option
@out_option
@quiet_option
def watch(data_dir, out_dir, quiet) -> None:
    """Rebuild whenever a file in data/, templates/ or assets/ is saved; keep watching.

    \b
    Example:
      briefing watch          edit data/sponsors/alibaba.yaml, and output/alibaba.pdf follows
    """
    from watchfiles import watch as watch_files

    from .build import Options
    from .build import build as run_build
    from .data import find_root

    root = find_root(data_dir)
    folders = [str(data_dir), str(root / "templates"), str(root / "assets")]

    def once() -> None:
        try:
            with run_lock(out_dir, wait=True):
                report = run_build(Options(data_dir=data_dir, out_dir=out_dir))
            for name, error in report.failed:
                click.echo(f"error: {name}: {error}", err=True)
            if not quiet:
                click.echo(f"{time.strftime('%H:%M:%S')} {len(report.rebuilt)} rebuilt, "
                           f"{len(report.failed)} failed ({report.seconds:.1f} s); watching…")
        except BriefingError as err:  # located data errors: print them and keep watching
            click.echo(str(err), err=True)

    once()
    for _ in watch_files(*folders, debounce=300, step=100,
                         watch_filter=lambda change, path: "/output" not in path and not path.endswith("~")):
        once()


if __name__ == "__main__":
    main()
