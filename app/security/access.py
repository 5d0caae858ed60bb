"""Who sees which family: the one place that decides.

Every list and aggregate starts from visible_families(user). Every route under
/families/<family_id> is a family view: `family_view()` logs the user in, checks the role,
loads the family through visible_families, loads the route's child objects (a session, a
member, ...) through child_or_404, writes the read to the access log and hands the objects to
the view. A family or child the user may not see answers 404, so its existence is not
revealed. tests/security/test_access_routes.py walks the URL map and fails for a route with a
family or child id that is not a family view, whatever else it does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps
from typing import Any, TypeVar

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, false, or_, select

from app import audit
from app.db.sqlite import READING_METHODS
from app.extensions import db
from app.models import (
    CareSession,
    DestructionRequest,
    Family,
    FamilyMember,
    FamilyStatus,
    Role,
    StressItem,
    User,
    family_workers,
)
from app.security.roles import CASE_ROLES, refuse_role, second_factor_missing
from app.services.periods import HELP_ENDED

ModelT = TypeVar("ModelT")


def visible_families(user: User) -> Select[Family]:
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


def leads_the_record(user: User, family: Family) -> bool:
    """The lead of the family's team oversees its record: assigns workers, restores sessions from the
    trash, handles requests to destroy it, sees who has seen it."""
    return user.role == Role.LEAD and family.team_id == user.team_id


def restores_from_trash(user: User, family: Family, care_session: CareSession) -> bool:
    """Who takes a session back out of the trash: the lead of the family's team, and whoever moved it there
    (an undo of their own delete), as long as they still see the family (family_view checked that)."""
    return leads_the_record(user, family) or (
        care_session.deleted_by_id is not None and care_session.deleted_by_id == user.id
    )


def family_or_404(
    family_id: int, action: str = "view", *, object_ref: tuple[str, int] | None = None, lead_only: bool = False
) -> Family:
    """The family, if the current user may see it (lead_only: and leads its record); the access is
    written to the log either way, a refusal with the family id from the URL.

    Views do not call this: family_view() does. object_ref, e.g. ("CareSession", 12), says which part
    of the record the page shows.
    """
    query = visible_families(current_user).where(Family.id == family_id)
    if request.method not in READING_METHODS:
        # A save holds the family's row against its destruction until it commits (PostgreSQL: FOR KEY SHARE,
        # which other saves share): the destruction waits and then takes the save with it, or went first and
        # the save finds no family (404, never a 500 on a missing row). SQLite: writers take turns.
        query = query.with_for_update(read=True, key_share=True)
    family = db.session.execute(query).scalar_one_or_none()
    if family is None or (lead_only and not leads_the_record(current_user, family)):
        # An id without a record (never made, or destroyed, perhaps while this request waited) goes in the
        # detail: the log keeps nothing under a destroyed record's id but its destruction stub.
        on_file = family is not None or db.session.scalar(select(Family.id).where(Family.id == family_id))
        if on_file:
            audit.record_refused(action, family_id=family_id)
        else:
            audit.record_refused(action, detail=f"family {family_id}: no such record")
        abort(404)
    audit.record(action, family=family, object_ref=object_ref)
    return family


def child_or_404(model: type[ModelT], object_id: int, family: Family, *, deleted: bool | None = False) -> ModelT:
    """An object of the family's record (session, member, stress item, request), or 404.

    deleted applies to what can go to the trash (a session): False for live ones only, True for
    trashed ones only, None for either.
    """
    found = db.session.get(model, object_id)
    if found is None or getattr(found, "family_id", None) != family.id:
        abort(404)
    trashed_at = getattr(found, "deleted_at", None) if hasattr(model, "deleted_at") else None
    if hasattr(model, "deleted_at") and deleted is not None and (trashed_at is not None) != deleted:
        abort(404)
    return found


@dataclass(frozen=True)
class Child:
    """A child object in a family route: its URL argument, its model, the view's argument name."""

    url_arg: str
    model: type
    view_arg: str
    deleted: bool | None = False

    def in_trash(self) -> Child:
        return replace(self, deleted=True)

    def live_or_trashed(self) -> Child:
        return replace(self, deleted=None)


SESSION = Child("session_id", CareSession, "care_session")
MEMBER = Child("member_id", FamilyMember, "member")
STRESS_ITEM = Child("item_id", StressItem, "item")
DESTRUCTION_REQUEST = Child("request_id", DestructionRequest, "destruction_request")


def takes_new_work(family: Family) -> bool:
    """The one rule: a closed family takes no new sessions, plan changes or other new work until a team
    lead reopens the help. What it has stays readable. Routes get it from family_view(open_only=True); that
    reads the status at the start of the request, so the save itself takes the row: periods.claim_open."""
    return family.status != FamilyStatus.CLOSED


def refuse_closed(family: Family) -> Any:
    flash(str(HELP_ENDED), "warning")
    return redirect(url_for("families.detail", family_id=family.id))


@dataclass(frozen=True)
class FamilyScope:
    """What family_view() checks for a view; the URL-map test reads it."""

    children: tuple[Child, ...]
    lead_only: bool
    action: str
    open_only: bool = False

    @property
    def child_args(self) -> set[str]:
        return {child.url_arg for child in self.children}


def family_view(
    *children: Child,
    lead_only: bool = False,
    action: str = "view",
    second_factor: bool = False,
    open_only: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Login, role, second factor, the family, its children, the access log; then the view.

    The view is called with `family` and each child under its view_arg, instead of their ids.
    lead_only: the page is the record's overseer's, the lead of the family's team (a care worker
    gets 404, as for a family they may not see). second_factor: only after a two-step login, checked
    before anything of the family is read. open_only: the view adds work (a session, a plan change), which
    a closed family does not take (takes_new_work): opening the form goes back to the family page with a
    message. A form sent to a family closed since it was opened reaches the view, whose save takes the
    family row with periods.claim_open and refuses there, so that what was typed is shown again, not lost.
    """
    scope = FamilyScope(children=children, lead_only=lead_only, action=action, open_only=open_only)
    roles = (Role.LEAD,) if lead_only else CASE_ROLES

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def scoped(family_id: int, **kwargs: Any) -> Any:
            # Refusals name the family (nothing of it is read): its lead sees every attempt in its log.
            if current_user.role not in roles:
                return refuse_role(view.__name__, family_id)
            if second_factor and not current_user.login_second_factor:
                return second_factor_missing(view.__name__, family_id)
            first = children[0] if children else None
            object_ref = (first.model.__name__, kwargs[first.url_arg]) if first else None
            family = family_or_404(family_id, action, object_ref=object_ref, lead_only=lead_only)
            if open_only and request.method in ("GET", "HEAD") and not takes_new_work(family):
                return refuse_closed(family)
            loaded: dict[str, Any] = {
                child.view_arg: child_or_404(child.model, kwargs.pop(child.url_arg), family, deleted=child.deleted)
                for child in children
            }
            return view(family, **loaded, **kwargs)

        scoped.family_scope = scope  # type: ignore[attr-defined]
        return scoped

    return decorator


def family_scope_of(view: Callable[..., Any]) -> FamilyScope | None:
    """The scope family_view() gave a view, or None for a view that is not a family view."""
    scope = getattr(view, "family_scope", None)
    return scope if isinstance(scope, FamilyScope) else None
