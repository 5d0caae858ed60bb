"""Plotly figures for the progress charts, made from the plain data of app.services.progress.

Pure functions: no database, no request. Texts go through gettext, so call them where a locale is set
(a request, or flask_babel.force_locale). Every series differs by more than colour: lines by dash style
and marker shape, bars by fill pattern. The colours come from the Okabe-Ito palette for colour-blind
readers, darkened where needed for 3:1 contrast against white. Dates and months are formatted with Babel
in the user's language (plotly.js itself would show English month names).
"""

from __future__ import annotations

import html
import json
import textwrap
from datetime import date, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _

from app.charts import figures as go  # plain dicts, as plotly.js reads them
from app.models import MomentKind, StressStatus
from app.models.plans import SCORE_MAX, SCORE_MIN
from app.services.progress import (
    FamilyProgress,
    FocusByMonth,
    GoalSeries,
    MomentsByMonth,
    StressByMonth,
    months_between,
)
from app.web.templating import calendar_day

BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#007A5A"
PURPLE = "#AA3377"
GREY = "#6C757D"
TEXT = "#212529"
GRID = "#DEE2E6"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
HEIGHT = 360
TITLE_WIDTH = 40  # characters on a line of a chart title; plotly does not wrap

# Passed to Plotly.newPlot by static/js/charts.js (it also reads them from each figure's "config"). No mode bar:
# the axes are fixed, and its buttons would be controls inside an element that screen readers see as one image.
CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}


def figure_dict(fig: go.Figure) -> dict:
    """A figure as a JSON-safe dict (data, layout and the config for Plotly.newPlot)."""
    result = json.loads(fig.to_json())
    result["config"] = dict(CONFIG)
    return result


def progress_figures(progress: FamilyProgress) -> dict[str, dict]:
    """Every chart that has data, by name: "goal-<key>" per scored goal, "moments", "tags", "focus", "stress"."""
    figures: dict[str, go.Figure] = {}
    for goal in progress.goals:
        if goal.has_scores:
            figures[f"goal-{goal.key}"] = goal_figure(goal)
    if not progress.moments.is_empty:
        figures["moments"] = moments_figure(progress.moments)
    if progress.moments.top_tags:
        figures["tags"] = tags_figure(progress.moments)
    if not progress.focus.is_empty:
        figures["focus"] = focus_figure(progress.focus)
    if not progress.stress.is_empty:
        figures["stress"] = stress_figure(progress.stress)
    return {name: figure_dict(fig) for name, fig in figures.items()}


# -- formatting -----------------------------------------------------------------------------------------------------


def month_label(month: date) -> str:
    """A short month for an axis: "Jan 2026", "jan 2026"."""
    return calendar_day(month, "month", str(get_locale()))


def day_label(day: date) -> str:
    return calendar_day(day, "medium", str(get_locale()))


def _wrap(text: str, width: int, lines: int = 2) -> str:
    """Plotly does not wrap text: break it with <br>, and shorten what is longer than `lines` lines.

    Plotly reads a few HTML tags in texts; the text is escaped so that a "<b>" in a goal stays as typed.
    """
    wrapped = textwrap.wrap(text, width, max_lines=lines, placeholder=" …") or [text]
    return "<br>".join(html.escape(line, quote=False) for line in wrapped)


def _layout(title: str, right: int = 16, **extra) -> dict:
    """The shared look: the title on top (wrapped, up to three lines), the legend at the bottom, no template."""
    title = _wrap(title, TITLE_WIDTH, 3)
    lines = title.count("<br>") + 1
    layout = {
        "template": "none",
        "title": {
            "text": title,
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "pad": {"l": 4},
            # plotly sets the first line of a title at y and the next lines below it: the first line's foot sits
            # 24px from the top, and the top margin grows with the number of lines.
            "yref": "container",
            "y": 1 - 24 / HEIGHT,
            "yanchor": "bottom",
            "font": {"size": 15},
        },
        "font": {"family": FONT, "size": 13, "color": TEXT},
        "height": HEIGHT,
        "autosize": True,
        "margin": {"l": 48, "r": right, "t": 32 + 20 * lines, "b": 40, "pad": 4},
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "showlegend": True,
        # Below the chart: it may take several rows on a phone, and pushes the margin instead of the title.
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "traceorder": "normal",
        },
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


def _pattern(shape: str) -> dict:
    """A white hatch over the bar's own colour, so bars differ by more than colour (also in the legend)."""
    return {"shape": shape, "fillmode": "overlay", "fgcolor": "#FFFFFF", "size": 8, "solidity": 0.3}


def _count_axis(title: str, maximum: int, below: float = 0) -> dict:
    """Whole numbers from zero; `below` leaves room under zero for markers drawn there."""
    return {
        "title": {"text": title},
        "range": [-below, max(maximum, 4) * 1.15],
        "dtick": max(1, -(-max(maximum, 4) // 5)),  # whole numbers, about five steps
        "tickformat": "d",
        "gridcolor": GRID,
        "zeroline": True,
        "zerolinecolor": GREY,
        "automargin": True,
        "fixedrange": True,
    }


def _month_axis(months: list[date]) -> dict:
    return {
        "title": {"text": _("Month")},
        "type": "category",
        "tickangle": -45 if len(months) > 8 else 0,
        "automargin": True,
        "fixedrange": True,
        "showgrid": False,
        "linecolor": GREY,
    }


def _date_ticks(first: date, last: date) -> tuple[list[str], list[str]]:
    """A tick on the first of each month (every second or third month over a long span), labelled by Babel."""
    months = [m for m in months_between(first, last) if first <= m <= last] or [first.replace(day=1)]
    step = 1 if len(months) <= 6 else (2 if len(months) <= 14 else 3)
    shown = months[::step]
    return [m.isoformat() for m in shown], [month_label(m) for m in shown]


# -- goal scores ----------------------------------------------------------------------------------------------------


def goal_figure(goal: GoalSeries) -> go.Figure:
    """The worker's and the parent's 0-10 scores of one goal over time, with the start and target as dashed lines."""
    worker_name, parent_name = _("Care worker"), _("Parent")
    fig = go.Figure()
    for name, points, colour, symbol, dash in (
        (worker_name, goal.worker, BLUE, "circle", "solid"),
        (parent_name, goal.parent, PURPLE, "diamond", "dot"),
    ):
        if not points:
            continue
        fig.add_trace(
            go.Scatter(
                name=name,
                x=[p.on.isoformat() for p in points],
                y=[p.score for p in points],
                customdata=[day_label(p.on) for p in points],
                mode="lines+markers",
                line={"color": colour, "width": 2.5, "dash": dash},
                marker={"color": colour, "symbol": symbol, "size": 9, "line": {"color": "#FFFFFF", "width": 1}},
                hovertemplate=f"%{{customdata}}<br>{name}: %{{y}}<extra></extra>",
            )
        )
    days = [p.on for p in (*goal.worker, *goal.parent)]
    first, last = min(days), max(days)
    pad = timedelta(days=max(7, (last - first).days // 40))
    tickvals, ticktext = _date_ticks(first - pad, last + pad)
    title = goal.title
    if goal.status.value != "active":
        title = f"{title} ({goal.status.label.lower()})"
    lines = (
        (goal.start_score, _("Start: %(score)d", score=goal.start_score), GREY),
        (goal.target_score, _("Target: %(score)d", score=goal.target_score), GREEN),
    )
    fig.update_layout(
        **_layout(
            title,
            xaxis={
                "title": {"text": _("Date")},
                "type": "date",
                "range": [(first - pad).isoformat(), (last + pad).isoformat()],
                "tickvals": tickvals,
                "ticktext": ticktext,
                "automargin": True,
                "fixedrange": True,
                "showgrid": False,
                "linecolor": GREY,
            },
            yaxis={
                "title": {"text": _("Score (0 to 10)")},
                "automargin": True,
                "range": [SCORE_MIN - 0.5, SCORE_MAX + 0.5],
                "tickvals": list(range(SCORE_MIN, SCORE_MAX + 1, 2)),
                "gridcolor": GRID,
                "zeroline": False,
                "fixedrange": True,
            },
            # Room for the start and target labels, which are longer in some languages ("Streefcijfer: 10").
            right=max(84, 7 * max(len(label) for _score, label, _colour in lines) + 8),
            shapes=[
                {
                    "type": "line",
                    "name": name,
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "yref": "y",
                    "y0": score,
                    "y1": score,
                    "line": {"color": colour, "width": 2, "dash": "dash"},
                    "layer": "between",  # above the grid lines, under the scores
                }
                for name, (score, _label, colour) in zip(("start", "target"), lines, strict=True)
            ],
            annotations=[
                {
                    "name": name,
                    "text": label,
                    "xref": "paper",
                    "x": 1,
                    "xanchor": "left",
                    "xshift": 4,
                    "yref": "y",
                    "y": score,
                    # Beside the line, in the right margin; when the lines are one apart the labels move apart.
                    "yanchor": _label_anchor(name, goal),
                    "showarrow": False,
                    "font": {"color": colour, "size": 12},
                    "bgcolor": "rgba(255,255,255,0.8)",
                }
                for name, (score, label, colour) in zip(("start", "target"), lines, strict=True)
            ],
        )
    )
    return fig


def _label_anchor(name: str, goal: GoalSeries) -> str:
    if abs(goal.target_score - goal.start_score) > 1:
        return "middle"
    lower = "start" if goal.start_score <= goal.target_score else "target"
    return "top" if name == lower else "bottom"  # the lower label under its line, the other above


# -- moments --------------------------------------------------------------------------------------------------------


def moments_figure(moments: MomentsByMonth, title: str | None = None) -> go.Figure:
    """Positive and difficult moments per month, side by side (of a family, or of a team: same shape)."""
    x = [month_label(m) for m in moments.months]
    fig = go.Figure()
    for kind, counts, colour, pattern in (
        (MomentKind.POSITIVE, moments.positive, GREEN, ""),
        (MomentKind.DIFFICULT, moments.difficult, VERMILLION, "/"),
    ):
        name = _("Positive moments") if kind == MomentKind.POSITIVE else _("Difficult moments")
        fig.add_trace(
            go.Bar(
                name=name,
                x=x,
                y=counts,
                marker={
                    "color": colour,
                    "line": {"width": 0},
                    "pattern": _pattern(pattern),
                },
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
            )
        )
    fig.update_layout(
        **_layout(
            title or _("Moments per month"),
            barmode="group",
            bargap=0.25,
            hovermode="x unified",
            xaxis=_month_axis(moments.months),
            yaxis=_count_axis(_("Number of moments"), max([*moments.positive, *moments.difficult], default=0)),
        )
    )
    return fig


def tags_figure(moments: MomentsByMonth) -> go.Figure:
    """The tags that recur most, the most frequent on top; positive and difficult tags told apart."""
    labels = [_wrap(t.tag.label, 30) for t in moments.top_tags]
    fig = go.Figure()
    for kind, colour, pattern in ((MomentKind.POSITIVE, GREEN, ""), (MomentKind.DIFFICULT, VERMILLION, "/")):
        rows = [(label, t.count) for label, t in zip(labels, moments.top_tags, strict=True) if t.tag.kind == kind]
        if not rows:
            continue
        name = _("Positive moments") if kind == MomentKind.POSITIVE else _("Difficult moments")
        fig.add_trace(
            go.Bar(
                name=name,
                orientation="h",
                y=[label for label, _count in rows],
                x=[count for _label, count in rows],
                text=[count for _label, count in rows],
                textposition="outside",
                cliponaxis=False,
                marker={
                    "color": colour,
                    "line": {"width": 0},
                    "pattern": _pattern(pattern),
                },
                hovertemplate=f"%{{y}}: %{{x}}<extra>{name}</extra>",
            )
        )
    most = max((t.count for t in moments.top_tags), default=0)
    fig.update_layout(
        **_layout(
            _("Tags that recur most"),
            barmode="overlay",
            bargap=0.3,
            xaxis={**_count_axis(_("Number of moments"), most), "zeroline": False},
            yaxis={
                "type": "category",
                "categoryorder": "array",
                "categoryarray": labels,
                "autorange": "reversed",
                "automargin": True,
                "fixedrange": True,
                "ticks": "",
            },
        )
    )
    return fig


# -- help focus -----------------------------------------------------------------------------------------------------


def focus_figure(focus: FocusByMonth, title: str | None = None) -> go.Figure:
    """Per month, how many sessions were aimed at the parent, the child and family stress (family or team)."""
    x = [month_label(m) for m in focus.months]
    fig = go.Figure()
    for name, counts, colour, symbol, dash in (
        (_("Parent"), focus.parent, BLUE, "circle", "solid"),
        (_("Child"), focus.child, VERMILLION, "square", "dash"),
        (_("Family stress"), focus.stress, PURPLE, "diamond", "dot"),
    ):
        fig.add_trace(
            go.Scatter(
                name=name,
                x=x,
                y=counts,
                mode="lines+markers",
                line={"color": colour, "width": 2.5, "dash": dash},
                marker={"color": colour, "symbol": symbol, "size": 9, "line": {"color": "#FFFFFF", "width": 1}},
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
            )
        )
    fig.update_layout(
        **_layout(
            title or _("Sessions per month, by help focus"),
            hovermode="x unified",
            xaxis=_month_axis(focus.months),
            yaxis=_count_axis(
                _("Number of sessions"), max([*focus.parent, *focus.child, *focus.stress], default=0), below=0.3
            ),
        )
    )
    return fig


# -- family stress --------------------------------------------------------------------------------------------------


def stress_figure(stress: StressByMonth) -> go.Figure:
    """Stress items at the end of each month, stacked by status."""
    x = [month_label(m) for m in stress.months]
    fig = go.Figure()
    for status, counts, colour, pattern in (
        (StressStatus.OPEN, stress.open, VERMILLION, "/"),
        (StressStatus.IN_PROGRESS, stress.in_progress, BLUE, "."),
        (StressStatus.RESOLVED, stress.resolved, GREEN, ""),
    ):
        name = status.label
        fig.add_trace(
            go.Bar(
                name=name,
                x=x,
                y=counts,
                marker={
                    "color": colour,
                    "line": {"width": 0},
                    "pattern": _pattern(pattern),
                },
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
            )
        )
    totals = [a + b + c for a, b, c in zip(stress.open, stress.in_progress, stress.resolved, strict=True)]
    fig.update_layout(
        **_layout(
            _("Stress items at the end of each month"),
            barmode="stack",
            bargap=0.3,
            hovermode="x unified",
            xaxis=_month_axis(stress.months),
            yaxis=_count_axis(_("Number of items"), max(totals, default=0)),
        )
    )
    return fig
