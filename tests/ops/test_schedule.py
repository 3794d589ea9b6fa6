"""The long-lived scheduler: runs on time, survives a failing run, stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest
from conftest import BRIEFING, KEYS


@pytest.mark.slow  # a real build or a server: kept out of the two-minute default run
def test_scheduler_runs_survives_a_failure_and_stops_on_sigterm(root):  # noqa: F811
    path = root / "data" / "sponsors" / "globex-imaginary.yaml"
    path.write_text(path.read_text().replace("name: Globex Imaginary", "name: Globex Imaginary\nbogus: field", 1))
    # cronsim reads a sixth field as seconds: a run every second keeps this test short
    process = subprocess.Popen([str(BRIEFING), "schedule", "--cron", "* * * * * *", "--tz", "UTC", "--no-send",
                                "--log-json", "--data", "data", "--out", "output"],
                               cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(4)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0
    out = [json.loads(line) for line in stdout.splitlines()]
    err = [json.loads(line) for line in stderr.splitlines()]
    assert all(KEYS <= set(r) for r in out + err)
    runs = [r for r in err if r["stage"] == "run"]
    assert len(runs) >= 2 and all(r["outcome"] == "failed" and r["level"] == "error" for r in runs)
    assert "unknown field 'bogus'" in runs[0]["message"] and runs[0]["run_id"] != runs[1]["run_id"]
    assert out[0]["outcome"] == "started" and out[0]["tz"] == "UTC"
    assert (out[-1]["stage"], out[-1]["outcome"], out[-1]["runs"]) == ("scheduler", "stopped", len(runs))


def test_ctrl_c_stops_the_scheduler_with_130(root):  # noqa: F811
    process = subprocess.Popen([str(BRIEFING), "schedule", "--cron", "0 6 * * 1-5", "--tz", "UTC",
                                "--data", "data", "--out", "output"],
                               cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "next run" in process.stdout.readline() + process.stdout.readline()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert stdout.splitlines()[-1] == "scheduler stopped after 0 run(s)" and stderr == "interrupted\n"
