"""Saving and reading care sessions. Flushes, never commits: the request owns the transaction.

The session form's one way down: session_form_data() reads everything the form shows of the
family, submit_session() checks what only the data can decide (consent on the date, the number of
moments, which goals can be scored), saves, and answers with errors or a conflict as data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import audit, dates
from app.db.updates import save_if_unchanged
from app.extensions import db
from app.models import (
    CareSession,
    Family,
    FamilyMember,
    Goal,
    GoalScore,
    HelpFocus,
    Moment,
    MomentKind,
    MomentTagRow,
    SessionKind,
    Severity,
    StressItem,
    StressKind,
    StressStatus,
    StressUpdate,
    User,
)
from app.security.access import visible_families
from app.services import consent, goal_progress, periods, plans
from app.services.pagination import paginate
from app.services.plans import ScoreInput

MAX_MOMENTS = 30  # per session: more does not fit one visit, and the form stays usable on a tablet


@dataclass
class MomentInput:
    kind: MomentKind
    description: str = ""
    child_id: int | None = None
    tags: list[str] = field(default_factory=list)
    video_seconds: int | None = None


@dataclass
class StressChange:
    item_id: int
    status: StressStatus
    severity: Severity
    note: str = ""


@dataclass
class NewStress:
    kind: StressKind
    severity: Severity
    status: StressStatus
    helper: str = ""
    notes: str = ""


@dataclass
class SessionInput:
    held_on: date
    kind: SessionKind
    focuses: list[HelpFocus]
    duration_minutes: int | None = None
    attendee_ids: list[int] = field(default_factory=list)
    other_attendees: str = ""
    summary: str = ""
    agreements: str = ""
    next_appointment_on: date | None = None
    next_appointment_at: time | None = None
    moments: list[MomentInput] = field(default_factory=list)
    stress_changes: list[StressChange] = field(default_factory=list)
    new_stress: NewStress | None = None
    scores: list[ScoreInput] = field(default_factory=list)
    version: str = ""  # the version the form was opened on, for an edit


@dataclass(frozen=True)
class SessionFormData:
    """What the session form shows of the family, read once per request."""

    members: list[FamilyMember]  # current members, and removed ones this session names (marked on the form)
    stress_items: list[StressItem]  # open items, one row each
    goals: list[Goal]  # the current plan's active goals, one score row each
    goals_by_key: dict[str, Goal]  # every goal of the current plan
    last_session: CareSession | None  # a new session starts like the one before
    given_scores: dict[str, GoalScore]  # the scores an edited session gave


def session_form_data(family: Family, care_session: CareSession | None) -> SessionFormData:
    linked: set[int] = set()
    if care_session is not None:
        linked = {m.id for m in care_session.attendees} | {m.child_id for m in care_session.moments if m.child_id}
    plan = plans.current_plan(family.id)
    return SessionFormData(
        members=[m for m in family.members if m.removed_at is None or m.id in linked],
        stress_items=open_stress_items(family.id),
        goals=plan.active_goals if plan else [],
        goals_by_key={g.key: g for g in plan.goals} if plan else {},
        last_session=last_session(family.id) if care_session is None else None,
        given_scores=plans.scores_of_session(care_session.id) if care_session is not None else {},
    )


@dataclass(frozen=True)
class SessionSaved:
    """The answer to a submitted session form: the saved session, or errors by field, or a conflict."""

    care_session: CareSession | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)  # "" for the form as a whole
    conflict: CareSession | None = None  # the version someone else saved since the form was opened
    conflict_scores: list[plans.ScoreComparison] = field(default_factory=list)  # its scores beside the form's


def submit_session(
    family: Family,
    data: SessionInput,
    form_data: SessionFormData,
    user: User,
    care_session: CareSession | None = None,
) -> SessionSaved:
    """Check, save with its scores, log. Nothing is saved on an error."""
    if care_session is None and not periods.claim_open(family):  # closed since family_view checked
        return SessionSaved(errors={"": [str(periods.HELP_ENDED)]})
    errors = check_session(family, data.kind, data.held_on, len(data.moments))
    if errors:
        return SessionSaved(errors=errors)
    if care_session is not None and data.version != str(care_session.version):
        return _conflict(care_session, data)  # someone saved since: keep theirs, show both
    scores = [s for s in data.scores if s.goal_key in form_data.goals_by_key]  # a key from elsewhere is ignored
    try:
        with db.session.begin_nested():
            saved = save_session(family, data, user, care_session)
            plans.save_session_scores(family, saved, scores, user)
    except StaleDataError:
        # Saved by someone else between loading and writing: the same answer, with what they saved.
        assert care_session is not None
        db.session.refresh(care_session)
        return _conflict(care_session, data)
    audit.record("create_session" if care_session is None else "update_session", family=family, obj=saved)
    return SessionSaved(care_session=saved)


def _conflict(saved: CareSession, data: SessionInput) -> SessionSaved:
    return SessionSaved(conflict=saved, conflict_scores=plans.compare_scores(saved, data.scores))


def too_many_moments() -> str:
    return str(_l("A session can have at most %(max)d moments.", max=MAX_MOMENTS))


def check_session(family: Family, kind: SessionKind | None, held_on: date | None, moments: int) -> dict[str, list[str]]:
    """What only the data can decide, by field ("" for the form as a whole). Also run on a form with
    other errors, with None for a field that has its own error, so one send shows every problem."""
    errors: dict[str, list[str]] = {}
    if moments > MAX_MOMENTS:
        errors[""] = [too_many_moments()]
    if kind is not None and kind.needs_video_consent and held_on is not None:
        needed = consent.video_consent_needed(family.id, held_on)
        if needed is not None:
            errors["kind"] = [needed]
    return errors


def save_session(
    family: Family, data: SessionInput, user: User, care_session: CareSession | None = None
) -> CareSession:
    """Create or update a session with its moments and stress updates, in the open transaction."""
    if care_session is None:
        care_session = CareSession(family_id=family.id, created_by_id=user.id)
        db.session.add(care_session)
    care_session.held_on = data.held_on
    care_session.kind = data.kind
    care_session.duration_minutes = data.duration_minutes
    care_session.other_attendees = data.other_attendees
    care_session.summary = data.summary
    care_session.agreements = data.agreements
    care_session.next_appointment_on = data.next_appointment_on
    care_session.next_appointment_at = data.next_appointment_at
    for focus in HelpFocus:
        setattr(care_session, focus.column, focus in data.focuses)
    care_session.updated_by_id = user.id
    care_session.updated_at = dates.now()  # always an UPDATE, so the version moves even if only moments changed
    members = {m.id: m for m in family.members}
    care_session.attendees = [members[i] for i in data.attendee_ids if i in members]
    care_session.moments = [
        Moment(
            kind=m.kind,
            description=m.description,
            child_id=m.child_id if m.child_id in members else None,
            video_seconds=m.video_seconds,
            position=position,
            tag_rows=[MomentTagRow(tag=t) for t in dict.fromkeys(m.tags)],
        )
        for position, m in enumerate(data.moments)
    ]
    db.session.flush()
    _apply_stress(family, care_session, data, user)
    return care_session


def _apply_stress(family: Family, care_session: CareSession, data: SessionInput, user: User) -> None:
    items = {item.id: item for item in open_stress_items(family.id)}
    for change in data.stress_changes:
        item = items.get(change.item_id)
        if item is None:
            continue
        if change.status == item.status and change.severity == item.severity and not change.note:
            continue
        record_stress_change(
            item, change.status, change.severity, data.held_on, user, note=change.note, session_id=care_session.id
        )
    if data.new_stress is not None:
        new = data.new_stress
        entry = StressEntry(new.kind, new.severity, new.status, data.held_on, new.helper, new.notes)
        _new_stress_item(family, entry, user, session_id=care_session.id, note=new.notes[:500])
    db.session.flush()


@dataclass
class StressEntry:
    """A stress item as its own form gives it: what it is, how it stands, since when."""

    kind: StressKind
    severity: Severity
    status: StressStatus
    on: date
    helper: str = ""
    notes: str = ""


def _new_stress_item(
    family: Family, entry: StressEntry, user: User, *, session_id: int | None = None, note: str = ""
) -> StressItem:
    """A new item with its first update; session_id when a session's form opened it."""
    item = StressItem(
        family_id=family.id,
        kind=entry.kind,
        severity=entry.severity,
        status=entry.status,
        opened_on=entry.on,
        status_since=entry.on,
        resolved_on=entry.on if entry.status == StressStatus.RESOLVED else None,
        helper=entry.helper,
        notes=entry.notes,
    )
    item.updates.append(
        StressUpdate(
            changed_on=entry.on,
            status=entry.status,
            severity=entry.severity,
            recorded_by_id=user.id,
            session_id=session_id,
            note=note,
        )
    )
    db.session.add(item)
    return item


def add_stress_item(family: Family, entry: StressEntry, user: User) -> StressItem | None:
    """None, with nothing stored, when the help has ended since the form was opened."""
    if not periods.claim_open(family):
        return None
    item = _new_stress_item(family, entry, user)
    db.session.flush()
    audit.record("add_stress", family=family, obj=item)
    return item


def update_stress_item(family: Family, item: StressItem, entry: StressEntry, user: User, version: str) -> bool:
    """False, with nothing changed, when someone saved the item since `version` (a session too changes it)."""

    def change() -> None:
        item.kind = entry.kind
        item.helper = entry.helper
        item.notes = entry.notes
        record_stress_change(item, entry.status, entry.severity, entry.on, user)

    if not save_if_unchanged(item, version, change):
        return False
    audit.record("update_stress", family=family, obj=item)
    return True


def stress_values(item: StressItem) -> dict[str, object]:
    """The item as the stress form names its fields: what a conflict shows as saved now."""
    return {
        "kind": item.kind,
        "severity": item.severity,
        "status": item.status,
        "changed_on": item.status_since,
        "helper": item.helper,
        "notes": item.notes,
    }


def record_stress_change(
    item: StressItem,
    status: StressStatus,
    severity: Severity,
    on: date,
    user: User,
    *,
    note: str = "",
    session_id: int | None = None,
) -> None:
    if status != item.status:
        item.status_since = on
        item.resolved_on = on if status == StressStatus.RESOLVED else None
    item.status = status
    item.severity = severity
    item.updates.append(
        StressUpdate(
            changed_on=on, status=status, severity=severity, note=note, recorded_by_id=user.id, session_id=session_id
        )
    )


SEVERITY_RANK = {Severity.SEVERE: 0, Severity.MODERATE: 1, Severity.MILD: 2}


def open_stress_items(family_id: int) -> list[StressItem]:
    """Open items, the most severe first."""
    items = db.session.execute(
        select(StressItem)
        .where(StressItem.family_id == family_id, StressItem.status != StressStatus.RESOLVED)
        .order_by(StressItem.opened_on)
    ).scalars()
    return sorted(items, key=lambda item: SEVERITY_RANK[item.severity])


def resolved_stress_items(family_id: int) -> list[StressItem]:
    return list(
        db.session.execute(
            select(StressItem)
            .where(StressItem.family_id == family_id, StressItem.status == StressStatus.RESOLVED)
            .order_by(StressItem.resolved_on.desc())
        ).scalars()
    )


def soft_delete(care_session: CareSession, user: User) -> None:
    care_session.deleted_at = dates.now()
    care_session.deleted_by_id = user.id
    goal_progress.refresh(care_session.family_id)  # its scores no longer count


def restore(care_session: CareSession) -> None:
    care_session.deleted_at = None
    care_session.deleted_by_id = None
    goal_progress.refresh(care_session.family_id)


def timeline(
    family_id: int, *, focus: str = "", moment_kind: str = "", page: int = 1, per_page: int = 10
) -> Pagination:
    """Sessions of a family, newest first, with their moments, filtered and paged."""
    query = select(CareSession).where(CareSession.family_id == family_id, CareSession.live)
    if focus in HelpFocus._value2member_map_:
        query = query.where(getattr(CareSession, HelpFocus(focus).column).is_(True))
    if moment_kind in MomentKind._value2member_map_:
        query = query.where(exists().where(Moment.session_id == CareSession.id, Moment.kind == MomentKind(moment_kind)))
    return paginate(
        query.options(
            selectinload(CareSession.moments).selectinload(Moment.tag_rows),
            selectinload(CareSession.moments).selectinload(Moment.child),
            selectinload(CareSession.attendees),
            selectinload(CareSession.created_by),
        ).order_by(CareSession.held_on.desc(), CareSession.id.desc()),
        page,
        per_page,
    )


def latest(family_id: int, limit: int = 3) -> list[CareSession]:
    """The family's newest live sessions with their moments, whatever the timeline's filter: its summary."""
    return list(
        db.session.execute(
            select(CareSession)
            .where(CareSession.family_id == family_id, CareSession.live)
            .options(selectinload(CareSession.moments))
            .order_by(CareSession.held_on.desc(), CareSession.id.desc())
            .limit(limit)
        ).scalars()
    )


def trash(family_id: int) -> list[CareSession]:
    return list(
        db.session.execute(
            select(CareSession)
            .where(CareSession.family_id == family_id, CareSession.deleted_at.is_not(None))
            .options(selectinload(CareSession.deleted_by))
            .order_by(CareSession.deleted_at.desc())
        ).scalars()
    )


def team_trash(user: User, page: int, per_page: int) -> Pagination:
    """Sessions in the trash of every family the user sees (a lead: the team's), the last moved first."""
    families = visible_families(user).with_only_columns(Family.id)
    query = (
        select(CareSession)
        .where(CareSession.family_id.in_(families), CareSession.deleted_at.is_not(None))
        .options(selectinload(CareSession.family), selectinload(CareSession.deleted_by))
        .order_by(CareSession.deleted_at.desc(), CareSession.id.desc())
    )
    return paginate(query, page, per_page)


@dataclass(frozen=True)
class SessionPage:
    """What the session's own page shows beside the session itself."""

    scores: list[plans.GivenScore]  # per goal, the worker's and the parent's score given in it
    stress_updates: list[StressUpdate]


def session_page(care_session: CareSession) -> SessionPage:
    return SessionPage(scores=plans.given_scores(care_session), stress_updates=stress_updates_of(care_session))


def stress_updates_of(care_session: CareSession) -> list[StressUpdate]:
    return list(
        db.session.execute(
            select(StressUpdate)
            .where(StressUpdate.session_id == care_session.id)
            .options(selectinload(StressUpdate.item))
            .order_by(StressUpdate.id)
        ).scalars()
    )


def last_session(family_id: int) -> CareSession | None:
    return db.session.execute(
        select(CareSession)
        .where(CareSession.family_id == family_id, CareSession.live)
        .order_by(CareSession.held_on.desc(), CareSession.id.desc())
        .limit(1)
    ).scalar_one_or_none()
