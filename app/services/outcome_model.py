"""The organisation's outcome model: the error of one score, the change that counts, and the expected course.

Worked out from a sample of the score history (every family whose id falls on a fixed step, so the sample is
the same from day to day and spans old and new families alike) and kept in `outcome_models`; at most once per
OUTCOME_MAX_AGE_HOURS a request finds it stale and works it out again, in its own transaction. `flask
outcome-model` does the same on demand. Lists and pages only read the stored row, once per request.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import date, timedelta

from flask import current_app, g
from sqlalchemy import func, or_, select

from app import dates
from app.extensions import db
from app.models import CareSession, Family, FamilyStatus, Goal, GoalScore, GoalStatus, OutcomeModelRow, Plan
from app.outcomes.assess import OutcomeModel, Scoring
from app.outcomes.backtest import GoalHistory
from app.outcomes.course import Course, build_course
from app.outcomes.measurement import SemEstimate, estimate_sem, reliable_threshold


class History:
    """Per goal of the sample: its start score and each rater's (weeks since it began, score), and the same-day
    differences between the worker and the parent."""

    def __init__(self) -> None:
        self.start: dict[tuple[int, str], int] = {}
        self.worker: dict[tuple[int, str], list[tuple[float, float]]] = defaultdict(list)
        self.parent: dict[tuple[int, str], list[tuple[float, float]]] = defaultdict(list)
        self.differences: dict[tuple[int, str], list[float]] = defaultdict(list)


def _sample_step(limit: int) -> int:
    families = db.session.execute(select(func.count(func.distinct(GoalScore.family_id)))).scalar_one()
    return max(1, math.ceil(families / max(1, limit)))


def load_history(limit: int | None = None) -> History:
    """The sample's goals and scores: live sessions' scores and the final ones given when the help ended. Two
    queries, whatever the size of the organisation."""
    limit = limit or current_app.config["OUTCOME_SAMPLE_FAMILIES"]
    step = _sample_step(limit)
    history = History()
    sampled = (GoalScore.family_id % step) == 0
    # The start score in force: that of the latest version holding the goal.
    for family_id, key, start in db.session.execute(
        select(Plan.family_id, Goal.key, Goal.start_score)
        .join(Goal, Goal.plan_id == Plan.id)
        .where((Plan.family_id % step) == 0)
        .order_by(Plan.family_id, Plan.number)
    ):
        history.start[(family_id, key)] = start
    began: dict[tuple[int, str], date] = {}
    for family_id, key, on, worker, parent in db.session.execute(
        select(
            GoalScore.family_id, GoalScore.goal_key, GoalScore.scored_on, GoalScore.worker_score, GoalScore.parent_score
        )
        .outerjoin(CareSession, CareSession.id == GoalScore.session_id)
        .where(sampled, or_(GoalScore.session_id.is_(None), CareSession.live))
        .order_by(GoalScore.family_id, GoalScore.goal_key, GoalScore.scored_on, GoalScore.id)
    ):
        goal = (family_id, key)
        if goal not in history.start or (worker is None and parent is None):
            continue
        first = began.setdefault(goal, on)
        weeks = (on - first).days / 7
        if worker is not None:
            history.worker[goal].append((weeks, worker))
        if parent is not None:
            history.parent[goal].append((weeks, parent))
        if worker is not None and parent is not None:
            history.differences[goal].append(worker - parent)
    return history


def build(history: History) -> OutcomeModelRow:
    config = current_app.config
    estimate = estimate_sem(
        [[history.worker.get(goal, []), history.parent.get(goal, [])] for goal in history.start],
        history.differences.values(),
        prior=config["OUTCOME_SEM_PRIOR"],
        min_goals=config["OUTCOME_MIN_GOALS"],
        min_scores=config["OUTCOME_MIN_SCORES"],
    )
    course = build_course(
        ((history.start[goal], points) for goal, points in history.worker.items()),
        min_group=config["OUTCOME_COURSE_MIN_GROUP"],
    )
    return OutcomeModelRow(
        computed_at=dates.now(),
        sem=round(estimate.sem, 4),
        estimated=estimate.estimated,
        goals=estimate.goals,
        needed=estimate.needed,
        trend_sem=None if estimate.trend_sem is None else round(estimate.trend_sem, 4),
        pair_sem=None if estimate.pair_sem is None else round(estimate.pair_sem, 4),
        threshold=reliable_threshold(estimate.sem),
        course=json.dumps(course.to_json()) if course.cells else None,
    )


def refresh() -> OutcomeModel:
    """Work the model out again and keep it, with the caller's commit; older rows go. Nothing is flushed here:
    in a GET the write waits for the end of the request, as its access-log rows do (app/db/transaction.py)."""
    row = build(load_history())
    for old in db.session.scalars(select(OutcomeModelRow)):
        db.session.delete(old)
    db.session.add(row)
    g.outcome_model = _from_row(row)
    return g.outcome_model


def _from_row(row: OutcomeModelRow) -> OutcomeModel:
    config = current_app.config
    return OutcomeModel(
        sem=SemEstimate(row.sem, row.estimated, row.goals, row.needed, row.trend_sem, row.pair_sem),
        threshold=row.threshold,
        course=Course.from_json(json.loads(row.course)) if row.course else None,
        computed_at=row.computed_at,
        red_min_scores=config["OUTCOME_RED_MIN_SCORES"],
        red_min_weeks=config["OUTCOME_RED_MIN_WEEKS"],
        orange_min_scores=config["OUTCOME_ORANGE_MIN_SCORES"],
        orange_min_weeks=config["OUTCOME_ORANGE_MIN_WEEKS"],
    )


def current() -> OutcomeModel:
    """The model in force, read once per request; worked out again when missing or older than allowed."""
    cached = g.get("outcome_model")
    if cached is not None:
        return cached
    row = db.session.execute(select(OutcomeModelRow).order_by(OutcomeModelRow.id.desc()).limit(1)).scalar_one_or_none()
    max_age = timedelta(hours=current_app.config["OUTCOME_MAX_AGE_HOURS"])
    if row is None or row.computed_at < dates.now() - max_age:
        return refresh()
    g.outcome_model = _from_row(row)
    return g.outcome_model


def goal_histories() -> list[GoalHistory]:
    """Every goal of the organisation with its scorings (live sessions' and the final ones), for the backtest:
    ended when the help ended or the goal was marked achieved or stopped; reached when its last worker's score is
    at or above the target. Two queries; the whole history in memory (a command, not a page)."""
    goals: dict[tuple[int, str], tuple] = {}
    for family_id, key, start, target, status, review_on, family_status in db.session.execute(
        select(
            Plan.family_id, Goal.key, Goal.start_score, Goal.target_score, Goal.status, Plan.review_on, Family.status
        )
        .join(Goal, Goal.plan_id == Plan.id)
        .join(Family, Family.id == Plan.family_id)
        .order_by(Plan.family_id, Plan.number)
    ):
        ended = family_status == FamilyStatus.CLOSED or status != GoalStatus.ACTIVE
        goals[(family_id, key)] = (start, target, review_on, ended)
    readings: dict[tuple[int, str], list[Scoring]] = defaultdict(list)
    for family_id, key, on, worker, parent in db.session.execute(
        select(
            GoalScore.family_id, GoalScore.goal_key, GoalScore.scored_on, GoalScore.worker_score, GoalScore.parent_score
        )
        .outerjoin(CareSession, CareSession.id == GoalScore.session_id)
        .where(or_(GoalScore.session_id.is_(None), CareSession.live))
        .order_by(GoalScore.family_id, GoalScore.goal_key, GoalScore.scored_on, GoalScore.id)
    ):
        if worker is not None or parent is not None:
            readings[(family_id, key)].append(Scoring(on, worker, parent))
    histories = []
    for (family_id, key), (start, target, review_on, ended) in goals.items():
        scored = readings.get((family_id, key), [])
        workers = [r.worker for r in scored if r.worker is not None]
        histories.append(
            GoalHistory(
                family_id=family_id,
                start=start,
                target=target,
                readings=scored,
                review_on=review_on,
                ended=ended and bool(workers),
                reached=bool(workers) and workers[-1] >= target,
            )
        )
    return histories
