"""The team lead's overview, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.access import visible_families
from app.extensions import db
from app.models import Family, FamilyStatus, Role, User


@dataclass
class WorkerLoad:
    user_id: int | None
    name: str
    active: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def open_total(self) -> int:
        return sum(n for status, n in self.counts.items() if status != FamilyStatus.CLOSED.value)


def caseload_per_worker(user: User) -> list[WorkerLoad]:
    """Families per primary worker and status, in one aggregate query over visible families."""
    families = visible_families(user).subquery()
    rows = db.session.execute(
        select(families.c.primary_worker_id, families.c.status, func.count()).group_by(
            families.c.primary_worker_id, families.c.status
        )
    ).all()
    workers = db.session.execute(
        select(User).where(User.team_id == user.team_id, User.role == Role.WORKER).order_by(User.name)
    ).scalars()
    loads = {w.id: WorkerLoad(user_id=w.id, name=w.name, active=w.active) for w in workers}
    for worker_id, status, count in rows:
        load = loads.get(worker_id)
        if load is None:
            load = loads.setdefault(worker_id, WorkerLoad(user_id=worker_id, name="", active=False))
        load.counts[str(status.value if hasattr(status, "value") else status)] = count
    return [load for load in loads.values() if load.active or load.open_total]


def unassigned_families(user: User) -> list[Family]:
    """Open families of the team without a primary worker: they need a decision."""
    query = visible_families(user).where(Family.primary_worker_id.is_(None), Family.status != FamilyStatus.CLOSED)
    return list(db.session.execute(query.order_by(Family.start_date)).scalars())
