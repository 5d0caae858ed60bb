"""Which families need attention, and why: set-based, in a fixed number of queries.

Every rule takes `today` so tests can fix the clock at the boundary days. The thresholds
come from app.services.settings (config defaults, changed by an administrator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select

from app.extensions import db
from app.models import (
    AGREED_STATES,
    CareSession,
    Family,
    FamilyStatus,
    Goal,
    GoalScore,
    GoalStatus,
    Plan,
    PlanStatus,
    Severity,
    StressItem,
    StressStatus,
)
from app.models.enums import LabelledEnum


class SignalKind(LabelledEnum):
    NOT_SEEN = "not_seen"
    REVIEW_DUE = "review_due"
    DECLINING = "declining"
    DIFFICULT_RISING = "difficult_rising"
    STRESS_OPEN = "stress_open"
    INTAKE_LONG = "intake_long"
    PAUSED_LONG = "paused_long"


SignalKind.labels = {
    SignalKind.NOT_SEEN: _l("Not seen"),
    SignalKind.REVIEW_DUE: _l("Plan review due"),
    SignalKind.DECLINING: _l("Progress declining"),
    SignalKind.DIFFICULT_RISING: _l("Difficult moments rising"),
    SignalKind.STRESS_OPEN: _l("Stress left open"),
    SignalKind.INTAKE_LONG: _l("Long in intake"),
    SignalKind.PAUSED_LONG: _l("Paused a long time"),
}


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    family_id: int
    # "last session 34 days ago", translated when shown: a team's list works out the signals of hundreds of
    # families and shows a page of them, so translating every reason up front was wasted.
    reason: str


@dataclass
class FamilySignals:
    family_id: int
    signals: list[Signal] = field(default_factory=list)
    last_session: date | None = None
    review_on: date | None = None
    plan_status: PlanStatus | None = None


def _ids(scope: Select) -> Select:
    return scope.with_only_columns(Family.id).order_by(None)


def compute(scope: Select, today: date, thresholds: dict[str, int]) -> dict[int, FamilySignals]:
    """Signals for every family in `scope` (a SELECT from visible_families), in seven queries.

    Active families get every signal; intake and paused ones those that fit their status (a long intake,
    a long pause, a review date passed); closed families none."""
    from flask_babel import lazy_gettext as _
    from flask_babel import lazy_ngettext as ngettext

    ids = _ids(scope)
    families = db.session.execute(
        select(Family.id, Family.status, Family.start_date, Family.status_since).where(Family.id.in_(ids))
    ).all()
    result = {row.id: FamilySignals(family_id=row.id) for row in families}
    active = {row.id for row in families if row.status == FamilyStatus.ACTIVE}
    started = {row.id: row.start_date for row in families}

    last_sessions = dict(
        db.session.execute(
            select(CareSession.family_id, func.max(CareSession.held_on))
            .where(CareSession.family_id.in_(ids), CareSession.live)
            .group_by(CareSession.family_id)
        ).all()
    )
    for fid, held_on in last_sessions.items():
        result[fid].last_session = held_on

    # Not seen: an active family with no session in the last N days (counted from the start if none yet).
    limit = thresholds["not_seen_days"]
    for fid in active:
        last = last_sessions.get(fid)
        since = last or started[fid]
        days = (today - since).days
        if days > limit:
            reason = (
                ngettext("last session %(num)d day ago", "last session %(num)d days ago", days)
                if last
                else ngettext(
                    "no session in the %(num)d day since the start",
                    "no session in the %(num)d days since the start",
                    days,
                )
            )
            result[fid].signals.append(Signal(SignalKind.NOT_SEEN, fid, reason))

    # Plan review due, or no agreed plan six weeks after the start.
    plans = db.session.execute(
        select(Plan.family_id, Plan.status, Plan.review_on, Plan.number).where(
            Plan.family_id.in_(ids), Plan.superseded_at.is_(None)
        )
    ).all()
    current = {row.family_id: row for row in plans}
    for row in plans:
        result[row.family_id].review_on = row.review_on
        result[row.family_id].plan_status = row.status
    agreed_before = dict(
        db.session.execute(
            select(Plan.family_id, func.count())
            .where(Plan.family_id.in_(ids), Plan.status.in_(AGREED_STATES))
            .group_by(Plan.family_id)
        ).all()
    )
    within = thresholds["review_within_days"]
    # A paused family is not expected to be seen, but a review date that passed while it waits still needs
    # someone to look at the plan again.
    for family_row in families:
        plan = current.get(family_row.id)
        if family_row.status == FamilyStatus.PAUSED and plan is not None and plan.review_on is not None:
            days = (today - plan.review_on).days
            if days > 0:
                reason = ngettext("review date passed %(num)d day ago", "review date passed %(num)d days ago", days)
                result[family_row.id].signals.append(Signal(SignalKind.REVIEW_DUE, family_row.id, reason))
    for fid in active:
        plan = current.get(fid)
        if plan is not None and plan.review_on is not None and (plan.review_on - today).days <= within:
            days = (plan.review_on - today).days
            if days < 0:
                reason = ngettext("review date passed %(num)d day ago", "review date passed %(num)d days ago", -days)
            elif days == 0:
                reason = _("review date is today")
            else:
                reason = ngettext("review date in %(num)d day", "review date in %(num)d days", days)
            result[fid].signals.append(Signal(SignalKind.REVIEW_DUE, fid, reason))
        elif not agreed_before.get(fid) and (today - started[fid]).days >= thresholds["no_plan_after_days"]:
            reason = ngettext(
                "no agreed plan, %(num)d day after the start",
                "no agreed plan, %(num)d days after the start",
                (today - started[fid]).days,
            )
            result[fid].signals.append(Signal(SignalKind.REVIEW_DUE, fid, reason))

    _intake_long(families, last_sessions, agreed_before, today, result, thresholds)
    _paused_long(families, today, result, thresholds)

    # Only active families get these three signals: ask only about them (a team has paused, intake and
    # closed families too).
    active_ids = ids.where(Family.status == FamilyStatus.ACTIVE)
    _declining(active_ids, active, current, result, thresholds)
    _difficult_rising(active_ids, active, today, result, thresholds)
    _stress_open(active_ids, active, today, result, thresholds)
    return result


def _intake_long(families, last_sessions, agreed_before, today, result, thresholds) -> None:
    """In intake N days or more after the start with no session yet, or no agreed plan yet."""
    from flask_babel import lazy_ngettext as ngettext

    limit = thresholds["intake_days"]
    for row in families:
        days = (today - row.start_date).days
        if row.status != FamilyStatus.INTAKE or days < limit:
            continue
        no_session, no_plan = row.id not in last_sessions, not agreed_before.get(row.id)
        if no_session and no_plan:
            reason = ngettext(
                "in intake for %(num)d day; no session and no agreed plan yet",
                "in intake for %(num)d days; no session and no agreed plan yet",
                days,
            )
        elif no_session:
            reason = ngettext(
                "in intake for %(num)d day; no session yet", "in intake for %(num)d days; no session yet", days
            )
        elif no_plan:
            reason = ngettext(
                "in intake for %(num)d day; no agreed plan yet", "in intake for %(num)d days; no agreed plan yet", days
            )
        else:
            continue
        result[row.id].signals.append(Signal(SignalKind.INTAKE_LONG, row.id, reason))


def _paused_long(families, today, result, thresholds) -> None:
    """Paused for more than N whole weeks, counted from the day the status changed."""
    from flask_babel import lazy_ngettext as ngettext

    limit = thresholds["paused_weeks"]
    for row in families:
        weeks = (today - row.status_since).days // 7
        if row.status == FamilyStatus.PAUSED and weeks > limit:
            reason = ngettext("paused for %(num)d week", "paused for %(num)d weeks", weeks)
            result[row.id].signals.append(Signal(SignalKind.PAUSED_LONG, row.id, reason))


def _declining(ids, active, current, result, thresholds) -> None:
    """A goal's last three scores go down, or the latest is N or more below its start.

    The last three scores of each active goal are three correlated subqueries (offset 0, 1, 2), each an index
    seek on goal_scores (family_id, goal_key, scored_on): the cost follows the number of goals, not of scores.
    """
    from flask_babel import lazy_gettext as _

    def nth_latest(offset: int):
        return (
            select(GoalScore.worker_score)
            .outerjoin(CareSession, CareSession.id == GoalScore.session_id)
            .where(
                GoalScore.family_id == Plan.family_id,
                GoalScore.goal_key == Goal.key,
                GoalScore.worker_score.is_not(None),
                CareSession.live,
            )
            .order_by(GoalScore.scored_on.desc(), GoalScore.id.desc())
            .limit(1)
            .offset(offset)
            .correlate(Plan, Goal)
            .scalar_subquery()
        )

    rows = db.session.execute(
        select(Plan.family_id, Goal.key, Goal.title, Goal.start_score, nth_latest(0), nth_latest(1), nth_latest(2))
        .join(Goal, Goal.plan_id == Plan.id)
        .where(Plan.family_id.in_(ids), Plan.superseded_at.is_(None), Goal.status == GoalStatus.ACTIVE)
        .order_by(Plan.family_id, Goal.key)
    ).all()
    drop = thresholds["decline_drop"]
    flagged: set[int] = set()
    for fid, _key, title, start, *latest in rows:
        if fid not in active or fid in flagged or latest[0] is None:
            continue
        newest_first = [score for score in latest if score is not None]
        if len(newest_first) == 3 and newest_first[0] < newest_first[1] < newest_first[2]:
            reason = _(
                "'%(goal)s' went down at each of the last three scores: %(scores)s",
                goal=title,
                scores=" → ".join(str(s) for s in reversed(newest_first)),
            )
        elif start - newest_first[0] >= drop:
            reason = _(
                "'%(goal)s' is at %(now)d, below the start of %(start)d", goal=title, now=newest_first[0], start=start
            )
        else:
            continue
        flagged.add(fid)
        result[fid].signals.append(Signal(SignalKind.DECLINING, fid, reason))


def _difficult_rising(ids, active, today, result, thresholds) -> None:
    """In the last N days more difficult than positive moments, and more difficult ones than the N days before."""
    from flask_babel import lazy_gettext as _

    window = thresholds["difficult_window_days"]
    recent_from = today - timedelta(days=window - 1)  # the last N days, today included
    before_from = recent_from - timedelta(days=window)
    recent = CareSession.held_on >= recent_from
    rows = db.session.execute(
        select(
            CareSession.family_id,
            func.sum(case((recent, CareSession.difficult_moments), else_=0)),
            func.sum(case((recent, CareSession.positive_moments), else_=0)),
            func.sum(case((~recent, CareSession.difficult_moments), else_=0)),
        )
        .where(
            CareSession.family_id.in_(ids),
            CareSession.live,
            CareSession.held_on >= before_from,
            CareSession.held_on <= today,
        )
        .group_by(CareSession.family_id)
    ).all()
    for fid, difficult, positive, difficult_before in rows:
        difficult, positive, difficult_before = int(difficult or 0), int(positive or 0), int(difficult_before or 0)
        if fid in active and difficult > positive and difficult > difficult_before:
            reason = _(
                "%(difficult)d difficult against %(positive)d positive moments in %(days)d days (%(before)d before)",
                difficult=difficult,
                positive=positive,
                days=window,
                before=difficult_before,
            )
            result[fid].signals.append(Signal(SignalKind.DIFFICULT_RISING, fid, reason))


def _stress_open(ids, active, today, result, thresholds) -> None:
    from flask_babel import lazy_ngettext as ngettext

    limit = thresholds["stress_open_days"]
    rows = db.session.execute(
        select(StressItem.family_id, StressItem.kind, StressItem.status_since)
        .where(
            StressItem.family_id.in_(ids),
            StressItem.severity == Severity.SEVERE,
            StressItem.status == StressStatus.OPEN,
            StressItem.status_since <= today - timedelta(days=limit),
        )
        .order_by(StressItem.status_since)
    ).all()
    seen: set[int] = set()
    for fid, kind, since in rows:
        if fid in active and fid not in seen:
            seen.add(fid)
            reason = ngettext(
                "%(kind)s open for %(num)d day", "%(kind)s open for %(num)d days", (today - since).days, kind=kind.label
            )
            result[fid].signals.append(Signal(SignalKind.STRESS_OPEN, fid, reason))
