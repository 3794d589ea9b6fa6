"""Charts: chart specs (plain data) in, SVG text out, cached by content hash.

Pure and deterministic: the object API (``Figure``, never pyplot), one style sheet, a fixed
``svg.hashsalt`` and no date in the metadata, so the same spec gives the same bytes. Text stays
text in the SVG (``svg.fonttype: none``) and WeasyPrint draws it with the document's own fonts.
Matplotlib is imported only when a chart is not in the cache.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.errors import RenderError
from briefing.hashing import digest
from briefing.render.palette import palette
from briefing.text.glyphs import order_chart_text

if TYPE_CHECKING:
    from briefing.render.edition import Paths

STYLE = Path(__file__).with_name("styles") / "print.mplstyle"
STYLE_VERSION = "13"  # bump when drawing code changes, so cached SVGs are redrawn
WIDTH_IN = 6.6  # the text block of A4 and Letter less a little air
TIMELINE_PT = 7.8  # printed at 98% across the text block: 7.6 pt, at least the 7.5 pt issue 23 asks
OVERLAP = "briefing-overlap"  # the SVG comment that records two labels drawn over each other


def chart_key(spec: dict[str, Any]) -> str:
    return digest(spec, STYLE_VERSION, STYLE.read_text(), length=24)


def make_svg(spec: dict[str, Any], cache_dir: Path | None, fonts: Path | tuple[Path, ...]) -> str:
    """Return the SVG for ``spec``, drawing it only when the cache does not hold it.

    ``fonts``: the theme's font files (``Paths.fonts``), or a folder of them."""
    key = chart_key(spec)
    cached = cache_dir / f"{key}.svg" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_text(encoding="utf-8")
    if cache_dir:  # cron jobs often have no writable HOME for Matplotlib's font cache
        os.environ.setdefault("MPLCONFIGDIR", str(cache_dir.parent / "matplotlib"))
    svg = _draw(spec, key, fonts if isinstance(fonts, tuple) else tuple(sorted(fonts.glob("*.[ot]tf"))))
    if cached:
        from briefing.errors import OutputError
        from briefing.files import write_atomic

        try:
            write_atomic(cached, svg.encode("utf-8"))
        except OutputError as err:  # a cache must never stop a build (a full disk, a file-size limit)
            logging.getLogger(__name__).warning("warning: chart not cached: %s", err)
    return svg


@dataclass(frozen=True)
class Drawn:
    urls: dict[str, str]  # chart name -> URL the HTML uses
    svgs: dict[str, str]  # URL key -> SVG text, served to WeasyPrint from memory
    drawn: int  # how many were drawn rather than taken from the cache
    overlaps: dict[str, list[str]] = field(default_factory=dict)  # chart name -> labels drawn over each other


def draw_charts(specs: dict[str, dict[str, Any]], paths: Paths) -> Drawn:
    """A document's charts (name -> spec), drawn or taken from the build's chart cache."""
    urls, svgs, drawn = {}, {}, 0
    for name, spec in specs.items():
        key = chart_key(spec)
        if not (paths.chart_cache / f"{key}.svg").is_file():
            drawn += 1
        svgs[key] = make_svg(spec, paths.chart_cache, paths.fonts)
        urls[name] = f"chart:{key}"
    return Drawn(urls, svgs, drawn, {name: found for name, url in urls.items()
                                     if (found := overlaps_in(svgs[url.removeprefix("chart:")]))})


# a memo, not state: Matplotlib's backend and a folder's fonts are set up once per folder and
# process (a build has one folder), and doing it again would change nothing
@functools.cache
def _setup(fonts: tuple[Path, ...]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    for font in fonts:
        try:
            font_manager.fontManager.addfont(str(font))
        except (OSError, RuntimeError, ValueError):
            pass  # a file in assets/fonts that is no font draws nothing (`briefing doctor` names it)


def _decimals(values: list[float]) -> int:
    d = 0
    for v in values:
        text = repr(float(v))
        if "e" not in text and not float(v).is_integer():
            d = max(d, len(text.split(".")[1]))
    return min(d, 2)


def _fmt(v: float, d: int, unit: str) -> str:
    text = f"{v:,.{d}f}"
    return text + "%" if unit.strip().startswith("%") else text


def _approx(spec: dict[str, Any], label: str) -> str:
    """'~' before a value the data marks approximate: the whole chart (True) or some labels."""
    marked = spec.get("approximate") or False
    return "~" if marked is True or (isinstance(marked, list) and label in marked) else ""


def _is_target(spec: dict[str, Any], label: str) -> bool:
    """The data marks this value a target or goal, not an actual (``Chart.targets``)."""
    return label in (spec.get("targets") or [])


TARGET_EDGE = 1.3  # points: a target's bar is its outline alone (IBCS: plan in outline, actual solid)


def _outline_targets(spec: dict[str, Any], bars: Any, labels: list[str]) -> None:
    """Bars of targets drawn as an outline in the bar's own colour, so a goal never reads as an actual."""
    for bar, label in zip(bars, labels, strict=True):
        if _is_target(spec, label):
            bar.set_edgecolor(bar.get_facecolor())
            bar.set_fill(False)
            bar.set_linewidth(TARGET_EDGE)


def _top(spec: dict[str, Any], values: list[float]) -> float:
    """The axis end: shared by every chart of the same unit in a document (``scale_max``)."""
    return max([*values, 0.0, float(spec.get("scale_max") or 0.0)])


# Every text Matplotlib draws from data is wrapped to (characters per line, lines) and ends in
# an ellipsis when longer, so no label runs out of the figure or squeezes the plot to nothing
# (savefig's tight box would otherwise grow the figure to hold a 200-character label). The
# alt text gives every label in full (see shortened_labels).
FIT: dict[str, tuple[int, int]] = {
    "bar": (34, 2), "pair": (34, 2), "column": (18, 2), "line": (14, 2), "donut": (20, 2), "timeline": (22, 2),
    "gantt": (30, 1), "legend": (32, 1), "line-end": (28, 1),
}


def _label(text: str, width: int = 26, lines: int = 2) -> str:
    """``text`` wrapped to ``lines`` lines of ``width`` characters, long words cut, "…" if cut short."""
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "\n".join(wrapped)


def _fits(text: str, fit: tuple[int, int]) -> bool:
    return len(textwrap.wrap(text, fit[0])) <= fit[1]


def _drawn_texts(spec: dict[str, Any]) -> list[tuple[str, tuple[int, int]]]:
    """Each data text a chart draws, with the fit it is drawn with."""
    kind = spec["kind"]
    if kind == "timeline":
        return [(ev["label"], FIT["timeline"]) for ev in spec["events"]]
    if kind == "gantt":
        return [(r["label"], FIT["gantt"]) for r in spec["rows"]]
    texts = [(label, FIT[kind]) for s in spec["series"] for label in s["values"]]
    names = [s["name"] for s in spec["series"] if s.get("name")]
    if kind == "line":
        texts += [(name, FIT["line-end"]) for name in names]
    elif len(spec["series"]) > 1:
        texts += [(name, FIT["legend"]) for name in names]
    return texts


def shortened_labels(spec: dict[str, Any]) -> list[str]:
    """The data texts this chart draws shortened with "…", in full: for the chart's alt text."""
    return list(dict.fromkeys(text for text, fit in _drawn_texts(spec) if not _fits(text, fit)))


def _draw(spec: dict[str, Any], key: str, fonts: tuple[Path, ...]) -> str:
    import io
    import warnings

    _setup(fonts)
    from matplotlib import rc_context, style
    from matplotlib.figure import Figure

    drawers = {"bar": _bar, "pair": _pair, "column": _column, "line": _line, "donut": _donut,
               "timeline": _timeline, "gantt": _gantt}
    with warnings.catch_warnings():
        # a missing glyph or a bad number must stop the build, not print a hole
        warnings.simplefilter("error")
        with style.context(str(STYLE)), rc_context({"svg.hashsalt": key, "svg.id": f"c{key[:8]}"}):
            fig = Figure(figsize=(WIDTH_IN, 2.4))
            try:
                drawers[spec["kind"]](fig, spec)
                clashes = overlapping_labels(fig)
                order_chart_text(fig)  # WeasyPrint draws SVG text unshaped, left to right
                buf = io.StringIO()
                fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
                # kept with the SVG, so a chart taken from the cache still reports them
                for a, b in clashes:
                    buf.write(f"<!-- {OVERLAP}: {_comment(a)} | {_comment(b)} -->\n")
            except (ValueError, RuntimeError, UserWarning, RecursionError) as err:
                raise RenderError(f"chart '{spec.get('title', spec['kind'])}': {err}") from None
    return buf.getvalue()


def _colour(spec: dict[str, Any], name: str) -> str:
    """A colour of the spec (``Palette.chart``), else of the package's design tokens."""
    if name == "accent":
        return spec.get("accent") or palette().primary
    return (spec.get("colours") or {}).get(name) or getattr(palette(), name)


def _comment(text: str) -> str:
    return " ".join(text.split()).replace("--", "–").replace("|", "/")


def overlapping_labels(fig: Any) -> list[tuple[str, str]]:
    """Pairs of texts the figure draws over each other (their boxes as Matplotlib lays them out)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    renderer = FigureCanvasAgg(fig).get_renderer()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    found = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            width = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            height = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if width > 1 and height > 1:  # pixels of overlap, not two boxes that touch
                found.append((a, b))
    return found


def overlaps_in(svg: str) -> list[str]:
    """The overlapping labels a drawn chart recorded: "'Joined' over 'Beijing 2022'"."""
    marker = f"<!-- {OVERLAP}: "
    return [f"'{a}' over '{b}'" for line in svg.splitlines() if line.startswith(marker)
            for a, _, b in [line[len(marker):-4].strip().partition(" | ")]]


def _palette(spec: dict[str, Any]) -> list[str]:
    """One colour per series (the accent first), so several series never look alike."""
    return spec.get("palette") or [_colour(spec, "accent"), *palette().series[1:]]


def _legend(series: dict[str, Any]) -> str | None:
    return _label(series["name"], *FIT["legend"]) if series.get("name") else None


def _colours(spec: dict[str, Any], labels: list[str]) -> list[str]:
    accent = _colour(spec, "accent")
    highlight = spec.get("highlight")
    if not highlight:
        return [accent] * len(labels)
    return [accent if lab == highlight else _colour(spec, "grey") for lab in labels]


def _series_colour(spec: dict[str, Any], index: int) -> str:
    palette = _palette(spec)
    return palette[index % len(palette)]


def _finite(values: list[float]) -> None:
    for v in values:
        if not math.isfinite(v):
            raise ValueError(f"value {v} is not a finite number")


def _bar(fig, spec):
    series = spec["series"]
    labels = list(series[0]["values"])
    n = len(labels)
    fig.set_size_inches(WIDTH_IN, 0.34 * n * max(1, len(series) * 0.8) + 0.35)
    ax = fig.add_subplot()
    everything = [v for s in series for v in s["values"].values()]
    _finite(everything)
    d = _decimals(everything)
    height = 0.7 / len(series)
    top = _top(spec, everything)
    for si, s in enumerate(series):
        vals = [s["values"].get(lab, 0.0) for lab in labels]
        ys = [i + (si - (len(series) - 1) / 2) * height for i in range(n)]
        colours = _colours(spec, labels) if len(series) == 1 else [_series_colour(spec, si)] * n
        _outline_targets(spec, ax.barh(ys, vals, height=height * 0.92, color=colours, label=_legend(s)), labels)
        for y, v, lab in zip(ys, vals, labels, strict=True):
            ax.text(v + top * 0.01 if v >= 0 else v - top * 0.01, y, _approx(spec, lab) + _fmt(v, d, spec["unit"]),
                    va="center", ha="left" if v >= 0 else "right", fontsize=7.5, color=_colour(spec, "ink"))
    ax.set_yticks(range(n), [_label(lab, *FIT["bar"]) for lab in labels])
    ax.invert_yaxis()
    ax.set_xlim(min(0, min(everything) * 1.15), top * 1.12 if top > 0 else 1)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=7, loc="lower right")


def difference(spec: dict[str, Any]) -> str:
    """The change from the first value to the second, in words, as the pair chart prints it:
    "up 32 (+145%)", "down about 2 points" (shares in %; "about" when either value is approximate);
    to a target (``Chart.targets``) the gap: "about 25 points to target"."""
    (first, a), (second, b) = list(spec["series"][0]["values"].items())
    about = "about " if _approx(spec, first) or _approx(spec, second) else ""
    change = b - a
    if change == 0:
        return "unchanged"
    number = f"{abs(change):,.{_decimals([a, b])}f}"
    way = "up" if change > 0 else "down"
    points = spec["unit"].strip().startswith("%")
    if _is_target(spec, second):  # the gap to a goal, not a change that happened
        return f"{about}{number}{' point' if points else ''}{'s' if points and abs(change) != 1 else ''} to target"
    if points:
        return f"{way} {about}{number} point{'s' if abs(change) != 1 else ''}"
    return f"{way} {about}{number}" + (f" ({change / a:+.0%})" if a else "")


def _pair(fig, spec):
    """Two numbers: two bars on the document's scale for the unit and, beside the second, the
    change between them, so the chart shows what its title states."""
    values = spec["series"][0]["values"]
    labels = list(values)
    vals = [float(values[label]) for label in labels]
    _finite(vals)
    fig.set_size_inches(WIDTH_IN, 0.95)
    ax = fig.add_subplot()
    d = _decimals(vals)
    top = _top(spec, vals)
    _outline_targets(spec, ax.barh([0, 1], vals, height=0.62, color=_colours(spec, labels)), labels)
    for y, v, lab in zip([0, 1], vals, labels, strict=True):
        ax.text(v + top * 0.01 if v >= 0 else v - top * 0.01, y, _approx(spec, lab) + _fmt(v, d, spec["unit"]),
                va="center", ha="left" if v >= 0 else "right", fontsize=8, color=_colour(spec, "ink"))
    ax.text(top * 1.55, 1, difference(spec), va="center", ha="right", fontsize=9,
            color=_colour(spec, "accent"))
    ax.set_yticks([0, 1], [_label(lab, *FIT["pair"]) for lab in labels])
    ax.invert_yaxis()
    ax.set_xlim(min(0, min(vals) * 1.15), top * 1.55 if top > 0 else 1)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)


def _column(fig, spec):
    series = spec["series"]
    labels = list(series[0]["values"])
    n = len(labels)
    fig.set_size_inches(min(WIDTH_IN, 1.3 + 1.1 * n * len(series)), 2.3)
    ax = fig.add_subplot()
    everything = [v for s in series for v in s["values"].values()]
    _finite(everything)
    d = _decimals(everything)
    width = 0.6 / len(series)
    top = _top(spec, everything)
    for si, s in enumerate(series):
        vals = [s["values"].get(lab, 0.0) for lab in labels]
        xs = [i + (si - (len(series) - 1) / 2) * width for i in range(n)]
        colours = _colours(spec, labels) if len(series) == 1 else [_series_colour(spec, si)] * n
        _outline_targets(spec, ax.bar(xs, vals, width=width * 0.9, color=colours, label=_legend(s)), labels)
        for x, v, lab in zip(xs, vals, labels, strict=True):
            ax.text(x, v + top * 0.02, _approx(spec, lab) + _fmt(v, d, spec["unit"]), ha="center", va="bottom",
                    fontsize=8, color=_colour(spec, "ink"))
    ax.set_xticks(range(n), [_label(lab, *FIT["column"]) for lab in labels])
    ax.set_ylim(min(0, min(everything) * 1.15), top * 1.18 if top > 0 else 1)
    ax.yaxis.set_visible(False)
    ax.spines["left"].set_visible(False)
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=7)


def _line(fig, spec):
    ax = fig.add_subplot()
    palette = _palette(spec)
    everything = [v for s in spec["series"] for v in s["values"].values()]
    _finite(everything)
    d = _decimals(everything)
    for si, s in enumerate(spec["series"]):
        labels = list(s["values"])
        vals = list(s["values"].values())
        colour = palette[si % len(palette)]
        ax.plot(range(len(vals)), vals, color=colour, linewidth=1.6, marker="o", markersize=3,
                markevery=[i for i, lab in enumerate(labels) if not _is_target(spec, lab)])
        targets = [i for i, lab in enumerate(labels) if _is_target(spec, lab)]
        if targets:  # a target is a hollow point: the line leads to it, it is not reached
            ax.plot(targets, [vals[i] for i in targets], linestyle="none", marker="o", markersize=4.5,
                    markerfacecolor="none", markeredgecolor=colour, markeredgewidth=TARGET_EDGE)
        last = _approx(spec, labels[-1]) + _fmt(vals[-1], d, spec["unit"])
        name = _label(s.get("name") or "", *FIT["line-end"])
        ax.text(len(vals) - 1 + 0.08, vals[-1], f"{last}  {name}",
                va="center", fontsize=7.5, color=colour)
        ax.set_xticks(range(len(labels)), [_label(lab, *FIT["line"]) for lab in labels])
    if spec.get("scale_max"):
        ax.set_ylim(min(0, min(everything)), _top(spec, everything) * 1.1)
    ax.grid(axis="y", color=_colour(spec, "grid"), linewidth=0.5)


def _donut(fig, spec):
    fig.set_size_inches(WIDTH_IN, 2.4)
    ax = fig.add_subplot()
    values = spec["series"][0]["values"]
    vals = list(values.values())
    _finite(vals)
    labels = list(values)
    d = _decimals(vals)
    colours = _colours(spec, labels)
    ax.pie(vals, colors=colours, startangle=90, counterclock=False,
           wedgeprops={"width": 0.38, "edgecolor": "white", "linewidth": 1},
           labels=[f"{_label(lab, *FIT['donut'])}\n{_approx(spec, lab)}{_fmt(v, d, spec['unit'])}"
                   for lab, v in zip(labels, vals, strict=True)],
           textprops={"fontsize": 7.5})
    ax.set_aspect("equal")


def _timeline(fig, spec):
    """The partnership's marks in order, evenly spaced across the full measure: when it was
    joined (the date the data gives), each Games edition by its name, and the end of the term.
    Editions are placed in sequence, not on a scale of years: the name of an edition is not a
    date ("Tokyo 2020" was held in 2021), so the chart states no date the data does not give,
    and no year is printed twice under a name that holds it."""
    events = spec["events"]  # [{"label": "PyeongChang 2018", "mark": "games"}, ...]
    n = len(events)
    fig.set_size_inches(WIDTH_IN, 0.6)
    ax = fig.add_axes((0, 0, 1, 1))
    accent = _colour(spec, "accent")
    ax.plot([-0.45, n - 0.55], [0, 0], color=_colour(spec, "grey"), linewidth=1.2, solid_capstyle="round")
    for i, ev in enumerate(events):
        up = i % 2 == 0
        term = ev.get("mark") == "term"
        ax.plot([i], [0], marker="o", markersize=4.5 if term else 6, color=_colour(spec, "ink") if term else accent,
                markeredgecolor="white", markeredgewidth=0.8)
        dated = f"\n{ev['date']}" if ev.get("date") else ""
        ax.text(i, 0.22 if up else -0.22, _label(ev["label"], *FIT["timeline"]) + dated, ha="center",
                va="bottom" if up else "top", fontsize=TIMELINE_PT,
                color=_colour(spec, "muted" if term else "ink"))
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(-1.0, 1.0)
    ax.axis("off")


def _gantt(fig, spec):
    """Partnership terms of every sponsor in a book, one bar per sponsor."""
    rows = spec["rows"]  # [{"label": name, "start": 2017.0, "end": 2028.99}]
    fig.set_size_inches(WIDTH_IN, 0.3 * len(rows) + 0.5)
    ax = fig.add_subplot()
    accent = _colour(spec, "accent")
    for i, r in enumerate(rows):
        ax.barh(i, r["end"] - r["start"], left=r["start"], height=0.5, color=accent)
        ax.text(r["end"] + 0.15, i, r["text"], va="center", fontsize=7)
    ax.set_yticks(range(len(rows)), [_label(r["label"], *FIT["gantt"]) for r in rows])
    ax.invert_yaxis()
    lo = min(int(r["start"]) for r in rows)
    hi = max(int(math.ceil(r["end"])) for r in rows)
    ax.set_xlim(lo - 0.5, hi + 2)
    ax.xaxis.set_major_locator(__import__("matplotlib").ticker.MaxNLocator(integer=True))
    ax.grid(axis="x", color=_colour(spec, "grid"), linewidth=0.5)
    ax.set_axisbelow(True)
