"""A small line of a goal's 0-10 scores over time, for the printed plan: SVG that WeasyPrint draws as well as a
browser (the family page's plotly charts need JavaScript, a PDF has none). Not the lists' one-series trend
(web/templating.sparkline_points): this one has two dated series and the start and target marks.

Pure: plain (date, score) lists in, drawing primitives and SVG shapes out (macros/score_line.html writes them,
escaped); no database, no request, no gettext (the caller passes the words, already in the print language).
The two series differ by more than colour, so a black-and-white print keeps them apart: the parent's own scores
are a solid line with filled dots, the care worker's a dashed line with open squares. The start is an open
triangle at the left edge, "where you want to be" a dotted line with a star at the right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

SCORE_MIN, SCORE_MAX = 0, 10

# Calm colours that stay apart in grey: the parent's series darkest, the worker's a mid tone, the target green-grey.
PARENT_COLOUR = "#1b5e6e"
WORKER_COLOUR = "#9a5b13"
START_COLOUR = "#222222"
TARGET_COLOUR = "#3c7a4e"
GRID_COLOUR = "#c9d3d8"
LABEL_COLOUR = "#4a4a4a"

# The drawing in user units; CSS scales it to the column it sits in.
WIDTH, HEIGHT = 240.0, 62.0
LEFT, RIGHT, TOP, BOTTOM = 16.0, 12.0, 5.5, 12.5  # room for the 0/5/10 labels, the star and the dates
START_GAP = 14.0  # the start stands a little apart, before the first scoring
MANY_DAYS = 12


@dataclass(frozen=True)
class Polyline:
    series: str  # "parent" or "worker"
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Marker:
    kind: str  # "parent", "worker", "start" or "target"
    x: float
    y: float
    size: float = 4.2


@dataclass(frozen=True)
class Rule:
    """A horizontal line across the plot: a grid line (with its score) or the target."""

    kind: str  # "grid" or "target"
    y: float
    score: int


@dataclass(frozen=True)
class Label:
    kind: str  # "axis" (a score) or "date"
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Drawing:
    rules: tuple[Rule, ...]
    lines: tuple[Polyline, ...]
    markers: tuple[Marker, ...]
    labels: tuple[Label, ...]


def _y(score: int) -> float:
    clamped = min(max(score, SCORE_MIN), SCORE_MAX)
    return TOP + (HEIGHT - TOP - BOTTOM) * (SCORE_MAX - clamped) / (SCORE_MAX - SCORE_MIN)


def drawing(
    worker: Sequence[tuple[date, int]],
    parent: Sequence[tuple[date, int]],
    start: int,
    target: int,
    date_labels: tuple[str, str] | None = None,
) -> Drawing:
    """The primitives of one goal's line: x is the date (scorings on one day share a column), y the score.

    `worker` and `parent` are (date, score) in date order; `date_labels` the first and last date as words.
    """
    days = sorted({on for on, _ in worker} | {on for on, _ in parent})
    x0, x1 = LEFT + START_GAP, WIDTH - RIGHT
    span = (days[-1] - days[0]).days if days else 0

    def x(on: date) -> float:
        if span == 0:  # one day of scores: in the middle of the time axis
            return (x0 + x1) / 2
        return x0 + (x1 - x0) * (on - days[0]).days / span

    rules = tuple(Rule("grid", _y(score), score) for score in (SCORE_MIN, 5, SCORE_MAX)) + (
        Rule("target", _y(target), target),
    )
    lines = []
    markers = [Marker("start", LEFT, _y(start))]
    # Many scorings: smaller marks, and past MANY_DAYS only the first and the latest, or they would run into
    # each other; the line style still tells the two series apart.
    dot = 4.2 if len(days) <= 6 else 3.2
    for name, series in (("worker", worker), ("parent", parent)):  # the parent's drawn last: on top
        points = tuple((x(on), _y(score)) for on, score in series)
        if len(points) > 1:
            lines.append(Polyline(name, points))
        marked = points if len(days) <= MANY_DAYS else points[:1] + points[-1:]
        markers += [Marker(name, px, py, dot) for px, py in marked]
    markers.append(Marker("target", WIDTH - RIGHT / 2, _y(target)))
    labels = [Label("axis", LEFT - 5, _y(score) + 3, str(score), "end") for score in (SCORE_MIN, 5, SCORE_MAX)]
    if date_labels and days:
        first, last = date_labels
        baseline = HEIGHT - 2
        if span == 0 or first == last:
            labels.append(Label("date", (x0 + x1) / 2, baseline, first, "middle"))
        else:
            labels += [Label("date", x0, baseline, first, "start"), Label("date", x1, baseline, last, "end")]
    return Drawing(rules, tuple(lines), tuple(markers), tuple(labels))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Shape:
    """One SVG element: its tag, its attributes and its text. Jinja writes it out (macros/score_line.html),
    escaping every value, so nothing here is trusted markup."""

    tag: str
    attrs: dict[str, str]
    text: str = ""


def marker_shape(kind: str, x: float, y: float, size: float = 4.2) -> Shape:
    """One marker; the same shapes make the legend (`swatch`)."""
    r = size
    if kind == "parent":  # a filled dot
        return Shape("circle", {"cx": _num(x), "cy": _num(y), "r": _num(r), "fill": PARENT_COLOUR})
    if kind == "worker":  # an open square
        s = r * 0.85
        return Shape(
            "rect",
            {
                "x": _num(x - s),
                "y": _num(y - s),
                "width": _num(2 * s),
                "height": _num(2 * s),
                "fill": "#ffffff",
                "stroke": WORKER_COLOUR,
                "stroke-width": "1.8",
            },
        )
    if kind == "start":  # an open triangle
        h = r * 1.15
        points = f"{_num(x)},{_num(y - h)} {_num(x + h)},{_num(y + h * 0.8)} {_num(x - h)},{_num(y + h * 0.8)}"
        return Shape(
            "polygon",
            {
                "points": points,
                "fill": "#ffffff",
                "stroke": START_COLOUR,
                "stroke-width": "1.6",
                "stroke-linejoin": "round",
            },
        )
    # the target: a five-pointed star
    outer, inner = r * 1.35, r * 0.6
    star = []
    for i in range(10):
        angle = math.pi / 2 + i * math.pi / 5
        radius = outer if i % 2 == 0 else inner
        star.append(f"{_num(x + radius * math.cos(angle))},{_num(y - radius * math.sin(angle))}")
    return Shape("polygon", {"points": " ".join(star), "fill": TARGET_COLOUR})


LINE_STYLE = {
    "parent": {"stroke": PARENT_COLOUR, "stroke-width": "2.4"},
    "worker": {"stroke": WORKER_COLOUR, "stroke-width": "2", "stroke-dasharray": "5 3"},
}


@dataclass(frozen=True)
class Chart:
    """A line of scores ready to draw: the SVG's size, its text alternative and its elements in drawing order."""

    element_id: str
    title: str
    width: str
    height: str
    shapes: tuple[Shape, ...]


def shapes(picture: Drawing) -> tuple[Shape, ...]:
    """The drawing as SVG elements, back to front: grid, target line, labels, the two lines, the markers."""
    out: list[Shape] = []
    for rule in picture.rules:
        y = _num(rule.y)
        if rule.kind == "grid":
            out.append(
                Shape(
                    "line",
                    {"class": "grid", "x1": _num(LEFT), "y1": y, "x2": _num(WIDTH - RIGHT), "y2": y}
                    | {"stroke": GRID_COLOUR, "stroke-width": "0.8"},
                )
            )
        else:
            out.append(
                Shape(
                    "line",
                    {"class": "target", "x1": _num(LEFT), "y1": y, "x2": _num(WIDTH - RIGHT / 2), "y2": y}
                    | {"stroke": TARGET_COLOUR, "stroke-width": "1.4", "stroke-dasharray": "1.5 2.5"}
                    | {"stroke-linecap": "round"},
                )
            )
    for label in picture.labels:
        attrs = {"class": f"label-{label.kind}", "x": _num(label.x), "y": _num(label.y)}
        attrs |= {"font-size": "8.5" if label.kind == "axis" else "9", "fill": LABEL_COLOUR}
        out.append(Shape("text", attrs | {"text-anchor": label.anchor}, label.text))
    for line in picture.lines:
        points = " ".join(f"{_num(px)},{_num(py)}" for px, py in line.points)
        attrs = {"class": f"series-{line.series}", "points": points, "fill": "none"} | LINE_STYLE[line.series]
        out.append(Shape("polyline", attrs | {"stroke-linejoin": "round", "stroke-linecap": "round"}))
    for marker in picture.markers:
        shape = marker_shape(marker.kind, marker.x, marker.y, marker.size)
        out.append(Shape(shape.tag, {"class": f"marker-{marker.kind}"} | shape.attrs))
    return tuple(out)


def swatch(kind: str) -> tuple[Shape, ...]:
    """A legend key (24 x 14): the marker, with a bit of its line for the two series."""
    marker = marker_shape(kind, 12, 7, 3.6)
    if kind not in LINE_STYLE:
        return (marker,)
    return (Shape("line", {"x1": "1", "y1": "7", "x2": "23", "y2": "7", "fill": "none"} | LINE_STYLE[kind]), marker)


def score_line(
    worker: Sequence[tuple[date, int]],
    parent: Sequence[tuple[date, int]],
    start: int,
    target: int,
    *,
    title: str,
    element_id: str,
    date_labels: tuple[str, str] | None = None,
) -> Chart:
    """One goal's scores over time, ready to draw with its text alternative; see `drawing` for the arguments."""
    picture = drawing(worker, parent, start, target, date_labels)
    return Chart(element_id, title, _num(WIDTH), _num(HEIGHT), shapes(picture))
