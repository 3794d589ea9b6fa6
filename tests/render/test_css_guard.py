"""The print CSS stays cheap to lay out (issue 13): the constructs a profile found costly are not
reintroduced, and long unbreakable strings still wrap inside their boxes (issue 17).

Why these constructs: WeasyPrint computes min-content widths for flex items and for the cells of
automatically laid-out tables by breaking their text line by line; `overflow-wrap: anywhere`
(and `word-break: break-all`) make every character a break opportunity for that computation, which
doubled the cost of a sponsor. `break-word` wraps the same long strings on the page without
touching min-content widths.
"""

from __future__ import annotations

from conftest import REPO
from cssfiles import declarations, stylesheets

CSS = REPO / "assets" / "css"
COSTLY = {
    ("overflow-wrap", "anywhere"): "lowers min-content widths to one character: use break-word",
    ("word-wrap", "anywhere"): "lowers min-content widths to one character: use overflow-wrap: break-word",
    ("word-break", "break-all"): "lowers min-content widths to one character: use overflow-wrap: break-word",
    ("word-break", "break-word"): "behaves as overflow-wrap: anywhere: use overflow-wrap: break-word",
    ("display", "flex"): "flex items cost a min-content layout each: use grid, floats or blocks",
    ("display", "inline-flex"): "flex items cost a min-content layout each: use grid, floats or blocks",
}


def test_no_costly_construct_in_print_css():
    problems = []
    for sheet in stylesheets():
        for selector, prop, value in declarations(sheet):
            reason = COSTLY.get((prop, value.split()[0] if value else ""))
            if reason:
                problems.append(f"{sheet.relative_to(REPO)}: {selector} {{ {prop}: {value} }}: {reason}")
    assert not problems, "\n".join(problems)


def test_guard_sees_a_costly_construct(tmp_path):
    """The parser finds declarations inside nested and @page rules: the guard can fail."""
    sheet = tmp_path / "bad.css"
    sheet.write_text("@media print { td { overflow-wrap: anywhere } }\n.cards { display: flex; gap: 1mm }\n"
                     "@page { @top-left { word-break: break-all } }")
    found = {(prop, value) for _, prop, value in declarations(sheet)}
    assert {("overflow-wrap", "anywhere"), ("display", "flex"), ("word-break", "break-all")} <= found


def test_every_element_wraps_long_strings_cheaply():
    """overflow-wrap: break-word is set once on the root and inherited by every element."""
    base = declarations(CSS / "print" / "_base.css")
    assert ("html", "overflow-wrap", "break-word") in base
    others = [(s, v) for sheet in stylesheets() for s, p, v in declarations(sheet)
              if p in ("overflow-wrap", "word-wrap") and v != "break-word"]
    assert not others, others  # no element opts out (normal) or back into the costly form


def test_tables_with_known_widths_use_fixed_layout():
    """People tables give every column a width: fixed layout skips measuring their cells."""
    components = declarations(CSS / "print" / "_components.css")
    assert ("table.people-table", "table-layout", "fixed") in components
    widths = {s for s, p, _ in components if p == "width"}
    assert {".person-name", ".person-role"} <= widths


def test_floats_end_with_their_heading():
    """A float left open makes WeasyPrint measure every later line of the page against it
    (inline_min_content_width per line box): floats live only inside flow-root boxes."""
    found = [(s, p, v) for sheet in stylesheets() for s, p, v in declarations(sheet)]
    floated = {s for s, p, v in found if p == "float" and v != "none"}
    assert floated == {".section-title .section-num, .subsection-title .section-num"}, floated
    assert (".section-title, .subsection-title", "display", "flow-root") in found
