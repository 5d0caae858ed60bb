"""Progress data for the figures, built by hand: the charts are drawn from plain data alone."""

from __future__ import annotations

from datetime import date

from app.models import GoalStatus, HelpFocus
from app.services.progress import GoalSeries, ScorePoint, ScoreReading


def a_goal(worker=((date(2025, 1, 10), 3), (date(2025, 3, 5), 5)), parent=((date(2025, 1, 10), 2),), **fields):
    values = {
        "key": "abc123",
        "title": "Calm bedtimes",
        "status": GoalStatus.ACTIVE,
        "focus": HelpFocus.PARENT,
        "start_score": 3,
        "target_score": 8,
        "worker": [ScorePoint(on, score) for on, score in worker],
        "parent": [ScorePoint(on, score) for on, score in parent],
    }
    values.update(fields)
    goal = GoalSeries(**values)
    days = sorted({p.on for p in (*goal.worker, *goal.parent)})
    worker_by_day = {p.on: p.score for p in goal.worker}
    parent_by_day = {p.on: p.score for p in goal.parent}
    goal.readings = [ScoreReading(d, worker_by_day.get(d), parent_by_day.get(d)) for d in days]
    return goal


def series(figure: dict) -> dict[str, list]:
    """A line chart's values per series, as a reader of its JSON sees them: a month not over yet is drawn as a
    trace of its own (its point, and a dotted segment to it), so the series' own line stops before it."""
    values: dict[str, list] = {}
    for trace in figure["data"]:
        name, y = trace["name"], list(trace["y"])
        if name not in values:
            values[name] = y
        elif trace.get("mode") == "markers":  # the point of the month not over yet
            values[name][-1] = y[-1]
    return values
