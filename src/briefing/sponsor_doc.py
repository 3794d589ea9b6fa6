"""One sponsor's document: charts drawn (or taken from the cache), HTML, then PDF pages.

Runs inside a worker process. The pages it prints serve both the sponsor PDF and the
book's chapter; page numbers are stamped on later by ``assemble`` (see there for why).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .charts import chart_key, make_svg
from .errors import RenderError
from .glyphs import where_in
from .model import Book, Sponsor
from .pdf import render_html
from .render import DEFAULT_ACCENT, chart_specs, make_env, readable_accent, sponsor_context, watch_items

ONE_PAGER_BLOCKS = ["headline", "key_figures", "critical_callout", "timeline", "key_points",
                    "leadership"]  # in the order onepager.html prints them


@dataclass
class Paths:
    """Where a build may read from and write to."""

    root: Path  # project: templates/, assets/
    data_dir: Path
    out: Path

    @property
    def build(self) -> Path:
        return self.out / ".build"

    @property
    def chart_cache(self) -> Path:
        return self.out / ".cache" / "charts"

    @property
    def readable(self) -> list[Path]:
        return [self.root / "templates", self.root / "assets", self.data_dir, self.build]


@dataclass
class ChapterMeta:
    """What the book needs to know about a rendered sponsor, without laying it out again."""

    slug: str
    name: str
    variant: str
    pages: int
    size: tuple[float, float]
    anchors: dict[str, int]
    sections: list[dict[str, Any]] = field(default_factory=list)
    watch: list[dict[str, Any]] = field(default_factory=list)
    charts_drawn: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def draw_charts(specs: dict[str, dict[str, Any]], paths: Paths) -> tuple[dict[str, str], dict[str, str], int]:
    """Return (chart name -> URL, chart key -> SVG, number drawn)."""
    urls, svgs, drawn = {}, {}, 0
    for name, spec in specs.items():
        key = chart_key(spec)
        if not (paths.chart_cache / f"{key}.svg").is_file():
            drawn += 1
        svgs[key] = make_svg(spec, paths.chart_cache, paths.root / "assets" / "fonts")
        urls[name] = f"chart:{key}"
    return urls, svgs, drawn


def logo_url(sponsor: Sponsor, paths: Paths) -> str | None:
    if not sponsor.brand.logo:
        return None
    return (paths.root / sponsor.brand.logo).resolve().as_uri()


def build_html(slug: str, sponsor: Sponsor, book: Book, paths: Paths, *, page_size: str,
               variant: str, changes: list[str] | None = None,
               changes_since: str | None = None) -> tuple[str, dict[str, str], int]:
    accent = readable_accent(sponsor.brand.colour or DEFAULT_ACCENT)
    specs = chart_specs(sponsor, accent)
    if variant == "one-pager":
        specs = {k: v for k, v in specs.items() if k == "timeline"}
    urls, svgs, drawn = draw_charts(specs, paths)
    env = make_env(paths.root / "templates")
    template = "onepager.html" if variant == "one-pager" else "sponsor.html"
    context = sponsor_context(slug, sponsor, book, page_size=page_size, chart_urls=urls,
                              variant=variant, logo_url=logo_url(sponsor, paths))
    context.update(changes=changes or [], changes_since=changes_since)
    return env.get_template(template).render(**context), svgs, drawn


def render_sponsor(slug: str, sponsor: Sponsor, book: Book, paths: Paths, *, page_size: str,
                   variant: str, data_file: str, changes: list[str] | None = None,
                   changes_since: str | None = None) -> tuple[bytes, ChapterMeta]:
    try:
        html, svgs, drawn = build_html(slug, sponsor, book, paths, page_size=page_size, variant=variant,
                                       changes=changes, changes_since=changes_since)
    except RenderError as err:  # a chart that cannot be drawn: say which file it came from
        raise RenderError(f"{data_file}: {err}") from None
    rendered = render_html(html, base=paths.root, roots=paths.readable, charts=svgs,
                           what=f"{data_file}", locate=lambda ch: where_in(sponsor.model_dump(), ch))
    px = f"{slug}--"
    if variant == "one-pager" and rendered.pages > 1:
        # every block has a start anchor (op-NAME) and an end anchor (op-end-NAME): the first
        # block that ends (or starts) past page 1 is the one that did not fit
        ends = {name.removeprefix(f"{px}op-end-"): page for name, page in rendered.anchors.items()
                if name.startswith(f"{px}op-end-")}
        spilled = [name for name in ONE_PAGER_BLOCKS if ends.get(name, 0) > 0]
        block = spilled[0] if spilled else "the last block"
        raise RenderError(f"{data_file}: one-pager does not fit on one page: '{block}' overflowed "
                          f"onto page 2 (shorten key_points, key_figures or the summary)")
    from .render import outline

    sections = []
    for sec in outline(sponsor, px).sections:
        sections.append({
            "title": f"{sec['number']}  {sec['title']}", "id": sec["id"],
            "page": rendered.anchors.get(sec["id"], 0),
            "subsections": [{"title": f"{sub['number']}  {sub['title']}", "id": sub["id"],
                             "page": rendered.anchors.get(sub["id"], 0)} for sub in sec["subsections"]],
        })
    watch = [{"title": w["callout"].title, "severity": w["callout"].severity, "anchor": w["anchor"],
              "body": w["callout"].body, "page": rendered.anchors.get(w["anchor"], 0)}
             for w in watch_items(sponsor, px)]
    meta = ChapterMeta(slug=slug, name=sponsor.name, variant=variant, pages=rendered.pages,
                       size=rendered.size, anchors=rendered.anchors, sections=sections, watch=watch,
                       charts_drawn=drawn)
    return rendered.pdf, meta
