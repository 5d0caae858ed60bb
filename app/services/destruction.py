"""Destroying a family's record: at the end of its retention term, or on request.

One transaction (the caller commits): every row of the family goes, and the access log keeps
one stub with the case number, the time, who destroyed it and why. Rows are deleted
explicitly, children before parents, so the outcome does not depend on ON DELETE CASCADE
being enforced (SQLite only enforces foreign keys when the pragma is on) nor on ORM cascades.
Backups keep a destroyed record until they expire (README, "Backups").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from app import audit, dates
from app.audit.log import purge_family_events
from app.db.transaction import mark_destroyed
from app.extensions import db
from app.models import (
    CareSession,
    ConsentRecord,
    DestructionRequest,
    Family,
    FamilyMember,
    FamilyStatus,
    FormDraft,
    Goal,
    GoalAgreement,
    GoalProgress,
    GoalResponse,
    GoalScore,
    HelpPeriod,
    Moment,
    MomentTagRow,
    Plan,
    PlanAgreement,
    RequestStatus,
    StressItem,
    StressUpdate,
    User,
    family_workers,
    session_attendees,
)
from app.security.access import visible_families

RETENTION_REASON = "retention term passed"

# Every table holding a family's data, in the order they are emptied. A test checks that
# each table with a foreign key path to families is named here.
FAMILY_TABLES = (
    "moment_tags",
    "moments",
    "session_attendees",
    "stress_updates",
    "goal_scores",
    "goal_progress",
    "help_periods",
    "stress_items",
    "care_sessions",
    "plan_agreement_goals",
    "plan_agreements",
    "goal_agreements",
    "goals",
    "plans",
    "consent_records",
    "destruction_requests",
    "family_workers",
    "family_members",
    "families",
)


FAMILY_MODELS = (
    Family,
    FamilyMember,
    CareSession,
    Moment,
    MomentTagRow,
    StressItem,
    StressUpdate,
    Plan,
    PlanAgreement,
    GoalResponse,
    Goal,
    GoalAgreement,
    GoalScore,
    GoalProgress,
    HelpPeriod,
    ConsentRecord,
    DestructionRequest,
    FormDraft,
)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the term ends a day later rather than a day early
        return date(day.year + years, 3, 1)


def term_end(help_ended: date, years: int) -> date:
    """The last day the record is kept."""
    return add_years(help_ended, years)


@dataclass(frozen=True)
class Expired:
    family_id: int
    case_number: str
    help_ended: date
    term_ended: date


def expired_records(today: date, years: int) -> list[Expired]:
    """Closed families whose retention term ended before today, oldest first."""
    latest_end = add_years(today, -years)  # a superset; term_end() decides
    rows = db.session.execute(
        select(Family.id, Family.case_number, Family.end_date)
        .where(Family.status == FamilyStatus.CLOSED, Family.end_date.is_not(None), Family.end_date <= latest_end)
        .order_by(Family.end_date, Family.id)
    ).all()
    expired = [
        Expired(fid, number, end, term_end(end, years))
        for fid, number, end in rows
        if end is not None  # as the query asks; end_date is a nullable column
    ]
    return [e for e in expired if e.term_ended < today]


def record_counts(family_id: int) -> dict[str, int]:
    """How many rows of each kind will go: shown before a destruction is confirmed."""
    sessions = select(CareSession.id).where(CareSession.family_id == family_id)

    def count(stmt) -> int:
        return db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()

    return {
        "members": count(select(FamilyMember.id).where(FamilyMember.family_id == family_id)),
        "sessions": count(sessions),
        "moments": count(select(Moment.id).where(Moment.session_id.in_(sessions))),
        "plans": count(select(Plan.id).where(Plan.family_id == family_id)),
        "stress": count(select(StressItem.id).where(StressItem.family_id == family_id)),
        "consent": count(select(ConsentRecord.id).where(ConsentRecord.family_id == family_id)),
    }


def stub_detail(*, actor: User | str, reason: str) -> str:
    """What the stub says beside its case number and time: who destroyed the record and on what ground.

    Only the administrator reads a stub (the family's own log goes with it), and the administrator has
    no case access: so no name and no period of help, just the ground that made the destruction lawful
    (the retention term, or a request and the day it came in).
    """
    who = actor if isinstance(actor, str) else actor.email
    return f"destroyed by {who}; reason: {reason}"[:255]


def destroy_family(family: Family, *, actor: User | str, reason: str) -> str:
    """Delete every row of the family in the open transaction; returns the stub's text.

    actor is the user who confirmed it, or the operator named on the command line.
    """
    family_id, case_number = family.id, family.case_number
    detail = stub_detail(actor=actor, reason=reason)
    db.session.flush()  # pending rows (e.g. this request's access-log row) go before the purge
    # The family's row first (PostgreSQL): saves holding it (KEY SHARE) finish before anything goes, and
    # none can wait on a row this purge already deleted while it holds the family (a deadlock).
    db.session.execute(select(Family.id).where(Family.id == family_id).with_for_update())
    mark_destroyed(family_id)

    sessions = select(CareSession.id).where(CareSession.family_id == family_id).scalar_subquery()
    moments = select(Moment.id).where(Moment.session_id.in_(sessions)).scalar_subquery()
    items = select(StressItem.id).where(StressItem.family_id == family_id).scalar_subquery()
    plans = select(Plan.id).where(Plan.family_id == family_id).scalar_subquery()
    goals = select(Goal.id).where(Goal.plan_id.in_(plans)).scalar_subquery()
    members = select(FamilyMember.id).where(FamilyMember.family_id == family_id).scalar_subquery()

    statements = [
        delete(MomentTagRow).where(MomentTagRow.moment_id.in_(moments)),
        delete(Moment).where(Moment.session_id.in_(sessions)),
        delete(session_attendees).where(
            session_attendees.c.session_id.in_(sessions) | session_attendees.c.member_id.in_(members)
        ),
        delete(StressUpdate).where(StressUpdate.item_id.in_(items)),
        delete(GoalScore).where(GoalScore.family_id == family_id),
        delete(GoalProgress).where(GoalProgress.family_id == family_id),
        delete(HelpPeriod).where(HelpPeriod.family_id == family_id),  # after the final scores that name them
        delete(StressItem).where(StressItem.family_id == family_id),
        delete(CareSession).where(CareSession.family_id == family_id),
        delete(GoalResponse).where(
            GoalResponse.agreement_id.in_(select(PlanAgreement.id).where(PlanAgreement.family_id == family_id))
        ),
        delete(PlanAgreement).where(PlanAgreement.family_id == family_id),
        delete(GoalAgreement).where(GoalAgreement.goal_id.in_(goals)),
        delete(Goal).where(Goal.plan_id.in_(plans)),
        delete(Plan).where(Plan.family_id == family_id),
        delete(ConsentRecord).where(ConsentRecord.family_id == family_id),
        delete(DestructionRequest).where(DestructionRequest.family_id == family_id),
        delete(family_workers).where(family_workers.c.family_id == family_id),
        delete(FamilyMember).where(FamilyMember.family_id == family_id),
        # Forms kept from a timed-out login hold typed case notes too.
        delete(FormDraft).where(FormDraft.path.startswith(f"/families/{family_id}/", autoescape=True)),
        delete(Family).where(Family.id == family_id),
    ]
    for statement in statements:
        db.session.execute(statement, execution_options={"synchronize_session": False})
    # Objects of the family still in the session must not be flushed back or read again.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, FAMILY_MODELS) and obj in db.session:  # expunge cascades to children
            db.session.expunge(obj)
    purge_family_events(family_id, case_number, detail, user=actor if isinstance(actor, User) else None)
    return detail


# -- requests from a parent or a youth of 12 or older ----------------------------------------

YOUTH_MIN_AGE = 12


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    if not MINYEAR <= year <= MAXYEAR:  # a date typed wrong long ago: the deadline is as far as a date goes
        return date.max if months > 0 else date.min
    for last_day in (day.day, 30, 29, 28):  # 31 January + 1 month: the end of February
        try:
            return date(year, month + 1, last_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def may_request(member: FamilyMember, on: date) -> bool | None:
    """May this member ask for the record to be destroyed? None: the age cannot be told.

    Parents and caregivers who raise the child ask as parents (Jeugdwet); a child only from 12.
    With only a year of birth, a youth is certainly 12 when the year is more than 12 years back.
    """
    if not member.is_child:
        return True
    age = member.age_on(on)
    if member.birth_date and age is not None:  # a birth date gives the age
        return age >= YOUTH_MIN_AGE
    if member.birth_year:
        age_at_least = on.year - member.birth_year - 1
        if age_at_least >= YOUTH_MIN_AGE:
            return True
        return None if age_at_least + 1 >= YOUTH_MIN_AGE else False
    return None


def open_request(family_id: int) -> DestructionRequest | None:
    return db.session.execute(
        select(DestructionRequest).where(
            DestructionRequest.family_id == family_id, DestructionRequest.status == RequestStatus.OPEN
        )
    ).scalar_one_or_none()


def closed_requests(family_id: int) -> list[DestructionRequest]:
    return list(
        db.session.execute(
            select(DestructionRequest)
            .where(DestructionRequest.family_id == family_id, DestructionRequest.status != RequestStatus.OPEN)
            .order_by(DestructionRequest.received_on.desc())
        ).scalars()
    )


def record_request(
    family: Family, member: FamilyMember, received_on: date, note: str, user: User
) -> DestructionRequest | str:
    """The recorded request, or why this member cannot ask (as text for the field): nothing is saved then."""
    allowed = may_request(member, received_on)
    if allowed is None:
        return _("Enter %(name)s's date of birth first: a youth may ask from the age of 12.", name=member.first_name)
    if not allowed:
        return _(
            "%(name)s was younger than 12 on that date: a parent asks for a younger child.", name=member.first_name
        )
    request = DestructionRequest(
        family_id=family.id, requested_by_id=member.id, received_on=received_on, note=note, recorded_by_id=user.id
    )
    db.session.add(request)
    db.session.flush()
    audit.record("destruction_request", family=family, obj=request)
    return request


def close_request(family: Family, request: DestructionRequest, status: RequestStatus, reason: str, user: User) -> None:
    request.status = status
    request.close_reason = reason
    request.closed_by_id = user.id
    request.closed_at = dates.now()
    audit.record(f"destruction_request_{status.value}", family=family, obj=request)


def deadline(request: DestructionRequest) -> date:
    """The law gives three months from the request."""
    return add_months(request.received_on, 3)


def requests_needing_attention(user: User, today: date, months: int) -> list[DestructionRequest]:
    """Open requests of the user's visible families that came in at least `months` ago."""
    visible = visible_families(user).with_only_columns(Family.id)
    return list(
        db.session.execute(
            select(DestructionRequest)
            .where(
                DestructionRequest.status == RequestStatus.OPEN,
                DestructionRequest.family_id.in_(visible),
                DestructionRequest.received_on <= add_months(today, -months),
            )
            .options(selectinload(DestructionRequest.family))
            .order_by(DestructionRequest.received_on)
        ).scalars()
    )
