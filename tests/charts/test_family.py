"""The progress figures: made from plain data alone, translated, and readable without colour."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
from flask_babel import force_locale

from app.charts import family as charts
from app.charts import style
from app.models import GoalStatus, MomentTag
from app.services.progress import (
    FamilyProgress,
    FocusByMonth,
    MomentsByMonth,
    StressByMonth,
    TagCount,
)
from tests.helpers.charts import a_goal

MONTHS = [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
MOMENTS = MomentsByMonth(
    months=MONTHS,
    positive=[2, 0, 1],
    difficult=[1, 0, 2],
    top_tags=[TagCount(MomentTag.RESISTS, 3), TagCount(MomentTag.RESPONDED_TO_SIGNAL, 2)],
)
FOCUS = FocusByMonth(months=MONTHS, sessions=[2, 0, 2], parent=[2, 0, 1], child=[1, 0, 0], stress=[0, 0, 1])
STRESS = StressByMonth(months=MONTHS, open=[1, 0, 1], in_progress=[0, 1, 1], resolved=[0, 0, 0])


def title(fig: go.Figure) -> str:
    return fig.layout.title.text


def axis_title(axis) -> str:
    return axis.title.text


class TestGoalFigure:
    def test_worker_and_parent_series(self, english):
        fig = charts.goal_figure(a_goal())
        assert title(fig) == "Calm bedtimes"
        assert [t.name for t in fig.data] == ["Care worker", "Parent"]
        worker, parent = fig.data
        assert list(worker.x) == ["2025-01-10", "2025-03-05"] and list(worker.y) == [3, 5]
        assert list(parent.x) == ["2025-01-10"] and list(parent.y) == [2]
        assert list(worker.customdata) == ["Jan 10, 2025", "Mar 5, 2025"]

    def test_not_by_colour_alone(self, english):
        worker, parent = charts.goal_figure(a_goal()).data
        assert worker.line.color != parent.line.color
        assert worker.line.dash != parent.line.dash
        assert worker.marker.symbol != parent.marker.symbol

    def test_zero_to_ten_with_start_and_target_lines(self, english):
        fig = charts.goal_figure(a_goal())
        assert tuple(fig.layout.yaxis.range) == (-0.5, 10.5)
        assert axis_title(fig.layout.yaxis) == "Score (0 to 10)"
        assert axis_title(fig.layout.xaxis) == "Date"
        lines = {shape.name: shape for shape in fig.layout.shapes}
        assert set(lines) == {"start", "target"}
        assert (lines["start"].y0, lines["start"].y1, lines["target"].y0, lines["target"].y1) == (3, 3, 8, 8)
        assert {shape.line.dash for shape in lines.values()} == {"dash"}
        assert (lines["start"].x0, lines["start"].x1) == (0, 1) and lines["start"].xref == "paper"
        labels = {a.name: (a.text, a.y) for a in fig.layout.annotations}
        assert labels == {"start": ("Start: 3", 3), "target": ("Target: 8", 8)}

    def test_month_ticks_in_the_users_language(self, app):
        with app.test_request_context(), force_locale("nl"):
            fig = charts.goal_figure(a_goal())
        assert list(fig.layout.xaxis.ticktext) == ["feb 2025", "mrt 2025"]
        assert [t.name for t in fig.data] == ["Hulpverlener", "Ouder"]
        assert fig.layout.xaxis.title.text == "Datum"

    def test_only_parent_scores(self, english):
        fig = charts.goal_figure(a_goal(worker=(), parent=((date(2025, 3, 25), 4),)))
        assert [t.name for t in fig.data] == ["Parent"]
        assert len(fig.layout.shapes) == 2

    def test_a_goal_that_is_no_longer_worked_on_says_so(self, english):
        assert title(charts.goal_figure(a_goal(status=GoalStatus.ACHIEVED))) == "Calm bedtimes (achieved)"

    def test_a_long_title_is_wrapped_and_markup_is_not_taken_as_such(self, english):
        long = "Mother <b>notices</b> when Sam is tired and helps him calm down before bed, " * 3
        text = title(charts.goal_figure(a_goal(title=long)))
        assert "<b>" not in text and "&lt;b&gt;" in text
        assert text.count("<br>") == 2 and text.endswith("…")


class TestMonthFigures:
    def test_moments(self, english):
        fig = charts.moments_figure(MOMENTS)
        assert title(fig) == "Moments per month"
        assert [t.name for t in fig.data] == ["Positive moments", "Difficult moments"]
        assert [t.type for t in fig.data] == ["bar", "bar"]
        positive, difficult = fig.data
        assert list(positive.x) == ["Jan 2025", "Feb 2025", "Mar 2025"]
        assert (list(positive.y), list(difficult.y)) == ([2, 0, 1], [1, 0, 2])
        assert positive.marker.pattern.shape != difficult.marker.pattern.shape
        assert axis_title(fig.layout.xaxis) == "Month"
        assert axis_title(fig.layout.yaxis) == "Number of moments"

    def test_tags(self, english):
        fig = charts.tags_figure(MOMENTS)
        assert title(fig) == "Tags that recur most"
        assert [t.name for t in fig.data] == ["Positive moments", "Difficult moments"]
        positive, difficult = fig.data
        assert (list(positive.y), list(positive.x)) == (["Parent responded to the<br>child's signal"], [2])
        assert (list(difficult.y), list(difficult.x)) == (["Child resists"], [3])
        assert list(fig.layout.yaxis.categoryarray) == ["Child resists", "Parent responded to the<br>child's signal"]

    def test_focus(self, english):
        fig = charts.focus_figure(FOCUS)
        assert title(fig) == "Sessions per month, by help focus"
        assert [t.name for t in fig.data] == ["Parent", "Child", "Family stress"]
        assert [list(t.y) for t in fig.data] == [[2, 0, 1], [1, 0, 0], [0, 0, 1]]
        assert len({t.line.dash for t in fig.data}) == 3
        assert len({t.marker.symbol for t in fig.data}) == 3
        assert axis_title(fig.layout.yaxis) == "Number of sessions"

    def test_stress(self, english):
        fig = charts.stress_figure(STRESS)
        assert title(fig) == "Stress items at the end of each month"
        assert [t.name for t in fig.data] == ["Open", "Being dealt with", "Resolved"]
        assert [list(t.y) for t in fig.data] == [[1, 0, 1], [0, 1, 1], [0, 0, 0]]
        assert fig.layout.barmode == "stack"
        assert len({t.marker.pattern.shape for t in fig.data}) == 3

    def test_translated(self, app):
        with app.test_request_context(), force_locale("nl"):
            fig = charts.stress_figure(STRESS)
        assert [t.name for t in fig.data] == ["Open", "Wordt aangepakt", "Opgelost"]


class TestProgressFigures:
    def test_only_charts_with_data(self, english):
        progress = FamilyProgress(
            family_id=1,
            has_plan=True,
            goals=[a_goal(), a_goal(key="nothing", worker=(), parent=())],
            moments=MOMENTS,
            focus=FOCUS,
            stress=StressByMonth(),
        )
        figures = charts.progress_figures(progress)
        assert list(figures) == ["goal-abc123", "moments", "tags", "focus"]
        assert [len(figures[name]["data"]) for name in figures] == [2, 2, 2, 3]
        assert figures["moments"]["layout"]["title"]["text"] == "Moments per month"

    def test_nothing_to_draw(self, english):
        empty = FamilyProgress(1, False, [], MomentsByMonth(), FocusByMonth(), StressByMonth())
        assert charts.progress_figures(empty) == {}

    def test_json_safe_with_a_clean_config(self, english):
        result = style.figure_dict(charts.goal_figure(a_goal()))
        assert json.loads(json.dumps(result)) == result
        assert set(result) == {"data", "layout", "config"}
        assert result["config"]["displaylogo"] is False and result["config"]["responsive"] is True
        assert len(result["layout"]["shapes"]) == 2
        assert len(json.dumps(result)) < 5000  # no default template carried along
