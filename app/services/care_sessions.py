"""Saving and reading care sessions. Flushes, never commits: the request owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from app import dates
from app.extensions import db
from app.models import (
    CareSession,
    Family,
    HelpFocus,
    Moment,
    MomentKind,
    MomentTagRow,
    Severity,
    StressItem,
    StressKind,
    StressStatus,
    StressUpdate,
    User,
)
from app.services.pagination import paginate


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
    kind: str
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
        item = StressItem(
            family_id=family.id,
            kind=new.kind,
            severity=new.severity,
            status=new.status,
            opened_on=data.held_on,
            status_since=data.held_on,
            resolved_on=data.held_on if new.status == StressStatus.RESOLVED else None,
            helper=new.helper,
            notes=new.notes,
        )
        db.session.add(item)
        item.updates.append(
            StressUpdate(
                changed_on=data.held_on,
                status=new.status,
                severity=new.severity,
                recorded_by_id=user.id,
                session_id=care_session.id,
                note=new.notes[:500],
            )
        )
    db.session.flush()


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


def restore(care_session: CareSession) -> None:
    care_session.deleted_at = None
    care_session.deleted_by_id = None


def timeline(
    family_id: int, *, focus: str = "", moment_kind: str = "", page: int = 1, per_page: int = 10
) -> Pagination:
    """Sessions of a family, newest first, with their moments, filtered and paged."""
    query = select(CareSession).where(CareSession.family_id == family_id, CareSession.deleted_at.is_(None))
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


def trash(family_id: int) -> list[CareSession]:
    return list(
        db.session.execute(
            select(CareSession)
            .where(CareSession.family_id == family_id, CareSession.deleted_at.is_not(None))
            .options(selectinload(CareSession.deleted_by))
            .order_by(CareSession.deleted_at.desc())
        ).scalars()
    )


def session_in_family(family: Family, session_id: int, *, deleted: bool | None = False) -> CareSession | None:
    query = select(CareSession).where(CareSession.id == session_id, CareSession.family_id == family.id)
    if deleted is True:
        query = query.where(CareSession.deleted_at.is_not(None))
    elif deleted is False:
        query = query.where(CareSession.deleted_at.is_(None))
    return db.session.execute(query).scalar_one_or_none()


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
        .where(CareSession.family_id == family_id, CareSession.deleted_at.is_(None))
        .order_by(CareSession.held_on.desc(), CareSession.id.desc())
        .limit(1)
    ).scalar_one_or_none()
