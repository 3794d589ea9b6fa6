"""One watch list (render/watchlist.py) for the at-a-glance page, the book's watch list and the letters."""

from __future__ import annotations

from briefing.data.model import Sponsor
from briefing.render.watchlist import most_severe_first, watch_list


def _sponsor(name: str, callouts: list[tuple[str, str]]) -> Sponsor:
    blocks = [{"callout": {"title": title, "body": "Text.", "severity": severity}} for severity, title in callouts]
    return Sponsor.model_validate({"name": name, "as_of": "2026-01",
                                   "sections": [{"title": "Risks", "blocks": blocks}]})


def test_watched_callouts_most_severe_first_then_in_book_order():
    sponsors = {"a": _sponsor("A", [("high", "a-high"), ("info", "a-info"), ("critical", "a-critical")]),
                "b": _sponsor("B", [("critical", "b-critical"), ("high", "b-high"), ("medium", "b-medium")])}
    found = watch_list(sponsors)
    assert [w.line for w in found] == ["a-critical", "b-critical", "a-high", "b-high"]
    assert [(w.slug, w.sponsor.name, w.heading) for w in found][:2] == [("a", "A", "1"), ("b", "B", "1")]
    assert found[0].anchor != found[1].anchor and found[0].anchor.startswith("a--risk-")


def test_chapters_stored_lists_merge_in_the_same_order():
    """The book merges each chapter's stored list; one sponsor at a time gives what all at once gives."""
    sponsors = {"a": _sponsor("A", [("high", "a-high"), ("critical", "a-critical")]),
                "b": _sponsor("B", [("critical", "b-critical")])}
    merged = most_severe_first([w for slug in sponsors for w in watch_list({slug: sponsors[slug]})],
                               lambda w: w.severity)
    assert merged == watch_list(sponsors)
