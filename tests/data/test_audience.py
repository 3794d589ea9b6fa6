"""Issue 16: one source, an edition per audience level, and nothing above the level in it.

The fictional four-level book (tests/fixtures/audience) puts a unique marker word in every
restricted item; each edition is read back by text extraction, as uncompressed PDF bytes
(qpdf --qdf), through its structure tree when tagged, and in the email body.
"""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest
from audience_book import (
    AUDIENCE,
    EARLIER,
    LEVELS,
    MARKERS,
    READER,
    above,
    audience_built,  # noqa: F401 - a fixture
    audience_root,  # noqa: F401 - a fixture
    found,
    make_audience_project,
    pdf_text,
    qdf_bytes,
    struct_text,
    upto,
)
from click.testing import CliRunner
from conftest import make_project

from briefing.build.options import Options
from briefing.build.pipeline import make_edition
from briefing.cli import main
from briefing.data.audience import project_view, view
from briefing.data.changes import load_snapshot
from briefing.data.load import load_project
from briefing.data.model import walk_blocks
from briefing.delivery.distribute import SendOptions, send
from briefing.errors import DataError
from briefing.render.anchors import ChapterAnchors
from briefing.render.outline import outline


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return load_project(make_project(tmp_path_factory.mktemp("aud"), AUDIENCE / "data") / "data")


def dump(project) -> str:
    return json.dumps({s: sp.model_dump(mode="json") for s, sp in project.sponsors.items()})


# --- the view, before anything is rendered (fast) -------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_each_level_sees_its_own_items_and_nothing_above(project, level):
    seen = dump(project_view(project, level))
    assert found(seen, above(level)) == []
    assert found(seen, upto(level)) == upto(level)  # the check would see a leak


def test_a_withheld_chart_leaves_no_exhibit_number_gap(project):
    def exhibits(level: str) -> list[tuple[str, int]]:
        sponsor = project_view(project, level).sponsors["open-pretend"]
        placed = outline(sponsor, ChapterAnchors("open-pretend")).blocks()
        return [(p.block.chart.title if p.block.chart else p.block.table.title, p.exhibit)
                for p in placed if p.exhibit is not None]

    assert exhibits("internal") == [("Cobblewick units rose", 1), ("Open units rose", 2), ("Open table", 3)]
    assert exhibits("public") == [("Open units rose", 1), ("Open table", 2)]


def test_a_source_cited_only_by_withheld_text_goes_and_citations_renumber(project):
    public = project_view(project, "public").sponsors["open-pretend"]
    internal = project_view(project, "internal").sponsors["open-pretend"]
    assert [s.id for s in internal.sources] == ["open-site", "gorsewind-memo"]
    assert [s.id for s in public.sources] == ["open-site"]
    cited = {c for _, b in walk_blocks(public) for c in b.cite}
    assert cited == {"open-site"}
    assert outline(public, ChapterAnchors("open-pretend")).citations == {"open-site": 1}


def test_an_item_inside_a_restricted_section_is_restricted_whatever_it_says(project):
    levels = project.levels
    data = project.sponsors["open-pretend"].model_dump(mode="json", exclude_none=True)
    data["sections"][1]["blocks"][0]["audience"] = "public"  # inside the partner-only section
    sponsor = type(project.sponsors["open-pretend"]).model_validate(data)
    public = view(sponsor, "public", levels)
    assert public is not None and "Quillfern" not in json.dumps(public.model_dump(mode="json"))


def test_a_section_whose_every_item_is_withheld_has_no_heading(project):
    levels = project.levels
    data = project.sponsors["open-pretend"].model_dump(mode="json", exclude_none=True)
    data["sections"][2]["blocks"][0]["people"]["items"][0]["audience"] = "internal"
    sponsor = type(project.sponsors["open-pretend"]).model_validate(data)
    titles = [s.title for s in view(sponsor, "partner", levels).sections]
    assert "Leadership" not in titles and "Overview" in titles


def test_change_lines_see_the_earlier_edition_through_the_same_level(tmp_path):
    root = make_audience_project(tmp_path)
    project = load_project(root / "data")
    assert load_snapshot(root / "output", EARLIER)
    for level in LEVELS:
        edition = make_edition(project_view(project, level), Options(data_dir=root / "data",
                                                                      out_dir=root / "output"), level)
        lines = " ".join(line for lines in edition.changes.values() for line in lines)
        assert found(lines, above(level)) == [], level
        if level != "public":
            assert found(lines, MARKERS[level][:1]), (level, lines)  # the new items are told


def test_unknown_levels_are_located_errors(tmp_path):
    root = make_project(tmp_path, AUDIENCE / "data")
    sponsor = root / "data" / "sponsors" / "open-pretend.yaml"
    sponsor.write_text(sponsor.read_text().replace("audience: partner\n    blocks:",
                                                    "audience: board-only\n    blocks:"))
    dist = root / "data" / "distribution.yaml"
    dist.write_text(dist.read_text().replace("clearance: partner", "clearance: partnr"))
    with pytest.raises(DataError) as err:
        load_project(root / "data")
    text = str(err.value)
    assert "open-pretend.yaml:" in text and "sections[1].audience" in text and "'board-only'" in text
    assert "distribution.yaml:" in text and "unknown clearance 'partnr'" in text


def test_levels_and_approvals_come_from_book_yaml(tmp_path):
    root = make_project(tmp_path, AUDIENCE / "data")
    book = root / "data" / "book.yaml"
    book.write_text(book.read_text().replace("approvals: {partner: 1, confidential: 2}",
                                             "levels: [everyone, board]\napprovals: {board: 1, boss: 2}"))
    with pytest.raises(DataError, match="'boss' is not one of the levels"):
        load_project(root / "data")
    book.write_text(book.read_text().replace("approvals: {board: 1, boss: 2}", "approvals: {board: 1}"))
    for path in (root / "data" / "sponsors").glob("*.yaml"):
        path.write_text(path.read_text().replace("audience: public", "audience: everyone")
                        .replace("audience: partner", "audience: everyone")
                        .replace("audience: internal", "audience: board")
                        .replace("audience: confidential", "audience: board"))
    dist = root / "data" / "distribution.yaml"
    dist.write_text(dist.read_text().replace("clearance: public", "clearance: everyone")
                    .replace("clearance: partner", "clearance: everyone")
                    .replace("clearance: confidential", "clearance: board"))
    project = load_project(root / "data")
    assert project.levels.base == "board"  # no `internal` here: unmarked items fail closed
    assert found(dump(project_view(project, "everyone")), ["Brambleshot", "Vexmarrow"]) == []
    assert found(dump(project_view(project, "board")), ["Brambleshot", "Vexmarrow"]) == ["Brambleshot", "Vexmarrow"]


def test_an_unknown_audience_is_a_usage_error(tmp_path):
    root = make_project(tmp_path, AUDIENCE / "data")
    result = CliRunner().invoke(main, ["build", "--data", str(root / "data"), "--out", str(root / "output"),
                                       "--audience", "secret"])
    assert result.exit_code == 2 and "unknown audience level 'secret'" in result.output
    result = CliRunner().invoke(main, ["build", "vault-pretend", "--data", str(root / "data"),
                                       "--out", str(root / "output"), "--audience", "partner"])
    assert result.exit_code == 2 and "above the 'partner' audience" in result.output


# --- the printed editions (slow: every level is printed for real) ---------------------------

def level_folder(out: Path, level: str) -> Path:
    return out if level == "internal" else out / "levels" / level  # the base level keeps the usual names


def level_files(out: Path, level: str) -> list[Path]:
    files = [out / "editions" / f"{READER[level]}.pdf", *sorted(level_folder(out, level).glob("*.pdf"))]
    assert len(files) >= 5, files  # edition, book, one-pager book, sponsor PDFs and one-pagers
    return files


@pytest.mark.slow
@pytest.mark.parametrize("level", LEVELS)
def test_no_printed_edition_leaks_above_its_level(audience_built, level, tmp_path):  # noqa: F811
    out = audience_built / "output"
    for path in level_files(out, level):
        assert found(pdf_text(path), above(level)) == [], f"{path.name}: text"
        assert found(qdf_bytes(path, tmp_path), above(level)) == [], f"{path.name}: PDF bytes"
        assert found(struct_text(path), above(level)) == [], f"{path.name}: structure tree"
    book = pdf_text(level_folder(out, level) / "briefing-book.pdf")
    assert found(book, upto(level)) == upto(level)  # the checks would see a leak
    assert f"{level.capitalize()} edition" in book  # the cover and footer name the level


@pytest.mark.slow
def test_the_byte_and_tree_checks_can_see_a_marker(audience_built, tmp_path):  # noqa: F811
    """Positive control: the bookmarks of the confidential edition carry its markers, so the
    same byte check on a lower edition would find one that leaked into the outline."""
    top = audience_built / "output" / "editions" / "cas-confidential.pdf"
    raw = qdf_bytes(top, tmp_path)
    assert found(raw, ["Quillfern", "Vexmarrow", "Ashgrove"]) == ["Quillfern", "Vexmarrow", "Ashgrove"]
    tree = struct_text(top)
    if tree.strip():  # tagged PDFs (issue 13): the tree holds the text too
        assert found(tree, ["Stormlantern"]) == ["Stormlantern"]


@pytest.mark.slow
def test_the_levels_are_four_distinct_editions(audience_built):  # noqa: F811
    out = audience_built / "output"
    digests = {(out / "editions" / f"{READER[lv]}.pdf").read_bytes() for lv in LEVELS}
    assert len(digests) == 4
    # each level's chapters are printed once, reused by its book, sponsor PDFs and editions
    assert sorted(p.name for p in (out / ".build" / "full" / "a4").iterdir()) == sorted(LEVELS)


@pytest.mark.slow
def test_appended_pdfs_carry_their_own_level(audience_built):  # noqa: F811
    out = audience_built / "output"
    partner = pdf_text(out / "levels" / "partner" / "open-pretend.pdf")
    top = pdf_text(out / "levels" / "confidential" / "open-pretend.pdf")
    assert "Open fact sheet" in partner and "Ashgrove" not in partner
    assert "Ashgrove appendix: an invented confidential page" in top


@pytest.mark.slow
def test_no_email_body_leaks_above_its_level(audience_root, monkeypatch):  # noqa: F811
    monkeypatch.delenv("BRIEFING_SMTP_URL", raising=False)  # letters go to the outbox, read back here
    data, out = audience_root / "data", audience_root / "output"
    for name in ("Avery Example", "Blake Example"):  # partner needs one approval, confidential two
        result = CliRunner().invoke(main, ["approve", "--data", str(data), "--out", str(out), "--as", name])
        assert result.exit_code == 0, result.output
    # each reader received the earlier edition, so each letter says what changed since, at their level
    from briefing.delivery.mail import LOG_NAME, SENT, Letter, SendLog

    log = SendLog(out / LOG_NAME)
    for who in ("pat", "pia", "ivo", "cas"):
        log.record(Letter(name=who, email=f"{who}@example.org", title=None, attachments=[], subject="",
                          sender="b@example.org", edition=EARLIER, edition_label=""), SENT, "smtp")
    log.close()
    results = send(SendOptions(data_dir=data, out_dir=out))
    assert {r.outcome for r in results} == {"written-to-outbox"}, results
    bodies = {}
    for eml in (out / "outbox").glob("*.eml"):
        msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
        text = "".join(part.get_content() for part in msg.walk() if part.get_content_type().startswith("text/"))
        bodies[str(msg["To"])] = text
    by_level = {"public": "pat", "partner": "pia", "internal": "ivo", "confidential": "cas"}
    for level, who in by_level.items():
        body = next(b for to, b in bodies.items() if f"{who}@example.org" in to)
        assert found(body, above(level)) == [], level
        if level != "public":  # watch list and "what changed" would show a leak
            assert found(body, MARKERS[level][:1]) == MARKERS[level][:1], (level, body)
    assert "Stormlantern" in bodies[next(t for t in bodies if "cas@" in t)]  # the critical watch item


@pytest.mark.slow
def test_a_project_without_levels_prints_as_before(fiction):
    """No `audience`, `clearance` or `levels` anywhere: one level, no level on the pages."""
    text = pdf_text(fiction / "output" / "briefing-book.pdf")
    assert "Internal test" in text and "edition" not in text.split("Internal test")[1][:40]
    assert not (fiction / "output" / "levels").exists()


def test_a_level_that_may_read_no_sponsor_prints_nothing_and_says_so(tmp_path):
    from conftest import FICTION

    from briefing.build.pipeline import build

    root = make_project(tmp_path, FICTION / "data")  # no audience marks: every sponsor is internal
    report = build(Options(data_dir=root / "data", out_dir=root / "output", audience="public"))
    assert report.ok and report.rebuilt == [] and report.rendered == []
    assert any("no sponsor may be read at the 'public' audience level" in w for w in report.warnings)
    assert not (root / "output" / "levels").exists()
