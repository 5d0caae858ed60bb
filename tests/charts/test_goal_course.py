"""A goal's chart draws the expected course of goals like it and marks where the change became reliable."""

from __future__ import annotations

from datetime import date, timedelta

from app.charts import family as charts
from app.outcomes.assess import OutcomeModel
from app.outcomes.course import BANDS, WEEK_EDGES, Cell, Course, Pooling
from app.outcomes.measurement import SemEstimate
from app.services.progress import judge
from tests.helpers.charts import a_goal

START = date(2025, 1, 6)


def model(course=True):
    cells = {
        (band, bucket): Cell(-1.0, 0.0, 0.1 * bucket, 40, Pooling.OWN)
        for band in range(len(BANDS))
        for bucket in range(len(WEEK_EDGES))
    }
    return OutcomeModel(sem=SemEstimate(1.0, True, 80, 50), threshold=3, course=Course(cells, 200) if course else None)


def weekly(scores):
    return [(START + timedelta(days=7 * n), score) for n, score in enumerate(scores)]


def test_the_band_and_the_mark(english):
    goal = a_goal(worker=weekly([3, 4, 4, 6, 7, 7]), parent=())
    goal.judgement = judge(goal, model(), START + timedelta(days=40), None)
    figure = charts.goal_figure(goal).to_dict()
    names = [trace["name"] for trace in figure["data"]]
    assert names[:3] == [
        "Expected: the 25th to 50th percentile of goals like it",
        "Expected: the 25th to 50th percentile of goals like it",
        "10th percentile of goals like it",
    ]
    assert figure["data"][1]["fill"] == "tonexty" and figure["data"][0]["showlegend"] is False
    assert figure["data"][2]["y"][0] == 2.0  # start 3, the 10th percentile a point lower
    mark = figure["data"][-1]
    assert mark["name"] == "Reliably better from here"
    assert mark["x"] == [(START + timedelta(days=21)).isoformat()] and mark["y"] == [6]  # 6 and 7 stay 3 above


def test_no_band_without_a_course_and_no_mark_without_reliable_change(english):
    goal = a_goal(worker=weekly([3, 4, 4, 5]), parent=())
    goal.judgement = judge(goal, model(course=False), START + timedelta(days=30), None)
    figure = charts.goal_figure(goal).to_dict()
    assert [trace["name"] for trace in figure["data"]] == ["Care worker"]
    assert goal.judgement.band == [] and goal.judgement.reliable_from is None


def test_a_fall_is_marked_as_reliably_worse(english):
    goal = a_goal(worker=weekly([5, 4, 2, 1]), parent=(), start_score=5)
    goal.judgement = judge(goal, model(), START + timedelta(days=30), None)
    mark = charts.goal_figure(goal).to_dict()["data"][-1]
    assert mark["name"] == "Reliably worse from here" and mark["y"] == [2]
