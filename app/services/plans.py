"""Plans, their versions and goal scores. Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app import audit, dates
from app.extensions import db
from app.models import (
    AgreementKind,
    AgreementParty,
    AgreementWay,
    CareSession,
    ClosureType,
    Family,
    FamilyMember,
    Goal,
    GoalAgreement,
    GoalResponse,
    GoalScore,
    GoalStatus,
    HelpFocus,
    NoParentReason,
    Party,
    Plan,
    PlanAgreement,
    PlanStatus,
    User,
)
from app.models.plans import CoreSkill, new_goal_key
from app.services import goal_progress, periods


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
    goals: list[GoalInput]
    review_on: date | None = None


@dataclass
class ScoreInput:
    goal_key: str
    worker_score: int | None
    parent_score: int | None


def _with_goals(query, agreement: bool = False):
    """The goals with their who-does-what; with `agreement`, the version's agreement entries too (the plan
    page, the print, the agreement form): the dashboards and the session form do not ask for them."""
    query = query.options(selectinload(Plan.goals).selectinload(Goal.agreements), joinedload(Plan.updated_by))
    if agreement:
        entries = selectinload(Plan.agreement_entries)
        query = query.options(
            entries.selectinload(PlanAgreement.goals).selectinload(GoalResponse.goal),
            entries.selectinload(PlanAgreement.recorded_by),
        )
    return query


def current_plan(family_id: int, *, agreement: bool = False) -> Plan | None:
    return db.session.execute(
        _with_goals(select(Plan).where(Plan.family_id == family_id, Plan.superseded_at.is_(None)), agreement)
    ).scalar_one_or_none()


def plan_version(family_id: int, number: int, *, agreement: bool = False) -> Plan | None:
    return db.session.execute(
        _with_goals(select(Plan).where(Plan.family_id == family_id, Plan.number == number), agreement)
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
    """A version nobody responded to yet is changed in place; one with any agreement entry is kept as it was
    (the parents' words refer to its text) and a new version is made, not yet discussed."""
    if current is None or current.status != PlanStatus.DRAFT:
        plan = Plan(family_id=family.id, number=(current.number + 1) if current else 1, created_by_id=user.id)
        if current is not None:
            current.superseded_at = dates.now()
            db.session.flush()  # the old version steps aside before the new one takes its place
        db.session.add(plan)
    else:
        plan = current
    # Never inherited: a new version starts without any agreement (and an edited draft has none).
    plan.status = PlanStatus.DRAFT
    plan.discussed_on = None
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
    ended: bool = False  # when plan is None: the help ended (closed since the form's page was opened)


def submit_plan(family: Family, data: PlanInput, version: str, user: User, current: Plan | None) -> PlanSaved:
    """Save the plan unless the help has ended or someone saved since `version`; log it. Goal keys not of this
    family are new goals."""
    if not periods.claim_open(family):  # closed since family_view checked: no new version on a closed family
        return PlanSaved(ended=True)
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


@dataclass(frozen=True)
class GivenScore:
    """One goal's scores as a session gave them, with the goal's title, for the session page."""

    goal_key: str
    title: str
    worker: int | None
    parent: int | None
    target: int | None


def _goal_titles(family_id: int) -> dict[str, Goal]:
    """Each goal key of the family's plans with its goal in the newest version that has it (a goal achieved
    or stopped since keeps the title it had last)."""
    goals: dict[str, Goal] = {}
    for goal in db.session.execute(
        select(Goal).join(Plan).where(Plan.family_id == family_id).order_by(Plan.number, Goal.position)
    ).scalars():
        goals[goal.key] = goal
    return goals


def given_scores(care_session: CareSession) -> list[GivenScore]:
    """The scores the session gave, in the order of the goals in the plan."""
    scores = scores_of_session(care_session.id)
    if not scores:
        return []
    goals = _goal_titles(care_session.family_id)
    order = {key: position for position, key in enumerate(goals)}
    return [
        GivenScore(
            key,
            goals[key].title if key in goals else "",
            score.worker_score,
            score.parent_score,
            goals[key].target_score if key in goals else None,
        )
        for key, score in sorted(scores.items(), key=lambda item: order.get(item[0], len(order)))
    ]


@dataclass(frozen=True)
class ScoreComparison:
    """A goal's scores in the saved version of a session beside those of the version in the form."""

    title: str
    saved_worker: int | None
    saved_parent: int | None
    yours_worker: int | None
    yours_parent: int | None

    @property
    def differs(self) -> bool:
        return (self.saved_worker, self.saved_parent) != (self.yours_worker, self.yours_parent)


def compare_scores(saved: CareSession, yours: list[ScoreInput]) -> list[ScoreComparison]:
    """Every goal either version scored, the saved version's goals first; empty when neither scored any."""
    theirs = {g.goal_key: g for g in given_scores(saved)}
    mine = {s.goal_key: s for s in yours if s.worker_score is not None or s.parent_score is not None}
    goals = _goal_titles(saved.family_id) if set(mine) - set(theirs) else {}
    rows = []
    for key in [*theirs, *(k for k in mine if k not in theirs)]:
        given, typed = theirs.get(key), mine.get(key)
        title = given.title if given else (goals[key].title if key in goals else "")
        rows.append(
            ScoreComparison(
                title,
                given.worker if given else None,
                given.parent if given else None,
                typed.worker_score if typed else None,
                typed.parent_score if typed else None,
            )
        )
    return rows


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
    goal_progress.refresh(family.id)


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


CloseOutcome = Literal["closed", "already_ended", "period_changed", "goals_changed"]


def close_family(
    family: Family, ending: periods.Ending, finals: list[ScoreInput], user: User, goals: list[Goal]
) -> CloseOutcome:
    """Close the help with a final score for each active goal. Nothing changes when someone else closed it
    first, when it was closed and reopened since the form was opened (ending.period is not the current
    period), or when the scores are not for exactly those goals (they changed while the form was open)."""
    # The row first: on PostgreSQL no close or reopen crosses the checks below until the commit.
    if not periods.claim_open(family):
        return "already_ended"
    if ending.period != periods.current_number(family):
        return "period_changed"
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
    goal_progress.refresh(family.id)
    reason = f", {ending.reason.value}" if ending.reason and ending.closure == ClosureType.EARLY else ""
    audit.record("close_family", family=family, obj=family, detail=ending.closure.value + reason)
    return "closed"


# --- The parents' agreement to a plan version (append-only) ---------------------------------------

YOUTH_ASKED_FROM = 12  # a youth of 12 or older is asked (Jeugdwet)
YOUTH_WARNED_FROM = 16  # from 16 the form warns when a parent's agreement is recorded without them


@dataclass
class GoalResponseInput:
    goal_id: int
    agrees: bool
    words: str = ""


@dataclass
class ResponseInput:
    """Someone's response to a version: overall, and per goal."""

    party: AgreementParty
    name: str
    way: AgreementWay
    agreed_on: date
    agrees: bool
    words: str = ""
    member_id: int | None = None
    goals: list[GoalResponseInput] = field(default_factory=list)


@dataclass
class NoParentInput:
    """The version is agreed without a parent's agreement, for this reason."""

    reason: NoParentReason
    reason_text: str
    agreed_on: date


def _person(entry: PlanAgreement) -> tuple[str, str]:
    return (
        ("member", str(entry.member_id))
        if entry.member_id is not None
        else ("name", (entry.name or "").strip().casefold())
    )


def latest_responses(entries: list[PlanAgreement]) -> list[PlanAgreement]:
    """Each person's latest response (entries come oldest first): a parent who agreed and later disagreed
    disagrees now. The earlier response stays in the history."""
    latest: dict[tuple[str, str], PlanAgreement] = {}
    for entry in entries:
        if entry.kind == AgreementKind.RESPONSE:
            latest[_person(entry)] = entry
    return list(latest.values())


def derive_status(entries: list[PlanAgreement]) -> PlanStatus:
    """The state of a version from its entries: agreed only while a parent with parental authority agrees (their
    latest response), or with a legacy mark or a recorded reason why not; discussed when someone responded."""
    if not entries:
        return PlanStatus.DRAFT
    parents = [e for e in latest_responses(entries) if e.party == AgreementParty.PARENT]
    if any(e.agrees for e in parents):
        return PlanStatus.AGREED
    if any(e.kind == AgreementKind.LEGACY for e in entries) and not parents:
        return PlanStatus.AGREED
    if any(e.kind == AgreementKind.NO_PARENT for e in entries):
        return PlanStatus.NO_PARENT
    return PlanStatus.DISCUSSED


def settle_agreement(plan: Plan, entries: list[PlanAgreement]) -> None:
    """The version's state from its entries, as an UPDATE of the plan row that leaves "last changed" alone:
    the text did not change (the column's onupdate would move it)."""
    plan.status = derive_status(entries)
    # The day it was last discussed with someone of the family; none when nobody was (a reason alone).
    discussed = [e.agreed_on for e in entries if e.kind != AgreementKind.NO_PARENT]
    plan.discussed_on = max(discussed) if discussed else None
    plan.updated_at = plan.updated_at
    flag_modified(plan, "updated_at")


def local_day(moment: datetime) -> date:
    """The local date of a stored UTC moment, on the same clock as dates.today()."""
    return moment.astimezone().date()


def agreement_token(plan: Plan) -> str:
    """What the agreement form was opened on: this version's row, the moment its text was last saved, and how
    many entries it had. Not Plan.version (a plan edit's token), but the entries count: a form sent twice
    (a double click, a reload) or after a colleague recorded someone meanwhile is shown again, not stored
    twice: entries cannot be taken back."""
    return f"{plan.id}:{plan.updated_at.isoformat()}:{len(plan.agreement_entries)}"


@dataclass(frozen=True)
class AgreementSaved:
    entry: PlanAgreement | None = None  # None: nothing stored, the form is shown again
    ended: bool = False  # the help ended since the page's check; else the plan row changed under it


def record_agreement(family: Family, plan: Plan, data: ResponseInput | NoParentInput, user: User) -> AgreementSaved:
    """Add one entry to the version and derive its state; an UPDATE of the plan row, so its version moves
    and an edit form opened before this gets the conflict page. Never changes an earlier entry.

    Nothing is stored when the help has ended meanwhile, or when the plan row changed under it (an entry or
    a plan edit saved at the same moment)."""
    if not periods.claim_open(family):
        return AgreementSaved(ended=True)
    try:
        with db.session.begin_nested():
            entry = _add_agreement(family, plan, data, user)
    except StaleDataError:
        db.session.expire(plan)
        return AgreementSaved()
    audit.record(
        "record_plan_agreement",
        family=family,
        obj=entry,
        detail=f"version {plan.number}, {entry.kind.value}"
        + (f", {'agrees' if entry.agrees else 'disagrees'}" if entry.kind == AgreementKind.RESPONSE else ""),
    )
    return AgreementSaved(entry=entry)


def _add_agreement(family: Family, plan: Plan, data: ResponseInput | NoParentInput, user: User) -> PlanAgreement:
    if isinstance(data, ResponseInput):
        own_goals = {g.id for g in plan.goals}
        entry = PlanAgreement(
            kind=AgreementKind.RESPONSE,
            party=data.party,
            member_id=data.member_id,
            name=data.name,
            way=data.way,
            agrees=data.agrees,
            words=data.words,
            agreed_on=data.agreed_on,
            goals=[
                GoalResponse(goal_id=g.goal_id, agrees=g.agrees, words=g.words)
                for g in data.goals
                if g.goal_id in own_goals
            ],
        )
    else:
        entry = PlanAgreement(
            kind=AgreementKind.NO_PARENT, reason=data.reason, reason_text=data.reason_text, agreed_on=data.agreed_on
        )
    entry.plan_id = plan.id
    entry.family_id = family.id
    entry.recorded_by_id = user.id
    entry.recorded_at = dates.now()
    db.session.add(entry)
    db.session.flush()
    db.session.expire(plan, ["agreement_entries"])
    settle_agreement(plan, plan.agreement_entries)
    db.session.flush()
    return entry


def youth_not_asked(family: Family, plan: Plan, today: date, from_age: int = YOUTH_ASKED_FROM) -> list[FamilyMember]:
    """Children of the family aged `from_age` or older with no entry of their own for this version."""
    asked_ids = {e.member_id for e in plan.agreement_entries if e.member_id is not None}
    asked_names = {e.name.strip().casefold() for e in plan.agreement_entries if e.kind == AgreementKind.RESPONSE}
    return [
        m
        for m in family.current_members
        if m.is_child
        and (m.age_on(today) or 0) >= from_age
        and m.id not in asked_ids
        and m.first_name.strip().casefold() not in asked_names
    ]
