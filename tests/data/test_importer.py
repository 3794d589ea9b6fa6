"""`briefing import`: a briefing document becomes a sponsor file that validates, builds, and prints
every sentence of the document as searchable text (pdftotext), with every guess reported.

The documents are fictional (tests/fixtures/import/), one of each shape the issue names: Markdown
headings, numbered plain-text headings, a missing section, a list that is not a table, plus hostile
text; the shipped source (../shared/sources/alibaba-briefing.txt) is the slow round trip.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FICTION, REPO, make_project

from briefing.build.pipeline import Options, build
from briefing.cli import main
from briefing.data.importer import draft
from briefing.data.yamlsafe import load_text

DOCS = REPO / "tests" / "fixtures" / "import"
SHIPPED = REPO.parent / "shared" / "sources" / "alibaba-briefing.txt"
FIXTURES = {"fx-markdown": "globex-markdown.md", "fx-numbered": "initech-numbered.txt",
            "fx-missing": "missing-section.txt", "fx-not-table": "not-a-table.txt", "fx-hostile": "hostile-text.txt"}
# headings the PDF prints in its own words ("At a glance", "Sources"), not the document's
STRUCTURE = re.compile(r"^\s*(#+\s*)?(EXECUTIVE SUMMARY|Executive summary|APPENDIX: SOURCE REFERENCES|Sources)\s*$")
REPORT_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<what>.+); (?P<check>.+)$")


def run(*args: str, cwd: Path | None = None):
    return CliRunner().invoke(main, list(args), prog_name="briefing")


def norm(text: str) -> str:
    """Letters and digits only: the PDF's typography (curly quotes, en dashes, soft hyphens, line
    breaks, a table's cell borders) changes everything else."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return "".join(ch for ch in text.lower() if ch.isalnum())


def sentences(lines: list[str], skip: set[int]) -> list[tuple[int, str]]:
    out = []
    for number, line in enumerate(lines, 1):
        if number in skip or not line.strip() or STRUCTURE.match(line):
            continue
        text = re.sub(r"^\s*(#+|[•\-*]|\d+(\.\d+)*\.?)\s+", "", line)
        text = re.sub(r"\[([^\]]+)\]\(https?://[^)]+\)", r"\1", text)  # a Markdown link prints its words
        out += [(number, s) for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“(0-9])", text) if norm(s)]
    return out


def missing_from(pdf: Path, document: Path, report: list[str]) -> list[tuple[int, str]]:
    """Sentences of ``document`` not in ``pdf``'s text. A sentence the importer reported reading as
    a table or people (its words now in cells) must be there piece by piece, split where the list was."""
    text = norm(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    parsed = [REPORT_LINE.match(line) for line in report]
    skipped = {int(m["line"]) for m in parsed if m and m["what"].startswith("skipped")}
    listed = {int(m["line"]) for m in parsed if m and re.search(r"as a table|as people|as \d+ people", m["what"])}
    missing = []
    for number, sentence in sentences(document.read_text().splitlines(), skipped):
        if norm(sentence) in text:
            continue
        pieces = [p for p in re.split(r"(?<=[.!?:])\s+| - |[()]", sentence) if norm(p)]
        if number not in listed or any(norm(p) not in text for p in pieces):
            missing.append((number, sentence))
    return missing


def import_into(root: Path, document: Path, slug: str) -> list[str]:
    result = run("import", str(document), "--slug", slug, "--data", str(root / "data"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {root / 'data' / 'sponsors' / slug}.yaml"), result.stdout
    return result.stderr.splitlines()


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """The five fictional documents imported into a copy of the fictional project, then built."""
    root = make_project(tmp_path_factory.mktemp("import"), FICTION / "data")
    reports = {slug: import_into(root, DOCS / doc, slug) for slug, doc in FIXTURES.items()}
    report = build(Options(data_dir=root / "data", out_dir=root / "output", slugs=list(FIXTURES), book=False))
    assert report.ok, report.failed
    return root, reports


@pytest.mark.parametrize("slug", list(FIXTURES))
def test_every_sentence_of_a_document_is_text_in_its_pdf(imported, slug):
    root, reports = imported
    assert not missing_from(root / "output" / f"{slug}.pdf", DOCS / FIXTURES[slug], reports[slug])
    for line in reports[slug]:
        assert REPORT_LINE.match(line), line


def data_of(root: Path, slug: str) -> dict:
    return load_text((root / "data" / "sponsors" / f"{slug}.yaml").read_text(), slug).data


def test_markdown_headings_become_sections_people_a_timeline_and_a_chart(imported):
    root, reports = imported
    data = data_of(root, "fx-markdown")
    assert (data["tier"], data["name"], data["headline"]) == (
        "Imaginary Founding Partners", "Globex Imaginary (fictional)", "Pretend Logistics & Invented Widgets")
    assert [s["title"] for s in data["sections"]] == ["History of the imaginary partnership",
                                                      "People of the fictional company"]
    timeline = data["sections"][0]["subsections"][1]["blocks"][0]["timeline"]
    assert [(e["year"], e["label"], e["season"]) for e in timeline] == [
        ("2022", "Springfield 2022", "Winter"), ("2024", "Shelbyville 2024", "Summer")]
    people = data["sections"][1]["subsections"][0]["blocks"][0]["people"]
    assert people["items"][0] == {"name": "Hank Scorpio", "role": "Chief Executive Officer (since June 2019)",
                                  "notes": "Likes hammocks in this fiction."}
    market = data["sections"][1]["subsections"][1]["blocks"]
    assert [next(iter(b)) for b in market] == ["table", "chart", "callout"]
    assert market[1]["chart"]["series"][0]["values"] == {"Globex Imaginary": "40", "Acme Anvils": "35",
                                                         "Initech Pretend": "25"}
    assert market[1]["chart"]["approximate"] == "yes" and market[1]["chart"]["unit"] == "%"
    # "Context Note" states no severity: none is set, and the report says so
    assert "severity" not in market[2]["callout"]
    assert any(":43: the note 'Context Note' states no severity" in line for line in reports["fx-markdown"])
    assert data["sources"][1:] == [
        {"id": "pretend-trade-press", "title": "Pretend Trade Press", "url": "https://example.org/pretend"},
        {"id": "imaginary-newsroom", "title": "Imaginary Newsroom", "url": "https://example.org/news",
         "note": "pretend press releases, 2021-2025"}]


def test_a_missing_section_is_reported_where_the_numbering_jumps(imported):
    root, reports = imported
    assert [s["title"] for s in data_of(root, "fx-missing")["sections"]] == [
        "PRETEND BACKGROUND", "INVENTED ACTIVATIONS", "FICTIONAL OUTLOOK"]
    assert any(re.search(r"missing-section\.txt:26: the document numbers this section 4; it prints as 3", line)
               for line in reports["fx-missing"])
    assert any(":1: no source appendix found" in line for line in reports["fx-missing"])


def test_a_list_of_names_and_words_stays_bullets(imported):
    root, reports = imported
    blocks = [b for s in data_of(root, "fx-not-table")["sections"] for sub in s["subsections"] for b in sub["blocks"]]
    assert [next(iter(b)) for b in blocks] == ["bullets", "text", "bullets"]
    assert blocks[0]["bullets"][0] == ("**Pretend Agency One:** Created an imaginary snack campaign for the "
                                       "fictional games")
    assert not any("as a table" in line or "as people" in line for line in reports["fx-not-table"])


def test_numbered_plain_text_reads_tables_and_charts_only_where_the_numbers_share_a_unit(imported):
    root, _ = imported
    subsection = data_of(root, "fx-numbered")["sections"][1]["subsections"][0]["blocks"]
    assert [next(iter(b)) for b in subsection] == ["table", "table", "chart"]  # mixed units: no chart
    assert subsection[2]["chart"]["unit"] == "USD million"
    assert subsection[2]["chart"]["series"][0]["values"] == {"Staplers": "7.5", "Software": "3.0", "Reports": "2.0"}


def test_hostile_text_prints_literally(imported):
    root, _ = imported
    text = subprocess.run(["pdftotext", str(root / "output" / "fx-hostile.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    text = re.sub(r"\s+", "", text)  # lines break anywhere, even inside an address
    for literal in ("<script>alert(1)</script>", "{{ config }}", "{% raw %}", "*not italic*", "_not italic_",
                    "[not a link](file:///etc/passwd)", "&amp;", "`not code`", "# not a heading", "{{ 7 * 7 }}"):
        assert literal.replace(" ", "") in text, literal


# --- the shipped source, without building (fast) and built (slow) ---------------------------------

def test_the_shipped_source_drafts_the_shapes_the_issue_names():
    result = draft(SHIPPED, name="alibaba-briefing.txt", slug="imported")
    data = load_text(result.text, "imported.yaml").data
    assert (data["tier"], data["name"], data["headline"], data["as_of"]) == (
        "Worldwide Olympic Partners", "Alibaba", "E-Commerce Platform & Cloud Services", "2026-02")
    blocks = {(b.get("callout") or {}).get("title"): b for s in data["sections"] for sub in s["subsections"]
              for b in sub["blocks"]}
    assert "severity" not in blocks["LA28 Venue Context"]["callout"]  # the text states none
    assert blocks["Critical Development"]["callout"]["severity"] == "critical"  # "Critical …" states it
    assert [s["title"] for s in data["sources"]][:2] == ["IOC Official Announcements", "Alibaba Corporate"]
    report = "\n".join(result.report)
    for expected in (":1: skipped '← All Sponsors'", ":170: skipped 'END OF REPORT'",
                     ":145: as_of 2026-02: the document states no date", ":69: the note 'LA28 Venue Context' states no",
                     ":122: read a list of 4 'Name: value' lines with numbers as a table",
                     ":1: the document gives no brand colour and no logo", ":1: key figures are not picked out"):
        assert f"alibaba-briefing.txt{expected}" in report, expected
    # each guess is also a comment at its spot in the file
    assert len(re.findall(r"^ *# check:", result.text, re.MULTILINE)) == len(result.report)
    assert "# check: the note 'LA28 Venue Context' states no severity" in result.text


def test_every_sentence_of_the_shipped_source_is_in_the_sponsor_file():
    result = draft(SHIPPED, name="alibaba-briefing.txt", slug="imported")
    strings: list[str] = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                strings.append(str(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            strings.append(str(value))

    walk(load_text(result.text, "imported.yaml").data)
    text = norm(" ".join(strings))
    skipped = {1, 170, 172}
    assert not [s for _, s in sentences(SHIPPED.read_text().splitlines(), skipped)
                if not all(norm(p) in text for p in re.split(r"(?<=[.!?:])\s+| - |[()]", s))]


@pytest.mark.slow
def test_the_shipped_source_round_trips_into_a_pdf(tmp_path):
    """The issue's "done when": import the source into a copy of the project, validate, build, and
    find every sentence in the PDF's text."""
    root = make_project(tmp_path, REPO / "data")
    report = import_into(root, SHIPPED, "imported")
    result = run("validate", "--data", str(root / "data"), "--today", "2026-03-01")
    assert result.exit_code == 0, result.output
    built = build(Options(data_dir=root / "data", out_dir=root / "output", slugs=["imported"], book=False))
    assert built.ok, built.failed
    assert not missing_from(root / "output" / "imported.pdf", SHIPPED, report)


# --- hostile documents and refusals: located errors, exit codes, never a traceback --------------

def refused(tmp_path: Path, content: bytes, name: str = "doc.txt") -> str:
    document = tmp_path / name
    document.write_bytes(content)
    result = run("import", str(document), "--data", str(tmp_path / "data"))
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert not (tmp_path / "data").exists()
    return result.stderr


def test_a_10_mb_file_is_refused_at_once(tmp_path):
    assert "doc.txt:1:1: the document is larger than 1024 KB" in refused(tmp_path, b"Words. " * 1_500_000)


def test_binary_data_is_refused_with_its_place(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    assert "doc.txt:1:1: cannot read the document as text: it looks like binary data" in refused(tmp_path, png)


def test_control_characters_are_located(tmp_path):
    text = "Tier\n\nName\n\nHeadline\n\nEXECUTIVE SUMMARY\n\nIn May 2025 a \x1b[31mcoloured\x1b[0m word.\n"
    message = refused(tmp_path, text.encode())
    assert "doc.txt:9:15: control character U+001B (ESC), which is not text; delete it" in message


def test_utf16_and_empty_documents_are_refused(tmp_path):
    assert "saved as UTF-16" in refused(tmp_path, "Name\n".encode("utf-16"))
    assert "doc.txt:1:1: the document is empty" in refused(tmp_path, b"\n \n")


def test_a_document_without_a_date_asks_for_as_of(tmp_path):
    document = tmp_path / "nodate.txt"
    document.write_text("Pretend Tier\n\nNodate Pretend\n\nWidgets\n\nEXECUTIVE SUMMARY\n\nAn invented text.\n")
    result = run("import", str(document), "--data", str(tmp_path / "data"))
    assert result.exit_code == 1 and "nodate.txt:1:1: the document names no past month and year" in result.stderr
    assert "--as-of YYYY-MM" in result.stderr
    result = run("import", str(document), "--data", str(tmp_path / "data"), "--as-of", "2025-07")
    assert result.exit_code == 0, result.output
    assert "as_of: 2025-07\n" in (tmp_path / "data" / "sponsors" / "nodate-pretend.yaml").read_text()


def test_import_never_overwrites_and_stdout_writes_nothing(tmp_path):
    data = tmp_path / "data"
    document = DOCS / "missing-section.txt"
    result = run("import", str(document), "--data", str(data), "--stdout")
    assert result.exit_code == 0 and result.stdout.count("name: Umbrella Pretend (fictional)") == 1
    assert not data.exists()
    assert run("import", str(document), "--data", str(data)).exit_code == 0
    target = data / "sponsors" / "umbrella-pretend-fictional.yaml"
    target.write_text("# edited by hand\n")
    again = run("import", str(document), "--data", str(data))
    assert again.exit_code == 1
    assert "umbrella-pretend-fictional.yaml (import): the file already exists" in again.stderr
    assert target.read_text() == "# edited by hand\n"
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left behind


def test_a_bad_slug_is_a_usage_error(tmp_path):
    result = run("import", str(DOCS / "missing-section.txt"), "--slug", "../Evil", "--data", str(tmp_path))
    assert result.exit_code == 2 and "--slug '../Evil': use lowercase letters" in result.stderr


HOSTILE = {
    "a paragraph too long for one field": "T\n\nName\n\nH\n\nEXECUTIVE SUMMARY\n\nIn May 2025 " + "word " * 5000,
    "only a header": "Just One Line In May 2025\n",
    "no header": "1. FIRST\n\n1.1 Sub\n\nText of May 2025.\n",
    "more rows than a table holds": "T\n\nName\n\nH\n\n1. S\n\n1.1 T\n\n" + "".join(
        f"  • Item {i}: {i}% in May 2025\n" for i in range(2100)),
    "bidi controls and odd line ends": "T\n\nName\n\nH\n\nSUMMARY\n\nIn May 2025 \u202etext\u202c x\u2028y\u0085z.\r\n",
    "empty sections": "T\n\nName\n\nH\n\nEXECUTIVE SUMMARY\n\nIn May 2025 text.\n\n1. EMPTY\n\n2. ALSO EMPTY\n",
    "YAML syntax as text": "T\n\nName\n\nH\n\nSUMMARY\n\n- key: value\n- &a *b !!python/object NO 012 ~\n\n"
                           "---\n\nMay 2025.\n",
    "separators everywhere": "T\n\nName\n\nH\n\nSUMMARY\n\nMay 2025 x - y - z.\n\nA: - b - c\n\n"
                             "X (1) - d - Y Z (2) - e\n",
    "a glyph no font prints": "T\n\nName\n\nH\n\nSUMMARY\n\nIn May 2025 a \U000E0001 tag and \uE000 private use.\n",
}


def random_document(seed: int) -> str:
    import random

    pick = random.Random(seed).choice
    return "".join(pick("ab :-•#1.\n ()%~$ABCD*_[]<>&{}\"'|\\") for _ in range(2000)) + "\nMay 2025\n"


@pytest.mark.parametrize("text", [*HOSTILE.values(), *(random_document(seed) for seed in range(12))],
                         ids=[*HOSTILE, *(f"random-{seed}" for seed in range(12))])
def test_hostile_documents_draft_or_fail_with_a_located_error(tmp_path, text):
    document = tmp_path / "hostile.txt"
    document.write_text(text, encoding="utf-8")
    result = run("import", str(document), "--data", str(tmp_path / "data"))
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 1:
        assert re.match(r"^\S*hostile\.txt:\d+(:\d+)?: ", result.stderr), result.stderr
    else:  # what was written validates as it is
        assert run("validate", "--data", str(tmp_path / "data"), str(next((tmp_path / "data").rglob("*.yaml")))
                   ).exit_code in (0, 1)


def test_a_character_no_font_prints_is_located_in_the_document(tmp_path):
    document = tmp_path / "doc.txt"
    document.write_text("T\n\nName\n\nH\n\nSUMMARY\n\nIn May 2025 a word.\n\nAnd a \ue000 here.\n")
    result = run("import", str(document), "--data", str(tmp_path / "data"))
    assert result.exit_code == 1
    assert "doc.txt:11:7: summary: character U+E000" in result.stderr, result.stderr


def test_the_example_in_docs_import_md_is_what_the_importer_prints(tmp_path):
    text = (REPO / "docs" / "import.md").read_text().split("## An example", 1)[1]
    document, report = re.findall(r"```text\n(.*?)```", text, re.S)
    expected = re.findall(r"```yaml\n(.*?)```", text, re.S)[0]
    (tmp_path / "acme.txt").write_text(document)
    result = draft(tmp_path / "acme.txt", name="acme.txt")
    assert result.report == report.splitlines()
    assert result.text == expected


@pytest.mark.slow
def test_a_document_whose_draft_would_be_too_large_to_load_is_refused(tmp_path):
    """Escaping and YAML structure grow text: a document under 1 MB may draft a file over the
    loader's 2 MB, which `validate` would refuse; the importer says so instead of writing it."""
    section = "1. S\n\n1.1 T\n\n" + "*_[]<&\\`" * 40 + "\n\n"
    message = refused(tmp_path, ("T\n\nName\n\nH\n\nSUMMARY\n\nIn May 2025 x.\n\n" + section * 2500).encode())
    assert re.search(r"doc\.txt:1:1: the drafted sponsor file would be \d+ KB, over the 2048 KB", message)
