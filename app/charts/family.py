"""Plotly figures for the progress charts on the family page, made from the plain data of app.services.progress.

Pure functions of that data: no database, no request, no query. Texts go through gettext, so call them where a
locale is set (a request, or flask_babel.force_locale). Every series differs by more than colour: lines by dash
style and marker shape, bars by fill pattern. The look (colours, axes, titles) is app.charts.style. Dates and months
are formatted with Babel in the user's language (plotly.js itself would show English month names). The charts per
month (moments, help focus) take a team's data as well: the same shape.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app import dates
from app.charts import figures as go  # plain dicts, as plotly.js reads them
from app.charts import style
from app.models import MomentKind, StressStatus
from app.models.plans import SCORE_MAX, SCORE_MIN
from app.services.progress import BandPoint, FamilyProgress, FocusByMonth, GoalSeries, MomentsByMonth, StressByMonth


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
    return {name: style.figure_dict(fig) for name, fig in figures.items()}


# -- goal scores ----------------------------------------------------------------------------------------------------


def goal_figure(goal: GoalSeries) -> go.Figure:
    """The worker's and the parent's 0-10 scores of one goal over time, with the start and target as dashed lines."""
    worker_name, parent_name = _("Care worker"), _("Parent")
    fig = go.Figure()
    judgement = goal.judgement
    if judgement is not None and len(judgement.band) >= 2:
        _expected_band(fig, judgement.band)
    for name, points, colour, symbol, dash in (
        (worker_name, goal.worker, style.BLUE, "circle", "solid"),
        (parent_name, goal.parent, style.PURPLE, "diamond", "dot"),
    ):
        if not points:
            continue
        fig.add_trace(
            go.Scatter(
                name=name,
                x=[p.on.isoformat() for p in points],
                y=[p.score for p in points],
                customdata=[style.day_label(p.on) for p in points],
                mode="lines+markers",
                line={"color": colour, "width": 2.5, "dash": dash},
                marker={"color": colour, "symbol": symbol, "size": 9, "line": {"color": "#FFFFFF", "width": 1}},
                hovertemplate=f"%{{customdata}}<br>{name}: %{{y}}<extra></extra>",
            )
        )
    mark = judgement.reliable_from if judgement is not None else None
    if mark is not None and mark.worker is not None:
        better = mark.worker >= goal.start_score
        label = _("Reliably better from here") if better else _("Reliably worse from here")
        fig.add_trace(
            go.Scatter(
                name=label,
                x=[mark.on.isoformat()],
                y=[mark.worker],
                customdata=[style.day_label(mark.on)],
                mode="markers",
                # An open symbol is drawn in the marker's colour: a ring around the score it marks.
                marker={
                    "color": style.GREEN if better else style.VERMILLION,
                    "symbol": "circle-open",
                    "size": 22,
                    "line": {"width": 3},
                },
                hovertemplate=f"%{{customdata}}<br>{label}<extra></extra>",
            )
        )
    days = [p.on for p in (*goal.worker, *goal.parent)]
    first, last = min(days), max(days)
    pad = max(7, (last - first).days // 40)
    shown_from, shown_to = dates.shifted(first, -pad), dates.shifted(last, pad)
    tickvals, ticktext = style.date_ticks(shown_from, shown_to)
    title = goal.title
    if goal.status.value != "active":
        title = f"{title} ({goal.status.label.lower()})"
    lines = (
        (goal.start_score, _("Start: %(score)d", score=goal.start_score), style.GREY),
        (goal.target_score, _("Target: %(score)d", score=goal.target_score), style.GREEN),
    )
    fig.update_layout(
        **style.layout(
            title,
            xaxis={
                "title": {"text": _("Date")},
                "type": "date",
                "range": [shown_from.isoformat(), shown_to.isoformat()],
                "tickvals": tickvals,
                "ticktext": ticktext,
                "automargin": True,
                "fixedrange": True,
                "showgrid": False,
                "linecolor": style.GREY,
            },
            yaxis=style.score_axis(SCORE_MIN - 0.5, SCORE_MAX + 0.5),
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


def _expected_band(fig: go.Figure, band: list[BandPoint]) -> None:
    """Where goals that started alike stood, week by week: the 25th-50th percentile shaded, the 10th dotted."""
    x = [point.on.isoformat() for point in band]
    middle_name = _("Expected: the 25th to 50th percentile of goals like it")
    low_name = _("10th percentile of goals like it")
    fig.add_trace(
        go.Scatter(
            name=middle_name,
            x=x,
            y=[round(p.p25, 2) for p in band],
            mode="lines",
            line={"color": "rgba(108,117,125,0.35)", "width": 1},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            name=middle_name,
            x=x,
            y=[round(p.p50, 2) for p in band],
            mode="lines",
            fill="tonexty",
            fillcolor="rgba(108,117,125,0.18)",
            line={"color": "rgba(108,117,125,0.6)", "width": 1.5, "dash": "dash"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            name=low_name,
            x=x,
            y=[round(p.p10, 2) for p in band],
            mode="lines",
            line={"color": style.VERMILLION, "width": 1.5, "dash": "dot"},
            hoverinfo="skip",
        )
    )


def _label_anchor(name: str, goal: GoalSeries) -> str:
    if abs(goal.target_score - goal.start_score) > 1:
        return "middle"
    lower = "start" if goal.start_score <= goal.target_score else "target"
    return "top" if name == lower else "bottom"  # the lower label under its line, the other above


# -- moments --------------------------------------------------------------------------------------------------------


def moments_figure(moments: MomentsByMonth, title: str | None = None) -> go.Figure:
    """Positive and difficult moments per month, side by side (of a family, or of a team: same shape); a month not
    over yet lighter, on a band, and labelled so."""
    x = style.month_labels(moments.months, moments.partial_until)
    opacity = style.partial_opacity(moments.months, moments.partial_until)
    fig = go.Figure()
    for kind, counts, colour, pattern in (
        (MomentKind.POSITIVE, moments.positive, style.GREEN, ""),
        (MomentKind.DIFFICULT, moments.difficult, style.VERMILLION, "/"),
    ):
        name = _("Positive moments") if kind == MomentKind.POSITIVE else _("Difficult moments")
        fig.add_trace(
            go.Bar(
                name=name,
                x=x,
                y=counts,
                marker={**style.bar_marker(colour, pattern), "opacity": opacity},
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
            )
        )
    fig.update_layout(
        **style.layout(
            title or _("Moments per month"),
            **style.partial_month(moments.months, moments.partial_until),
            barmode="group",
            bargap=0.25,
            hovermode="x unified",
            xaxis=style.month_axis(moments.months),
            yaxis=style.count_axis(_("Number of moments"), max([*moments.positive, *moments.difficult], default=0)),
        )
    )
    return fig


def tags_figure(moments: MomentsByMonth) -> go.Figure:
    """The tags that recur most, the most frequent on top; positive and difficult tags told apart."""
    labels = [style.wrap(t.tag.label, 30) for t in moments.top_tags]
    fig = go.Figure()
    for kind, colour, pattern in (
        (MomentKind.POSITIVE, style.GREEN, ""),
        (MomentKind.DIFFICULT, style.VERMILLION, "/"),
    ):
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
                marker=style.bar_marker(colour, pattern),
                hovertemplate=f"%{{y}}: %{{x}}<extra>{name}</extra>",
            )
        )
    most = max((t.count for t in moments.top_tags), default=0)
    fig.update_layout(
        **style.layout(
            _("Tags that recur most"),
            barmode="overlay",
            bargap=0.3,
            xaxis={**style.count_axis(_("Number of moments"), most), "zeroline": False},
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
    """Per month, how many sessions were aimed at the parent, the child and family stress (family or team); a month
    not over yet on a band, labelled so, its points lighter and reached by a dotted segment."""
    x = style.month_labels(focus.months, focus.partial_until)
    partial = style.is_partial(focus.months, focus.partial_until) and len(focus.months) > 1
    fig = go.Figure()
    for name, counts, colour, symbol, dash in (
        (_("Parent"), focus.parent, style.BLUE, "circle", "solid"),
        (_("Child"), focus.child, style.VERMILLION, "square", "dash"),
        (_("Family stress"), focus.stress, style.PURPLE, "diamond", "dot"),
    ):
        marker = {"color": colour, "symbol": symbol, "size": 9, "line": {"color": "#FFFFFF", "width": 1}}
        hover = f"{name}: %{{y}}<extra></extra>"
        fig.add_trace(
            go.Scatter(
                name=name,
                legendgroup=name,
                x=x,
                # A month not over yet is not on the series' own line: that would draw a fall that is not there.
                y=[*counts[:-1], None] if partial else counts,
                mode="lines+markers",
                line={"color": colour, "width": 2.5, "dash": dash},
                marker=marker,
                hovertemplate=hover,
            )
        )
        if partial:
            # Into it a thin dotted segment (no hover of its own), and its point lighter, with the hover.
            fig.add_trace(
                go.Scatter(
                    name=name,
                    legendgroup=name,
                    showlegend=False,
                    x=x[-2:],
                    y=counts[-2:],
                    mode="lines",
                    line={"color": colour, "width": 1.5, "dash": "dot"},
                    hoverinfo="skip",
                )
            )
            fig.add_trace(
                go.Scatter(
                    name=name,
                    legendgroup=name,
                    showlegend=False,
                    x=x[-1:],
                    y=counts[-1:],
                    mode="markers",
                    marker={**marker, "opacity": style.PARTIAL_OPACITY},
                    hovertemplate=hover,
                )
            )
    fig.update_layout(
        **style.layout(
            title or _("Sessions per month, by help focus"),
            **style.partial_month(focus.months, focus.partial_until),
            hovermode="x unified",
            xaxis=style.month_axis(focus.months),
            yaxis=style.count_axis(
                _("Number of sessions"), max([*focus.parent, *focus.child, *focus.stress], default=0), below=0.3
            ),
        )
    )
    return fig


# -- family stress --------------------------------------------------------------------------------------------------


def stress_figure(stress: StressByMonth) -> go.Figure:
    """Stress items at the end of each month, stacked by status."""
    x = [style.month_label(m) for m in stress.months]
    fig = go.Figure()
    for status, counts, colour, pattern in (
        (StressStatus.OPEN, stress.open, style.VERMILLION, "/"),
        (StressStatus.IN_PROGRESS, stress.in_progress, style.BLUE, "."),
        (StressStatus.RESOLVED, stress.resolved, style.GREEN, ""),
    ):
        name = status.label
        fig.add_trace(
            go.Bar(
                name=name,
                x=x,
                y=counts,
                marker=style.bar_marker(colour, pattern),
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
            )
        )
    totals = [a + b + c for a, b, c in zip(stress.open, stress.in_progress, stress.resolved, strict=True)]
    fig.update_layout(
        **style.layout(
            _("Stress items at the end of each month"),
            barmode="stack",
            bargap=0.3,
            hovermode="x unified",
            xaxis=style.month_axis(stress.months),
            yaxis=style.count_axis(_("Number of items"), max(totals, default=0)),
        )
    )
    return fig
