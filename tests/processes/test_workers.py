"""A job tells its parent what it has done before it ends (``tell``, run_jobs' ``on_news``)."""

from __future__ import annotations

import os
from types import MappingProxyType

import pytest

from briefing.processes import Held, Job, run_jobs, tell


def _two_steps(name: str) -> str:
    tell(f"{name}: first step done")
    tell(f"{name}: second step done")
    return f"{name}: finished"


def _tells_then_fails() -> None:
    tell("written")
    raise ValueError("the last step failed")


def test_news_arrives_in_order_and_before_the_outcome():
    heard: list[tuple[str, str]] = []
    outcomes = run_jobs([Job("a", _two_steps, ("a",)), Job("b", _two_steps, ("b",))], workers=2, timeout=60,
                        on_news=lambda name, news: heard.append((name, news)),
                        on_done=lambda outcome: heard.append((outcome.name, outcome.value)))
    assert all(o.ok for o in outcomes)
    for name in ("a", "b"):
        assert [news for who, news in heard if who == name] == [
            f"{name}: first step done", f"{name}: second step done", f"{name}: finished"]


def test_a_job_that_fails_after_its_news_is_still_a_failure():
    heard: list[str] = []
    (outcome,) = run_jobs([Job("x", _tells_then_fails, ())], workers=1, timeout=60,
                          on_news=lambda _, news: heard.append(news))
    assert heard == ["written"]
    assert not outcome.ok and "the last step failed" in outcome.error


def test_tell_outside_a_worker_does_nothing():
    assert _two_steps("here") == "here: finished"


# --- a worker forked before its job is known (Held) -----------------------------------------

_prepared: list[int] = []


def _prepare() -> None:
    _prepared.append(os.getpid())


def _where(value: dict[str, int]) -> tuple[int, list[int], dict[str, int]]:
    return os.getpid(), list(_prepared), value


def test_a_held_worker_prepares_first_then_runs_the_job_it_is_given():
    with Held(_prepare) as held:
        pid = held.process.pid
        (outcome,) = run_jobs([Job("x", _where, ({"sent": 1},))], workers=1, timeout=60, held=held)
    assert outcome.ok
    ran_in, prepared_in, value = outcome.value
    assert ran_in == pid and prepared_in == [pid]  # in the held process, after its preparation
    assert value == {"sent": 1}  # the job crossed the pipe whole
    assert _prepared == [] and held.process.exitcode == 0  # nothing ran here; the worker was reaped


def test_a_held_worker_takes_only_the_first_job():
    with Held(_prepare) as held:
        outcomes = run_jobs([Job(n, _where, ({},)) for n in "abc"], workers=2, timeout=60, held=held)
    pids = {o.name: o.value[0] for o in outcomes}
    assert pids["a"] == held.process.pid and len(set(pids.values())) == 3


def test_a_held_worker_nobody_needs_is_ended():
    held = Held(_prepare)
    held.close()
    assert held.process.exitcode is not None


def test_a_job_that_cannot_be_sent_fails_without_leaving_the_worker_waiting():
    held = Held(_prepare)
    with pytest.raises(TypeError):
        run_jobs([Job("x", _where, (MappingProxyType({}),))], workers=1, timeout=60, held=held)
    held.close()
    assert held.process.exitcode is not None


def _no_library() -> None:
    raise OSError("cannot load library 'libpango-1.0-0': not found")


def test_what_a_held_workers_preparation_raised_is_raised_in_its_parent():
    """A missing system library fails the `build` command with exit 4 and the install hint, as
    when the parent imported WeasyPrint itself (cli.py maps the OSError)."""
    with Held(_no_library) as held, pytest.raises(OSError, match="cannot load library"):
        run_jobs([Job("x", _where, ({},))], workers=1, timeout=60, held=held)
    assert held.process.exitcode is not None


def test_a_held_worker_that_died_is_replaced_by_a_fresh_one():
    held = Held(_prepare)
    held.process.kill()
    held.process.join()
    (outcome,) = run_jobs([Job("x", _where, ({},))], workers=1, timeout=60, held=held)
    assert outcome.ok and outcome.value[0] != held.process.pid
