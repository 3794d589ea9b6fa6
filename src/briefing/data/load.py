"""Load and validate everything under data/ before anything is written (gather, then write)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from briefing.data.audience import audience_marks, leaks, unknown_clearances, unknown_levels
from briefing.data.brand import brand_glyphs, check_brand, usable_fonts
from briefing.data.cache import Reader
from briefing.data.glyphcheck import missing_glyphs
from briefing.data.levels import Levels
from briefing.data.model import FORMS, SLUG_PATTERN, Book, Distribution, Sponsor, date_end
from briefing.data.project import Project
from briefing.data.yamlsafe import Located, load_file
from briefing.errors import DataError, FieldErrors, Problem, field_path
from briefing.hashing import theme_fingerprint

M = TypeVar("M", bound=BaseModel)
SLUG_RE = re.compile(SLUG_PATTERN)


# Examples shown when a value does not have the form a field needs (never the regular expression).
_PATTERN_EXAMPLES = {
    r"^#[0-9A-Fa-f]{6}$": "a colour as \"#RRGGBB\", in quotes since # starts a comment, e.g. \"#C8102E\"",
    r"^[A-Z]{3}$": "a three-letter currency code in capitals, e.g. USD, EUR or CNY",
    r"^[a-z0-9][a-z0-9-]{0,62}$": "an id of lowercase letters, digits and hyphens, e.g. acme-site",
    r"^[a-z]{2}(-[A-Z]{2})?$": "a language code, e.g. en or en-GB",
}


def _shape(given: Any) -> str:
    if isinstance(given, list):
        return "a list"
    if isinstance(given, dict):
        return "a mapping"
    return "nothing" if given is None else f"'{given}'"


def _text_message(given: Any) -> str:
    if isinstance(given, dict) and len(given) == 1:
        key, value = next(iter(given.items()))
        return (f"expected text, but the ': ' after '{key}' made YAML read a mapping; put the whole text "
                f"in quotes, e.g. \"{key}: {value if value is not None else ''}\"")
    if given is None:
        return "expected text, got nothing; write the text after the colon, or remove the line"
    if isinstance(given, list):
        return "expected text, got a list; write one piece of text (in quotes if it starts with [ or -)"
    return f"expected text, got {_shape(given)}; write the text on one line after the colon"


def _limit_message(kind: str, ctx: dict[str, Any], given: Any) -> str | None:
    if kind == "too_long":
        # pydantic leaves actual_length None when a mapping stops validating at the limit
        count = ctx.get("actual_length")
        if count is None and hasattr(given, "__len__"):
            count = len(given)
        counted = f"has {count:,} items" if isinstance(count, int) else "has too many items"
        return f"{counted} but at most {ctx['max_length']:,} are allowed; keep the most important ones"
    if kind == "string_too_long":
        return f"is {len(str(given))} characters long; at most {ctx['max_length']} fit here, so shorten it"
    bounds = {"greater_than": ("greater than", "gt"), "greater_than_equal": ("at least", "ge"),
              "less_than": ("less than", "lt"), "less_than_equal": ("at most", "le")}
    if kind in bounds:
        words, key = bounds[kind]
        return f"must be {words} {ctx[key]:g}, got '{given}'" if isinstance(ctx[key], float) else \
            f"must be {words} {ctx[key]}, got '{given}'"
    return None


_SIMPLE = {
    "missing": "required field '{name}' is missing; add it",
    "finite_number": "must be a finite number (not nan or inf)",
    "list_type": "expected a list (lines starting with '- ', or [a, b])",
    "dict_type": "expected a mapping of fields (key: value lines)",
    "model_type": "expected a mapping of fields (key: value lines)",
    "model_attributes_type": "expected a mapping of fields (key: value lines)",
    "string_too_short": "must not be empty; write the text or remove the field",
    "too_short": "must not be empty; add at least one item or remove the field",
}


def _message(err: dict[str, Any], model_fields: list[str]) -> str:
    """Pydantic's error in an editor's words: what is wrong, then how to fix it."""
    kind, given, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        close = difflib.get_close_matches(key, model_fields, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        allowed = f" (allowed here: {', '.join(model_fields)})" if model_fields else ""
        return f"unknown field '{key}'{hint}{allowed if not close else ''}"
    if kind in _SIMPLE:
        return _SIMPLE[kind].format(name=err["loc"][-1] if err["loc"] else "")
    if kind in ("float_parsing", "float_type"):
        return f"expected a number, got {_shape(given)} (write e.g. 502.5, without units)"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got {_shape(given)} (write digits only, e.g. 2030)"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected yes or no, got {_shape(given)}"
    if kind == "string_type":
        return _text_message(given)
    if kind in ("literal_error", "enum"):
        return f"got {_shape(given)}; write {ctx.get('expected', 'one of the values in docs/data-format.md')}"
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        example = _PATTERN_EXAMPLES.get(ctx.get("pattern", ""), "the form shown in docs/data-format.md")
        return f"'{given}' is not {example}" if example[0] in "a" else f"'{given}' does not have {example}"
    limit = _limit_message(kind, ctx, given)
    return limit if limit else f"{_shape(given)} is not allowed here; see docs/data-format.md for this field"


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed in the mapping that holds ``loc[-1]`` (for typo hints)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        current = _model_in(info.annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    meta = getattr(annotation, "__origin__", None)
    return _model_in(meta) if meta not in (None, annotation) else None


def _data_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Pydantic's error path without its own steps (``function-after[...]``, ``literal['all']``):
    only the keys and indexes that exist in the data, then the last (possibly missing) field."""
    out: list[Any] = []
    current = data
    for i, part in enumerate(loc):
        if part in FORMS:
            continue  # the form an item was written in (model.FORMS), not a key in the data
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            current = current[part]
        elif isinstance(current, dict) and i == len(loc) - 1 and isinstance(part, str):
            out.append(part)  # a missing field, or an unknown one
            break
        else:
            continue
        out.append(part)
    return tuple(out)


def validate(located: Located, model: type[M]) -> tuple[M | None, list[Problem]]:
    """Validate loaded data against ``model``; problems carry file, line, column and field."""
    if not isinstance(located.data, dict):
        what = "a list" if isinstance(located.data, list) else "a single value"
        line, col = located.where(())
        return None, [Problem(located.file, f"expected a mapping of fields at the top, got {what}",
                              line, col)]
    try:
        return model.model_validate(located.data), []
    except ValidationError as exc:
        problems = []
        seen: set[tuple[Any, ...]] = set()
        for err in exc.errors(include_url=False):
            loc = _data_loc(located.data, err["loc"])
            if err["type"] != "missing" and loc in seen:
                continue  # a union (e.g. a slug or 'all') reports once per member: keep the first
            seen.add(loc)
            cause = (err.get("ctx") or {}).get("error")
            if isinstance(cause, FieldErrors):  # a model rule that knows the exact fields
                for sub, message in cause.items:
                    line, col = located.where((*loc, *sub))
                    problems.append(Problem(located.file, message, line, col, field_path((*loc, *sub))))
                continue
            # a missing field is reported where its parent mapping starts
            at = loc[:-1] if err["type"] == "missing" else loc
            line, col = located.where(at, key=err["type"] == "extra_forbidden")
            problems.append(Problem(located.file, _message(err, _fields_at(model, loc)), line, col,
                                    field_path(loc)))
        return None, problems


def shown(path: Path) -> str:
    """How messages name a file: a path that opens from the current folder (relative when inside it)."""
    full = Path(path).resolve()
    try:
        return str(full.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(full)


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def load_one(path: Path, model: type[M], base: Path | None = None) -> M:
    """Load one YAML file as ``model`` or raise DataError with every problem."""
    name = _rel(path, base) if base else shown(path)
    located = load_file(path, name)
    value, problems = validate(located, model)
    if problems:
        raise DataError(problems)
    assert value is not None
    return value


def find_root(data_dir: Path) -> Path:
    """The project: the folder that holds the data folder. Its own templates/ and assets/, where
    it has them, override the package's theme file by file (``briefing.theme``)."""
    return data_dir.resolve().parent


def _check_files(slug: str, sponsor: Sponsor, located_file: str, root: Path, data_dir: Path,
                 located: Located) -> list[Problem]:
    """Files a sponsor names must exist inside the project (assets/ or data/attachments/)."""
    problems = []
    checks: list[tuple[tuple[Any, ...], str, Path]] = []
    if sponsor.brand.logo:
        checks.append((("brand", "logo"), sponsor.brand.logo, root / "assets"))
    for i, att in enumerate(sponsor.attachments):
        checks.append((("attachments", i, "file"), att.file, data_dir / "attachments"))
    for loc, rel, allowed in checks:
        line, col = located.where(loc)
        target = (root / rel).resolve() if loc[0] == "brand" else attachment_path(data_dir, rel)
        if not target.is_relative_to(allowed.resolve()):
            problems.append(Problem(located_file, f"'{rel}' is outside {_rel(allowed, root)}/ "
                                    "(directly or through a symbolic link); keep such files there",
                                    line, col, field_path(loc)))
        elif not target.is_file():
            problems.append(Problem(located_file, f"file '{rel}' does not exist", line, col,
                                    field_path(loc)))
    return problems


def attachment_path(data_dir: Path, rel: str) -> Path:
    """Attachments are named relative to data/attachments/."""
    return (data_dir / "attachments" / rel).resolve()


def sponsor_files(data_dir: Path) -> list[Path]:
    folder = data_dir / "sponsors"
    return sorted(p for p in folder.glob("*") if p.suffix in (".yaml", ".yml")) if folder.is_dir() else []


def _sponsor_warnings(sponsor: Sponsor, located: Located, limit: int, today: dt.date | None) -> list[Problem]:
    """Not errors, but worth a look: stale facts, no sources."""
    warnings = []
    age = ((today or dt.date.today()) - date_end(sponsor.as_of)).days
    line, col = located.where(("as_of",))
    if age > limit:
        warnings.append(Problem(located.file, f"facts are {age} days old (as_of {sponsor.as_of}); "
                                f"check them and update as_of (limit {limit} days)", line, col,
                                "as_of", "warning"))
    if not sponsor.sources:
        warnings.append(Problem(located.file, "no sources listed; add a `sources` list", 1, 1,
                                "sources", "warning"))
    return warnings


def _check_recipients(distribution: Distribution, located: Located, known: set[str]) -> list[Problem]:
    problems = []
    for i, r in enumerate(distribution.recipients):
        for j, slug in enumerate(r.sponsors):
            if slug != "all" and slug not in known:
                line, col = located.where(("recipients", i, "sponsors", j))
                problems.append(Problem(located.file, f"unknown sponsor '{slug}'; use `all` or the name "
                                        "of a file in sponsors/", line, col, f"recipients[{i}].sponsors[{j}]"))
    return problems


Read = Callable[[Path], tuple[Located, list[Problem]]]  # a data file parsed and glyph-checked, through the cache


def _load_book(data_dir: Path, root: Path, problems: list[Problem], read: Read) -> tuple[Book | None, Located | None]:
    book_path = data_dir / "book.yaml"
    if not book_path.is_file():
        problems.append(Problem(shown(book_path), "missing: every project needs a book.yaml "
                                "(title, organisation, edition) in the data folder", 1, 1))
        return None, None
    try:
        book_loc, glyph_problems = read(book_path)
    except DataError as err:
        problems += err.problems
        return None, None
    book, found = validate(book_loc, Book)
    problems += found + glyph_problems
    if book and book.brand:
        problems += check_brand(book.brand, book_loc, root)
        problems += brand_glyphs(book_loc, book_path, root, usable_fonts(book.brand, root))
    return book, book_loc


def _load_distribution(data_dir: Path, read: Read, problems: list[Problem], known: set[str] | None,
                       required: bool, book: Book | None = None) -> Distribution | None:
    """distribution.yaml if present; ``known`` sponsors are checked against it unless None."""
    dist_path = data_dir / "distribution.yaml"
    if not dist_path.is_file():
        if required:
            problems.append(Problem(shown(dist_path), "missing: list recipients in distribution.yaml "
                                    "(see docs/data-format.md)", 1, 1))
        return None
    try:
        dist_loc, glyph_problems = read(dist_path)
    except DataError as err:
        problems += err.problems
        return None
    distribution, found = validate(dist_loc, Distribution)
    problems += found + glyph_problems
    if distribution and book:
        problems += unknown_clearances(distribution.recipients, dist_loc, Levels.of(book))
    if distribution and known is not None:
        problems += _check_recipients(distribution, dist_loc, known)
    return distribution


def load_project(data_dir: Path, *, only: list[Path] | None = None, today: dt.date | None = None,
                 require_distribution: bool = False, cache: Path | None = None) -> Project:
    """Load book.yaml, every sponsor file and distribution.yaml; raise DataError listing all problems.

    ``cache``: a folder where parsed data files are remembered (see ``data.cache``)."""
    data_dir = Path(data_dir)
    root = find_root(data_dir)
    reader = Reader(cache, theme_fingerprint(root) if cache else "")

    def read(path: Path) -> tuple[Located, list[Problem]]:
        return reader.load(path, shown(path), lambda loc, p: missing_glyphs(loc, p, root))

    problems: list[Problem] = []
    warnings: list[Problem] = []

    book, book_loc = _load_book(data_dir, root, problems, read)
    brand_fonts = usable_fonts(book.brand, root) if book else {}

    sponsors: dict[str, Sponsor] = {}
    files: dict[str, Path] = {}
    paths = only if only else sponsor_files(data_dir)
    if not paths:
        problems.append(Problem(shown(data_dir / "sponsors"), "no sponsor files (*.yaml) found; add one "
                                "per sponsor, e.g. sponsors/acme.yaml"))
    known = {p.stem for p in sponsor_files(data_dir)} | {p.stem for p in paths}  # even if invalid
    for path in paths:
        name = shown(path)
        slug = path.stem
        if not SLUG_RE.match(slug):
            problems.append(Problem(name, f"file name '{slug}' must be a lowercase slug "
                                    "(letters, digits, hyphens); rename it, e.g. acme-corp.yaml", 1, 1))
            continue
        try:
            located, glyph_problems = read(path)
        except DataError as err:
            problems += err.problems
            continue
        sponsor, found = validate(located, Sponsor)
        problems += found + glyph_problems + brand_glyphs(located, path, root, brand_fonts)
        if sponsor is None:
            continue
        problems += _check_files(slug, sponsor, name, root, data_dir, located)
        if book:
            marks = audience_marks(sponsor)
            unknown = unknown_levels(marks, located, Levels.of(book))
            problems += unknown or leaks(sponsor, located, Levels.of(book), marks)
        sponsors[slug] = sponsor
        files[slug] = path
        warnings += _sponsor_warnings(sponsor, located, book.stale_after_days if book else 180, today)

    if book and book_loc and not only:
        for i, slug in enumerate(book.sponsors):
            if slug not in known:
                line, col = book_loc.where(("sponsors", i))
                problems.append(Problem(book_loc.file, f"no sponsor file {shown(data_dir / 'sponsors')}/"
                                        f"{slug}.yaml; create it or remove '{slug}' from this list",
                                        line, col, f"sponsors[{i}]"))

    distribution = _load_distribution(data_dir, read, problems, None if only else known, require_distribution,
                                      book)

    if problems:
        raise DataError(problems)
    reader.keep()
    assert book is not None
    ordered = [s for s in book.sponsors if s in sponsors] + sorted(s for s in sponsors if s not in book.sponsors)
    return Project(root=root, data_dir=data_dir, book=book,
                   sponsors={s: sponsors[s] for s in ordered}, files={s: files[s] for s in ordered},
                   distribution=distribution, warnings=warnings)


def file_kind(path: Path) -> str:
    """Which model a data file is checked against: by its name, as the project lays files out."""
    stem = path.name.rsplit(".", 1)[0]
    return stem if stem in ("book", "distribution") else "sponsor"


def check_paths(paths: list[Path], data_dir: Path, today: dt.date | None = None) -> list[Problem]:
    """Validate the named files, each against its own model (book.yaml, distribution.yaml, sponsor
    files; a folder is a whole data folder). Returns warnings; raises DataError with every problem."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    sponsors: list[Path] = []
    for path in paths:
        kind = "folder" if path.is_dir() else file_kind(path)
        try:
            if kind == "folder":
                warnings += load_project(path, today=today).warnings
            elif kind == "sponsor":
                sponsors.append(path)
            else:
                load_one(path, Book if kind == "book" else Distribution)
        except DataError as err:
            problems += err.problems
    if sponsors:
        # a sponsor file is checked with its own project's book.yaml (for stale_after_days)
        home = sponsors[0].parent.parent
        folder = home if sponsors[0].parent.name == "sponsors" and (home / "book.yaml").is_file() else data_dir
        try:
            warnings += load_project(folder, only=sponsors, today=today).warnings
        except DataError as err:
            problems += err.problems
    if problems:
        raise DataError(list(dict.fromkeys(problems)))  # book.yaml may be checked twice
    return warnings
