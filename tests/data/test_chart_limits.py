"""Chart values outside what can be drawn are located errors at `validate` (issue 25, items 12-13)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import BRIEFING, FICTION, make_project

VALUES = "{Anvils: 10, Skates: 5.5, Glue: 1}"  # the one chart of tests/fixtures/fiction's acme-anvils.yaml


def _validate(tmp_path: Path, values: str) -> subprocess.CompletedProcess[str]:
    root = make_project(tmp_path / "project", FICTION / "data")
    sponsor = root / "data" / "sponsors" / "acme-anvils.yaml"
    text = sponsor.read_text()
    assert VALUES in text
    sponsor.write_text(text.replace(VALUES, values))
    return subprocess.run([str(BRIEFING), "validate"], cwd=root, capture_output=True, text=True, timeout=60)


def test_a_value_too_large_to_draw_is_located_with_the_limit(tmp_path):
    done = _validate(tmp_path, "{Anvils: 1e308, Skates: -1e300, Glue: 1}")
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith("data/")]
    assert len(lines) == 1, done.stderr  # the first value out of range, at its own line and column
    assert re.match(r"data/sponsors/acme-anvils\.yaml:\d+:\d+: \S+chart\.series\[0\]\.values\.Anvils: ", lines[0])
    assert "1e+308" in lines[0] and "at most 1e+15" in lines[0]
    assert "Traceback" not in done.stderr and "RuntimeWarning" not in done.stderr


def test_too_many_points_say_how_many(tmp_path):
    points = ", ".join(f"P{i}: {i}" for i in range(10_000))
    done = _validate(tmp_path, "{" + points + "}")
    assert done.returncode == 1
    assert re.search(r"acme-anvils\.yaml:\d+:\d+: \S+values: has 10,000 items but at most 60 are allowed",
                     done.stderr), done.stderr
    assert "None" not in done.stderr
