from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ConsentKind, ConsentRecord


@dataclass(frozen=True)
class ConsentState:
    kind: ConsentKind
    given: bool
    latest: ConsentRecord | None


def consent_on(family_id: int, kind: ConsentKind, day: date) -> bool:
    """Whether the consent was in force on that day: the latest record on or before it."""
    latest = db.session.execute(
        select(ConsentRecord.given)
        .where(ConsentRecord.family_id == family_id, ConsentRecord.kind == kind, ConsentRecord.decided_on <= day)
        .order_by(ConsentRecord.decided_on.desc(), ConsentRecord.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return bool(latest)


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
