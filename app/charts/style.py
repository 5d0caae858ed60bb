"""The look shared by every chart, of a family and of a team: colours, fonts, axes, titles and numbers as text.

Texts go through gettext and Babel, so call these where a locale is set (a request, or flask_babel.force_locale).
The colours come from the Okabe-Ito palette for colour-blind readers, darkened where needed for 3:1 contrast
against white.
"""

from __future__ import annotations

import html
import json
import textwrap
from datetime import date

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _

from app import dates
from app.charts import figures as go
from app.dates import month_of, months_between
from app.models.plans import SCORE_MAX, SCORE_MIN

BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#007A5A"
PURPLE = "#AA3377"
GREY = "#6C757D"
TEXT = "#212529"
GRID = "#DEE2E6"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
HEIGHT = 360
PARTIAL_OPACITY = 0.45  # a month not over yet is drawn lighter, on a band of this grey
PARTIAL_BAND = "#F1F3F5"
TITLE_WIDTH = 40  # characters on a line of a chart title; plotly does not wrap

# Passed to Plotly.newPlot by static/js/charts.js (it also reads them from each figure's "config"). No mode bar:
# the axes are fixed, and its buttons would be controls inside an element that screen readers see as one image.
CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}


def figure_dict(fig: go.Figure) -> dict:
    """A figure as a JSON-safe dict (data, layout and the config for Plotly.newPlot)."""
    result = json.loads(fig.to_json())
    result["config"] = dict(CONFIG)
    return result


# -- text -----------------------------------------------------------------------------------------------------------


def month_label(month: date) -> str:
    """A short month for an axis: "Jan 2026", "jan 2026"."""
    return dates.calendar_day(month, dates.MONTH_SHORT, str(get_locale()))


def is_partial(months: list[date], partial_until: date | None) -> bool:
    """Whether the last of these months is counted only up to a day: the current month, not over yet."""
    return bool(months) and partial_until is not None and month_of(partial_until) == months[-1]


def month_labels(months: list[date], partial_until: date | None = None) -> list[str]:
    """Short months for a month axis; a month not over yet says so ("Dec 2026 so far")."""
    labels = [month_label(m) for m in months]
    if is_partial(months, partial_until):
        labels[-1] = _("%(month)s so far", month=labels[-1])
    return labels


def partial_opacity(months: list[date], partial_until: date | None) -> float | list[float]:
    """Full for whole months, lighter for a month not over yet: its count is not comparable with the others."""
    if not is_partial(months, partial_until):
        return 1
    return [1.0] * (len(months) - 1) + [PARTIAL_OPACITY]


def partial_month(months: list[date], partial_until: date | None) -> dict:
    """Layout for a month axis whose last month is not over: a grey band behind it, "until 2 Dec" above it."""
    if not is_partial(months, partial_until):
        return {}
    assert partial_until is not None
    last = len(months) - 1
    until = _("until %(day)s", day=dates.calendar_day(partial_until, dates.DAY_MONTH, str(get_locale())))
    return {
        "shapes": [
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": last - 0.5,
                "x1": last + 0.5,
                "y0": 0,
                "y1": 1,
                "fillcolor": PARTIAL_BAND,
                "line": {"width": 0},
                "layer": "below",
            }
        ],
        "annotations": [
            {
                "xref": "x",
                "yref": "paper",
                "x": last,
                "y": 1,
                "yanchor": "bottom",
                "text": html.escape(until, quote=False),
                "showarrow": False,
                "font": {"size": 11, "color": TEXT},
            }
        ],
    }


def day_label(day: date) -> str:
    return dates.calendar_day(day, dates.DAY, str(get_locale()))


def wrap(text: str, width: int, lines: int = 2) -> str:
    """Plotly does not wrap text: break it with <br>, and shorten what is longer than `lines` lines.

    Plotly reads a few HTML tags in texts; the text is escaped so that a "<b>" in a goal stays as typed.
    """
    wrapped = textwrap.wrap(text, width, max_lines=lines, placeholder=" …") or [text]
    return "<br>".join(html.escape(line, quote=False) for line in wrapped)


def layout(title: str, right: int = 16, **extra) -> dict:
    """The shared look: the title on top (wrapped, up to three lines), the legend at the bottom, no template."""
    title = wrap(title, TITLE_WIDTH, 3)
    lines = title.count("<br>") + 1
    result = {
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
    result.update(extra)
    return result


def pattern(shape: str) -> dict:
    """A white hatch over the bar's own colour, so bars differ by more than colour (also in the legend)."""
    return {"shape": shape, "fillmode": "overlay", "fgcolor": "#FFFFFF", "size": 8, "solidity": 0.3}


def bar_marker(colour: str, shape: str = "") -> dict:
    """A bar's fill: its colour, no outline, and its hatch (pattern)."""
    return {"color": colour, "line": {"width": 0}, "pattern": pattern(shape)}


def count_axis(title: str, maximum: int, below: float = 0) -> dict:
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


def month_axis(months: list[date]) -> dict:
    return {
        "title": {"text": _("Month")},
        "type": "category",
        "tickangle": -45 if len(months) > 8 else 0,
        "automargin": True,
        "fixedrange": True,
        "showgrid": False,
        "linecolor": GREY,
    }


def score_axis(low: float, high: float, zeroline: bool = False) -> dict:
    """The 0-10 score of a goal, a tick every second point; `low` and `high` leave room around the scores."""
    axis = {
        "title": {"text": _("Score (0 to 10)")},
        "automargin": True,
        "range": [low, high],
        "tickvals": list(range(SCORE_MIN, SCORE_MAX + 1, 2)),
        "gridcolor": GRID,
        "zeroline": zeroline,
    }
    if zeroline:
        axis["zerolinecolor"] = GREY
    axis["fixedrange"] = True
    return axis


def date_ticks(first: date, last: date) -> tuple[list[str], list[str]]:
    """A tick on the first of each month (every second or third month over a long span), labelled by Babel."""
    months = [m for m in months_between(first, last) if first <= m <= last] or [first.replace(day=1)]
    count = len(months)
    # Every month, second or third; beyond three years a tick a year, or every few years: a dozen at most.
    step = 1 if count <= 6 else 2 if count <= 14 else 3 if count <= 36 else 12 * -(-count // 144)
    shown = months[::step]
    return [m.isoformat() for m in shown], [month_label(m) for m in shown]


def score_text(value: float | None, signed: bool = False) -> str:
    """An average score with one decimal in the user's language: "3.5", "3,5"; a change with its sign: "+1,5".
    No score, no text."""
    if value is None:
        return ""
    return format_decimal(value, "+0.0;-0.0" if signed else "0.0", locale=get_locale())
