from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import audit, dates
from app.db.updates import fingerprint, hold
from app.extensions import db
from app.models import ConsentKind, ConsentRecord, Family, User


@dataclass(frozen=True)
class ConsentState:
    kind: ConsentKind
    given: bool
    latest: ConsentRecord | None


class ConsentNeeded(str):
    """Why a session cannot be saved for want of consent, in words: a str (the message), with the kind
    it is about, so the page can link to the family's consent page beside it."""

    kind: ConsentKind

    def __new__(cls, message: str, kind: ConsentKind) -> ConsentNeeded:
        made = super().__new__(cls, message)
        made.kind = kind
        return made


def video_consent_needed(family_id: int, day: date) -> ConsentNeeded | None:
    """None when the parents' consent for video was in force on that day; else what stands on file instead:
    nothing at all, a withdrawal or refusal (with its date), or consent given only after that day."""
    records = db.session.execute(
        select(ConsentRecord.given, ConsentRecord.decided_on)
        .where(ConsentRecord.family_id == family_id, ConsentRecord.kind == ConsentKind.VIDEO)
        .order_by(ConsentRecord.decided_on.desc(), ConsentRecord.id.desc())
    ).all()
    before = [r for r in records if r.decided_on <= day]
    if before and before[0].given:
        return None
    if before and any(r.given for r in before[1:]):
        message = _l(
            "The parents withdrew their consent for video on %(date)s. Record it on the consent page if they "
            "have given it again.",
            date=dates.show_day(before[0].decided_on),
        )
    elif before:
        message = _l(
            "The parents refused consent for video on %(date)s. Record it on the consent page if they have "
            "given it since.",
            date=dates.show_day(before[0].decided_on),
        )
    elif any(r.given for r in records):
        message = _l(
            "The parents' consent for video dates from %(date)s, after the date of this session. Check the "
            "date of the session, or the date on the consent page.",
            date=dates.show_day(min(r.decided_on for r in records if r.given)),
        )
    else:
        message = _l("The parents' consent for video is not on file. Record it on the consent page first, then save.")
    return ConsentNeeded(str(message), ConsentKind.VIDEO)


def history(family_id: int) -> list[ConsentRecord]:
    return list(
        db.session.execute(
            select(ConsentRecord)
            .where(ConsentRecord.family_id == family_id)
            .options(selectinload(ConsentRecord.recorded_by))
            .order_by(ConsentRecord.decided_on.desc(), ConsentRecord.id.desc())
        ).scalars()
    )


def current_states(records: list[ConsentRecord]) -> list[ConsentState]:
    """The state per kind, from a history sorted newest first."""
    states = []
    for kind in ConsentKind:
        latest = next((r for r in records if r.kind == kind), None)
        states.append(ConsentState(kind=kind, given=bool(latest and latest.given), latest=latest))
    return states


def decisions_version(family_id: int) -> str:
    """The family's consent decisions as an edit version: the newest record of each kind."""
    rows = db.session.execute(
        select(ConsentRecord.kind, func.max(ConsentRecord.id))
        .where(ConsentRecord.family_id == family_id)
        .group_by(ConsentRecord.kind)
    ).all()
    return fingerprint(sorted((kind.value, newest) for kind, newest in rows))


def latest_recorded(family_id: int) -> ConsentRecord | None:
    """The decision recorded last (not the one in force: that goes by the date decided)."""
    return db.session.execute(
        select(ConsentRecord).where(ConsentRecord.family_id == family_id).order_by(ConsentRecord.id.desc()).limit(1)
    ).scalar_one_or_none()


def record_decision(
    family: Family,
    kind: ConsentKind,
    *,
    given: bool,
    given_by: str,
    decided_on: date,
    note: str,
    user: User,
    version: str,
) -> ConsentRecord | None:
    """A new record, never a change: consent given and withdrawn stay on file side by side.

    None, with nothing recorded, when someone recorded a decision since the form showed them at `version`:
    the user decides on what is on file now. The family's row is held first, so of two at once the second
    sees the first's record."""
    hold(Family, family.id)
    if decisions_version(family.id) != version:
        return None
    record = ConsentRecord(
        family_id=family.id,
        kind=kind,
        given=given,
        given_by=given_by,
        decided_on=decided_on,
        note=note,
        recorded_by_id=user.id,
    )
    db.session.add(record)
    db.session.flush()
    audit.record("record_consent", family=family, obj=record, detail=f"{record.kind.value} given={record.given}")
    return record
