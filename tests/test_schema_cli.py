"""`briefing schema`, `briefing validate` and exit codes, through the real CLI."""

from __future__ import annotations

import json
import re
import shutil

import jsonschema
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
    assert re.search(r"alibaba\.yaml:5:1: duplicate key 'tier' \(first defined on line 4\)", result.output)
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
