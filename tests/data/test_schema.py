"""`briefing schema`, `briefing validate` and exit codes, through the real CLI."""

from __future__ import annotations

import json
import re
import shutil

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO

from briefing.cli import main


class Yaml12Loader(yaml.SafeLoader):
    """What an editor's YAML plug-in sees (YAML 1.2 core: no yes/no booleans, no dates)."""


Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag not in (
        "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def test_schema_is_valid_and_accepts_the_shipped_data():
    runner = CliRunner()
    for flag, path in (([], "data/sponsors/alibaba.yaml"), (["--book"], "data/book.yaml"),
                       (["--distribution"], "data/distribution.yaml")):
        result = runner.invoke(main, ["schema", *flag])
        assert result.exit_code == 0
        schema = json.loads(result.output)
        jsonschema.Draft202012Validator.check_schema(schema)
        document = yaml.load((REPO / path).read_text(), Loader=Yaml12Loader)  # noqa: S506
        jsonschema.validate(document, schema)


def test_schema_rejects_an_unknown_key():
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors({"name": "A", "as_of": "2026", "typo": 1}))


def test_validate_shipped_data_exits_zero():
    result = CliRunner().invoke(main, ["validate", "--data", str(REPO / "data")])
    assert result.exit_code == 0, result.output
    assert "1 sponsor file(s)" in result.output


def test_validate_broken_copy_exits_one_with_located_errors(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    path = data / "sponsors" / "alibaba.yaml"
    tier = "tier: Worldwide Olympic Partner"
    text = path.read_text().replace(tier, f"{tier}\ntier: again", 1)
    path.write_text(text)
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 1
    assert re.search(r"alibaba\.yaml:5:1: tier: duplicate key 'tier' \(first defined on line 4\)", result.output)
    assert result.output.count("\n") == 3  # one problem, the count line, the hint


def test_usage_error_exits_two():
    result = CliRunner().invoke(main, ["build", "--page-size", "A5"])
    assert result.exit_code == 2
    result = CliRunner().invoke(main, ["build", "--no-book", "--book-only"])
    assert result.exit_code == 2


def test_every_command_has_help_with_examples():
    runner = CliRunner()
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help, f"{name} has no help text"
        examples = result.output.split("Example", 1)[1] if "Example" in result.output else ""
        assert f"briefing {name}" in examples, f"`briefing {name} --help` shows no example of its use"


# --- one schema, two users: the editor's plug-in and the loader agree (issue 15, problem 8) ---

SCHEMAS = {kind: json.loads(CliRunner().invoke(main, ["schema", *flag]).output)
           for kind, flag in (("sponsor", []), ("book", ["--book"]), ("distribution", ["--distribution"]))}


def _as_json(document):
    """What a plug-in validates: JSON, where dates (YAML 1.1 timestamps) are ISO strings."""
    return json.loads(json.dumps(document, default=str))


def _yaml12(text: str):
    from ruamel.yaml import YAML

    return _as_json(YAML(typ="safe", pure=True).load(text))


def _schema_errors(kind: str, document) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        SCHEMAS[kind], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [e.message for e in validator.iter_errors(document)]


def _cli_errors(kind: str, text: str) -> list[str]:
    from briefing.data.load import validate
    from briefing.data.model import Book, Distribution, Sponsor
    from briefing.data.yamlsafe import load_text
    from briefing.errors import DataError

    try:
        located = load_text(text, "x.yaml")
    except DataError as err:
        return [str(p) for p in err.problems]
    model = {"sponsor": Sponsor, "book": Book, "distribution": Distribution}[kind]
    return [str(p) for p in validate(located, model)[1]]


def _data_files():
    for folder in (REPO / "data", REPO / "tests" / "fixtures"):
        yield from sorted(folder.rglob("*.yaml"))


@pytest.mark.parametrize("path", list(_data_files()), ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_and_fixture_file_passes_the_schema_as_plugins_read_it(path):
    from briefing.data.load import file_kind

    text = path.read_text(encoding="utf-8")
    kind = file_kind(path)
    assert _cli_errors(kind, text) == []
    for loaded in (_as_json(yaml.safe_load(text)), _yaml12(text),
                   _as_json(yaml.load(text, Loader=Yaml12Loader))):  # noqa: S506
        assert _schema_errors(kind, loaded) == []


SPONSOR = "name: Acme Fictional\nas_of: 2026-10\n"
CHART = SPONSOR + """sections:
  - title: T
    blocks:
      - chart: {{kind: bar, title: T, unit: u, period: p, source: s, as_of: 2026, series: [{{values: {values}}}]}}
"""
BOOK = "title: T\norganisation: O\n"
BAD = [
    ("sponsor", SPONSOR + "partnership: {joined: 2017, through: 2030, value: {amount: three hundred forty}}\n"),
    ("sponsor", SPONSOR + "partnership: {joined: 2017, through: 2030, value: {amount: 0}}\n"),
    ("sponsor", SPONSOR + "partnership: {joined: 2017, through: 2030, value: {amount: -3}}\n"),
    ("sponsor", SPONSOR + "partnership: {joined: 2017, through: 2030, value: {amount: 3, currency: usd}}\n"),
    ("sponsor", SPONSOR + "partnership: {joined: 2017, through: 2030, value: {amount: 3, approximate: maybe}}\n"),
    ("sponsor", SPONSOR + "partnership: {joined: 2017, through: 1800}\n"),
    ("sponsor", SPONSOR + "partnership: {joined: 2017, through: soon}\n"),
    ("sponsor", SPONSOR + "partnership: {joined: 2017-13, through: 2030}\n"),
    ("sponsor", SPONSOR + "partnership: {joined: 2017-02-30, through: 2030}\n"),
    ("sponsor", CHART.format(values='{A: "about 290"}')),
    ("sponsor", CHART.format(values="{A: about 290}")),
    ("sponsor", CHART.format(values="{A: .inf}")),
    ("sponsor", CHART.format(values="{}")),
    ("sponsor", "name: Acme Fictional\nas_of: yesterday\n"),
    ("sponsor", "name: Acme Fictional\nas_of: 20261\n"),
    ("sponsor", "as_of: 2026\n"),
    ("sponsor", SPONSOR + "brand: {colour: red}\n"),
    ("sponsor", SPONSOR + "brand: {colour: '#12345'}\n"),
    ("sponsor", SPONSOR + "brand: {logo: /etc/passwd}\n"),
    ("sponsor", SPONSOR + "brand: {logo: assets/../../x.svg}\n"),
    ("sponsor", SPONSOR + "headline: ''\n"),
    ("sponsor", SPONSOR + "headline: [a, b]\n"),
    ("sponsor", SPONSOR + "headline: \"a\\u0007b\"\n"),
    ("sponsor", SPONSOR + "key_points: [a, b, c, d]\n"),
    ("sponsor", SPONSOR + "key_points:\n  - Revenue: up 7%\n"),
    ("sponsor", SPONSOR + "typo: 1\n"),
    ("sponsor", SPONSOR + "key_points: [{txt: a, audience: internal}]\n"),
    ("sponsor", SPONSOR + "key_points: [{text: a, audience: Internal}]\n"),
    ("sponsor", SPONSOR + "key_points: [{text: [a], audience: internal}]\n"),
    ("sponsor", SPONSOR + "categories: [{text: a, audience: internal, extra: b}]\n"),
    ("sponsor", SPONSOR + "summary: []\n"),
    ("sponsor", SPONSOR + "summary: [a, [b]]\n"),
    ("sponsor", SPONSOR + "sections: [{title: T, blocks: [{bullets: [{audience: internal}]}]}]\n"),
    ("sponsor", SPONSOR + "sections: [{title: T, blocks: [{table: {columns: [A], rows: [{cells: a}]}}]}]\n"),
    ("sponsor", SPONSOR + "sections: [{title: T, blocks: [{table: {columns: [A], rows: [{cells: [], "
                          "audience: internal}]}}]}]\n"),
    ("sponsor", SPONSOR + "sources: [{id: Not A Slug, title: T}]\n"),
    ("sponsor", SPONSOR + "sources: [{id: s, title: T, url: ftp://example.org}]\n"),
    ("sponsor", SPONSOR + "sections: [{title: T, blocks: [{text: a, bullets: [b]}]}]\n"),
    ("sponsor", SPONSOR + "sections: [{title: T, blocks: [{cite: [s]}]}]\n"),
    ("sponsor", SPONSOR + "sections: [{title: T, blocks: []}]\n"),
    ("sponsor", SPONSOR + "sections: [{title: T, blocks: [{callout: {title: T, body: B, severity: urgent}}]}]\n"),
    ("book", BOOK + "edition: 2026-11\n"),
    ("book", BOOK + "edition: 2026-02-30\n"),
    ("book", BOOK + "edition: 2026-11-28\npage_size: A5\n"),
    ("book", BOOK + "edition: 2026-11-28\nstale_after_days: 0\n"),
    ("book", BOOK + "edition: 2026-11-28\nlanguage: English\n"),
    ("distribution", "recipients: [{name: A, email: a@example.org, sponsors: [Not A Slug]}]\n"),
    ("distribution", "recipients: [{name: A, email: a@example.org, receives: [pdf]}]\n"),
    ("distribution", "recipients: []\n"),
]
GOOD = [
    ("sponsor", SPONSOR + "partnership: {joined: 2017, through: '2030', value: {amount: '1.2', approximate: yes}}\n"),
    ("sponsor", SPONSOR + "partnership: {joined: 2017-01-19, through: 2030, value: {amount: 1e3}}\n"),
    ("sponsor", CHART.format(values='{A: "290", B: -1.5, C: 0}')),
    ("sponsor", SPONSOR + "headline: NO\ncategories: [2028, true, '12:30', 1.10]\n"),
    ("sponsor", SPONSOR + "brand: {colour: '#c8102e', logo: assets/logos/x.svg}\n"),
    ("sponsor", SPONSOR + "key_points: [a, {text: b, audience: internal}, {text: 2028}]\n"
                          "categories: [a, {text: b, audience: partner}]\n"
                          "summary: [a, {text: b, audience: internal}]\n"),
    ("sponsor", SPONSOR + "sections: [{title: T, blocks: [{bullets: [a, {text: b, audience: internal}]}, "
                          "{table: {columns: [A], rows: [[a], {cells: [b], audience: internal}], "
                          "notes: [{text: n, audience: internal}]}}, "
                          "{timeline: [{year: 2024, label: L, highlights: [{text: h, audience: internal}]}]}]}]\n"),
    ("book", BOOK + "edition: 2026-11-28\nstale_after_days: '90'\n"),
    ("distribution", "recipients: [{name: A, email: a@example.org, sponsors: all, receives: book}]\n"),
]


@pytest.mark.parametrize("kind,text", BAD)
def test_schema_and_cli_reject_the_same_bad_values(kind, text):
    assert _cli_errors(kind, text), "the CLI accepted it"
    try:
        document = _yaml12(text)
    except Exception:  # noqa: BLE001 (both refuse: the plug-in cannot even parse it)
        return
    assert _schema_errors(kind, document), "the schema accepted it"


@pytest.mark.parametrize("kind,text", GOOD)
def test_schema_and_cli_accept_the_same_good_values(kind, text):
    assert _cli_errors(kind, text) == []
    assert _schema_errors(kind, _yaml12(text)) == []
