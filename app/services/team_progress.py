"""Where the help of a team goes, as plain data for the charts on the team lead's overview (DOMAIN.md, "Team leads").

Four views over the families the lead may see (visible_families: every status), in three queries whatever the
size of the team:
- the sessions per month by help focus (parent, child, family stress), the last 12 months;
- the positive and difficult moments per month, the last 12 months (each session's counts; with the above);
- the stress items that are not resolved, by kind: how many families have one (and how many items there are);
- per help focus, the active goals of the current plans: how many have a worker's score, the average start score,
  the average latest worker's score and the average change since the start.

Months are counted in SQL: per day first, then per month of those days (app.db.types.year_month, the same key on
SQLite and PostgreSQL), so the month is worked out once per day rather than once per session, and a few rows come
back instead of one per day. Sessions in the trash (soft-deleted) count nowhere, nor do the scores given in them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from app import dates
from app.dates import month_end, months_between
from app.db.types import first_of_month, year_month
from app.extensions import db
from app.models import (
    CareSession,
    Family,
    Goal,
    GoalProgress,
    GoalStatus,
    HelpFocus,
    Plan,
    StressItem,
    StressKind,
    StressStatus,
    User,
)
from app.security.access import visible_families
from app.services.progress import FocusByMonth, MomentsByMonth

MONTHS = 12


@dataclass(frozen=True)
class StressKindCount:
    kind: StressKind
    families: int  # families with at least one such item that is not resolved
    items: int  # the items themselves


@dataclass
class OpenStress:
    kinds: list[StressKindCount] = field(default_factory=list)  # every kind, in the order of StressKind

    @property
    def is_empty(self) -> bool:
        return not any(k.items for k in self.kinds)


@dataclass(frozen=True)
class FocusScores:
    """The active goals of the current plans with one help focus; averages over the goals with a worker's score."""

    focus: HelpFocus
    goals: int  # active goals with this focus
    scored: int  # of which have a worker's score
    average_start: float | None = None
    average_latest: float | None = None
    average_change: float | None = None

    @property
    def has_scores(self) -> bool:
        return self.scored > 0


@dataclass
class GoalChange:
    focuses: list[FocusScores] = field(default_factory=list)  # every help focus, in the order of HelpFocus

    @property
    def is_empty(self) -> bool:
        return not any(f.has_scores for f in self.focuses)

    @property
    def goals(self) -> int:
        return sum(f.goals for f in self.focuses)


@dataclass
class TeamProgress:
    months: list[date]
    period: ChartPeriod
    focus: FocusByMonth  # the period's months, each listed
    moments: MomentsByMonth  # the same months, without tags
    stress: OpenStress
    goals: GoalChange

    @property
    def is_empty(self) -> bool:
        return self.focus.is_empty and self.moments.is_empty and self.stress.is_empty and self.goals.is_empty


# -- scope and months ---------------------------------------------------------------------------------------------


def _team_ids(lead_user: User):
    """The ids of the families the user may see, as a subquery: the only scope for the team's data."""
    return visible_families(lead_user).with_only_columns(Family.id).order_by(None)


def last_months(today: date, count: int = MONTHS) -> list[date]:
    """The first days of the last `count` months, the current month last."""
    index = max(12, today.year * 12 + today.month - 1 - (count - 1))  # never before January of year 1
    return months_between(date(index // 12, index % 12 + 1, 1), today)


MAX_MONTHS = 24  # a date filter of years draws its last two years: a bar per month stays readable


@dataclass(frozen=True)
class ChartPeriod:
    """The days the month charts count: the overview's date filter, or the last 12 months up to today."""

    first: date
    last: date
    months: list[date]
    filtered: bool  # the overview's date filter set it (the titles say so)
    partial_until: date | None  # the last month is counted until this day only


def chart_period(today: date, date_from: date | None = None, date_to: date | None = None) -> ChartPeriod:
    last = min(date_to, today) if date_to else today
    if date_from is None:
        months = last_months(last)
        first = months[0]
    else:
        first = date_from
        months = months_between(first, last) if first <= last else []
        if len(months) > MAX_MONTHS:
            months = months[-MAX_MONTHS:]
            first = months[0]
    if last >= today:
        partial = today  # the current month is never over, even on its last day
    elif months and last < month_end(months[-1]):
        partial = last
    else:
        partial = None
    return ChartPeriod(first, last, months, date_from is not None or date_to is not None, partial)


def _live_sessions(team, period: ChartPeriod):
    return (
        CareSession.family_id.in_(team),
        CareSession.live,
        CareSession.held_on >= period.first,
        CareSession.held_on <= period.last,
    )


# -- the four views -------------------------------------------------------------------------------------------------


def sessions_by_month(team, period: ChartPeriod) -> tuple[FocusByMonth, MomentsByMonth]:
    """Per month, the sessions held, how many were aimed at the parent, the child and family stress, and their
    positive and difficult moments (each session's counts): one query over the team's sessions of the year.

    Counted per day first, then per month: the day is what the (family_id, held_on) index gives in order.
    """
    months, partial_until = period.months, period.partial_until
    if not months:
        return FocusByMonth(), MomentsByMonth()

    def flagged(column):
        return func.sum(case((column.is_(True), 1), else_=0))

    per_day = (
        select(
            CareSession.held_on.label("day"),
            func.count().label("sessions"),
            flagged(CareSession.focus_parent).label("parent"),
            flagged(CareSession.focus_child).label("child"),
            flagged(CareSession.focus_stress).label("stress"),
            func.sum(CareSession.positive_moments).label("positive"),
            func.sum(CareSession.difficult_moments).label("difficult"),
        )
        .where(*_live_sessions(team, period))
        .group_by(CareSession.held_on)
        .subquery()
    )
    month = year_month(per_day.c.day)
    rows = db.session.execute(
        select(
            month,
            func.sum(per_day.c.sessions),
            func.sum(per_day.c.parent),
            func.sum(per_day.c.child),
            func.sum(per_day.c.stress),
            func.sum(per_day.c.positive),
            func.sum(per_day.c.difficult),
        ).group_by(month)
    ).all()

    def column(index: int) -> list[int]:
        per_month = {first_of_month(r[0]): int(r[index] or 0) for r in rows}
        return [per_month.get(m, 0) for m in months]

    focus = FocusByMonth(
        months=months,
        sessions=column(1),
        parent=column(2),
        child=column(3),
        stress=column(4),
        partial_until=partial_until,
    )
    return focus, MomentsByMonth(months=months, positive=column(5), difficult=column(6), partial_until=partial_until)


def open_stress(team) -> OpenStress:
    """Per kind, the families with a stress item that is not resolved, and the number of such items: one query."""
    rows = db.session.execute(
        select(StressItem.kind, func.count(func.distinct(StressItem.family_id)), func.count())
        .where(StressItem.family_id.in_(team), StressItem.status != StressStatus.RESOLVED)
        .group_by(StressItem.kind)
    ).all()
    counts = {kind: (families, items) for kind, families, items in rows}
    return OpenStress(kinds=[StressKindCount(kind, *counts.get(kind, (0, 0))) for kind in StressKind])


def goal_change(team) -> GoalChange:
    """Per help focus, the active goals of the current plans and their change since the start: one query.

    A goal's latest score is the worker's score given last, as the signals read it: the stored facts of its live
    scores (app.services.goal_progress), so scores in a session in the trash do not count.
    """
    goals = (
        select(
            Goal.focus.label("focus"),
            Goal.start_score.label("start_score"),
            GoalProgress.worker_latest.label("latest"),
        )
        .join(Plan, Plan.id == Goal.plan_id)
        .outerjoin(GoalProgress, (GoalProgress.family_id == Plan.family_id) & (GoalProgress.goal_key == Goal.key))
        .where(Plan.family_id.in_(team), Plan.superseded_at.is_(None), Goal.status == GoalStatus.ACTIVE)
        .subquery()
    )
    scored_start = case((goals.c.latest.is_not(None), goals.c.start_score))
    rows = db.session.execute(
        select(
            goals.c.focus,
            func.count(),
            func.count(goals.c.latest),
            func.avg(scored_start),
            func.avg(goals.c.latest),
            func.avg(goals.c.latest - goals.c.start_score),
        ).group_by(goals.c.focus)
    ).all()

    def number(value) -> float | None:
        return None if value is None else float(value)

    by_focus = {
        focus: FocusScores(focus, goals, scored, number(start), number(now), number(change))
        for focus, goals, scored, start, now, change in rows
    }
    return GoalChange(focuses=[by_focus.get(focus, FocusScores(focus, 0, 0)) for focus in HelpFocus])


def team_progress(
    lead_user: User,
    today: date | None = None,
    families: Collection[int] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> TeamProgress:
    """All four views for the families the user may see, in three queries whatever the size of the team.

    `families`, when given, narrows them to these ids: the families of the overview's filtered table, so that the
    charts count exactly what the table lists (the filter itself is applied once, by app.services.dashboard).
    The month charts count the sessions from `date_from` to `date_to` (the overview's date filter; at most the
    last MAX_MONTHS months of it), else the last 12 months. A month not over yet is flagged as partial.
    """
    today = today or dates.today()
    team = _team_ids(lead_user)
    if families is not None:
        # Within the visible ones still: ids handed in never widen the scope.
        team = team.where(Family.id.in_(list(families)))
    period = chart_period(today, date_from, date_to)
    focus, moments = sessions_by_month(team, period)
    return TeamProgress(
        months=period.months,
        period=period,
        focus=focus,
        moments=moments,
        stress=open_stress(team),
        goals=goal_change(team),
    )
