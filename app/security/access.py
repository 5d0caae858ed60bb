"""Who may see which family: the one place that decides.

Every list and aggregate starts from visible_families(user); every family-scoped route
loads its family through family_or_404(). A family the user may not see answers 404, so
its existence is not revealed.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, false, or_, select

from app import audit
from app.extensions import db
from app.models import Family, Role, User, family_workers


def visible_families(user: User) -> Select[tuple[Family]]:
    """A SELECT of the families this user may see; add filters and ordering to it."""
    query = select(Family)
    if not user.is_authenticated or not user.active:
        return query.where(false())
    if user.role == Role.LEAD:
        return query.where(Family.team_id == user.team_id)
    if user.role == Role.WORKER:
        assigned = select(family_workers.c.family_id).where(family_workers.c.user_id == user.id)
        # The team check too: a worker moved to another team loses the old team's families at once.
        return query.where(
            Family.team_id == user.team_id, or_(Family.primary_worker_id == user.id, Family.id.in_(assigned))
        )
    # Administrators manage accounts and never see case content.
    return query.where(false())


def family_or_404(family_id: int, action: str = "view", *, object_ref: tuple[str, int] | None = None) -> Family:
    """Load a family the current user may see, and write the access to the audit log.

    object_ref, e.g. ("CareSession", 12), says which part of the record the page shows.
    """
    family = db.session.execute(visible_families(current_user).where(Family.id == family_id)).scalar_one_or_none()
    if family is None:
        audit.record_refused(action, family_id=family_id)
        abort(404)
    audit.record(action, family=family, object_ref=object_ref)
    return family


def leads_the_record(user: User, family: Family) -> bool:
    """The lead of the family's team oversees its record (the checks below are named for the task)."""
    return user.role == Role.LEAD and family.team_id == user.team_id


def can_assign_workers(user: User, family: Family) -> bool:
    return leads_the_record(user, family)


def can_restore_sessions(user: User, family: Family) -> bool:
    """The trash of a family is emptied back by the team lead, who oversees the record."""
    return leads_the_record(user, family)


def can_handle_destruction(user: User, family: Family) -> bool:
    """Requests to destroy a record are the team lead's: recorded, carried out or closed."""
    return leads_the_record(user, family)
