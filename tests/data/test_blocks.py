"""One record per block kind (``model.BLOCK_KINDS``), and every part a kind needs beside it.

A kind is its `Block` field, its record, its template, CSS for its class, an example in
docs/data-format.md that validates and renders, and a change line that names it. Each test
below runs once per kind, so a kind that lacks a part fails by name.
"""

from __future__ import annotations

import copy
import html
import re
import typing
from pathlib import Path

import pytest
from conftest import FICTION, REPO, make_project, normalise
from cssfiles import declarations
from docs_examples import blocks_example, sponsor_from_docs
from pydantic import BaseModel

from briefing.data import model as m
from briefing.data.changes import describe
from briefing.data.yamlsafe import load_text

KINDS = list(m.BLOCK_KINDS.values())
TEMPLATES = REPO / "templates"
PRINT_CSS = sorted((REPO / "assets" / "css" / "print").glob("*.css"))
# one-line fields that take hyphenation points, as they did before the records: a callout's
# `summary` shares its name with the sponsor's prose summary (typography goes by field name),
# and a timeline `season` and chart `approximate` labels were never listed
HYPHENATED_LINES = {"callout": {"summary"}, "timeline": {"season"}, "chart": {"approximate"}}
# kept together by the CSS but never reported split by preflight, as before the records
NOT_REPORTED = {"chart-exhibit"}
SECTION = "Risks"  # the docs' sponsor example prints the blocks example under this section


def per_kind(test):
    return pytest.mark.parametrize("kind", KINDS, ids=[k.key for k in KINDS])(test)


def _models(annotation: typing.Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [found for arg in typing.get_args(annotation) for found in _models(arg)]


def _field_tree(model: type[BaseModel], seen: set[type] | None = None) -> list[tuple[str, typing.Any]]:
    """(name, annotation with its validators) of every field of ``model`` and the models it holds."""
    seen = seen if seen is not None else set()
    if model in seen:
        return []
    seen.add(model)
    found = []
    for name, info in model.model_fields.items():
        found.append((name, typing.Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation))
        for inner in _models(info.annotation):
            found += _field_tree(inner, seen)
    return found


def _one_line(annotation: typing.Any) -> bool:
    if any(getattr(meta, "func", None) is m._one_line for meta in getattr(annotation, "__metadata__", ())):
        return True
    return any(_one_line(arg) for arg in typing.get_args(annotation))


def _documented() -> list[dict[str, typing.Any]]:
    return load_text(blocks_example(), "docs/data-format.md").data


def _index(kind: m.BlockKind) -> int:
    """Where the docs' example of ``kind`` stands in the Blocks example."""
    found = [i for i, block in enumerate(_documented()) if kind.key in block]
    assert found, f"docs/data-format.md: add an example `- {kind.key}:` to the Blocks example"
    return found[0]


def _classes(template_text: str) -> set[str]:
    return {word for value in re.findall(r'class="([^"]*)"', template_text)
            for word in re.sub(r"{[{%].*?[%}]}", " ", value).split()}


def _printing(kind: m.BlockKind, *, readers: bool = True) -> str:
    """The text of the templates that print this kind: its own, with ``readers`` those that read
    `block.<kind>` elsewhere (a small chart's cards, the risk lines), and the partials they include."""
    names = {kind.template}
    if readers:
        names |= {str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
                  if re.search(rf"\bblock\.{kind.key}\b", p.read_text())}
    texts, todo = {}, sorted(names)
    while todo:
        name = todo.pop()
        if name not in texts and (TEMPLATES / name).is_file():
            texts[name] = (TEMPLATES / name).read_text()
            todo += re.findall(r'{%\s*include\s+"([^"]+)"', texts[name])
    return "\n".join(texts.values())


def _styled(cls: str) -> bool:
    """A print stylesheet has a rule for `.cls`."""
    return any(re.search(rf"\.{re.escape(cls)}(?![\w-])", selector)
               for sheet in PRINT_CSS for selector, _, _ in declarations(sheet))


def _never_split() -> set[str]:
    """Classes whose own rule (`.x` or `tag.x`, not a descendant) says break-inside: avoid."""
    return {match.group(1) for sheet in PRINT_CSS for selector, prop, value in declarations(sheet)
            if (prop, value) == ("break-inside", "avoid")
            for one in selector.split(",") if (match := re.fullmatch(r"[\w-]*\.([\w-]+)", one.strip()))}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> str:
    """The chapter HTML of the docs' sponsor example, which holds one block of every kind."""
    from briefing.build.options import Options
    from briefing.build.pipeline import make_edition
    from briefing.data.load import load_project
    from briefing.documents.chapter import chapter_html

    root = make_project(tmp_path_factory.mktemp("blocks"), FICTION / "data")
    (root / "data" / "sponsors" / "from-docs.yaml").write_text(sponsor_from_docs())
    project = load_project(root / "data")
    edition = make_edition(project, Options(data_dir=root / "data", out_dir=root / "out"))
    return chapter_html(project, edition, "from-docs")[0]


def _printed(rendered: str, kind: m.BlockKind) -> str:
    """The HTML of the docs' example of ``kind``, from its block's opening tag to the next block."""
    start = rendered.find(f'<div class="block block-{kind.key}" data-src="sections[0].blocks[{_index(kind)}]">')
    assert start >= 0, f"the docs' `{kind.key}` example printed no block"
    end = min(i for i in (rendered.find('<div class="block ', start + 1), rendered.find("</section>", start))
              if i >= 0)
    return rendered[start:end]


# --- the record itself ------------------------------------------------------------------------

def test_every_block_field_is_a_kind_with_a_record():
    fields = set(m.Block.model_fields) - {"cite", "audience"}
    assert fields == set(m.BLOCK_KINDS), "a Block field without a record, or a record without a field"
    assert all(key == kind.key for key, kind in m.BLOCK_KINDS.items())


@per_kind
def test_record_agrees_with_its_field(kind):
    # an item written as a mapping only to carry `audience` (m.Marked) is plain text to the record
    classes = [c for c in _models(m.Block.model_fields[kind.key].annotation) if not issubclass(c, m.Marked)]
    assert classes == ([kind.model] if kind.model else []), f"`model` of {kind.key} is not its field's class"
    assert kind.change_name.strip(), "a change line needs a name for an untitled block"
    assert kind.change_main is None or (kind.model and kind.change_main in kind.model.model_fields)


@per_kind
def test_typography_names_its_own_fields_and_every_label(kind):
    tree = _field_tree(kind.model) if kind.model else []
    names = {name for name, _ in tree}
    assert kind.no_hyphens | kind.verbatim <= names, f"names no field of {kind.key}"
    labels = {name for name, annotation in tree if _one_line(annotation)}
    unset = labels - kind.no_hyphens - kind.verbatim - HYPHENATED_LINES.get(kind.key, set())
    assert not unset, f"one-line fields of {kind.key} (names, labels): add them to its `no_hyphens`: {unset}"


def test_the_stages_read_the_records():
    from briefing.data.changes import MAIN
    from briefing.documents.preflight import _KEEP_WHOLE
    from briefing.render import markup

    for kind in KINDS:
        assert kind.no_hyphens <= markup._NO_HYPHENS and kind.verbatim <= markup._VERBATIM, kind.key
        assert kind.keep_whole <= _KEEP_WHOLE, kind.key
        assert kind.change_main is None or MAIN[kind.model] == kind.change_main, kind.key
    assert "block.spec.template" in (TEMPLATES / "partials" / "block.html").read_text()


# --- the parts beside it ------------------------------------------------------------------------

@per_kind
def test_template_exists(kind):
    assert (TEMPLATES / kind.template).is_file(), f"add templates/{kind.template}"


@per_kind
def test_parts_kept_whole_are_printed_and_never_split_by_the_css(kind):
    printed, never_split = _classes(_printing(kind)), _never_split()
    for cls in kind.keep_whole:
        assert cls in printed, f"keep_whole names .{cls}, which no template of {kind.key} prints"
        assert cls in never_split, f".{cls} needs break-inside: avoid in the print CSS"
    # and the other way: what its template keeps together, preflight reports when it splits
    unreported = _classes(_printing(kind, readers=False)) & never_split - kind.keep_whole - NOT_REPORTED
    assert not unreported, f"add to the keep_whole of {kind.key}: {unreported}"


@per_kind
def test_documented_with_an_example_that_validates(kind):
    example = _documented()[_index(kind)]
    block = m.Block.model_validate(example)
    assert block.kind == kind.key


@per_kind
def test_documented_example_renders_and_its_class_is_styled(kind, rendered):
    printed = _printed(rendered, kind)
    inner = re.search(r'^<div[^>]*>\s*<\w+[^>]*\bclass="([^"]+)"', printed)
    assert inner, f"the {kind.key} template's outer element has no class for the CSS to style"
    assert any(_styled(cls) for cls in inner.group(1).split()), \
        f"no print CSS styles .{inner.group(1).split()[0]} ({kind.key})"
    text = normalise(html.unescape(re.sub(r"<[^>]+>", " ", printed)))
    strings = [s for s in _strings(_documented()[_index(kind)]) if len(s.split()) > 1]
    assert any(normalise(s) in text for s in strings), f"none of the {kind.key} example's text is printed"
    assert ("Exhibit " in printed) == kind.exhibit, "only exhibits print an exhibit number"


def _strings(value: typing.Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [s for item in items for s in _strings(item)]


@per_kind
def test_a_new_block_is_named_in_the_change_lines(kind):
    data = load_text(sponsor_from_docs(), "docs/data-format.md").data
    without = copy.deepcopy(data)
    del without["sections"][0]["blocks"][_index(kind)]
    before, after = m.Sponsor.model_validate(without), m.Sponsor.model_validate(data)
    value = getattr(after.sections[0].blocks[_index(kind)], kind.key)
    title = getattr(value, "title", None) if isinstance(value, BaseModel) else None
    name = title or kind.change_name
    assert f"New item in {SECTION}: {name}" in describe(before, after)


def test_the_checks_can_fail(tmp_path: Path):
    """A kind without a template, docs example or styled class is caught by the helpers above."""
    ghost = m.BlockKind(key="ghost", model=None, change_name="Ghost", change_main=None, exhibit=False,
                        keep_whole=frozenset({"ghost-part"}), no_hyphens=frozenset(), verbatim=frozenset())
    assert not (TEMPLATES / ghost.template).is_file()
    assert not _styled("ghost-part") and "ghost-part" not in _never_split() and "callout" in _never_split()
    with pytest.raises(AssertionError, match="add an example `- ghost:`"):
        _index(ghost)
