"""The care workers of a team (for assigning families)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Role, User


def team_workers(team_id: int | None, *, include_inactive: bool = False) -> list[User]:
    """None for no team: then no one (not the care workers who have no team either)."""
    if team_id is None:
        return []
    query = select(User).where(User.team_id == team_id, User.role == Role.WORKER)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return list(db.session.execute(query.order_by(User.name)).scalars())
