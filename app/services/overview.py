"""Small pieces of the team lead's overview, as plain data."""

from __future__ import annotations

from app.extensions import db
from app.models import Family, FamilyStatus, User
from app.security.access import visible_families


def unassigned_families(user: User) -> list[Family]:
    """Open families of the team without a primary worker: they need a decision."""
    query = visible_families(user).where(Family.primary_worker_id.is_(None), Family.status != FamilyStatus.CLOSED)
    return list(db.session.execute(query.order_by(Family.start_date)).scalars())
