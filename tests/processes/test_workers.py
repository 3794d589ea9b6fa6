"""A job tells its parent what it has done before it ends (``tell``, run_jobs' ``on_news``)."""

from __future__ import annotations

from briefing.processes import Job, run_jobs, tell


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
