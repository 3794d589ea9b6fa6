"""The data format: what an editor may write in a sponsor file, book.yaml and distribution.yaml.

Every field is declared here once, with a description that ``briefing schema`` exports, so
an editor's YAML plug-in can validate as they type. Values arrive as text from the strict
YAML loader and are converted here, by schema: a field decides whether ``1.10`` is a number.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.headerregistry import Address
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    EmailStr,
    Field,
    Tag,
    WithJsonSchema,
    model_validator,
)

from briefing.errors import FieldErrors
from briefing.pdf.paper import PageSize
from briefing.pdf.variants import PDF_UA, PdfVariant

MAX_TEXT = 20_000  # one paragraph; longer text is almost certainly a paste accident

# YAML plug-ins (YAML 1.2) read `2028` or `true` as numbers/booleans; the tool reads them as
# text. The exported schema therefore accepts scalars for text fields. Each schema below says
# exactly what the loader accepts, as such a plug-in sees it (tests/data/test_schema.py checks).
_NO_CONTROLS = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"
_scalar_schema = {"type": ["string", "number", "boolean"], "minLength": 1, "pattern": _NO_CONTROLS}


def _text_schema(longest: int) -> dict[str, Any]:
    return _scalar_schema | {"maxLength": longest}


def _no_controls(value: str) -> str:
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        raise ValueError("contains a control character; remove it")
    return value


def _one_line(value: str) -> str:
    # titles, names and subjects end up in headers and single-line layouts: a CR/LF
    # would break a mail header or a running head, so it is refused at `validate`
    if re.search(r"[\r\n\u0085\u2028\u2029]", value):
        raise ValueError("must be one line: remove the line break")
    return _no_controls(value)


Text = Annotated[
    str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_no_controls),
    WithJsonSchema(_text_schema(MAX_TEXT)),
]
Line = Annotated[
    str, Field(min_length=1, max_length=300), AfterValidator(_one_line),
    WithJsonSchema(_text_schema(300)),
]

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]


def _partial_date(value: str) -> str:
    match = _DATE_RE.match(str(value).strip())
    if not match:
        raise ValueError(f"expected a date as YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2026-10-01, 2026-10 "
                         f"or 2026), got '{value}'")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        dt.date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"'{value}' is not a real calendar date; check the month (01-12) and the day") from None
    return match.group(0)


def _full_date(value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value).strip()):
        raise ValueError(f"expected a full date as YYYY-MM-DD (e.g. 2026-11-28), got '{value}'")
    return _partial_date(value)


PartialDate = Annotated[
    str, AfterValidator(_partial_date),
    WithJsonSchema({"anyOf": [
        {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        {"type": "string", "pattern": r"^\d{4}(-(0[1-9]|1[0-2]))?$"},
        {"type": "integer", "minimum": 1000, "maximum": 9999},
    ], "description": "YYYY-MM-DD, YYYY-MM or YYYY"}),
]
FullDate = Annotated[
    str, AfterValidator(_full_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]


def date_start(value: str) -> dt.date:
    """The first day a partial date can mean (``2026-02`` -> 1 February 2026)."""
    parts = [int(p) for p in value.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def date_end(value: str) -> dt.date:
    """The last day a partial date can mean, for staleness checks."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        nxt = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    return dt.date(parts[0], 12, 31)


def format_date(value: str) -> str:
    """Human form: ``19 January 2017``, ``February 2026`` or ``2017``."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return f"{parts[2]} {MONTHS[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def format_money(value: Money) -> str:
    """Human form, as the PDF and the change lines print it: ``~$1.5 billion``."""
    symbol = _SYMBOLS.get(value.currency, value.currency + " ")
    amount = f"{value.amount:,.{0 if value.amount.is_integer() else 1}f}"
    scale = f" {value.scale}" if value.scale else ""
    return f"{'~' if value.approximate else ''}{symbol}{amount}{scale}"


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        raise ValueError("must be a web address starting with https:// or http://")
    return value


Url = Annotated[str, AfterValidator(_http_url), WithJsonSchema(
    {"type": "string", "format": "uri", "pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/$.?#]\S*$"})]


def _relative_path(value: str) -> str:
    if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value) or "://" in value:
        raise ValueError("must be a path relative to the project, e.g. assets/logos/acme.svg")
    if ".." in re.split(r"[\\/]", value):
        raise ValueError("must not contain '..'; keep files inside the project")
    return value


RelPath = Annotated[str, AfterValidator(_relative_path), WithJsonSchema(
    {"type": "string", "pattern": r"^(?![/\\])(?![A-Za-z]:)(?!.*://)(?!(.*[\\/])?\.\.([\\/]|$))"})]


Email = EmailStr  # email-validator through pydantic: normalised, with the library's own reason
Colour = Annotated[
    str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="a colour as #RRGGBB"),
]
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"  # sponsor file names and source ids
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
# an audience level named in book.yaml `levels` (default public < partner < internal < confidential);
# checked against that list when the project loads, since a sponsor file does not know it
Level = Annotated[str, Field(pattern=SLUG_PATTERN)]
AUDIENCE_HELP = "who may read this: an audience level from book.yaml `levels` (default: the enclosing item's)"
DEFAULT_LEVELS = ["public", "partner", "internal", "confidential"]
_NUMBER = r"^\s*[-+]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][-+]?\d+)?\s*$"  # as the loader reads text
_FINITE = {"minimum": -1.7976931348623157e308, "maximum": 1.7976931348623157e308}  # refuses .inf
Number = Annotated[float, Field(allow_inf_nan=False), WithJsonSchema(
    {"anyOf": [{"type": "number"} | _FINITE, {"type": "string", "pattern": _NUMBER}]})]
PositiveNumber = Annotated[float, Field(gt=0, allow_inf_nan=False), WithJsonSchema(
    {"anyOf": [{"type": "number", "exclusiveMinimum": 0, "maximum": _FINITE["maximum"]},
               {"type": "string", "pattern": r"^\s*\+?(?=[\d_.]*[1-9])(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)"
                                             r"([eE][-+]?\d+)?\s*$"}]})]
Year = Annotated[int, Field(ge=1896, le=2100), WithJsonSchema(
    {"anyOf": [{"type": "integer", "minimum": 1896, "maximum": 2100},
               {"type": "string", "pattern": r"^\s*\+?0*(189[6-9]|19\d\d|20\d\d|2100)(\.0*)?\s*$"}]})]
Count = Annotated[int, Field(ge=1), WithJsonSchema(
    {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^\s*\+?0*[1-9][\d_]*\s*$"}]})]
_BOOL = r"^([Yy]([Ee][Ss])?|[Nn][Oo]?|[Tt]([Rr][Uu][Ee])?|[Ff]([Aa][Ll][Ss][Ee])?|[Oo]([Nn]|[Ff][Ff])|[01])$"
Flag = Annotated[bool, WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": _BOOL}]})]


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- plain items that carry their own audience ------------------------------------------------
# An item printed as plain text (a key point, a bullet, a paragraph, a table row, the tier) is written
# as text; to give it its own `audience` it is written as a mapping instead. The level's view
# (data/audience.py) drops withheld items and gives the rest back as plain values, so everything
# printed after the view sees plain text, as before.

class Marked(Strict):
    """A plain item written as a mapping to carry its own `audience`."""

    @property
    def plain(self) -> Any:
        """The value as if it had been written plain."""
        raise NotImplementedError


class TextItem(Marked):
    """`{text: "...", audience: LEVEL}`: a paragraph, key point, bullet, highlight or note."""

    text: Text = Field(description="the item, as it would be written plain (Markdown)")
    audience: Level | None = Field(None, description=AUDIENCE_HELP)

    @property
    def plain(self) -> str:
        return self.text


class LineItem(Marked):
    """`{text: "...", audience: LEVEL}`: a one-line item (a category, the tier, the headline)."""

    text: Line = Field(description="the item, as it would be written plain")
    audience: Level | None = Field(None, description=AUDIENCE_HELP)

    @property
    def plain(self) -> str:
        return self.text


class RowItem(Marked):
    """`{cells: [...], audience: LEVEL}`: a table row with its own audience."""

    cells: list[Text] = Field(min_length=1, description="the row's cells, as the row would be written plain")
    audience: Level | None = Field(None, description=AUDIENCE_HELP)

    @property
    def plain(self) -> list[str]:
        return self.cells


# pydantic names the form in an error's path; these names are never fields, so the loader drops them
PLAIN, MARKED, PARAGRAPHS = "plain form", "mapping form", "list of paragraphs"
FORMS = frozenset({PLAIN, MARKED, PARAGRAPHS})


def _marked_when(*keys: str) -> Discriminator:
    """Which form an item is written in. A mapping without the form's keys stays plain, so a text
    item YAML read as a mapping (`- Revenue: up 7%`) is still told to quote the text."""
    wanted = {*keys, "audience"}

    def which(value: Any) -> str:
        if isinstance(value, Marked) or (isinstance(value, dict) and wanted & set(value)):
            return MARKED
        return PLAIN
    return Discriminator(which)


Item = Annotated[Annotated[Text, Tag(PLAIN)] | Annotated[TextItem, Tag(MARKED)], _marked_when("text")]
ShortItem = Annotated[Annotated[Line, Tag(PLAIN)] | Annotated[LineItem, Tag(MARKED)], _marked_when("text")]
Row = Annotated[Annotated[list[Text], Tag(PLAIN)] | Annotated[RowItem, Tag(MARKED)], _marked_when("cells")]
Paragraphs = Annotated[
    Annotated[Text, Tag(PLAIN)] | Annotated[list[Item], Field(min_length=1), Tag(PARAGRAPHS)],
    Discriminator(lambda v: PARAGRAPHS if isinstance(v, list) else PLAIN)]
ITEM_HELP = "; an item may be written {text, audience} to carry its own audience"


def plain(value: Any) -> Any:
    """An item's plain value, whichever form it was written in."""
    return value.plain if isinstance(value, Marked) else value


def paragraphs(value: str | list[Any]) -> str:
    """Text written as one string, or as a list of paragraphs, as one Markdown string."""
    return value if isinstance(value, str) else "\n\n".join(plain(p) for p in value)


# "context" is a neutral note (background, not a risk): give a risk severity only when the source does
Severity = Literal["critical", "high", "medium", "low", "info", "context"]


# --- blocks -----------------------------------------------------------------------------

class Callout(Strict):
    """A boxed message; `critical` and `high` ones go to the book's watch list."""

    title: Line
    body: Text = Field(description="Markdown; printed once, in its section")
    severity: Severity = Field("info", description="only as the source states it; `context` for background "
                               "notes that are not risks")
    summary: Line | None = Field(None, description="one line for the at-a-glance page and the book's watch "
                                 "list, which link to the full text; default: the title")


class Figure(Strict):
    """A key-figure card: the number large, its label, unit and period small."""

    label: Line
    value: Line = Field(description="as printed, e.g. '996.3' or '~$800 million'")
    unit: Line | None = None
    period: Line | None = None
    change: Line | None = Field(None, description="e.g. '+7.4% YoY'; only when the source gives it")
    note: Line | None = None
    source: Line | None = Field(None, description="where the figure comes from, printed under the card; "
                                "default: the sponsor's source document")
    audience: Level | None = Field(None, description=AUDIENCE_HELP)


class Column(Strict):
    name: Line
    align: Literal["left", "right"] | None = Field(None, description="default: right for numbers")


class Table(Strict):
    title: Line | None = None
    columns: list[Annotated[
        Column, BeforeValidator(lambda v: {"name": v} if isinstance(v, str) else v),
        WithJsonSchema({"anyOf": [_scalar_schema, {
            "type": "object", "required": ["name"], "additionalProperties": False,
            "properties": {"name": _scalar_schema, "align": {"enum": ["left", "right"]}}}]}),
    ]] = Field(
        min_length=1, max_length=12,
        description="column headings (text), or {name, align}; put units in the heading",
    )
    rows: list[Row] = Field(min_length=1, max_length=2000, description="each row a list of cells; a row may be "
                            "written {cells, audience} to carry its own audience")
    notes: list[Item] = Field([], description="Markdown, one item each" + ITEM_HELP)
    source: Line | None = Field(None, description="where the table's figures come from, as the data knows it: "
                                "printed under the table as a chart's source line (none printed without it)")

    @model_validator(mode="after")
    def _rows_match_columns(self) -> Table:
        found: list[tuple[tuple[str | int, ...], str]] = [
            ((("rows", i, "cells") if isinstance(row, RowItem) else ("rows", i)),
             f"row {i + 1} has {len(plain(row))} cells but the table has {len(self.columns)} columns; "
             "add or remove cells (write an empty cell as \"\")")
            for i, row in enumerate(self.rows) if len(plain(row)) != len(self.columns)
        ]
        if found:
            raise FieldErrors(found)
        return self


class Person(Strict):
    name: Line
    role: Line
    organisation: Line | None = None
    since: Line | None = None
    notes: Text | None = Field(None, description="Markdown")
    audience: Level | None = Field(None, description=AUDIENCE_HELP)


class People(Strict):
    """People or organisations (leadership, agencies, ambassadors), set as tidy cards."""

    title: Line | None = None
    leadership: Flag = Field(False, description="the one-pager lists the first three of this block")
    items: list[Person] = Field(min_length=1, max_length=200)


class TimelineEntry(Strict):
    year: Year
    label: Line = Field(description="e.g. a Games edition: 'PyeongChang 2018'")
    season: Line | None = None
    date: PartialDate | None = None
    highlights: list[Item] = Field([], description="Markdown, one item each" + ITEM_HELP)
    audience: Level | None = Field(None, description=AUDIENCE_HELP)


class Series(Strict):
    name: Line | None = None
    values: dict[Line, Number] = Field(min_length=1, max_length=60, description="label: value")


MAX_CHART_VALUE = 1e15  # larger values overflow the drawing's arithmetic (axis scale, label widths)


class Chart(Strict):
    """A chart drawn from these numbers; the numbers must also appear in text elsewhere."""

    kind: Literal["bar", "column", "line", "donut"] = Field(
        description="bar: ranked categories (horizontal); column/line: over time; donut: shares"
    )
    title: Line = Field(description="say the finding, e.g. 'Cloud share fell from 6% to 4%'")
    unit: Line
    period: Line
    source: Line
    as_of: PartialDate
    series: list[Series] = Field(min_length=1, max_length=6)
    highlight: Line | None = Field(None, description="label drawn in the accent colour")
    approximate: Flag | list[Line] = Field(False, description="values that are estimates, printed with '~': "
                                           "`yes` for all, or a list of their labels")
    targets: list[Line] = Field([], description="labels whose values are targets or goals, not actuals, as the "
                                "source states them: drawn in outline and named so (bar, column, line)")
    alt: Text | None = Field(None, description="alt text; generated from the data when absent")

    @model_validator(mode="after")
    def _check_values(self) -> Chart:
        for i, series in enumerate(self.series):
            for label, value in series.values.items():
                if abs(value) > MAX_CHART_VALUE:
                    raise FieldErrors([(("series", i, "values", label), f"'{label}' is {value:g}, more than a "
                                        f"chart can draw (at most {MAX_CHART_VALUE:g} either side of zero); "
                                        "give the values in a larger unit, e.g. billion instead of million")])
                if self.kind == "donut" and value <= 0:
                    raise FieldErrors([(("series", i, "values", label), f"donut values must be positive; "
                                        f"'{label}' is {value:g}: leave it out, or use a column chart")])
        if self.kind == "donut" and len(self.series) > 1:
            raise ValueError("a donut chart takes one series; draw the others as a second chart")
        return self

    @model_validator(mode="after")
    def _labels_agree(self) -> Chart:
        """Series are drawn against one axis: a label missing from one series would shift its points
        onto the wrong label, and a highlight naming no label would silently highlight nothing."""
        found: list[tuple[tuple[str | int, ...], str]] = []
        first = list(self.series[0].values)
        for i, series in enumerate(self.series[1:], start=1):
            labels = list(series.values)
            name = f"'{series.name}'" if series.name else f"{i + 1}"
            missing = [x for x in first if x not in series.values]
            extra = [x for x in labels if x not in self.series[0].values]
            if missing or extra:
                parts = ([f"lacks {_names(missing)}"] if missing else []) + (
                    [f"has {_names(extra)}, which the first series does not"] if extra else [])
                found.append((("series", i, "values"), f"series {name} {' and '.join(parts)}; give every "
                              "series a value for the same labels (or drop the label from all of them)"))
            elif labels != first:
                found.append((("series", i, "values"), f"series {name} lists its labels in another order "
                              f"than the first series; write them in the same order ({_names(first)})"))
        if len(self.series) > 1:
            found += [(("series", i), "this chart has several series; give each a `name` for its legend")
                      for i, s in enumerate(self.series) if not s.name]
        labels_all = {x for s in self.series for x in s.values}
        for k, target in enumerate(self.targets):
            if target not in labels_all:
                close = difflib.get_close_matches(target, sorted(labels_all), n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"use one of {_names(sorted(labels_all))}"
                found.append((("targets", k), f"'{target}' is not a label of this chart; {hint}"))
        if self.targets and self.kind == "donut":
            found.append((("targets",), "a donut shows shares of one whole, not targets; draw the target "
                          "on a bar or column chart"))
        if self.highlight is not None and self.highlight not in labels_all:
            close = difflib.get_close_matches(self.highlight, sorted(labels_all), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"use one of {_names(sorted(labels_all))}"
            found.append((("highlight",), f"'{self.highlight}' is not a label of this chart, so nothing "
                           f"would be highlighted; {hint}"))
        if found:
            raise FieldErrors(found)
        return self


QUOTE_LENGTH = 600  # characters: a pull quote is a sentence or two, kept on one page


class Quote(Strict):
    """A pull quote: someone's words as the source gives them, set large, with who said them."""

    text: Annotated[str, Field(min_length=1, max_length=QUOTE_LENGTH), AfterValidator(_no_controls),
                    WithJsonSchema(_text_schema(QUOTE_LENGTH))] = Field(
        description="the words, without quotation marks (the page adds them); Markdown. A longer passage "
                    "belongs in a `text` block")
    attribution: Line | None = Field(None, description="who said it, e.g. 'Wile E. Example, Chief Executive'; "
                                     "cite the document it was said in with the block's `cite`")


def _names(labels: list[str]) -> str:
    shown = ", ".join(f"'{x}'" for x in labels[:8])
    return shown + (f" and {len(labels) - 8} more" if len(labels) > 8 else "")


@dataclass(frozen=True, kw_only=True)
class BlockKind:
    """What the stages know about one kind of block, declared once: the template dispatch
    (templates/partials/block.html), typography (render/markup), exhibit numbers (render/outline),
    change lines (data/changes) and preflight (documents/preflight) read it from here.
    tests/data/test_blocks.py fails when a kind lacks a part (field, template, CSS, docs, example)."""

    key: str  # the YAML key and `Block` field, e.g. "callout"
    model: type[BaseModel] | None  # the class of its value, or of each item of its list; None for plain text
    change_name: str  # what a change line calls the block when it has no title: "New item in Risks: Timeline"
    change_main: str | None  # the field of `model` a change line reports as the item's value ("Sand: 7 → 8")
    exhibit: bool  # numbered "Exhibit N", one sequence through the document
    keep_whole: frozenset[str]  # CSS classes of its parts that must not split across pages (preflight)
    no_hyphens: frozenset[str]  # its fields typeset without hyphenation points: labels, names, titles
    verbatim: frozenset[str]  # its fields never typeset: identifiers, dates, enumerations

    @property
    def template(self) -> str:
        return f"partials/blocks/{self.key}.html"


_NONE: frozenset[str] = frozenset()
# in the order a block's error message lists them; table and people rows are kept whole as rows
# (preflight keeps every table row whole), and untitled tables and people blocks have always
# been called "table" and "people" in change lines
BLOCK_KINDS: dict[str, BlockKind] = {k.key: k for k in (
    BlockKind(key="text", model=None, change_name="Text", change_main=None, exhibit=False,
              keep_whole=_NONE, no_hyphens=_NONE, verbatim=_NONE),
    BlockKind(key="bullets", model=None, change_name="Bullet points", change_main=None, exhibit=False,
              keep_whole=_NONE, no_hyphens=_NONE, verbatim=_NONE),
    BlockKind(key="callout", model=Callout, change_name="Callout", change_main=None, exhibit=False,
              keep_whole=frozenset({"callout"}), no_hyphens=frozenset({"title"}),
              verbatim=frozenset({"severity"})),
    BlockKind(key="figures", model=Figure, change_name="Key figures", change_main="value", exhibit=False,
              keep_whole=frozenset({"card"}),
              no_hyphens=frozenset({"label", "value", "unit", "period", "change", "note", "source"}),
              verbatim=_NONE),
    BlockKind(key="table", model=Table, change_name="table", change_main=None, exhibit=True,
              keep_whole=_NONE, no_hyphens=frozenset({"title", "columns", "name", "source"}),
              verbatim=frozenset({"align"})),
    BlockKind(key="people", model=People, change_name="people", change_main=None, exhibit=False,
              keep_whole=_NONE, no_hyphens=frozenset({"title", "name", "role", "organisation", "since"}),
              verbatim=_NONE),
    BlockKind(key="timeline", model=TimelineEntry, change_name="Timeline", change_main=None, exhibit=False,
              keep_whole=frozenset({"tl-entry"}), no_hyphens=frozenset({"label"}), verbatim=frozenset({"date"})),
    BlockKind(key="chart", model=Chart, change_name="Chart", change_main=None, exhibit=True,
              keep_whole=frozenset({"card"}),  # a chart of one or two bars prints as cards
              # `approximate` and `highlight` name labels: typeset as the labels are, or they never match
              no_hyphens=frozenset({"title", "unit", "period", "source", "highlight", "name", "values",
                                    "approximate", "targets"}),
              verbatim=frozenset({"kind", "as_of"})),
    BlockKind(key="quote", model=Quote, change_name="Quote", change_main="text", exhibit=False,
              keep_whole=frozenset({"pull-quote"}), no_hyphens=frozenset({"attribution"}), verbatim=_NONE),
)}


class Block(Strict):
    """One block of a section: exactly one of the kinds below, plus optional `cite`."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={
        "oneOf": [{"required": [kind]} for kind in BLOCK_KINDS]})

    text: Text | None = Field(None, description="Markdown paragraph(s); raw HTML is printed literally")
    bullets: list[Item] | None = Field(None, min_length=1, description="Markdown, one item each" + ITEM_HELP)
    callout: Callout | None = None
    figures: list[Figure] | None = Field(None, min_length=1, max_length=12)
    table: Table | None = None
    people: People | None = None
    timeline: list[TimelineEntry] | None = Field(None, min_length=1)
    chart: Chart | None = None
    quote: Quote | None = None
    cite: list[Slug] = Field([], description="ids of entries in `sources`")
    audience: Level | None = Field(None, description=AUDIENCE_HELP)

    @model_validator(mode="before")
    @classmethod
    def _one_kind(cls, value: Any) -> Any:
        if isinstance(value, dict):
            kinds = [k for k in BLOCK_KINDS if k in value]
            if len(kinds) != 1 and not (set(value) - set(BLOCK_KINDS) - {"cite", "audience"}):
                found = ", ".join(kinds) if kinds else "none"
                raise ValueError(
                    f"a block holds exactly one of: {', '.join(BLOCK_KINDS)} (found {found})"
                )
        return value

    @property
    def kind(self) -> str:
        return next(k for k in BLOCK_KINDS if getattr(self, k) is not None)

    @property
    def spec(self) -> BlockKind:
        """Its kind's record: template, typography, change-line name, pagination, numbering."""
        return BLOCK_KINDS[self.kind]


class Subsection(Strict):
    title: Line
    blocks: list[Block] = Field(min_length=1)
    audience: Level | None = Field(None, description=AUDIENCE_HELP)


class Section(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"anyOf": [
        {"required": ["blocks"], "properties": {"blocks": {"minItems": 1}}},
        {"required": ["subsections"], "properties": {"subsections": {"minItems": 1}}}]})

    title: Line
    blocks: list[Block] = []
    subsections: list[Subsection] = []
    audience: Level | None = Field(None, description=AUDIENCE_HELP)

    @model_validator(mode="after")
    def _not_empty(self) -> Section:
        if not self.blocks and not self.subsections:
            raise ValueError("a section needs `blocks` or `subsections`")
        return self


class Source(Strict):
    id: Slug = Field(description="short name used by `cite`, e.g. ioc")
    title: Line
    publisher: Line | None = None
    url: Url | None = None
    note: Text | None = None
    audience: Level | None = Field(None, description=AUDIENCE_HELP)


# --- sponsor ----------------------------------------------------------------------------

class Money(Strict):
    amount: PositiveNumber
    scale: Literal["thousand", "million", "billion"] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    approximate: Flag = False
    usd_rate: PositiveNumber | None = Field(None, description="US$ per unit of `currency`, only as the source "
                                            "gives it; without it a non-USD value is listed, not converted")
    audience: Level | None = Field(None, description=AUDIENCE_HELP)


class Announcement(Strict):
    date: PartialDate | None = None
    where: Line | None = None
    how: Text | None = None
    audience: Level | None = Field(None, description=AUDIENCE_HELP)


class Partnership(Strict):
    programme: Line | None = None
    joined: PartialDate
    through: Year
    term: Line | None = None
    value: Money | None = None
    announced: Announcement | None = None
    audience: Level | None = Field(None, description=AUDIENCE_HELP)

    @model_validator(mode="after")
    def _order(self) -> Partnership:
        if self.through < date_start(self.joined).year:
            raise FieldErrors([(("through",), f"`through` ({self.through}) is before `joined` ({self.joined}); "
                                "check both years")])
        return self


class Brand(Strict):
    colour: Colour | None = None
    logo: RelPath | None = Field(None, description="path under assets/, e.g. assets/logos/acme.svg")


class Attachment(Strict):
    title: Line
    file: RelPath = Field(description="a PDF in data/attachments/, e.g. acme-factsheet.pdf")
    audience: Level | None = Field(None, description=AUDIENCE_HELP)


class Sponsor(Strict):
    """One sponsor: identity, partnership terms and ordered narrative sections."""

    name: Line
    tier: ShortItem | None = Field(None, description="one line; may be written {text, audience} to carry its "
                                   "own audience")
    categories: list[ShortItem] = Field([], description="one line each" + ITEM_HELP)
    headline: ShortItem | None = Field(None, description="one line; may be written {text, audience} to carry "
                                       "its own audience")
    as_of: PartialDate = Field(description="the date the facts are current")
    source: Line | None = Field(None, description="the document the facts come from, named under the key "
                                "figures (default: book.yaml `source`)")
    classification: Line | None = Field(None, description="overrides book.yaml")
    audience: Level | None = Field(None, description="the sponsor's own level, which its items inherit "
                                   "(default: book.yaml `default_audience`)")
    brand: Brand = Brand()
    partnership: Partnership | None = None
    summary: Paragraphs | None = Field(None, description="executive summary, Markdown; or a list of paragraphs"
                                       + ITEM_HELP)
    key_figures: list[Figure] = Field([], max_length=8)
    key_points: list[Item] = Field([], max_length=3, description="three points for the one-pager" + ITEM_HELP)
    sections: list[Section] = []
    sources: list[Source] = []
    attachments: list[Attachment] = []

    @model_validator(mode="after")
    def _citations_exist(self) -> Sponsor:
        found: list[tuple[tuple[str | int, ...], str]] = []
        ids = [s.id for s in self.sources]
        for i, source in enumerate(self.sources):
            if source.id in ids[:i]:
                found.append((("sources", i, "id"), f"source id '{source.id}' is used twice; give each "
                              "source its own id"))
        for place, block in walk_blocks(self):
            path = place.loc
            for k, cited in enumerate(block.cite):
                if cited not in ids:
                    close = difflib.get_close_matches(cited, ids, n=1)
                    hint = f"did you mean '{close[0]}'?" if close else "add it to `sources` or fix the id"
                    found.append(((*path, "cite", k), f"cites '{cited}', which is not an id in `sources`; "
                                  f"{hint}"))
        if found:
            raise FieldErrors(found)
        return self


def iter_blocks(section: Section) -> Iterator[Block]:
    """A section's blocks in reading order: its own, then each subsection's."""
    for _, block in _section_blocks(section, 1):
        yield block


@dataclass(frozen=True)
class Place:
    """Where a block stands in a sponsor file, stable across runs (unlike ``id(block)``)."""

    section: int  # 1-based, as printed
    subsection: int | None  # 1-based, None for blocks directly under the section
    index: int  # 0-based position in its `blocks` list

    @property
    def heading(self) -> str:
        """The printed number of the (sub)section holding the block: ``2`` or ``2.1``."""
        return f"{self.section}" if self.subsection is None else f"{self.section}.{self.subsection}"

    @property
    def loc(self) -> tuple[str | int, ...]:
        """The field path as the loader locates it: ``("sections", 1, "blocks", 2)``."""
        sub = () if self.subsection is None else ("subsections", self.subsection - 1)
        return ("sections", self.section - 1, *sub, "blocks", self.index)

    @property
    def path(self) -> str:
        """The block's field path in the data, e.g. ``sections[1].subsections[0].blocks[2]``."""
        sub = "" if self.subsection is None else f".subsections[{self.subsection - 1}]"
        return f"sections[{self.section - 1}]{sub}.blocks[{self.index}]"


def _section_blocks(section: Section, number: int) -> Iterator[tuple[Place, Block]]:
    for i, block in enumerate(section.blocks):
        yield Place(number, None, i), block
    for j, sub in enumerate(section.subsections, 1):
        for i, block in enumerate(sub.blocks):
            yield Place(number, j, i), block


def walk_blocks(sponsor: Sponsor) -> Iterator[tuple[Place, Block]]:
    """Every block of a sponsor, in reading order, with its place: the one block walker."""
    for number, section in enumerate(sponsor.sections, 1):
        yield from _section_blocks(section, number)


# --- book and distribution ----------------------------------------------------------------

def parse_sender(value: str) -> Address:
    """``Name <address>`` or a bare address, as one mail header would read it; ValueError if not."""
    from email.policy import default

    if re.search(r"[\x00-\x1f\x7f\u2028\u2029]|=\?", value):
        raise ValueError(f"sender must be one line of plain text: {value!r}")
    try:
        header = default.header_factory("From", value)
        addresses = header.addresses
    except (ValueError, IndexError, TypeError) as err:
        raise ValueError(f"not a sender address ({err}): {value!r}") from None
    if len(addresses) != 1 or not addresses[0].domain or header.defects:
        raise ValueError(f"expected 'Name <address>' or 'address', got {value!r}")
    try:
        valid = validate_email(addresses[0].addr_spec, check_deliverability=False)
    except EmailNotValidError as err:
        raise ValueError(f"sender {value!r} is not a valid email address: {err}") from None
    return Address(display_name=addresses[0].display_name, addr_spec=valid.normalized)


def _sender(value: str) -> str:
    return str(parse_sender(value))


Sender = Annotated[str, AfterValidator(_sender),
                   WithJsonSchema({"type": "string", "description": "'Name <address>' or 'address'"})]


def _time_zone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}: use an IANA name such as America/Los_Angeles") from None
    return value


TimeZone = Annotated[str, AfterValidator(_time_zone), WithJsonSchema({"type": "string"})]


class BookBrand(Strict):
    """book.yaml `brand:`: the organisation's own look (docs/theming.md). Every file is in the project's assets/."""

    name: Line | None = Field(None, description="the organisation as its logo names it (the logo's text alternative)")
    logo: RelPath | None = Field(None, description="on the book's cover, a file in assets/, e.g. assets/logos/us.svg")
    primary: Colour | None = Field(None, description="covers, rules, numbers and chart highlights of the book and of "
                                   "sponsors without a colour; white text must read on it (contrast 4.5:1)")
    accent: Colour | None = Field(None, description="a chart's second colour; must read on white (contrast 4.5:1)")
    text_font: RelPath | None = Field(None, description="a .ttf or .otf in assets/ for the running text")
    heading_font: RelPath | None = Field(None, description="a .ttf or .otf in assets/ for headings, tables, labels")
    cover_image: RelPath | None = Field(None, description="behind the book cover's title band, a file in assets/")


class Book(Strict):
    """data/book.yaml: the edition as a whole."""

    title: Line
    subtitle: Line | None = None
    organisation: Line
    edition: FullDate = Field(description="edition date, YYYY-MM-DD; dates the PDFs")
    classification: Line = "Confidential"
    source: Line | None = Field(None, description="the document sponsors' facts come from, unless a sponsor "
                                "names its own `source`")
    page_size: PageSize = "A4"
    sponsors: list[Slug] = Field([], description="order of sponsors; default: alphabetical")
    prepared_for: Line | None = None
    sender: Sender | None = Field(None, description="From for `briefing send`: address or 'Name <address>'")
    schedule: Line | None = Field(None, description="cron expression for `briefing schedule`, e.g. '0 6 * * 1-5'")
    timezone: TimeZone | None = Field(None, description="IANA zone the schedule is read in (default: the machine's)")
    stale_after_days: Count = Field(180, description="warn when a sponsor's as_of is older")
    language: Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en"
    pdf_variant: PdfVariant = Field(
        PDF_UA, description="tagged PDF/UA-1, or PDF/A-3a (also PDF/UA-1) for records retention")
    levels: list[Level] = Field(DEFAULT_LEVELS, min_length=1, max_length=12,
                                description="audience levels, lowest first: who may read what")
    default_audience: Level | None = Field(None, description="level of a sponsor without `audience` and "
                                           "clearance of a recipient without one (default: internal, else "
                                           "the highest level)")
    approvals: dict[Level, Annotated[int, Field(ge=0, le=20)]] = Field(
        {}, description="level: number of people who must approve its editions before they are sent")
    updates: Literal["hold", "correct"] = Field(
        "hold", description="an edition changed after it was sent: hold the correction until "
                            "`briefing send --correction` (hold), or let scheduled runs send it (correct)")
    brand: BookBrand | None = Field(None, description="the organisation's logo, colours and fonts (docs/theming.md)")

    @model_validator(mode="after")
    def _levels_known(self) -> Book:
        found: list[tuple[tuple[str | int, ...], str]] = []
        for i, level in enumerate(self.levels):
            if level in self.levels[:i]:
                found.append((("levels", i), f"level '{level}' is listed twice"))
        known = ", ".join(self.levels)
        if self.default_audience is not None and self.default_audience not in self.levels:
            found.append((("default_audience",), f"'{self.default_audience}' is not one of the levels ({known})"))
        found += [(("approvals", level), f"'{level}' is not one of the levels ({known})")
                  for level in self.approvals if level not in self.levels]
        if found:
            raise FieldErrors(found)
        return self

    @property
    def base_level(self) -> str:
        """What an item or a recipient is when nothing says otherwise."""
        if self.default_audience:
            return self.default_audience
        return "internal" if "internal" in self.levels else self.levels[-1]


Receives = Literal["book", "sponsors", "one-pagers"]


def _header_text(value: str) -> str:
    # names and titles go into mail headers: no line breaks, controls or encoded words
    if re.search(r"[\x00-\x1f\x7f\u2028\u2029]|=\?", value):
        raise ValueError("must be one line of plain text (no line breaks, control characters or '=?')")
    return value


HeaderText = Annotated[Line, AfterValidator(_header_text)]


class Recipient(Strict):
    id: Slug | None = Field(None, description="names this person's edition file (default: from the email address)")
    name: HeaderText
    email: Email
    title: HeaderText | None = None
    sponsors: Annotated[list[Slug | Literal["all"]], BeforeValidator(_as_list), WithJsonSchema(
        {"anyOf": [{"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]{0,62}$"},
                   {"type": "array", "items": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]{0,62}$"}}],
         "description": "`all`, or a list of sponsor slugs"})] = ["all"]
    clearance: Level | None = Field(None, description="the highest audience level this person may read "
                                    "(default: book.yaml `default_audience`, normally internal)")
    approver: Flag = Field(False, description="mailed a review copy of each edition up to their clearance "
                           "that waits for approval (scheduled runs and `send --review`)")
    receives: Annotated[list[Receives], BeforeValidator(_as_list), WithJsonSchema(
        {"anyOf": [{"enum": ["book", "sponsors", "one-pagers"]},
                   {"type": "array", "items": {"enum": ["book", "sponsors", "one-pagers"]}}]})] = ["book"]

    @property
    def edition_id(self) -> str:
        """What names this person's edition: the explicit `id`, else the address (never the name)."""
        return self.id or re.sub(r"[^a-z0-9]+", "-", self.email.lower()).strip("-")


class Distribution(Strict):
    """data/distribution.yaml: who receives what."""

    recipients: list[Recipient] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Distribution:
        seen: set[str] = set()
        found: list[tuple[tuple[str | int, ...], str]] = []
        editions: dict[str, str] = {}
        for i, r in enumerate(self.recipients):
            key = r.email.lower()
            if key in seen:
                found.append((("recipients", i, "email"), f"{r.email} is listed twice; keep one entry"))
            seen.add(key)
            # two people must never share an edition file, whatever their names
            other = editions.setdefault(r.edition_id, r.email)
            if other != r.email:
                found.append((("recipients", i, "email"), f"{r.email} and {other} would share the edition file "
                              f"'editions/{r.edition_id}.pdf'; give one of them a different `id`"))
        if found:
            raise FieldErrors(found)
        return self
