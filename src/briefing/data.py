"""Load and validate everything under data/ before anything is written (gather, then write)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import DataError, Problem
from .glyphs import missing_glyphs
from .model import Book, Distribution, Sponsor, date_end
from .yamlsafe import Located, load_file

M = TypeVar("M", bound=BaseModel)
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass
class Project:
    """Everything a build reads: validated data plus the folders it may read files from."""

    root: Path  # holds templates/ and assets/
    data_dir: Path
    book: Book
    sponsors: dict[str, Sponsor]  # slug -> sponsor, in book order
    files: dict[str, Path]  # slug -> data file
    distribution: Distribution | None = None
    warnings: list[Problem] = field(default_factory=list)

    def sponsor_path(self, slug: str) -> Path:
        return self.files[slug]


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: dict[str, Any], model_fields: list[str]) -> str:
    kind, given = err["type"], err.get("input")
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        close = difflib.get_close_matches(key, model_fields, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        allowed = f" (allowed here: {', '.join(model_fields)})" if model_fields else ""
        return f"unknown field '{key}'{hint}{allowed if not close else ''}"
    if kind == "missing":
        return f"required field '{err['loc'][-1]}' is missing"
    if kind in ("float_parsing", "float_type"):
        return f"expected a number, got '{given}' (write e.g. 502.5, without units)"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got '{given}'"
    if kind == "finite_number":
        return "must be a finite number (not nan or inf)"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected yes or no, got '{given}'"
    if kind == "string_type":
        shape = "a list" if isinstance(given, list) else "a mapping" if isinstance(given, dict) else "nothing"
        return f"expected text, got {shape}"
    if kind == "list_type":
        return "expected a list (lines starting with '- ')"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "expected a mapping of fields (key: value lines)"
    if kind == "literal_error":
        return f"got '{given}'; {err['msg'].replace('Input should be', 'expected')}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return "must not be empty"
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        return f"'{given}' does not have the expected form ({err['ctx']['pattern']})"
    return err["msg"]


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
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            # a missing field is reported where its parent mapping starts
            at = loc[:-1] if err["type"] == "missing" else loc
            line, col = located.where(at, key=err["type"] == "extra_forbidden")
            problems.append(Problem(located.file, _message(err, _fields_at(model, loc)), line, col,
                                    _field_path(loc)))
        return None, problems


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def load_one(path: Path, model: type[M], base: Path | None = None) -> M:
    """Load one YAML file as ``model`` or raise DataError with every problem."""
    name = _rel(path, base) if base else str(path)
    located = load_file(path, name)
    value, problems = validate(located, model)
    if problems:
        raise DataError(problems)
    assert value is not None
    return value


def find_root(data_dir: Path) -> Path:
    """The project folder holding templates/ and assets/: beside data/, else this checkout."""
    for candidate in (data_dir.resolve().parent, Path.cwd(), Path(__file__).resolve().parents[2]):
        if (candidate / "templates").is_dir() and (candidate / "assets").is_dir():
            return candidate
    raise DataError([Problem(str(data_dir), "cannot find the project's templates/ and assets/ "
                             "folders next to the data folder")])


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
                                    line, col, _field_path(loc)))
        elif not target.is_file():
            problems.append(Problem(located_file, f"file '{rel}' does not exist", line, col,
                                    _field_path(loc)))
    return problems


def attachment_path(data_dir: Path, rel: str) -> Path:
    """Attachments are named relative to data/attachments/."""
    return (data_dir / "attachments" / rel).resolve()


def sponsor_files(data_dir: Path) -> list[Path]:
    folder = data_dir / "sponsors"
    return sorted(p for p in folder.glob("*") if p.suffix in (".yaml", ".yml")) if folder.is_dir() else []


def load_project(data_dir: Path, *, only: list[Path] | None = None, today: dt.date | None = None,
                 require_distribution: bool = False) -> Project:
    """Load book.yaml, every sponsor file and distribution.yaml; raise DataError listing all problems."""
    data_dir = Path(data_dir)
    root = find_root(data_dir)
    base = data_dir.resolve().parent
    problems: list[Problem] = []
    warnings: list[Problem] = []

    book_path = data_dir / "book.yaml"
    book: Book | None = None
    book_loc: Located | None = None
    if not book_path.is_file():
        problems.append(Problem(_rel(book_path, base), "missing: every project needs data/book.yaml "
                                "(title, organisation, edition)"))
    else:
        try:
            book_loc = load_file(book_path, _rel(book_path.resolve(), base))
            book, found = validate(book_loc, Book)
            problems += found + missing_glyphs(book_loc, book_path, root)
        except DataError as err:
            problems += err.problems

    sponsors: dict[str, Sponsor] = {}
    files: dict[str, Path] = {}
    paths = only if only else sponsor_files(data_dir)
    if not paths:
        problems.append(Problem(_rel(data_dir / "sponsors", base), "no sponsor files (*.yaml) found"))
    known = {p.stem for p in sponsor_files(data_dir)} | {p.stem for p in paths}  # even if invalid
    for path in paths:
        name = _rel(path.resolve(), base)
        slug = path.stem
        if not SLUG_RE.match(slug):
            problems.append(Problem(name, f"file name '{slug}' must be a lowercase slug "
                                    "(letters, digits, hyphens), e.g. acme-corp.yaml"))
            continue
        try:
            located = load_file(path, name)
        except DataError as err:
            problems += err.problems
            continue
        sponsor, found = validate(located, Sponsor)
        problems += found + missing_glyphs(located, path, root)
        if sponsor is None:
            continue
        problems += _check_files(slug, sponsor, name, root, data_dir, located)
        sponsors[slug] = sponsor
        files[slug] = path
        # warnings: stale facts, no sources
        limit = book.stale_after_days if book else 180
        age = ((today or dt.date.today()) - date_end(sponsor.as_of)).days
        line, col = located.where(("as_of",))
        if age > limit:
            warnings.append(Problem(name, f"facts are {age} days old (as_of {sponsor.as_of}); "
                                    f"check them and update as_of (limit {limit} days)", line, col,
                                    "as_of", "warning"))
        if not sponsor.sources:
            warnings.append(Problem(name, "no sources listed; add a `sources` list", None, None,
                                    "sources", "warning"))

    if book and book_loc and not only:
        for i, slug in enumerate(book.sponsors):
            if slug not in known:
                line, col = book_loc.where(("sponsors", i))
                problems.append(Problem(book_loc.file, f"no sponsor file data/sponsors/{slug}.yaml",
                                        line, col, f"sponsors[{i}]"))

    distribution = None
    dist_path = data_dir / "distribution.yaml"
    if dist_path.is_file():
        try:
            dist_loc = load_file(dist_path, _rel(dist_path.resolve(), base))
            distribution, found = validate(dist_loc, Distribution)
            problems += found + missing_glyphs(dist_loc, dist_path, root)
            if distribution and not only:
                for i, r in enumerate(distribution.recipients):
                    for j, slug in enumerate(r.sponsors):
                        if slug != "all" and slug not in known:
                            line, col = dist_loc.where(("recipients", i, "sponsors", j))
                            problems.append(Problem(dist_loc.file, f"unknown sponsor '{slug}'",
                                                    line, col, f"recipients[{i}].sponsors[{j}]"))
        except DataError as err:
            problems += err.problems
    elif require_distribution:
        problems.append(Problem(_rel(dist_path, base), "missing: list recipients in data/distribution.yaml"))

    if problems:
        raise DataError(problems)
    assert book is not None
    ordered = [s for s in book.sponsors if s in sponsors] + sorted(s for s in sponsors if s not in book.sponsors)
    return Project(root=root, data_dir=data_dir, book=book,
                   sponsors={s: sponsors[s] for s in ordered}, files={s: files[s] for s in ordered},
                   distribution=distribution, warnings=warnings)
