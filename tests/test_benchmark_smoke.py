"""The benchmark runs end to end at its smallest size, so it cannot rot (it times nothing here)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO


@pytest.mark.slow
def test_benchmark_quick_run_writes_results(tmp_path):
    results = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick",
                           "--work", str(tmp_path / "work"), "--results", str(results)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(results.read_text())
    assert set(data) >= {"overhead", "scale", "incremental", "peer"}
    assert data["scale"]["1"]["jobs2"]["pages"] > 10
    assert "| measure | result | target | met |" in done.stdout
    generated = (tmp_path / "work" / "n1" / "data" / "sponsors" / "bench-01.yaml").read_text()
    assert "Benchmark Fictional Co 01" in generated and "Alibaba" not in generated
