"""Typography touches prose only: identifiers, levels, dates and paths pass through verbatim."""

from __future__ import annotations

import re
import typing

from conftest import REPO
from pydantic import BaseModel

from briefing.data import model as m
from briefing.render import markup


def _prose(annotation) -> bool:
    """Text and Line (and lists or optionals of them) are prose: they carry the _no_controls check."""
    for meta in getattr(annotation, "__metadata__", ()):
        if getattr(meta, "func", None) in (m._no_controls, m._one_line):
            return True
    return any(_prose(arg) for arg in typing.get_args(annotation))


def _stringy(annotation) -> bool:
    if annotation is str:
        return True
    return any(_stringy(arg) for arg in typing.get_args(annotation)) or (
        typing.get_origin(annotation) is typing.Literal)


def _fields(model: type[BaseModel], seen: set) -> list[tuple[str, str, object]]:
    if model in seen:
        return []
    seen.add(model)
    found = []
    for name, info in model.model_fields.items():
        found.append((model.__name__, name, typing.Annotated[info.annotation, *info.metadata]
                      if info.metadata else info.annotation))
        for arg in [info.annotation, *typing.get_args(info.annotation)]:
            for inner in [arg, *typing.get_args(arg)]:
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    found += _fields(inner, seen)
    return found


def test_every_non_prose_text_field_is_kept_verbatim():
    missing = [f"{owner}.{name}" for owner, name, annotation in _fields(m.Sponsor, set())
               if _stringy(annotation) and not _prose(annotation) and name not in markup._VERBATIM]
    assert not missing, f"add to markup._VERBATIM (identifiers, levels, dates are not prose): {missing}"


def test_typeset_leaves_identifiers_alone():
    sponsor = m.Sponsor.model_validate({
        "name": "Pretend \"Quotes\" Co", "as_of": "2026-01", "audience": "confidential",
        "sections": [{"title": "Internationalisation", "audience": "confidential",
                      "blocks": [{"text": "Extraordinarily internationalised text.", "cite": ["src-a"]}]}],
        "sources": [{"id": "src-a", "title": "Invented"}]})
    printed = markup.typeset_sponsor(sponsor)
    assert printed.audience == "confidential" and printed.sections[0].audience == "confidential"
    assert printed.sections[0].blocks[0].cite == ["src-a"]
    assert printed.name == "Pretend “Quotes” Co"
    assert markup.SHY in printed.sections[0].blocks[0].text


def test_front_matter_summary_prints_what_the_whole_sponsor_would():
    sponsor = m.Sponsor.model_validate({
        "name": "Pretend 'Quotes' Co -- Overseas", "as_of": "2026-01", "tier": "Worldwide \"Top\" Partner",
        "categories": ["Cloud 2020-2028", "Zephyr's e-commerce"]})
    whole, summary = markup.typeset_sponsor(sponsor), markup.typeset_summary(sponsor)
    assert (summary.name, summary.tier, summary.categories) == (whole.name, whole.tier, whole.categories)
    assert summary.name != sponsor.name and summary.categories != sponsor.categories  # it did typeset


def test_a_quote_after_markdown_emphasis_opens():
    """`**"YOUR EPIC VIBE" campaign:**` printed a reversed opening quote (issue 23)."""
    text = markup.typeset('**"Pretend Epic Vibe" campaign:** and *\'fictional\'* and __"x"__, it\'s "y"')
    assert text.startswith("**\u201cPretend Epic Vibe\u201d campaign:**")
    assert "*\u2018fictional\u2019*" in text and "__\u201cx\u201d__" in text and "it\u2019s \u201cy\u201d" in text
    assert str(markup.markdown_inline(text)).startswith("<strong>\u201cPretend Epic Vibe\u201d")


def test_template_text_is_typeset_like_data_but_not_its_markup():
    """The book's watch-list intro printed a straight apostrophe ("the sponsor's section")."""
    from briefing.render.html import make_env

    env = make_env(REPO / "templates")
    out = env.from_string(
        """<p class="muted" title="it's">the sponsor's "section", 15-20 pages</p><a href="{{ url }}">{{ name }}'s</a>"""
        """ {{ name }} "quoted" <style>q::before { content: "'" }</style>{% if x %}'a'{% endif %}""").render(
        url="https://example.org/a'b", name="Pretend", x=True)
    assert '<p class="muted" title="it&#39;s">' not in out and 'title="it\'s"' in out  # attributes untouched
    assert "the sponsor\u2019s \u201csection\u201d, 15\u201320 pages" in out
    assert 'href="https://example.org/a&#39;b">Pretend\u2019s</a>' in out
    assert "Pretend \u201cquoted\u201d" in out and "content: \"'\"" in out and "\u2018a\u2019" in out


def test_a_source_typed_with_its_own_full_stop_gets_no_second_one(tmp_path):
    from conftest import FICTION, make_project

    from briefing.build.options import Options
    from briefing.build.pipeline import make_edition
    from briefing.data.load import load_project
    from briefing.documents.chapter import chapter_html

    root = make_project(tmp_path / "project", FICTION / "data")
    path = root / "data" / "sponsors" / "acme-anvils.yaml"
    text = path.read_text(encoding="utf-8")
    old = "title: Acme fictional website"
    assert old in text
    path.write_text(text.replace(old, 'title: "Is Acme fictional?", note: "Invented for tests."', 1), encoding="utf-8")
    project = load_project(root / "data")
    html, _ = chapter_html(project, make_edition(project, Options(data_dir=root / "data", out_dir=tmp_path / "out")),
                           "acme-anvils")
    sources = html[html.index('class="sources"'):]
    words = " ".join(re.sub(r"<[^>]+>", "", sources).replace("\u00ad", "").split())
    assert "Is Acme fictional? Invented for tests." in words and "tests.." not in words
