"""Plans, their versions and goal scores. Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import audit, dates
from app.extensions import db
from app.models import (
    CareSession,
    ClosureType,
    Family,
    Goal,
    GoalAgreement,
    GoalScore,
    GoalStatus,
    HelpFocus,
    Party,
    Plan,
    PlanStatus,
    User,
)
from app.models.plans import CoreSkill, new_goal_key
from app.services import periods


@dataclass
class AgreementInput:
    party: Party
    what: str
    who: str = ""


@dataclass
class GoalInput:
    focus: HelpFocus
    title: str
    start_score: int
    target_score: int
    looks_like: str = ""
    status: GoalStatus = GoalStatus.ACTIVE
    skills: set[CoreSkill] = field(default_factory=set)
    agreements: list[AgreementInput] = field(default_factory=list)
    key: str | None = None


@dataclass
class PlanInput:
    status: PlanStatus
    goals: list[GoalInput]
    discussed_on: date | None = None
    review_on: date | None = None


@dataclass
class ScoreInput:
    goal_key: str
    worker_score: int | None
    parent_score: int | None


def _with_goals(query):
    return query.options(selectinload(Plan.goals).selectinload(Goal.agreements), joinedload(Plan.updated_by))


def current_plan(family_id: int) -> Plan | None:
    return db.session.execute(
        _with_goals(select(Plan).where(Plan.family_id == family_id, Plan.superseded_at.is_(None)))
    ).scalar_one_or_none()


def plan_version(family_id: int, number: int) -> Plan | None:
    return db.session.execute(
        _with_goals(select(Plan).where(Plan.family_id == family_id, Plan.number == number))
    ).scalar_one_or_none()


def plan_versions(family_id: int) -> list[Plan]:
    return list(
        db.session.execute(
            select(Plan)
            .where(Plan.family_id == family_id)
            .options(selectinload(Plan.goals), selectinload(Plan.updated_by))
            .order_by(Plan.number.desc())
        ).scalars()
    )


def save_plan(family: Family, data: PlanInput, user: User, current: Plan | None) -> Plan:
    """A draft is changed in place; an agreed plan is kept as it was and a new version is made."""
    if current is None or current.status == PlanStatus.AGREED:
        plan = Plan(family_id=family.id, number=(current.number + 1) if current else 1, created_by_id=user.id)
        if current is not None:
            current.superseded_at = dates.now()
            db.session.flush()  # the old version steps aside before the new one takes its place
        db.session.add(plan)
    else:
        plan = current
    plan.status = data.status
    plan.discussed_on = data.discussed_on
    plan.review_on = data.review_on
    plan.updated_by_id = user.id
    plan.updated_at = dates.now()  # always an UPDATE, so the version moves even if only goals changed
    plan.goals = [_goal(position, goal) for position, goal in enumerate(data.goals)]
    db.session.flush()
    return plan


def edit_token(plan: Plan | None) -> str:
    """What an edit form was opened on: the version number and its row version.

    The row version alone is not enough: a new plan version starts again at 1, so a form opened on
    version 1 would match version 2 and silently write over it.
    """
    return f"{plan.number}.{plan.version}" if plan is not None else ""


@dataclass(frozen=True)
class PlanSaved:
    plan: Plan | None = None  # the saved plan: the draft changed in place, or a new version
    conflict: Plan | None = None  # when plan is None: the current plan someone else saved meanwhile


def submit_plan(family: Family, data: PlanInput, version: str, user: User, current: Plan | None) -> PlanSaved:
    """Save the plan unless someone saved since `version`; log it. Goal keys not of this family are new goals."""
    if version != edit_token(current):
        return PlanSaved(conflict=current)
    data = replace(data, goals=_own_keys(family.id, data.goals))
    try:
        with db.session.begin_nested():
            plan = save_plan(family, data, user, current)
    except (StaleDataError, IntegrityError):
        # Saved by someone else at the same moment (a changed version, or the next version number taken).
        return PlanSaved(conflict=current_plan(family.id))
    audit.record("update_plan" if current else "create_plan", family=family, obj=plan, detail=f"version {plan.number}")
    return PlanSaved(plan=plan)


def _own_keys(family_id: int, goals: list[GoalInput]) -> list[GoalInput]:
    """A goal key is kept only if it is one of this family's goals, once; else the goal is a new one."""
    known = goal_keys_of(family_id)
    seen: set[str] = set()
    kept = []
    for goal in goals:
        key = goal.key if goal.key in known and goal.key not in seen else None
        if key:
            seen.add(key)
        kept.append(replace(goal, key=key))
    return kept


def _goal(position: int, data: GoalInput) -> Goal:
    goal = Goal(
        key=data.key or new_goal_key(),
        position=position,
        focus=data.focus,
        title=data.title,
        looks_like=data.looks_like,
        start_score=data.start_score,
        target_score=data.target_score,
        status=data.status,
        agreements=[
            GoalAgreement(position=n, party=a.party, who=a.who, what=a.what) for n, a in enumerate(data.agreements)
        ],
    )
    for skill in CoreSkill:
        setattr(goal, skill.column, skill in data.skills)
    return goal


def goal_keys_of(family_id: int) -> set[str]:
    return set(db.session.execute(select(Goal.key).join(Plan).where(Plan.family_id == family_id)).scalars())


def scores_of_session(session_id: int) -> dict[str, GoalScore]:
    rows = db.session.execute(select(GoalScore).where(GoalScore.session_id == session_id)).scalars()
    return {row.goal_key: row for row in rows}


def save_session_scores(family: Family, care_session: CareSession, scores: list[ScoreInput], user: User) -> None:
    """Replace the scores of the goals on the form; a goal left blank has no reading that day.

    Scores of goals no longer on the form (achieved or stopped since) are kept as they were.
    """
    keys = [score.goal_key for score in scores]
    if keys:
        db.session.execute(
            delete(GoalScore).where(GoalScore.session_id == care_session.id, GoalScore.goal_key.in_(keys))
        )
    for score in scores:
        if score.worker_score is None and score.parent_score is None:
            continue
        db.session.add(
            GoalScore(
                family_id=family.id,
                goal_key=score.goal_key,
                session_id=care_session.id,
                scored_on=care_session.held_on,
                worker_score=score.worker_score,
                parent_score=score.parent_score,
                recorded_by_id=user.id,
            )
        )
    db.session.flush()


def latest_scores(family_id: int) -> dict[str, GoalScore]:
    """The most recent reading of each goal of a family, in one query."""
    rows = db.session.execute(
        select(GoalScore)
        .outerjoin(CareSession, CareSession.id == GoalScore.session_id)
        .where(GoalScore.family_id == family_id, CareSession.live)  # trashed sessions don't count
        .order_by(GoalScore.goal_key, GoalScore.scored_on, GoalScore.id)
    ).scalars()
    latest: dict[str, GoalScore] = {}
    for row in rows:
        latest[row.goal_key] = row
    return latest


CloseOutcome = Literal["closed", "already_ended", "goals_changed"]


def close_family(
    family: Family, ending: periods.Ending, finals: list[ScoreInput], user: User, goals: list[Goal]
) -> CloseOutcome:
    """Close the help with a final score for each active goal. Nothing changes when the scores are not for
    exactly those goals (they changed while the form was open) or when someone else closed it first."""
    if sorted(s.goal_key or "" for s in finals) != sorted(g.key for g in goals):
        return "goals_changed"
    period = periods.close(family, ending, user)
    if period is None:
        return "already_ended"
    for score in finals:
        db.session.add(
            GoalScore(
                family_id=family.id,
                goal_key=score.goal_key,
                scored_on=ending.end_date,
                worker_score=score.worker_score,
                parent_score=score.parent_score,
                is_final=True,
                period_id=period.id,
                recorded_by_id=user.id,
            )
        )
    db.session.flush()
    reason = f", {ending.reason.value}" if ending.reason and ending.closure == ClosureType.EARLY else ""
    audit.record("close_family", family=family, obj=family, detail=ending.closure.value + reason)
    return "closed"
