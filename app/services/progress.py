"""How far a family has come, as plain data for the charts on the family page (DOMAIN.md, "Measuring progress").

Four views, each from a fixed number of queries whatever the amount of history:
- the 0-10 scores of each goal of the current plan, the worker's and the parent's own, with start and target;
- positive and difficult moments per month, and the tags that recur most;
- the help focus of the sessions per month (parent, child, family stress);
- the family's stress items per month: open, being dealt with, resolved at the end of the month.

Months are bucketed in Python over rows grouped by day, so the same code runs on SQLite and PostgreSQL.
Sessions in the trash (soft-deleted) count nowhere, nor do the scores given in them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, or_, select

from app import dates
from app.dates import month_end, month_of, months_between
from app.extensions import db
from app.models import (
    CareSession,
    GoalScore,
    GoalStatus,
    HelpFocus,
    Moment,
    MomentKind,
    MomentTag,
    MomentTagRow,
    StressItem,
    StressStatus,
    StressUpdate,
)
from app.outcomes.assess import Assessment, OutcomeModel, Scoring, assess, facts_from_readings, reliable_since
from app.outcomes.course import WEEK_EDGES, bucket_middle
from app.services import outcome_model
from app.services.plans import current_plan

TOP_TAGS = 5


@dataclass(frozen=True)
class ScorePoint:
    on: date
    score: int


@dataclass(frozen=True)
class ScoreReading:
    """One scoring of a goal: the worker's score and the parent's own, either may be missing."""

    on: date
    worker: int | None
    parent: int | None


@dataclass(frozen=True)
class BandPoint:
    """The expected course at one day: the 10th, 25th and 50th percentile of goals like it, as scores."""

    on: date
    p10: float
    p25: float
    p50: float


@dataclass(frozen=True)
class GoalJudgement:
    """One goal against its start and against goals like it (app.outcomes.assess), for its chart and its words."""

    assessment: Assessment
    threshold: int
    estimated: bool  # False: the error of measurement is the prior (too few scored goals yet)
    band: list[BandPoint]  # empty: no expected course for this goal
    reliable_from: Scoring | None  # the worker's scoring from which the change held at the threshold


@dataclass
class GoalSeries:
    key: str
    title: str
    status: GoalStatus
    focus: HelpFocus
    start_score: int
    target_score: int
    worker: list[ScorePoint] = field(default_factory=list)
    parent: list[ScorePoint] = field(default_factory=list)
    readings: list[ScoreReading] = field(default_factory=list)  # both side by side, for the table
    judgement: GoalJudgement | None = None  # None: no score yet

    @property
    def has_scores(self) -> bool:
        return bool(self.readings)


@dataclass(frozen=True)
class TagCount:
    tag: MomentTag
    count: int


@dataclass
class MomentsByMonth:
    """Positive and difficult moments per month, of a family (with its top tags) or of a team (the last 12 months,
    every month listed, also those without moments)."""

    months: list[date] = field(default_factory=list)  # the first day of each month
    positive: list[int] = field(default_factory=list)
    difficult: list[int] = field(default_factory=list)
    top_tags: list[TagCount] = field(default_factory=list)  # a family's only
    partial_until: date | None = None  # the last month is counted until this day only: it is not over yet

    @property
    def is_empty(self) -> bool:
        return not any(self.positive) and not any(self.difficult)


@dataclass
class FocusByMonth:
    """Per month, the sessions held and how many were aimed at the parent, the child and family stress, of a family
    or of a team (the last 12 months, every month listed, also those without sessions)."""

    months: list[date] = field(default_factory=list)  # the first day of each month
    sessions: list[int] = field(default_factory=list)  # sessions held that month
    parent: list[int] = field(default_factory=list)
    child: list[int] = field(default_factory=list)
    stress: list[int] = field(default_factory=list)
    partial_until: date | None = None  # the last month is counted until this day only: it is not over yet

    @property
    def is_empty(self) -> bool:
        return not any(self.sessions)


@dataclass
class StressByMonth:
    months: list[date] = field(default_factory=list)
    open: list[int] = field(default_factory=list)
    in_progress: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.months


@dataclass
class FamilyProgress:
    family_id: int
    has_plan: bool
    goals: list[GoalSeries]
    moments: MomentsByMonth
    focus: FocusByMonth
    stress: StressByMonth

    @property
    def has_scores(self) -> bool:
        return any(goal.has_scores for goal in self.goals)


# -- months -------------------------------------------------------------------------------------------------------


def _counts_per_month(per_day: dict[date, int], months: list[date]) -> list[int]:
    totals: Counter[date] = Counter()
    for day, count in per_day.items():
        totals[month_of(day)] += count
    return [totals[month] for month in months]


# -- the four views -----------------------------------------------------------------------------------------------


def _live_sessions(family_id: int):
    return CareSession.family_id == family_id, CareSession.live


def score_readings(family_id: int, goal_keys: list[str]) -> dict[str, list[ScoreReading]]:
    """The scorings of each of these goals in date order (one query): those of live sessions and the final ones
    given at closing, as plans.latest_scores counts them; a scoring with neither score is left out."""
    readings: dict[str, list[ScoreReading]] = {key: [] for key in goal_keys}
    if not readings:
        return readings
    rows = db.session.execute(
        select(GoalScore.goal_key, GoalScore.scored_on, GoalScore.worker_score, GoalScore.parent_score)
        .outerjoin(CareSession, CareSession.id == GoalScore.session_id)
        .where(
            GoalScore.family_id == family_id,
            GoalScore.goal_key.in_(goal_keys),
            or_(GoalScore.session_id.is_(None), CareSession.live),
        )
        .order_by(GoalScore.scored_on, GoalScore.id)
    ).all()
    for key, on, worker, parent in rows:
        if worker is not None or parent is not None:
            readings[key].append(ScoreReading(on, worker, parent))
    return readings


def judge(goal: GoalSeries, model: OutcomeModel, today: date, review_on: date | None) -> GoalJudgement | None:
    """The goal's judgement from its full series, with the rules the lists use on the stored facts."""
    scorings = [Scoring(r.on, r.worker, r.parent) for r in goal.readings]
    if not scorings:
        return None
    facts = facts_from_readings(goal.key, goal.title, goal.start_score, goal.target_score, scorings)
    assessment = assess(facts, model, today, review_on)
    band: list[BandPoint] = []
    began = scorings[0].on
    if model.course is not None:
        latest = max((scorings[-1].on - began).days / 7, 0)
        # From the first scoring, through each week group's middle, to the latest scoring.
        middles = (bucket_middle(b) for b in range(len(WEEK_EDGES)) if bucket_middle(b) < latest)
        weeks = sorted({0.0, *middles, latest})
        for week in weeks:
            expected = model.course.expected(goal.start_score, week)
            if expected is not None:
                band.append(
                    BandPoint(began + timedelta(days=round(7 * week)), expected.p10, expected.p25, expected.p50)
                )
    return GoalJudgement(
        assessment=assessment,
        threshold=model.threshold,
        estimated=model.sem.estimated,
        band=band,
        reliable_from=reliable_since(goal.start_score, scorings, model.threshold),
    )


def goal_series(
    family_id: int, model: OutcomeModel | None = None, today: date | None = None
) -> tuple[bool, list[GoalSeries]]:
    """Each goal of the current plan with its scores in date order: the plan (current_plan) and one query; with
    `model`, each judged against its start and goals like it."""
    plan = current_plan(family_id)
    if plan is None:
        return False, []
    series = {
        goal.key: GoalSeries(
            key=goal.key,
            title=goal.title,
            status=goal.status,
            focus=goal.focus,
            start_score=goal.start_score,
            target_score=goal.target_score,
        )
        for goal in plan.goals
    }
    for key, readings in score_readings(family_id, list(series)).items():
        goal = series[key]
        goal.readings = readings
        goal.worker = [ScorePoint(r.on, r.worker) for r in readings if r.worker is not None]
        goal.parent = [ScorePoint(r.on, r.parent) for r in readings if r.parent is not None]
        if model is not None and goal.status == GoalStatus.ACTIVE:
            goal.judgement = judge(goal, model, today or dates.today(), plan.review_on)
    return True, list(series.values())


def _partial(months: list[date], today: date | None) -> date | None:
    """The current month is never over: drawn as counted until today (app.charts.style.partial_month)."""
    today = today or dates.today()
    return today if months and months[-1] == month_of(today) else None


def moments_by_month(family_id: int, top: int = TOP_TAGS, today: date | None = None) -> MomentsByMonth:
    """Positive and difficult moments per month (one query, grouped by day) and the top tags (one query)."""
    per_day: dict[MomentKind, dict[date, int]] = {kind: {} for kind in MomentKind}
    rows = db.session.execute(
        select(CareSession.held_on, Moment.kind, func.count())
        .join(Moment, Moment.session_id == CareSession.id)
        .where(*_live_sessions(family_id))
        .group_by(CareSession.held_on, Moment.kind)
    ).all()
    for day, kind, count in rows:
        per_day[kind][day] = count
    days = [day for counts in per_day.values() for day in counts]
    if not days:
        return MomentsByMonth()
    months = months_between(min(days), max(days))

    times = func.count().label("n")
    tags = db.session.execute(
        select(MomentTagRow.tag, times)
        .join(Moment, Moment.id == MomentTagRow.moment_id)
        .join(CareSession, CareSession.id == Moment.session_id)
        .where(*_live_sessions(family_id))
        .group_by(MomentTagRow.tag)
        .order_by(times.desc(), MomentTagRow.tag)
        .limit(top)
    ).all()
    return MomentsByMonth(
        months=months,
        positive=_counts_per_month(per_day[MomentKind.POSITIVE], months),
        difficult=_counts_per_month(per_day[MomentKind.DIFFICULT], months),
        top_tags=[TagCount(tag, n) for tag, n in tags],
        partial_until=_partial(months, today),
    )


def focus_by_month(family_id: int, today: date | None = None) -> FocusByMonth:
    """Per month, the sessions held and how many were aimed at the parent, the child and family stress: one query."""

    def flagged(column):
        return func.sum(case((column.is_(True), 1), else_=0))

    rows = db.session.execute(
        select(
            CareSession.held_on,
            func.count(),
            flagged(CareSession.focus_parent),
            flagged(CareSession.focus_child),
            flagged(CareSession.focus_stress),
        )
        .where(*_live_sessions(family_id))
        .group_by(CareSession.held_on)
    ).all()
    if not rows:
        return FocusByMonth()
    months = months_between(min(r[0] for r in rows), max(r[0] for r in rows))

    def column(index: int) -> list[int]:
        return _counts_per_month({r[0]: int(r[index] or 0) for r in rows}, months)

    return FocusByMonth(
        months=months,
        sessions=column(1),
        parent=column(2),
        child=column(3),
        stress=column(4),
        partial_until=_partial(months, today),
    )


def stress_by_month(family_id: int, today: date | None = None) -> StressByMonth:
    """How many stress items were open, being dealt with or resolved at the end of each month: one query.

    The status at a month's end is the last recorded change on or before that day. An item counts from the day it
    was opened (open, unless a change that day says otherwise). An item without history (made before history was
    kept) counts as open from its opening and has its present status from `status_since`. While an item is not
    resolved the months run on to the current one, where "the end of the month" means today.
    """
    today = today or dates.today()
    rows = db.session.execute(
        select(
            StressItem.id,
            StressItem.opened_on,
            StressItem.status,
            StressItem.status_since,
            StressUpdate.changed_on,
            StressUpdate.status,
        )
        .outerjoin(StressUpdate, StressUpdate.item_id == StressItem.id)
        .where(StressItem.family_id == family_id)
        .order_by(StressItem.id, StressUpdate.changed_on, StressUpdate.id)
    ).all()
    if not rows:
        return StressByMonth()

    # Per item: its changes in date order (same-day changes in the order recorded), starting from its opening.
    opened: dict[int, date] = {}
    changes: dict[int, list[tuple[date, StressStatus]]] = defaultdict(list)
    for item_id, opened_on, status, status_since, changed_on, changed_to in rows:
        opened[item_id] = opened_on
        if changed_on is None:  # no history kept: what the item itself says
            changes[item_id].append((status_since, status))
        else:
            changes[item_id].append((changed_on, changed_to))
    histories = {}
    for item_id, item_changes in changes.items():
        item_changes.sort(key=lambda change: change[0])
        start = min(opened[item_id], item_changes[0][0])
        histories[item_id] = [(start, StressStatus.OPEN), *item_changes]

    first = min(history[0][0] for history in histories.values())
    last = max(history[-1][0] for history in histories.values())
    if any(history[-1][1] != StressStatus.RESOLVED for history in histories.values()):
        last = max(last, today)
    months = months_between(first, last)

    counts = {status: [0] * len(months) for status in StressStatus}
    for history in histories.values():
        position = 0
        standing: StressStatus | None = None  # the item's status at the end of each month
        for index, month in enumerate(months):
            end = month_end(month)
            while position < len(history) and history[position][0] <= end:
                standing = history[position][1]
                position += 1
            if standing is not None:
                counts[standing][index] += 1
    return StressByMonth(
        months=months,
        open=counts[StressStatus.OPEN],
        in_progress=counts[StressStatus.IN_PROGRESS],
        resolved=counts[StressStatus.RESOLVED],
    )


def family_progress(family_id: int, today: date | None = None) -> FamilyProgress:
    """All four views for one family, in a fixed number of queries (the plan's three and five more)."""
    has_plan, goals = goal_series(family_id, outcome_model.current(), today)
    return FamilyProgress(
        family_id=family_id,
        has_plan=has_plan,
        goals=goals,
        moments=moments_by_month(family_id, today=today),
        focus=focus_by_month(family_id, today),
        stress=stress_by_month(family_id, today),
    )
