"""Periods of help: closing one, reopening after it, and how each ended. Flushes, never commits.

The family's own start_date, end_date and closure_type are the current period's: every change here
sets both, so the many queries that read the family's columns stay true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit, dates
from app.db.updates import update_if
from app.extensions import db
from app.models import (
    ClosureType,
    EarlyEndReason,
    Family,
    FamilyStatus,
    Goal,
    GoalScore,
    HelpPeriod,
    Plan,
    User,
)


def periods_of(family_id: int) -> list[HelpPeriod]:
    return list(
        db.session.execute(
            select(HelpPeriod)
            .where(HelpPeriod.family_id == family_id)
            .options(selectinload(HelpPeriod.closed_by), selectinload(HelpPeriod.reopened_by))
            .order_by(HelpPeriod.number)
        ).scalars()
    )


def _last_period(family_id: int) -> HelpPeriod | None:
    return db.session.execute(
        select(HelpPeriod).where(HelpPeriod.family_id == family_id).order_by(HelpPeriod.number.desc()).limit(1)
    ).scalar_one_or_none()


def _first_period(family: Family) -> HelpPeriod:
    """The one period of a family from before periods were kept (or made by hand), from its columns."""
    return HelpPeriod(
        family_id=family.id,
        number=1,
        start_date=family.start_date,
        end_date=family.end_date,
        closure_type=family.closure_type,
    )


def current_period(family: Family) -> HelpPeriod:
    """The family's last period; the first one, from the family's columns, if it has none yet."""
    period = _last_period(family.id)
    if period is None:
        period = _first_period(family)
        db.session.add(period)
        db.session.flush()
    return period


def current_number(family: Family) -> int:
    """The number of the family's current period, without making a missing first one (a read)."""
    period = _last_period(family.id)
    return period.number if period is not None else 1


# What new work on a closed family is told, whether refused at the door (family_view) or at the save.
HELP_ENDED = _l("The help for this family has ended. A team lead can reopen it.")


def claim_open(family: Family) -> bool:
    """Take the family's row for new work in the caller's transaction; False, with nothing changed, when the
    help has ended.

    family_view(open_only=True) only reads the status at the start of the request: a close committed after
    it would still be followed by the new session or plan version. This conditional UPDATE sets the row to
    its own values, so it changes nothing, but matches only an open family; on PostgreSQL it also holds the
    row until the commit, so a close waits for the write (or the write finds it closed). Call it before
    adding anything.
    """
    claimed = update_if(
        Family,
        family.id,
        Family.status != FamilyStatus.CLOSED,
        status=Family.status,
        updated_at=Family.updated_at,  # not a change: keep the column's onupdate out of it
    )
    db.session.expire(family)  # read again, as it is now that the row is held
    return claimed


def earliest_start(family: Family) -> date | None:
    """The first day the current period may start on: the day the period before it ended."""
    periods = periods_of(family.id)
    return periods[-2].end_date if len(periods) > 1 else None


def keep_in_step(family: Family) -> None:
    """After the family form saved the start of the help: the open period starts then too."""
    period = current_period(family)
    if period.end_date is None and period.start_date != family.start_date:
        period.start_date = family.start_date
        db.session.flush()


@dataclass(frozen=True)
class Ending:
    closure: ClosureType
    end_date: date
    reason: EarlyEndReason | None = None
    reason_text: str = ""
    # The period the close form was opened for: after a close and a reopen it is not the current one.
    period: int | None = None


def close(family: Family, ending: Ending, user: User) -> HelpPeriod | None:
    """End the current period; None, with nothing changed, when the help had already ended.

    One conditional UPDATE decides: of two people closing at once, the second finds the family
    closed (PostgreSQL makes it wait for the first's commit, then checks again) and changes nothing.
    """
    closed = update_if(
        Family,
        family.id,
        Family.status != FamilyStatus.CLOSED,
        status=FamilyStatus.CLOSED,
        status_since=dates.today(),
        closure_type=ending.closure,
        end_date=ending.end_date,
        version=Family.version + 1,
        updated_at=dates.now(),
    )
    db.session.expire(family)  # the row changed under the ORM (or was closed by someone else)
    if not closed:
        return None
    period = current_period(family)  # only the one who closed it makes a missing first period
    early = ending.closure == ClosureType.EARLY
    period.end_date = ending.end_date
    period.closure_type = ending.closure
    period.early_reason = ending.reason if early else None
    period.early_reason_text = ending.reason_text if early else ""
    period.closed_by_id = user.id
    period.closed_at = dates.now()
    db.session.flush()
    return period


def reopen(family: Family, start_date: date, status: FamilyStatus, reason: str, user: User) -> HelpPeriod | None:
    """Start a new period of help after a closed one; None, with nothing changed, when it was not closed
    (any more). The earlier period, its ending and its final scores stay as they were."""
    previous = _last_period(family.id)
    first = _first_period(family)  # read before the UPDATE changes the family's columns
    reopened = update_if(
        Family,
        family.id,
        Family.status == FamilyStatus.CLOSED,
        status=status,
        status_since=dates.today(),
        start_date=start_date,
        end_date=None,
        closure_type=None,
        version=Family.version + 1,
        updated_at=dates.now(),
    )
    db.session.expire(family)
    if not reopened:
        return None
    if previous is None:  # a family from before periods were kept: its one period, as it was
        db.session.add(previous := first)
    previous.reopened_by_id = user.id
    previous.reopened_at = dates.now()
    previous.reopen_reason = reason
    period = HelpPeriod(family_id=family.id, number=previous.number + 1, start_date=start_date)
    db.session.add(period)
    db.session.flush()
    # The reason is a case fact: the administrator's log view leaves family details out (app.audit.log).
    audit.record(
        "reopen_family", family=family, obj=family, detail=f"period {period.number}, {status.value}: {reason}"[:255]
    )
    return period


# --- How each period ended -----------------------------------------------------------------------


@dataclass(frozen=True)
class GoalEnding:
    title: str
    start_score: int
    target_score: int
    worker_score: int | None
    parent_score: int | None


@dataclass(frozen=True)
class PeriodSummary:
    period: HelpPeriod
    goals: list[GoalEnding]

    @property
    def is_early(self) -> bool:
        return self.period.closure_type == ClosureType.EARLY


def summaries(family_id: int) -> list[PeriodSummary]:
    """Every period of the family, oldest first, each with start -> final per goal it closed with."""
    periods = periods_of(family_id)
    if not any(p.is_closed for p in periods):
        return [PeriodSummary(p, []) for p in periods]
    # Each version's goals, oldest version first: a period ends with the wording of the version in force then
    # (a goal changed after a reopening keeps its earlier title and start in the earlier period).
    versions: list[tuple[Plan, dict[str, Goal]]] = []
    for plan in db.session.execute(
        select(Plan).where(Plan.family_id == family_id).options(selectinload(Plan.goals)).order_by(Plan.number)
    ).scalars():
        versions.append((plan, {goal.key: goal for goal in plan.goals}))

    def goals_at(period: HelpPeriod) -> dict[str, Goal]:
        known: dict[str, Goal] = {}
        for plan, goals in versions:
            if period.closed_at is not None and plan.created_at > period.closed_at:
                break
            known.update(goals)  # a goal dropped from a later version keeps its last wording
        return known

    finals = db.session.execute(
        select(GoalScore).where(GoalScore.family_id == family_id, GoalScore.is_final).order_by(GoalScore.id)
    ).scalars()
    by_period: dict[int | None, list[GoalScore]] = {}
    for score in finals:
        by_period.setdefault(score.period_id, []).append(score)
    last = periods[-1].id if periods else None

    def endings(period: HelpPeriod) -> list[GoalEnding]:
        scores = by_period.get(period.id, []) + (by_period.get(None, []) if period.id == last else [])
        goals = goals_at(period)
        result = []
        for score in scores:
            goal = goals.get(score.goal_key)
            if goal is not None:
                result.append(
                    GoalEnding(goal.title, goal.start_score, goal.target_score, score.worker_score, score.parent_score)
                )
        return result

    return [PeriodSummary(p, endings(p) if p.is_closed else []) for p in periods]
