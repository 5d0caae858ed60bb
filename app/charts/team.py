"""Plotly figures for the team lead's overview, made from the plain data of app.services.team_progress.

Pure functions of that data, as in app.charts.family (whose charts per month they reuse): no database, no request,
no query. The look is app.charts.style. Texts go through gettext, so call them where a locale is set. Every series
differs by more than colour: lines by dash style and marker shape, bars by fill pattern. Numbers with a decimal are
formatted with Babel in the user's language.
"""

from __future__ import annotations

import html

from flask_babel import gettext as _
from flask_babel import ngettext

from app.charts import figures as go  # plain dicts, as plotly.js reads them
from app.charts import style
from app.charts.family import focus_figure, moments_figure
from app.models.plans import SCORE_MAX, SCORE_MIN
from app.services.progress import FocusByMonth, MomentsByMonth
from app.services.team_progress import FocusScores, GoalChange, OpenStress, TeamProgress


def team_titles(scope: str | None = None) -> dict[str, str]:
    """Each chart's title, by name, saying whose families it counts ("the team's open families"): the figures and
    the page's labels for them use the same words."""
    scope = scope or _("the team's families")
    return {
        "team-focus": _("Sessions per month, by help focus: %(scope)s", scope=scope),
        "team-moments": _("Positive and difficult moments per month: %(scope)s", scope=scope),
        "team-stress": _("Families with stress that is not resolved yet, by kind: %(scope)s", scope=scope),
        "team-goals": _("Goal scores since the start, per help focus: %(scope)s", scope=scope),
    }


def team_figures(progress: TeamProgress, scope: str | None = None) -> dict[str, dict]:
    """Every chart that has data, by name: "team-focus", "team-moments", "team-stress", "team-goals"; `scope` says
    whose families `progress` counts, for the titles."""
    titles = team_titles(scope)
    figures: dict[str, go.Figure] = {}
    if not progress.focus.is_empty:
        figures["team-focus"] = team_focus_figure(progress.focus, titles["team-focus"])
    if not progress.moments.is_empty:
        figures["team-moments"] = team_moments_figure(progress.moments, titles["team-moments"])
    if not progress.stress.is_empty:
        figures["team-stress"] = open_stress_figure(progress.stress, titles["team-stress"])
    if not progress.goals.is_empty:
        figures["team-goals"] = goal_change_figure(progress.goals, titles["team-goals"])
    return {name: style.figure_dict(fig) for name, fig in figures.items()}


# -- help focus -----------------------------------------------------------------------------------------------------


def team_focus_figure(focus: FocusByMonth, title: str | None = None) -> go.Figure:
    """Per month, how many of the team's sessions were aimed at the parent, the child and family stress."""
    return focus_figure(focus, title or team_titles()["team-focus"])


# -- moments --------------------------------------------------------------------------------------------------------


def team_moments_figure(moments: MomentsByMonth, title: str | None = None) -> go.Figure:
    """The team's positive and difficult moments per month, side by side."""
    return moments_figure(moments, title or team_titles()["team-moments"])


# -- family stress --------------------------------------------------------------------------------------------------


def open_stress_figure(stress: OpenStress, title: str | None = None) -> go.Figure:
    """Per kind of stress, how many families have an item that is not resolved; the kinds in a fixed order."""
    labels = [style.wrap(k.kind.label, 22) for k in stress.kinds]
    families = [k.families for k in stress.kinds]
    fig = go.Figure(
        go.Bar(
            name=_("Families"),
            orientation="h",
            y=labels,
            x=families,
            text=families,
            textposition="outside",
            cliponaxis=False,
            marker=style.bar_marker(style.VERMILLION, "/"),
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_layout(
        **style.layout(
            title or team_titles()["team-stress"],
            showlegend=False,
            bargap=0.3,
            xaxis={**style.count_axis(_("Number of families"), max(families, default=0)), "zeroline": False},
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


# -- goal scores ----------------------------------------------------------------------------------------------------


def _focus_label(scores: FocusScores) -> str:
    """The focus (wrapped) and below it how many goals the averages are over (escaped: plotly reads some HTML)."""
    goals = ngettext("(%(num)d goal)", "(%(num)d goals)", scores.scored)
    return f"{style.wrap(scores.focus.label, 14)}<br>{html.escape(goals, quote=False)}"


def goal_change_figure(goals: GoalChange, title: str | None = None) -> go.Figure:
    """Per help focus with scored goals: the average start score beside the average latest score, the change on top."""
    scored = [f for f in goals.focuses if f.has_scores]
    x = [_focus_label(f) for f in scored]
    start_name, latest_name = _("Start score (average)"), _("Latest score (average)")
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            name=start_name,
            x=x,
            y=[f.average_start for f in scored],
            customdata=[style.score_text(f.average_start) for f in scored],
            marker=style.bar_marker(style.GREY, "/"),
            hovertemplate=f"{start_name}: %{{customdata}}<extra></extra>",
        )
    )
    changes = [_("Change: %(change)s", change=style.score_text(f.average_change, signed=True)) for f in scored]
    fig.add_trace(
        go.Bar(
            name=latest_name,
            x=x,
            y=[f.average_latest for f in scored],
            customdata=[
                [style.score_text(f.average_latest), change] for f, change in zip(scored, changes, strict=True)
            ],
            text=[style.score_text(f.average_change, signed=True) for f in scored],
            textposition="outside",
            cliponaxis=False,
            marker=style.bar_marker(style.BLUE, ""),
            hovertemplate=f"{latest_name}: %{{customdata[0]}}<br>%{{customdata[1]}}<extra></extra>",
        )
    )
    fig.update_layout(
        **style.layout(
            title or team_titles()["team-goals"],
            barmode="group",
            bargap=0.3,
            hovermode="x unified",
            xaxis={
                "type": "category",  # no axis title: the chart's title says "per help focus"
                "tickangle": 0,  # the labels are wrapped: slanted, they would run out of the chart on a phone
                "automargin": True,
                "fixedrange": True,
                "showgrid": False,
                "linecolor": style.GREY,
            },
            yaxis=style.score_axis(SCORE_MIN, SCORE_MAX + 1, zeroline=True),
        )
    )
    return fig
