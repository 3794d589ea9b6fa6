"""The command line's messages and exit codes, asserted exactly (as sqlite-utils tests its CLI).

Most tests run in process through click's CliRunner, which keeps stdout and stderr apart
(``result.stdout``, ``result.stderr``; ``result.output`` is both interleaved) and renders help at
a forced width of 80 columns. The first tests run ``briefing`` as a process: it ends without the
interpreter's teardown (docs/performance.md), yet keeps its exit codes, flushes what it printed
and runs exit handlers.

Data comes from the fictional project (tests/fixtures/fiction/data) copied into a temporary
folder; ``validate`` is given ``--today`` wherever the staleness warning could otherwise appear
once the fixtures' ``as_of`` dates age.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FICTION, make_project

from briefing.cli import main
from briefing.errors import EXIT_ERROR, EXIT_LOCKED, EXIT_USAGE
from briefing.ops.lock import LOCK_NAME, run_lock

VERSION = version("briefing")
TODAY = "2026-11-01"  # the fictional edition's date: no sponsor's facts are stale on it
FIX = "Fix the lines above and run again (`briefing validate` lists every problem).\n"
VALID = "ok: 3 sponsor file(s), book.yaml and distribution.yaml are valid\n"
SPONSORS = "data/sponsors"


def invoke(*args: str) -> Result:
    """``briefing ARGS`` in process; prog_name makes usage lines read as the installed command."""
    return CliRunner().invoke(main, list(args), prog_name="briefing")


def briefing(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefing.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def usage(command: str, arguments: str, error: str) -> str:
    """What click prints on stderr for a usage error of ``briefing COMMAND`` ("" for the group)."""
    prog = f"briefing {command}".rstrip()
    return f"Usage: {prog} {arguments}\nTry '{prog} --help' for help.\n\nError: {error}\n"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """One fictional project for the tests that only read it (their outputs go to tmp_path)."""
    return make_project(tmp_path_factory.mktemp("cli") / "project", FICTION / "data")


@pytest.fixture()
def in_shared(shared, monkeypatch) -> Path:
    monkeypatch.chdir(shared)
    return shared


@pytest.fixture()
def project(tmp_path, monkeypatch) -> Path:
    """A private fictional project to break, as the current folder (messages name data/...)."""
    root = make_project(tmp_path / "project", FICTION / "data")
    monkeypatch.chdir(root)
    return root


# --- as a process ---------------------------------------------------------------------------------

def test_exit_codes_and_messages_survive_the_fast_exit(tmp_path):
    root = make_project(tmp_path / "project", FICTION / "data")
    done = briefing("validate", "--data", str(root / "data"), "--today", TODAY)
    assert done.returncode == 0
    assert done.stdout == VALID  # stdout flushed before the exit
    assert done.stderr == ""
    unknown = briefing("build", "--data", str(root / "data"), "--out", str(tmp_path / "out"), "no-such-sponsor")
    assert unknown.returncode == EXIT_USAGE
    assert unknown.stdout == ""
    assert unknown.stderr == ("error: unknown sponsor(s): no-such-sponsor "
                              "(known: acme-anvils, globex-imaginary, initech-pretend)\n")
    shown = briefing("--version")
    assert shown.returncode == 0
    assert shown.stdout == f"python -m briefing.cli, version {VERSION}\n"  # click names `python -m` runs so
    assert shown.stderr == ""


def test_exit_handlers_run_but_not_the_teardown(tmp_path):
    """An atexit handler registered during the run (as logging and tempfile do) still runs; an
    object left for the interpreter's teardown is not collected (the teardown is skipped)."""
    handler, teardown = tmp_path / "handler-ran", tmp_path / "teardown-ran"
    code = ("import atexit, pathlib, sys\n"
            f"atexit.register(pathlib.Path({str(handler)!r}).write_text, 'yes')\n"
            "class Left:\n"
            f"    def __del__(self): pathlib.Path({str(teardown)!r}).write_text('yes')\n"
            "left = Left()\n"
            "from briefing.cli import main\nsys.argv = ['briefing', '--version']\nmain()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout == f"briefing, version {VERSION}\n"
    assert done.stderr == ""
    assert handler.read_text() == "yes"
    assert not teardown.exists()


def test_called_from_python_main_returns_as_click_does():
    """With explicit arguments (CliRunner, other Python callers) the process is not ended.

    click's --version remembers the program name of its first call in a process (``nonlocal
    prog_name``): every in-process call here passes prog_name="briefing", or the message would
    depend on the order the tests run in."""
    result = CliRunner().invoke(main, ["--version"], prog_name="briefing")
    assert result.exit_code == 0
    assert result.stdout == f"briefing, version {VERSION}\n"
    assert result.stderr == ""


def test_imports_run_without_collections_and_are_frozen_only_in_a_process(tmp_path):
    import gc

    from briefing.processes import uncollected

    assert gc.isenabled()
    with uncollected():
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0  # not asked to freeze: nothing frozen
    args = ["build", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "out")]  # no such data
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and gc.isenabled() and gc.get_freeze_count() == 0  # called from Python
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, gc.isenabled()))\n"
            f"sys.argv = ['briefing', *{args!r}]\n"
            "from briefing.cli import main\nmain()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout.strip() == "frozen True True"  # as a process


# --- help and version -----------------------------------------------------------------------------

MAIN_HELP = """\
Usage: briefing [OPTIONS] COMMAND [ARGS]...

  Print executive sponsor briefing PDFs from YAML data.

  Typical use:
    briefing validate                 check every data file, with file:line:column errors
    briefing build                    sponsor PDFs + the book into output/
    briefing build --for all          also one personalised edition per recipient
    briefing send --dry-run           show what each executive would receive, and why
    briefing changes                  what changed since the previous edition
    briefing schedule --next 5        when the next scheduled runs are

Options:
  --version   Show the version and exit.
  -h, --help  Show this message and exit.

Commands:
  approve   Approve the built PDFs of an edition exactly as they are now...
  build     Build sponsor PDFs and the briefing book (only what changed).
  changes   Say what changed in the data since the previous edition (as the...
  doctor    Check that this machine can print: WeasyPrint and Pango, the...
  import    Draft data/sponsors/SLUG.yaml from a briefing document (plain...
  new       Start a project in FOLDER: example data, a logo, a README of...
  schedule  Run forever: at each cron time, `briefing tick` (build what...
  schema    Print the JSON Schema of a sponsor file (or of book.yaml /...
  send      Email each recipient in data/distribution.yaml their edition,...
  serve     Preview the PDFs in a browser page that follows every save.
  status    Per level of the edition: built, approved by whom, sent to...
  theme     The look of the documents: list the theme's files, copy one...
  tick      One scheduled run (what cron and systemd call): build what...
  validate  Check data files and report every problem as FILE:LINE:COLUMN:...
  watch     Rebuild whenever a file in data/, templates/ or assets/ is...
"""


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_main_help(flag):
    result = invoke(flag)
    assert result.exit_code == 0
    assert result.stdout == MAIN_HELP
    assert result.stderr == ""


def test_no_command_prints_the_help():
    """A bare ``briefing`` is a usage error: the help, on stderr, exit code 2."""
    result = invoke()
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == MAIN_HELP


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"briefing, version {VERSION}\n"
    assert result.stderr == ""


COMMAND_HELP = {
    "build": ("Usage: briefing build [OPTIONS] [SLUGS]...\n\n"
              "  Build sponsor PDFs and the briefing book (only what changed).\n\n"),
    "validate": ("Usage: briefing validate [OPTIONS] [PATHS]...\n\n"
                 "  Check data files and report every problem as FILE:LINE:COLUMN: field: what is\n"
                 "  wrong; how to fix it.\n\n"
                 "  Each file is checked against its own format: book.yaml, distribution.yaml, or\n"
                 "  a sponsor file.\n\n"),
    "send": ("Usage: briefing send [OPTIONS]\n\n"
             "  Email each recipient in data/distribution.yaml their edition, once.\n\n"),
    "schema": ("Usage: briefing schema [OPTIONS]\n\n"
               "  Print the JSON Schema of a sponsor file (or of book.yaml / distribution.yaml).\n\n"
               "  Example (VS Code YAML extension): briefing schema > sponsor.schema.json\n\n"
               "Options:\n"
               "  --book          Schema of book.yaml.\n"
               "  --distribution  Schema of distribution.yaml.\n"
               "  -h, --help      Show this message and exit.\n"),
    "changes": ("Usage: briefing changes [OPTIONS]\n\n"
                "  Say what changed in the data since the previous edition (as the change pages\n"
                "  do).\n\n"),
    "approve": ("Usage: briefing approve [OPTIONS]\n\n"
                "  Approve the built PDFs of an edition exactly as they are now (their hashes are\n"
                "  recorded).\n\n"),
    "status": ("Usage: briefing status [OPTIONS]\n\n"
               "  Per level of the edition: built, approved by whom, sent to whom, failed,\n"
               "  waiting.\n\n"),
    "tick": ("Usage: briefing tick [OPTIONS]\n\n"
             "  One scheduled run (what cron and systemd call): build what changed, send new\n"
             "  editions with what changed since each recipient's last one, and log every\n"
             "  step.\n\n"),
    "schedule": ("Usage: briefing schedule [OPTIONS]\n\n"
                 "  Run forever: at each cron time, `briefing tick` (build what changed, send new\n"
                 "  editions).\n\n"),
    "watch": ("Usage: briefing watch [OPTIONS]\n\n"
              "  Rebuild whenever a file in data/, templates/ or assets/ is saved; keep\n"
              "  watching (Ctrl-C stops).\n\n"),
    "serve": ("Usage: briefing serve [OPTIONS]\n\n"
              "  Preview the PDFs in a browser page that follows every save.\n\n"),
    "new": ("Usage: briefing new [OPTIONS] FOLDER\n\n"
            "  Start a project in FOLDER: example data, a logo, a README of next steps.\n\n"),
    "theme": ("Usage: briefing theme [OPTIONS] COMMAND [ARGS]...\n\n"
              "  The look of the documents: list the theme's files, copy one into the project\n"
              "  to change it.\n\n"),
    "doctor": ("Usage: briefing doctor [OPTIONS]\n\n"
               "  Check that this machine can print: WeasyPrint and Pango, the project, fonts,\n"
               "  the output folder.\n\n"),
    "import": ("Usage: briefing import [OPTIONS] DOCUMENT\n\n"
               "  Draft data/sponsors/SLUG.yaml from a briefing document (plain text or\n"
               "  Markdown).\n\n"),
}


@pytest.mark.parametrize("command", sorted(COMMAND_HELP))
def test_command_help_starts_with_usage_and_summary(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(COMMAND_HELP[command])
    ending = result.stdout.split("\nCommands:\n")[0].rstrip("\n")  # a group (theme) lists its commands last
    assert ending.endswith("Show this message and exit.")
    assert result.stderr == ""
    assert invoke(command, "-h").stdout == result.stdout


def test_the_commands_listed_are_the_ones_with_help():
    assert sorted(main.commands) == sorted(COMMAND_HELP)


# --- usage errors: exit 2 -------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "stderr"), [
    (["--nope"], usage("", "[OPTIONS] COMMAND [ARGS]...", "No such option '--nope'.")),
    (["bulid"], usage("", "[OPTIONS] COMMAND [ARGS]...", "No such command 'bulid'. Did you mean 'build'?")),
    (["build", "--nope"], usage("build", "[OPTIONS] [SLUGS]...", "No such option '--nope'. Did you mean '--force'?")),
    (["build", "--no-bok"], usage("build", "[OPTIONS] [SLUGS]...",
                                  "No such option '--no-bok'. Did you mean '--no-book'?")),
    (["build", "--no-book", "--book-only"], usage("build", "[OPTIONS] [SLUGS]...",
                                                  "--no-book and --book-only contradict each other")),
    (["build", "--page-size", "A5"], usage("build", "[OPTIONS] [SLUGS]...",
                                           "Invalid value for '--page-size': 'A5' is not one of 'A4', 'Letter'.")),
    (["build", "--for"], "Error: Option '--for' requires an argument.\n"),
    (["approve"], usage("approve", "[OPTIONS]", "Missing option '--as'.")),
    (["validate", "--today", "2030-13-01"],
     usage("validate", "[OPTIONS] [PATHS]...",
           "Invalid value for '--today': '2030-13-01' does not match the format '%Y-%m-%d'.")),
    (["schedule", "--next", "0"], usage("schedule", "[OPTIONS]",
                                        "Invalid value for '--next': 0 is not in the range 1<=x<=1000.")),
    (["status", "--edition", "nope"], usage("status", "[OPTIONS]",
                                            "Invalid value for --edition: 'nope' is not a date (YYYY-MM-DD)")),
    (["changes", "--since", "yesterday"],
     usage("changes", "[OPTIONS]", "Invalid value for --since: 'yesterday' is neither a date (YYYY-MM-DD) nor an "
                                "edition; editions in output: none yet (each build keeps one)")),
])
def test_usage_errors(in_shared, args, stderr):
    result = invoke(*args)
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == stderr


def test_build_unknown_sponsor(in_shared, tmp_path):
    result = invoke("build", "nobody", "--out", str(tmp_path / "out"))
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == ("error: unknown sponsor(s): nobody "
                             "(known: acme-anvils, globex-imaginary, initech-pretend)\n")
    result = invoke("build", "acme-anvils", "nobody", "nor-this", "--out", str(tmp_path / "out"))
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == ("error: unknown sponsor(s): nobody, nor-this "
                             "(known: acme-anvils, globex-imaginary, initech-pretend)\n")


def test_build_unknown_audience(in_shared, tmp_path):
    result = invoke("build", "--audience", "board", "--out", str(tmp_path / "out"))
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == "error: unknown audience level 'board' (levels: public, partner, internal, confidential)\n"


@pytest.mark.parametrize("args", [["send", "--for", "x@y"], ["send", "--dry-run", "--for", "x@y"],
                                  ["build", "--for", "x@y"]])
def test_unknown_recipient(in_shared, tmp_path, args):
    result = invoke(*args, "--out", str(tmp_path / "out"))
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == "error: x@y is not in data/distribution.yaml (known: pat@example.org, sam@example.org)\n"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd"])
def test_schedule_bad_time_zone(in_shared, zone):
    result = invoke("schedule", "--cron", "0 6 * * 1-5", "--tz", zone, "--next", "2")
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == f"error: unknown time zone '{zone}': use an IANA name such as America/Los_Angeles\n"


def test_schedule_bad_cron(in_shared):
    result = invoke("schedule", "--cron", "61 6 * * 1-5", "--tz", "UTC", "--next", "2")
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == "error: not a valid cron expression: '61 6 * * 1-5' (Bad minute; e.g. '0 6 * * 1-5')\n"


def test_schedule_without_cron_or_schedule(in_shared):
    result = invoke("schedule", "--tz", "UTC", "--next", "2")
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == "error: no --cron given and no `schedule` in data/book.yaml\n"


def test_approve_before_anything_is_built(in_shared, tmp_path):
    result = invoke("approve", "--as", "Avery Example", "--out", str(tmp_path / "out"))
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == (
        "error: not built yet, so not approved (build them with `briefing send --dry-run`, review them, then "
        "approve): internal: editions/pat-fictional.pdf, editions/sam-madeup.pdf, acme-anvils.pdf, "
        "globex-imaginary.pdf, initech-pretend.pdf, acme-anvils-one-pager.pdf, globex-imaginary-one-pager.pdf, "
        "initech-pretend-one-pager.pdf\n")


# --- data errors: exit 1, each problem as FILE:LINE:COLUMN: field: message ----------------------------

@pytest.mark.parametrize("command", [["validate", "--today", TODAY], ["build", "--no-book"]])
def test_sponsor_with_a_bad_field_and_an_unknown_key(project, command):
    sponsor = project / SPONSORS / "globex-imaginary.yaml"
    edit(sponsor, "  joined: 2021", "  joined: twenty-one")
    edit(sponsor, "tier:", "tierr:")
    result = invoke(*command)
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == ""
    assert result.stderr == (
        "data/sponsors/globex-imaginary.yaml:6:11: partnership.joined: expected a date as YYYY-MM-DD, YYYY-MM or "
        "YYYY (e.g. 2026-10-01, 2026-10 or 2026), got 'twenty-one'\n"
        "data/sponsors/globex-imaginary.yaml:2:1: tierr: unknown field 'tierr'; did you mean 'tier'?\n"
        "2 problems in 1 file\n" + FIX)
    assert not (project / "output" / "globex-imaginary.pdf").exists()


def test_unknown_key_without_a_close_match_lists_the_allowed_ones(project):
    with (project / SPONSORS / "globex-imaginary.yaml").open("a") as f:
        f.write("zzzqqq: 1\n")
    result = invoke("validate", "--today", TODAY)
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == ""
    assert result.stderr == (
        "data/sponsors/globex-imaginary.yaml:24:1: zzzqqq: unknown field 'zzzqqq' (allowed here: name, tier, "
        "categories, headline, as_of, source, classification, audience, brand, partnership, summary, key_figures, "
        "key_points, sections, sources, attachments)\n"
        "1 problem in 1 file\n" + FIX)


def test_book_and_distribution_errors_in_one_pass(project):
    edit(project / "data" / "book.yaml", "edition: 2026-11-01", "edition: 2026-11-31")
    edit(project / "data" / "book.yaml", "page_size: A4", "page_size: A5")
    edit(project / "data" / "distribution.yaml", "    email: sam@example.org", "    emial: sam@example.org")
    result = invoke("validate", "--today", TODAY)
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == ""
    assert result.stderr == (
        "data/book.yaml:5:10: edition: '2026-11-31' is not a real calendar date; check the month (01-12) and the day\n"
        "data/book.yaml:7:12: page_size: got 'A5'; write 'A4' or 'Letter'\n"
        "data/distribution.yaml:8:5: recipients[1].email: required field 'email' is missing; add it\n"
        "data/distribution.yaml:10:5: recipients[1].emial: unknown field 'emial'; did you mean 'email'?\n"
        "4 problems in 2 files\n" + FIX)


def test_distribution_names_an_unknown_sponsor(project):
    edit(project / "data" / "distribution.yaml", "sponsors: [globex-imaginary]", "sponsors: [globex-imaginery]")
    result = invoke("validate", "--today", TODAY)
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == (
        "data/distribution.yaml:6:16: recipients[0].sponsors[0]: unknown sponsor 'globex-imaginery'; use `all` "
        "or the name of a file in sponsors/\n"
        "1 problem in 1 file\n" + FIX)


@pytest.mark.parametrize(("text", "problem"), [
    ("name: Initech\ntier: [Pretend\nsummary: x\n",
     "2:7: the '[' opened here is never closed; add ']' at the end of the list (and quote any item holding ']' "
     "or ', ')"),
    ('name: "unterminated\n', '1:7: a quote opened here is never closed; add the closing " at the end of the text'),
    ("name: a\n\tb: c\n",
     "2:1: a tab character is used for indentation; YAML needs spaces: replace the tab with spaces"),
    ("name: a\nname: b\n", "2:1: name: duplicate key 'name' (first defined on line 1); keep one of them"),
])
def test_bad_yaml(project, text, problem):
    (project / SPONSORS / "initech-pretend.yaml").write_text(text)
    result = invoke("validate", "--today", TODAY)
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == ""
    assert result.stderr == f"data/sponsors/initech-pretend.yaml:{problem}\n1 problem in 1 file\n" + FIX


def test_data_outside_the_current_folder_is_named_by_its_full_path(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project", FICTION / "data")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    sponsor = root / SPONSORS / "initech-pretend.yaml"
    sponsor.write_text('name: "unterminated\n')
    result = invoke("validate", "--data", str(root / "data"), "--today", TODAY)
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == ""
    assert result.stderr == (f'{sponsor.resolve()}:1:7: a quote opened here is never closed; add the closing " at '
                             "the end of the text\n1 problem in 1 file\n" + FIX)
    # named from the current folder when it is inside it
    monkeypatch.chdir(root / SPONSORS)
    result = invoke("validate", "--data", "../../data", "--today", TODAY)
    assert result.stderr.startswith("initech-pretend.yaml:1:7: a quote opened here is never closed")


def test_validate_named_files(project):
    (project / SPONSORS / "initech-pretend.yaml").write_text('name: "unterminated\n')
    result = invoke("validate", "data/sponsors/initech-pretend.yaml", "data/sponsors/acme-anvils.yaml")
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == ""
    assert result.stderr == ('data/sponsors/initech-pretend.yaml:1:7: a quote opened here is never closed; add the '
                             'closing " at the end of the text\n1 problem in 1 file\n' + FIX)
    result = invoke("validate", "data/sponsors/nope.yaml")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == ("data/sponsors/nope.yaml:1:1: cannot read file: No such file or directory; check that "
                             "it exists and that you may read it\n1 problem in 1 file\n" + FIX)


def test_no_project_here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("validate")
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == ""
    assert result.stderr == (
        "data/book.yaml:1:1: missing: every project needs a book.yaml (title, organisation, edition) in the data "
        "folder\n"
        "data/sponsors: no sponsor files (*.yaml) found; add one per sponsor, e.g. sponsors/acme.yaml\n"
        "2 problems in 2 files\n" + FIX)


# --- success --------------------------------------------------------------------------------------

def test_validate_a_fictional_project(in_shared):
    result = invoke("validate", "--today", TODAY)
    assert result.exit_code == 0
    assert result.stdout == VALID
    assert result.stderr == ""


def test_validate_named_files_of_a_fictional_project(in_shared):
    result = invoke("validate", "data/book.yaml", "data/sponsors/acme-anvils.yaml", "data/distribution.yaml")
    assert result.exit_code == 0
    assert result.stdout == ("ok: 3 file(s) are valid: data/book.yaml, data/sponsors/acme-anvils.yaml, "
                             "data/distribution.yaml\n")
    assert result.stderr == ""


def test_validate_warns_of_stale_facts_on_stderr(in_shared):
    result = invoke("validate", "--today", "2030-01-01")
    assert result.exit_code == 0
    assert result.stdout == VALID
    assert result.stderr == (
        "data/sponsors/acme-anvils.yaml:5:8: as_of: warning: facts are 1158 days old (as_of 2026-10); check them "
        "and update as_of (limit 180 days)\n"
        "data/sponsors/globex-imaginary.yaml:4:8: as_of: warning: facts are 1204 days old (as_of 2026-09-15); "
        "check them and update as_of (limit 180 days)\n"
        "data/sponsors/initech-pretend.yaml:4:8: as_of: warning: facts are 1188 days old (as_of 2026-10-01); "
        "check them and update as_of (limit 180 days)\n")


@pytest.mark.parametrize("quiet", ["--quiet", "-q"])
@pytest.mark.parametrize("today", [TODAY, "2030-01-01"])
def test_validate_quiet_prints_nothing(in_shared, quiet, today):
    result = invoke("validate", quiet, "--today", today)  # not even the warnings of 2030
    assert result.exit_code == 0
    assert result.output == ""


@pytest.mark.parametrize(("flags", "title", "required"), [
    ([], "Sponsor", ["as_of", "name"]),
    (["--book"], "Book", ["edition", "organisation", "title"]),
    (["--distribution"], "Distribution", ["recipients"]),
])
def test_schema_is_json(flags, title, required):
    result = invoke("schema", *flags)
    assert result.exit_code == 0
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["title"] == title
    assert sorted(document["required"]) == required
    assert result.stdout == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_changes_and_status_before_the_first_build(in_shared):
    result = invoke("changes")
    assert result.exit_code == 0
    assert result.stdout == "no earlier edition in output: this is the first edition\n"
    assert result.stderr == ""
    result = invoke("changes", "--json")
    assert result.exit_code == 0
    assert result.stdout == '{\n  "edition": "2026-11-01",\n  "since": null,\n  "sponsors": {}\n}\n'
    result = invoke("changes", "--since", "2020-01-01")
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == ""
    assert result.stderr == ("error: no edition on or before 2020-01-01 in output; editions there: none yet "
                             "(each build keeps one)\n")
    result = invoke("status")
    assert result.exit_code == 0
    assert result.stdout == (
        "Edition of 1 November 2026\n"
        "  internal: 0 file(s) built; needs 0 approval(s); not built: editions/pat-fictional.pdf, "
        "editions/sam-madeup.pdf, acme-anvils.pdf, globex-imaginary.pdf, initech-pretend.pdf, "
        "acme-anvils-one-pager.pdf, globex-imaginary-one-pager.pdf, initech-pretend-one-pager.pdf\n"
        "                not built  pat@example.org: editions/pat-fictional.pdf\n"
        "                not built  sam@example.org: editions/sam-madeup.pdf, acme-anvils.pdf, "
        "globex-imaginary.pdf, initech-pretend.pdf, acme-anvils-one-pager.pdf, globex-imaginary-one-pager.pdf, "
        "initech-pretend-one-pager.pdf\n")
    assert result.stderr == ""
    assert not (in_shared / "output").exists()  # reading, not writing


def _from(after: dt.datetime, monkeypatch) -> None:
    """Make `schedule --next` count from ``after`` instead of now."""
    from briefing.ops import schedule

    monkeypatch.setattr(schedule, "next_runs", functools.partial(schedule.next_runs, after=after))


def test_schedule_next_across_the_end_of_summer_time(in_shared, monkeypatch):
    _from(dt.datetime(2026, 10, 30, 14, tzinfo=dt.UTC), monkeypatch)  # after Friday's 06:00 PDT (13:00 UTC)
    result = invoke("schedule", "--cron", "0 6 * * *", "--tz", "America/Los_Angeles", "--next", "3")
    assert result.exit_code == 0
    assert result.stdout == ("Sat 2026-10-31 06:00 -0700 PDT\n"
                             "Sun 2026-11-01 06:00 -0800 PST\n"
                             "Mon 2026-11-02 06:00 -0800 PST\n")
    assert result.stderr == ""


def test_schedule_next_from_book_yaml(project, monkeypatch):
    with (project / "data" / "book.yaml").open("a") as f:
        f.write('schedule: "0 6 * * 1-5"\ntimezone: Europe/Berlin\n')
    _from(dt.datetime(2026, 10, 30, 12, tzinfo=dt.UTC), monkeypatch)
    result = invoke("schedule", "--next", "2")
    assert result.exit_code == 0
    assert result.stdout == "Mon 2026-11-02 06:00 +0100 CET\nTue 2026-11-03 06:00 +0100 CET\n"
    assert result.stderr == ""


# --- the lock: exit 3 -----------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["build"], ["build", "--quiet"], ["send", "--dry-run"], ["approve", "--as", "X"],
                                  ["tick"]])
def test_another_run_holds_the_output_folder(in_shared, tmp_path, args):
    out = tmp_path / "out"
    with run_lock(out):
        result = invoke(*args, "--out", str(out))
    assert result.exit_code == EXIT_LOCKED
    assert result.stdout == ""
    assert result.stderr == (f"error: another briefing run is using {out} (lock file {out / LOCK_NAME}); "
                             "it will finish on its own, or run again with --wait\n")


def test_lock_message_as_json(in_shared, tmp_path):
    out = tmp_path / "out"
    with run_lock(out):
        result = invoke("build", "--log-json", "--out", str(out))
    assert result.exit_code == EXIT_LOCKED
    assert result.stdout == ""
    record = json.loads(result.stderr)
    assert result.stderr == json.dumps(record, ensure_ascii=False) + "\n"  # one line
    assert re.fullmatch(r"[0-9a-f]{12}", record.pop("run_id"))
    assert dt.datetime.fromisoformat(record.pop("ts")).tzinfo is not None
    assert record == {"level": "error", "stage": "cli", "item": None, "duration_s": None, "outcome": "failed",
                      "exit_code": EXIT_LOCKED,
                      "message": f"error: another briefing run is using {out} (lock file {out / LOCK_NAME}); "
                                 "it will finish on its own, or run again with --wait"}


# --- one real build: --quiet prints nothing -------------------------------------------------------

def test_build_quiet_prints_nothing_then_up_to_date(project):
    # no staleness warning whatever the day the tests run
    with (project / "data" / "book.yaml").open("a") as f:
        f.write("stale_after_days: 100000\n")
    result = invoke("build", "globex-imaginary", "--no-book", "--quiet")
    assert result.exit_code == 0
    assert result.output == ""
    assert (project / "output" / "globex-imaginary.pdf").is_file()
    result = invoke("build", "globex-imaginary", "--no-book")
    assert result.exit_code == 0
    assert re.sub(r"\(\d+\.\d s\)", "(T s)", result.stdout) == "up to date: 1 output(s), nothing rendered (T s)\n"
    assert result.stderr == ""  # its short at-a-glance page stands alone by design: no finding (issue 23)


def test_a_build_on_a_machine_without_pango_exits_4_with_the_install_hint(root, tmp_path):
    """Also when the only chapter is printed by the worker the command forks as it starts
    (processes.Held): what its import of WeasyPrint raised is raised in the command."""
    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise OSError(\"cannot load library 'libgobject-2.0-0': not found\")\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path / 'fake'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run([sys.executable, "-m", "briefing.cli", "build", "--data", str(root / "data"), "--out",
                           str(tmp_path / "out"), "acme-anvils", "--no-book"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 4, done.stderr
    assert "sudo apt-get install -y libpango-1.0-0" in done.stderr
