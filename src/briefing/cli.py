"""The command line: flags in, one library call, messages and exit codes out.

Exit codes: 0 success; 1 data, render or delivery errors (each with its location), or someone
not served; 2 usage errors (unknown option, sponsor slug, recipient or level); 3 another run holds
the lock; 4 the system lacks a library WeasyPrint needs; 5 `send` held letters back because their
edition is not approved (or changed after approval), and nothing else went wrong; 130 interrupted.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from briefing.build.options import DATA_DIR, MAX_SEND_MB, OUT_DIR, TIMEOUT
from briefing.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_SYSTEM, EXIT_WAITING, BriefingError, DataError
from briefing.ops.lock import run_lock
from briefing.ops.progress import Log
from briefing.pdf.paper import PAGE_SIZES
from briefing.pdf.variants import PDF_VARIANTS
from briefing.render.variants import FULL, VARIANTS

LOG_KEY = "briefing.log"

data_option = click.option("--data", "data_dir", type=click.Path(path_type=Path), default=DATA_DIR,
                           show_default=True, help="Folder with book.yaml, sponsors/ and distribution.yaml.")
out_option = click.option("--out", "out_dir", type=click.Path(path_type=Path), default=OUT_DIR,
                          show_default=True, help="Folder the PDFs, manifest and send log are written to.")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
wait_option = click.option("--wait", is_flag=True,
                           help="If another run holds the output folder, wait for it (default: exit 3).")
json_option = click.option("--log-json", is_flag=True,
                           help="Every line on stdout and stderr one JSON object (ts, run_id, level, stage, "
                                "item, duration_s, outcome), for log collectors.")


def _log(json_lines: bool = False, quiet: bool = False) -> Log:
    """The command's log; remembered so that errors raised later are written in the same form."""
    log = Log(json_lines=json_lines, quiet=quiet)
    log.capture_logging()
    click.get_current_context().meta[LOG_KEY] = log
    return log


def _fail(ctx: click.Context, message: str, code: int = EXIT_ERROR) -> None:
    log = ctx.meta.get(LOG_KEY)
    if log is not None and log.json_lines:
        log.emit("error", "cli", message, outcome="failed", exit_code=code)
    else:
        click.echo(message, err=True)
    sys.exit(code)


def _exit_now(code: object) -> NoReturn:
    """End the process as ``sys.exit(code)`` would, without the interpreter's teardown.

    After a build the teardown (module clean-up and its garbage collections over WeasyPrint's,
    pydantic's and pikepdf's objects) is a noticeable share of a run (docs/performance.md, "No
    teardown at exit"). Exit handlers still run (logging, temporary folders, multiprocessing)
    and both streams are flushed first; every output file was written atomically and closed
    before this point."""
    import atexit
    import os

    if code is None or isinstance(code, int):
        status = code or 0
    else:  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        status = EXIT_ERROR
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(status)


AS_PROCESS = "as a process"  # click's ctx.obj when main() runs as the process (it ends with _exit_now)


def _as_process() -> bool:
    return click.get_current_context().obj == AS_PROCESS


def _stop_on_sigterm() -> None:
    """SIGTERM stops a run as Ctrl-C does: its workers are killed and reaped, its lock released,
    exit 130 (docs/architecture.md, "How a run stops"); `serve` and `schedule` set their own."""
    from briefing.processes import stop_on_signals

    stop_on_signals()


class Group(click.Group):
    """Turn library errors into messages and exit codes; never a traceback for known failures."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """As a process (``briefing ...``, ``python -m briefing.cli``: no ``args``), end with
        ``_exit_now``; called from Python with ``args`` (tests, ``CliRunner``), as click does."""
        if args is not None or not kwargs.get("standalone_mode", True):
            return super().main(args, *rest, **kwargs)
        _stop_on_sigterm()
        try:
            super().main(args, *rest, obj=AS_PROCESS, **kwargs)
        except SystemExit as done:
            _exit_now(done.code)
        _exit_now(0)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _fail(ctx, "interrupted", EXIT_INTERRUPTED)
        except DataError as err:
            _fail(ctx, f"{err}\nFix the lines above and run again (`briefing validate` lists every problem).")
        except BriefingError as err:
            _fail(ctx, f"error: {err}", err.exit_code)
        except OSError as err:
            if "pango" in str(err).lower() or "gobject" in str(err).lower() or "cannot load library" in str(err):
                _fail(ctx, _system_hint(err), EXIT_SYSTEM)
            where = f"{err.filename}: " if err.filename else ""
            _fail(ctx, f"error: {where}{err.strerror or err}")


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
      briefing send --dry-run           show what each executive would receive, and why
      briefing changes                  what changed since the previous edition
      briefing schedule --next 5        when the next scheduled runs are
    """
    logging.getLogger("fontTools").setLevel(logging.ERROR)


@main.command()
@data_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Date for the staleness warning (default: today).")
@quiet_option
def validate(data_dir: Path, paths: tuple[Path, ...], today, quiet: bool) -> None:
    """Check data files and report every problem as FILE:LINE:COLUMN: field: what is wrong; how to fix it.

    Each file is checked against its own format: book.yaml, distribution.yaml, or a sponsor file.

    \b
    Examples:
      briefing validate
      briefing validate data/sponsors/alibaba.yaml data/book.yaml
    """
    from briefing.data.load import check_paths, load_project

    day = today.date() if today else None
    if paths:
        warnings = check_paths(list(paths), data_dir, today=day)
        summary = f"ok: {len(paths)} file(s) are valid: {', '.join(str(p) for p in paths)}"
    else:
        project = load_project(data_dir, today=day)
        warnings = project.warnings
        summary = (f"ok: {len(project.sponsors)} sponsor file(s), book.yaml"
                   f"{' and distribution.yaml' if project.distribution else ''} are valid")
    if not quiet:
        for warning in warnings:
            click.echo(str(warning), err=True)
        click.echo(summary)


@main.command()
@click.option("--book", "which", flag_value="book", help="Schema of book.yaml.")
@click.option("--distribution", "which", flag_value="distribution", help="Schema of distribution.yaml.")
def schema(which: str | None) -> None:
    """Print the JSON Schema of a sponsor file (or of book.yaml / distribution.yaml).

    \b
    Example (VS Code YAML extension): briefing schema > sponsor.schema.json
    """
    from briefing.data.model import Book, Distribution, Sponsor

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
@click.option("--for", "recipients", metavar="EMAIL|ID|all", help="Also write personalised editions to OUT/editions/.")
@click.option("--page-size", type=click.Choice(PAGE_SIZES), help="Override book.yaml's page size.")
@click.option("--variant", type=click.Choice(list(VARIANTS)), default=FULL.name, show_default=True)
@click.option("--pdf-variant", type=click.Choice(PDF_VARIANTS), help="Override book.yaml's pdf_variant.")
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=0, help="Worker processes (0 = cores).")
@click.option("--timeout", type=click.FloatRange(1), default=TIMEOUT, show_default=True,
              help="Seconds before a hanging render is stopped.")
@click.option("--force", is_flag=True, help="Rebuild everything, ignoring the manifest.")
@click.option("--strict", is_flag=True, help="Preflight findings fail the build (exit 1), e.g. for scheduled runs.")
@click.option("--audience", metavar="LEVEL",
              help="Print the sponsor PDFs and book for readers of this audience level, into "
                   "OUT/levels/LEVEL/ (default: the base level, normally internal, into OUT/).")
@json_option
@wait_option
@quiet_option
def build(slugs, data_dir, out_dir, no_book, book_only, recipients, page_size, variant, pdf_variant, jobs, timeout,
          force, strict, audience, log_json, wait, quiet) -> None:
    """Build sponsor PDFs and the briefing book (only what changed).

    \b
    Examples:
      briefing build                         everything, into output/
      briefing build alibaba --no-book       one sponsor's PDF
      briefing build --for all               plus personalised editions
      briefing build --variant one-pager     one page per sponsor, and a book of them
      briefing build --page-size Letter --out output-letter
      briefing build --audience partner      what a partner may read, in output/levels/partner/
    """
    from briefing.processes import uncollected

    # the build's libraries, imported without collections walking the growing heap; as a process
    # (which ends with _exit_now), frozen afterwards: the build's collections skip them
    with uncollected(freeze=_as_process()):
        from briefing.build.options import Options
        from briefing.build.pipeline import build as run_build
        from briefing.ops.progress import Reporter

    if no_book and book_only:
        raise click.UsageError("--no-book and --book-only contradict each other")
    log = _log(log_json, quiet)
    options = Options(data_dir=data_dir, out_dir=out_dir, slugs=list(slugs), sponsors=not book_only,
                      book=not no_book, recipients=recipients, page_size=page_size, variant=variant,
                      pdf_variant=pdf_variant, jobs=jobs, timeout=timeout, force=force, strict=strict,
                      audience=audience, once=_as_process())
    with run_lock(out_dir, wait=wait), Reporter(log=log) as reporter:
        report = run_build(options, progress=reporter.event)
    reporter.summary(report)
    if not report.ok:
        sys.exit(EXIT_ERROR)


@main.command()
@data_option
@out_option
def doctor(data_dir, out_dir) -> None:
    """Check that this machine can print: WeasyPrint and Pango, the project, fonts, the output folder.

    \b
    Examples:
      briefing doctor
      briefing doctor --data /srv/briefing/data --out /srv/briefing/output
    """
    from briefing.ops.doctor import checks as doctor_checks

    code = 0  # no data folder raises a usage error (exit 2) before any check
    for good, line, fails_with in doctor_checks(data_dir, out_dir):
        click.echo(("ok: " if good else "problem: ") + line, err=not good)
        code = code if good else max(code, fails_with)
    sys.exit(code)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
def new(folder: Path) -> None:
    """Start a project in FOLDER: example data, a logo, a README of next steps.

    FOLDER must be new or empty. The example sponsor is invented and shows one block of every
    kind; the addresses in distribution.yaml are placeholders.

    \b
    Examples:
      briefing new my-briefings
      cd my-briefings && briefing validate && briefing build
    """
    from briefing.ops.new import NEXT, new_project

    made = new_project(folder)
    click.echo(f"made a briefing project in {folder}:")
    for path in made:
        click.echo(f"  {path.relative_to(folder)}")
    click.echo("next:")
    for command in (f"cd {folder}", *NEXT[:2]):
        click.echo(f"  {command}")


@main.group()
def theme() -> None:
    """The look of the documents: list the theme's files, copy one into the project to change it.

    A project's own templates/ and assets/ override the default theme file by file
    (docs/theming.md).

    \b
    Examples:
      briefing theme list
      briefing theme copy templates/partials/book_cover.html
    """


@theme.command("list")
@data_option
def theme_list(data_dir: Path) -> None:
    """Every file of the theme, and whether this project overrides it.

    \b
    Examples:
      briefing theme list
      briefing theme list --data /srv/briefing/data
    """
    from briefing.data.load import find_root
    from briefing.ops.overrides import theme_files

    for f in theme_files(find_root(data_dir)):
        note = "  (added by the project)" if f.added else ""
        click.echo(f"{'project' if f.overridden else 'default'}  {f.rel}{note}")


@theme.command("copy")
@click.argument("path")
@data_option
@click.option("--force", is_flag=True, help="Replace the project's copy with the default again.")
def theme_copy(path: str, data_dir: Path, force: bool) -> None:
    """Copy the default theme's PATH into the project, to edit it there.

    \b
    Examples:
      briefing theme copy templates/partials/book_cover.html
      briefing theme copy assets/css/print/_tokens.css
    """
    from briefing.data.load import find_root
    from briefing.ops.overrides import copy_default

    target = copy_default(find_root(data_dir), path, force=force)
    click.echo(f"copied {path} to {target}; edit it there (`briefing theme list` shows it as the project's)")


@main.command()
@data_option
@out_option
@click.option("--for", "recipients", metavar="EMAIL|ID|all", default="all", show_default=True,
              help="Whom to send to.")
@click.option("--dry-run", is_flag=True,
              help="Build what is missing, then say per recipient what a real run would do and why; "
                   "send nothing, write no outbox file and no send-log row.")
@click.option("--force", is_flag=True, help="Send again even if already sent (a new Message-ID that "
                                            "References the earlier one).")
@click.option("--outbox", type=click.Path(path_type=Path),
              help="Folder for .eml files when BRIEFING_SMTP_URL is not set (default OUT/outbox).")
@click.option("--max-size", type=click.FloatRange(0.1), default=MAX_SEND_MB, show_default=True,
              help="Largest total of attachments per message, in MB.")
@click.option("--review", is_flag=True, help="Also mail each approver (`approver: yes` in distribution.yaml) a "
                                             "review copy of every edition waiting for approval, once.")
@click.option("--correction", is_flag=True, help="Send the correction of an edition whose files changed after "
                                                 "it was sent (book.yaml `updates: hold`, the default, holds it).")
@click.option("--force-empty-log", is_flag=True, help="Start a new send log although the output folder shows "
                                                      "letters went out before (those would be sent again).")
@json_option
@wait_option
@quiet_option
def send(data_dir, out_dir, recipients, dry_run, force, outbox, max_size, review, correction, force_empty_log,
         log_json, wait, quiet) -> None:
    """Email each recipient in data/distribution.yaml their edition, once.

    \b
    Transport: BRIEFING_SMTP_URL, e.g. smtp://user:pass@host:587 (STARTTLS when offered;
    ?starttls=required refuses clear text), smtps://user:pass@host:465; ?verify=false for test
    servers. Without it, messages are written as .eml files into OUT/outbox/ and logged as
    `written-to-outbox` (not `sent`); a later run with BRIEFING_SMTP_URL delivers them.
    Sender: BRIEFING_SMTP_FROM or `sender` in book.yaml, 'Name <address>' or 'address'.
    A recipient whose PDFs cannot be built is reported and left for the next run; the
    others are sent; the exit code is then 1.

    \b
    Examples:
      briefing send --dry-run
      briefing send --for avery.example@example.org
      BRIEFING_SMTP_URL=smtps://mailer:secret@mail.example.org:465 briefing send
      briefing send --correction        send the updated edition to those who had the earlier one
    """
    from briefing.delivery.distribute import SendOptions
    from briefing.delivery.distribute import send as run_send
    from briefing.ops.progress import Reporter

    log = _log(log_json, quiet)
    results = []

    def say(r) -> None:
        results.append(r)
        level = "info" if r.served else "error"
        if quiet and r.served and not log_json:
            return
        log.emit(level, "send", f"{r.outcome:>17}  {r.email}  {r.detail}", item=r.email, outcome=r.outcome,
                 action=r.action, detail=r.detail)

    options = SendOptions(data_dir=data_dir, out_dir=out_dir, recipients=recipients, dry_run=dry_run,
                          force=force, outbox=outbox, max_bytes=int(max_size * 1024 * 1024), review=review,
                          correction=correction, force_empty_log=force_empty_log)
    with run_lock(out_dir, wait=wait), Reporter(log=log) as reporter:
        run_send(options, say=say, progress=reporter.event)
    _send_summary(log, results, dry_run)
    unserved = [r for r in results if not r.served]
    if unserved:
        # only waiting for a sign-off is a normal state, told apart so that scripts can wait for it
        # (and a correction held by book.yaml `updates: hold`, which `send --correction` releases)
        sys.exit(EXIT_WAITING if all(r.action in ("wait", "hold-correction") for r in unserved) else EXIT_ERROR)


@main.command()
@data_option
@out_option
@click.option("--as", "approver", required=True, metavar="NAME", help="Who approves (kept in the trail).")
@click.option("--edition", metavar="YYYY-MM-DD", help="The edition you reviewed; refused if the output holds "
                                                     "another one (default: book.yaml `edition`).")
@click.option("--audience", "level", metavar="LEVEL", help="Approve only this level's edition (default: every "
                                                          "level someone in distribution.yaml reads).")
@click.option("--note", default="", help="Why, or what was checked (kept in the trail).")
@wait_option
def approve(data_dir, out_dir, approver, edition, level, note, wait) -> None:
    """Approve the built PDFs of an edition exactly as they are now (their hashes are recorded).

    \b
    `briefing send` sends a level's edition only when as many people as book.yaml's
    `approvals:` asks for have approved files that still match; a rebuilt PDF needs
    approving again. Review the PDFs first: `briefing send --dry-run` builds them.

    \b
    Examples:
      briefing approve --as "Avery Example"
      briefing approve --edition 2026-11-01 --audience partner --as "Avery Example" --note "checked p. 3"
    """
    from briefing.delivery.status import approve as run_approve

    with run_lock(out_dir, wait=wait):
        done = run_approve(data_dir, out_dir, approver=approver, edition=edition, level=level, note=note)
    if not done:
        raise BriefingError("nothing to approve: no recipient in distribution.yaml receives a file")
    for item in done:
        click.echo(f"approved: {item.level} edition, {len(item.files)} file(s): {', '.join(item.files)}")


@main.command()
@data_option
@out_option
@click.option("--edition", metavar="YYYY-MM-DD", help="An earlier edition's record (default: the current one).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {edition, levels: [...], trail: [...]}.")
def status(data_dir, out_dir, edition, as_json) -> None:
    """Per level of the edition: built, approved by whom, sent to whom, failed, waiting.

    \b
    Examples:
      briefing status
      briefing status --edition 2026-10-01 --json
    """
    from briefing.delivery.status import status as run_status
    from briefing.delivery.status import status_lines

    if edition is not None and not _is_date(edition):
        raise click.BadParameter(f"'{edition}' is not a date (YYYY-MM-DD)", param_hint="--edition")
    found = run_status(data_dir, out_dir, edition)
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    for line in status_lines(found):
        click.echo(line)


def _send_summary(log: Log, results: list, dry_run: bool) -> None:
    from briefing.delivery.distribute import summary_line

    bad = [r for r in results if not r.served]
    line = summary_line(results, dry_run)
    if bad:
        log.error("send", line, outcome="failed", not_served=len(bad))
    else:
        log.info("send", line, outcome="ok")


@main.command()
@data_option
@out_option
@click.option("--since", metavar="DATE|EDITION",
              help="Compare with the edition of this date (YYYY-MM-DD) or the latest before it.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {edition, since, sponsors: {slug: [lines]}}.")
def changes(data_dir, out_dir, since, as_json) -> None:
    """Say what changed in the data since the previous edition (as the change pages do).

    \b
    Examples:
      briefing changes
      briefing changes --since 2026-10-01 --json
    """
    from briefing.data.changes import editions, what_changed
    from briefing.data.load import load_project
    from briefing.data.model import format_date

    project = load_project(data_dir)
    known = editions(out_dir)
    listed = ", ".join(known) if known else "none yet (each build keeps one)"
    if since is not None and since not in known and not _is_date(since):
        raise click.BadParameter(f"'{since}' is neither a date (YYYY-MM-DD) nor an edition; "
                                 f"editions in {out_dir}: {listed}", param_hint="--since")
    found = what_changed(project, out_dir, since)
    if since is not None and found.base is None:
        raise BriefingError(f"no edition on or before {since} in {out_dir}; editions there: {listed}")
    if as_json:
        click.echo(json.dumps({"edition": found.edition, "since": found.base, "sponsors": found.summary},
                              indent=2, ensure_ascii=False))
        return
    if found.base is None:
        click.echo(f"no earlier edition in {out_dir}: this is the first edition")
        return
    if not found.summary:
        click.echo(f"no changes since {format_date(found.base)}")
        return
    click.echo(f"Changes since {format_date(found.base)}:")
    for slug, lines in found.summary.items():
        click.echo(f"\n{found.names.get(slug, slug)}")
        for line in lines:
            click.echo(f"  - {line}")


def _is_date(text: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


@main.command()
@data_option
@out_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default lets only this machine connect.")
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=0, help="Worker processes (0 = cores).")
@click.option("--debug", is_flag=True, help="Show build errors in full on the page (stack traces, paths).")
def serve(data_dir, out_dir, port, host, jobs, debug) -> None:
    """Preview the PDFs in a browser page that follows every save.

    Lists the sponsors and the book with page thumbnails; click one for its pages. Each save
    rebuilds what changed and updates the open page; invalid data shows the located errors.
    Opens no browser by itself.

    It answers only at the address it prints (127.0.0.1, localhost or [::1], with the port):
    any other Host gets 421. It shows only what its own builds wrote.

    \b
    Examples:
      briefing serve            then open http://127.0.0.1:8000/
      briefing serve --host ::1 --port 8001
    """
    import signal
    import threading

    from briefing.ops.serve import Preview, serve_forever, start

    server = start(Preview(data_dir, out_dir, jobs, debug=debug), host=host, port=port)
    if host not in ("127.0.0.1", "localhost", "::1", "[::1]"):
        click.echo(f"warning: listening on {host}: anyone who can reach it can read the PDFs", err=True)
    click.echo(f"Preview at {server.url} (Ctrl+C to stop)")
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    serve_forever(server, lambda: stop.wait())


tz_option = click.option("--tz", "tz_name", metavar="ZONE",
                         help="Time zone the cron expression is read in, e.g. America/Los_Angeles "
                              "(default: book.yaml `timezone`, else this machine's zone).")


@main.command()
@data_option
@out_option
@click.option("--cron", "expression", help="When to run, e.g. '0 6 * * 1-5' (default: book.yaml `schedule`).")
@tz_option
@click.option("--next", "show_next", type=click.IntRange(1, 1000), metavar="N",
              help="Print the next N run times with their UTC offsets and exit.")
@click.option("--no-send", is_flag=True, help="Only build on each tick.")
@click.option("--max-runs", type=click.IntRange(1), help="Stop after this many runs (default: run until SIGTERM).")
@json_option
@quiet_option
def schedule(data_dir, out_dir, expression, tz_name, show_next, no_send, max_runs, log_json, quiet) -> None:
    """Run forever: at each cron time, `briefing tick` (build what changed, send new editions).

    \b
    Examples:
      briefing schedule --next 5                     when would it run?
      briefing schedule                              uses `schedule:` and `timezone:` from book.yaml
      briefing schedule --cron "0 6 * * 1-5" --tz America/Los_Angeles --log-json

    A failing run is logged and the next tick still comes; SIGTERM stops cleanly.
    For cron or systemd instead, see deploy/ and the README.
    """
    from briefing.ops.schedule import TickOptions, next_runs, run_schedule, schedule_settings, tick

    log = _log(log_json, quiet)
    expression, tz = schedule_settings(data_dir, expression, tz_name)
    if show_next:
        times = next_runs(expression, tz)
        for _ in range(show_next):
            click.echo(next(times).strftime("%a %Y-%m-%d %H:%M %z %Z"))
        return
    options = TickOptions(data_dir=data_dir, out_dir=out_dir, send=not no_send)
    run_schedule(expression, tz, lambda run_log: tick(options, run_log), log, max_runs=max_runs)


@main.command(name="tick")
@data_option
@out_option
@click.option("--no-send", is_flag=True, help="Only build.")
@click.option("--outbox", type=click.Path(path_type=Path),
              help="Folder for .eml files when BRIEFING_SMTP_URL is not set (default OUT/outbox).")
@json_option
@wait_option
@quiet_option
def tick_command(data_dir, out_dir, no_send, outbox, log_json, wait, quiet) -> None:
    """One scheduled run (what cron and systemd call): build what changed, send new editions
    with what changed since each recipient's last one, and log every step.

    \b
    Examples:
      briefing tick --quiet --log-json >> output/briefing.log 2>&1
      briefing tick --no-send
    """
    from briefing.ops.schedule import TickOptions, tick

    log = _log(log_json, quiet)
    result = tick(TickOptions(data_dir=data_dir, out_dir=out_dir, send=not no_send, wait=wait, outbox=outbox), log)
    if not result.ok:
        sys.exit(EXIT_ERROR)


@main.command()
@data_option
@out_option
@quiet_option
def watch(data_dir, out_dir, quiet) -> None:
    """Rebuild whenever a file in data/, templates/ or assets/ is saved; keep watching (Ctrl-C stops).

    \b
    Examples:
      briefing watch          edit data/sponsors/alibaba.yaml, and output/alibaba.pdf follows
      briefing watch --out data/preview   saves under --out are never a reason to rebuild
    """
    from briefing.ops.watch import watch as run_watch

    run_watch(data_dir, out_dir, _log(False, quiet))


@main.command(name="import")
@click.argument("document", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--slug", help="File name of the sponsor (default: from its name, e.g. acme-anvils).")
@data_option
@click.option("--as-of", "as_of", metavar="YYYY-MM", help="When the document's facts were current (default: the "
              "latest date it names, reported as a guess).")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the sponsor file instead of writing it.")
@quiet_option
def import_document(document: Path, slug, data_dir: Path, as_of, to_stdout: bool, quiet: bool) -> None:
    """Draft data/sponsors/SLUG.yaml from a briefing document (plain text or Markdown).

    Every sentence of the document lands word for word in the file, which validates as it is. Each
    guess (a list read as a table, a note without a severity, the as_of date, fields the document
    lacks) is listed as FILE:LINE: what was guessed; what to check, and marked in the file with a
    `# check:` comment. An existing file is never replaced. See docs/import.md.

    \b
    Examples:
      briefing import ../shared/sources/alibaba-briefing.txt --slug imported
      briefing import acme.md --stdout > /tmp/acme.yaml
    """
    from briefing.data.importer import draft, write
    from briefing.data.load import shown

    imported = draft(document, name=shown(document), slug=slug, as_of=as_of, data_dir=data_dir)
    target = None if to_stdout else write(imported, data_dir)
    if not quiet:
        for line in imported.report:
            click.echo(line, err=True)
    if target is None:
        click.echo(imported.text, nl=False)
    elif not quiet:
        click.echo(f"wrote {shown(target)}: {len(imported.report)} guesses to check (listed above, and as "
                   "`# check:` comments in the file); run `briefing validate` after editing")


if __name__ == "__main__":
    main()
