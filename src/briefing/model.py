"""The data format: what an editor may write in a sponsor file, book.yaml and distribution.yaml.

Every field is declared here once, with a description that ``briefing schema`` exports, so
an editor's YAML plug-in can validate as they type. Values arrive as text from the strict
YAML loader and are converted here, by schema: a field decides whether ``1.10`` is a number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

MAX_TEXT = 20_000  # one paragraph; longer text is almost certainly a paste accident

# YAML plug-ins (YAML 1.2) read `2028` or `NO` as numbers/booleans; the tool reads them as
# text. The exported schema therefore accepts scalars for text fields.
_scalar_schema = {"type": ["string", "number", "boolean"]}


def _no_controls(value: str) -> str:
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        raise ValueError("contains a control character; remove it")
    return value


Text = Annotated[
    str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_no_controls),
    WithJsonSchema(_scalar_schema),
]
Line = Annotated[
    str, Field(min_length=1, max_length=300), AfterValidator(_no_controls),
    WithJsonSchema(_scalar_schema),
]

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]


def _partial_date(value: str) -> str:
    match = _DATE_RE.match(str(value).strip())
    if not match:
        raise ValueError(f"expected a date as YYYY-MM-DD, YYYY-MM or YYYY, got '{value}'")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        dt.date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"'{value}' is not a real calendar date") from None
    return match.group(0)


def _full_date(value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value).strip()):
        raise ValueError(f"expected a full date as YYYY-MM-DD, got '{value}'")
    return _partial_date(value)


PartialDate = Annotated[
    str, AfterValidator(_partial_date),
    WithJsonSchema({"type": ["string", "integer"], "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
                    "description": "YYYY-MM-DD, YYYY-MM or YYYY"}),
]
FullDate = Annotated[
    str, AfterValidator(_full_date),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
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


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        raise ValueError("must be a web address starting with https:// or http://")
    return value


Url = Annotated[str, AfterValidator(_http_url), WithJsonSchema({"type": "string", "format": "uri"})]


def _relative_path(value: str) -> str:
    if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value) or "://" in value:
        raise ValueError("must be a path relative to the project, e.g. assets/logos/acme.svg")
    if ".." in re.split(r"[\\/]", value):
        raise ValueError("must not contain '..'; keep files inside the project")
    return value


RelPath = Annotated[str, AfterValidator(_relative_path), WithJsonSchema({"type": "string"})]


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise ValueError(f"not a valid email address: {err}") from None


Email = Annotated[str, AfterValidator(_email), WithJsonSchema({"type": "string", "format": "email"})]
Colour = Annotated[
    str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="a colour as #RRGGBB"),
]
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"  # sponsor file names and source ids
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Number = Annotated[float, Field(allow_inf_nan=False), WithJsonSchema({"type": ["number", "string"]})]
Year = Annotated[int, Field(ge=1896, le=2100), WithJsonSchema({"type": ["integer", "string"]})]
Flag = Annotated[bool, WithJsonSchema({"type": ["boolean", "string"]})]


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Severity = Literal["critical", "high", "medium", "low", "info"]


# --- blocks -----------------------------------------------------------------------------

class Callout(Strict):
    """A boxed message; `critical` and `high` ones go to the book's watch list."""

    title: Line
    body: Text = Field(description="Markdown")
    severity: Severity = "info"


class Figure(Strict):
    """A key-figure card: the number large, its label, unit and period small."""

    label: Line
    value: Line = Field(description="as printed, e.g. '996.3' or '~$800 million'")
    unit: Line | None = None
    period: Line | None = None
    change: Line | None = Field(None, description="e.g. '+7.4% YoY'; only when the source gives it")
    note: Line | None = None


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
    rows: list[list[Text]] = Field(min_length=1, max_length=2000)
    notes: list[Text] = []

    @model_validator(mode="after")
    def _rows_match_columns(self) -> Table:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"row {i + 1} has {len(row)} cells but the table has "
                    f"{len(self.columns)} columns"
                )
        return self


class Person(Strict):
    name: Line
    role: Line
    organisation: Line | None = None
    since: Line | None = None
    notes: Text | None = Field(None, description="Markdown")


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
    highlights: list[Text] = Field([], description="Markdown, one item each")


class Series(Strict):
    name: Line | None = None
    values: dict[Line, Number] = Field(min_length=1, max_length=60, description="label: value")


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
    alt: Text | None = Field(None, description="alt text; generated from the data when absent")

    @model_validator(mode="after")
    def _check_values(self) -> Chart:
        for series in self.series:
            for label, value in series.values.items():
                if self.kind == "donut" and value <= 0:
                    raise ValueError(f"donut values must be positive; '{label}' is {value:g}")
        if self.kind == "donut" and len(self.series) > 1:
            raise ValueError("a donut chart takes one series")
        return self


_BLOCK_KINDS = ("text", "bullets", "callout", "figures", "table", "people", "timeline", "chart")


class Block(Strict):
    """One block of a section: exactly one of the kinds below, plus optional `cite`."""

    text: Text | None = Field(None, description="Markdown paragraph(s); raw HTML is printed literally")
    bullets: list[Text] | None = Field(None, min_length=1, description="Markdown, one item each")
    callout: Callout | None = None
    figures: list[Figure] | None = Field(None, min_length=1, max_length=12)
    table: Table | None = None
    people: People | None = None
    timeline: list[TimelineEntry] | None = Field(None, min_length=1)
    chart: Chart | None = None
    cite: list[Slug] = Field([], description="ids of entries in `sources`")

    @model_validator(mode="before")
    @classmethod
    def _one_kind(cls, value: Any) -> Any:
        if isinstance(value, dict):
            kinds = [k for k in _BLOCK_KINDS if k in value]
            if len(kinds) != 1 and not (set(value) - set(_BLOCK_KINDS) - {"cite"}):
                found = ", ".join(kinds) if kinds else "none"
                raise ValueError(
                    f"a block holds exactly one of: {', '.join(_BLOCK_KINDS)} (found {found})"
                )
        return value

    @property
    def kind(self) -> str:
        return next(k for k in _BLOCK_KINDS if getattr(self, k) is not None)


class Subsection(Strict):
    title: Line
    blocks: list[Block] = Field(min_length=1)


class Section(Strict):
    title: Line
    blocks: list[Block] = []
    subsections: list[Subsection] = []

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


# --- sponsor ----------------------------------------------------------------------------

class Money(Strict):
    amount: Number = Field(gt=0)
    scale: Literal["thousand", "million", "billion"] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    approximate: Flag = False


class Announcement(Strict):
    date: PartialDate | None = None
    where: Line | None = None
    how: Text | None = None


class Partnership(Strict):
    programme: Line | None = None
    joined: PartialDate
    through: Year
    term: Line | None = None
    value: Money | None = None
    announced: Announcement | None = None

    @model_validator(mode="after")
    def _order(self) -> Partnership:
        if self.through < date_start(self.joined).year:
            raise ValueError(f"`through` ({self.through}) is before `joined` ({self.joined})")
        return self


class Brand(Strict):
    colour: Colour | None = None
    logo: RelPath | None = Field(None, description="path under assets/, e.g. assets/logos/acme.svg")


class Attachment(Strict):
    title: Line
    file: RelPath = Field(description="a PDF in data/attachments/, e.g. acme-factsheet.pdf")


class Sponsor(Strict):
    """One sponsor: identity, partnership terms and ordered narrative sections."""

    name: Line
    tier: Line | None = None
    categories: list[Line] = []
    headline: Line | None = None
    as_of: PartialDate = Field(description="the date the facts are current")
    classification: Line | None = Field(None, description="overrides book.yaml")
    brand: Brand = Brand()
    partnership: Partnership | None = None
    summary: Text | None = Field(None, description="executive summary, Markdown")
    key_figures: list[Figure] = Field([], max_length=8)
    key_points: list[Text] = Field([], max_length=3, description="three points for the one-pager")
    sections: list[Section] = []
    sources: list[Source] = []
    attachments: list[Attachment] = []

    @model_validator(mode="after")
    def _citations_exist(self) -> Sponsor:
        ids = [s.id for s in self.sources]
        if len(ids) != len(set(ids)):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise ValueError(f"source id '{dup}' is used twice")
        for section in self.sections:
            for block in iter_blocks(section):
                for cited in block.cite:
                    if cited not in ids:
                        raise ValueError(
                            f"section '{section.title}' cites '{cited}', which is not in `sources`"
                        )
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

class Book(Strict):
    """data/book.yaml: the edition as a whole."""

    title: Line
    subtitle: Line | None = None
    organisation: Line
    edition: FullDate = Field(description="edition date, YYYY-MM-DD; dates the PDFs")
    classification: Line = "Confidential"
    page_size: Literal["A4", "Letter"] = "A4"
    sponsors: list[Slug] = Field([], description="order of sponsors; default: alphabetical")
    prepared_for: Line | None = None
    sender: Email | None = Field(None, description="From address for `briefing send`")
    schedule: Line | None = Field(None, description="cron expression for `briefing schedule`")
    stale_after_days: int = Field(180, ge=1, description="warn when a sponsor's as_of is older")
    language: Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en"
    pdf_variant: Literal["pdf/ua-1", "pdf/a-3a"] = Field(
        "pdf/ua-1", description="tagged PDF/UA-1, or PDF/A-3a (also PDF/UA-1) for records retention")


Receives = Literal["book", "sponsors", "one-pagers"]


def _header_text(value: str) -> str:
    # names and titles go into mail headers: no line breaks, controls or encoded words
    if re.search(r"[\x00-\x1f\x7f\u2028\u2029]|=\?", value):
        raise ValueError("must be one line of plain text (no line breaks, control characters or '=?')")
    return value


HeaderText = Annotated[Line, AfterValidator(_header_text)]


class Recipient(Strict):
    name: HeaderText
    email: Email
    title: HeaderText | None = None
    sponsors: Annotated[list[Slug | Literal["all"]], BeforeValidator(_as_list), WithJsonSchema(
        {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
         "description": "`all`, or a list of sponsor slugs"})] = ["all"]
    receives: Annotated[list[Receives], BeforeValidator(_as_list), WithJsonSchema(
        {"anyOf": [{"enum": ["book", "sponsors", "one-pagers"]},
                   {"type": "array", "items": {"enum": ["book", "sponsors", "one-pagers"]}}]})] = ["book"]


class Distribution(Strict):
    """data/distribution.yaml: who receives what."""

    recipients: list[Recipient] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Distribution:
        seen: set[str] = set()
        for r in self.recipients:
            key = r.email.lower()
            if key in seen:
                raise ValueError(f"{r.email} is listed twice")
            seen.add(key)
        return self
