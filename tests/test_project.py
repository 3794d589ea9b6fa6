"""House rules that can be checked: lint-clean code, every command documented."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

from briefing.cli import main


def test_ruff_is_clean():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def test_every_command_is_in_the_readme():
    readme = (REPO / "README.md").read_text()
    for name in main.commands:
        assert f"briefing {name}" in readme, name


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    command = next(line for line in readme.splitlines() if "pytest" in line).split("#")[0].strip()
    assert command in ci
