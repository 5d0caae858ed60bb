"""The one place that writes the access log (NEN 7513).

record() adds the row to the request's own transaction, so a change and its log row are
committed together or not at all. record_refused() is kept aside until the request ends:
a refused request is rolled back, but its refusal must still be on file, so the request's
end (app.db.transaction) writes it after the rollback, with what the failed request did.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import insert

from app.extensions import db
from app.models import AuditEvent

if TYPE_CHECKING:
    from app.models import Family, User


def _who(user: User | None) -> dict:
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    if user is None:
        return {"user_id": None, "user_email": None, "user_role": None}
    return {"user_id": user.id, "user_email": user.email, "user_role": str(user.role)}


def _address() -> str | None:
    return request.remote_addr if has_request_context() else None


def _row(action, family, family_id, obj, outcome, detail, user, object_ref=None, record_ref=None) -> dict:
    object_type, object_id = object_ref or (type(obj).__name__ if obj is not None else None, getattr(obj, "id", None))
    return {
        "record_ref": record_ref,
        **_who(user),
        "family_id": family.id if family is not None else family_id,
        "object_type": object_type,
        "object_id": object_id,
        "action": action,
        "outcome": outcome,
        "ip_address": _address(),
        "detail": (detail or None) and detail[:255],
    }


def record(
    action: str,
    family: Family | None = None,
    obj: object | None = None,
    *,
    family_id: int | None = None,
    outcome: str = "ok",
    detail: str | None = None,
    user: User | None = None,
    object_ref: tuple[str, int] | None = None,
    record_ref: str | None = None,
) -> None:
    """object_ref names the object as (type name, id) when it is not loaded yet (see family_or_404);
    record_ref, the case number of a record that no longer exists (a destruction stub, app.audit.log)."""
    row = _row(action, family, family_id, obj, outcome, detail, user, object_ref, record_ref)
    db.session.add(AuditEvent(**row))
    if has_request_context():
        g.setdefault("audit_rows", []).append(row)


def record_refused(
    action: str,
    *,
    family_id: int | None = None,
    detail: str | None = None,
    user: User | None = None,
    outcome: str = "refused",
) -> None:
    row = _row(action, None, family_id, None, outcome, detail, user)
    if has_request_context():
        g.setdefault("audit_refusals", []).append(row)
    else:
        db.session.add(AuditEvent(**row))


# What a list, overview or export showed, one row per family it showed (see record_shown).
SEEN_IN_LIST = "seen_in_list"
SEEN_IN_OVERVIEW = "seen_in_overview"
SEEN_IN_EXPORT = "seen_in_export"
SEEN_IN_TRASH = "seen_in_trash"
SEEN_IN_WEEK = "seen_in_week"
SEEN_IN_CALENDAR = "seen_in_calendar"  # a calendar feed: no names in it, but it tells that appointments exist


def record_shown(
    action: str, family_ids: Iterable[int], *, detail: str | None = None, user: User | None = None
) -> None:
    """One row per family a page or file showed (action SEEN_IN_*), under that family's id.

    One row per family rather than one row per request listing the ids, because:
    - the family's own access log (app.audit.log.family_events) reads its rows by the indexed family_id:
      a family's row is found there like any other read, where an id inside a list is not;
    - the log may not outlive a record: destroying a family purges its rows by family_id, and the
      append-only table refuses the UPDATE that taking an id out of other rows' lists would need;
    - the volume follows what was shown, not the team's size: the family list and the overview show
      one page (FAMILIES_PER_PAGE, 25) at a time, so a 10,000-family team still writes 25 rows a page;
      only an export of every family writes one per family, as big as what it hands out.
    The request's own row (list, overview, export: what was asked and how many) stays beside them. The
    rows are written in one batched INSERT when the request commits (write_pending_rows), not one object
    each: a GET's writes wait for its end (app.db.sqlite), and 10,000 ORM objects took 1.5 s.
    """
    rows = [_row(action, None, family_id, None, "ok", detail, user) for family_id in dict.fromkeys(family_ids)]
    if not rows:
        return
    if not has_request_context():
        db.session.execute(insert(AuditEvent), rows)
        return
    g.setdefault("audit_pending", []).extend(rows)
    g.setdefault("audit_rows", []).extend(rows)


def write_pending_rows() -> None:
    """Write the rows record_shown() kept for the request's commit, in one batched INSERT (they are in
    take_request_rows() too: after a rollback they are written with the failure, like every other row)."""
    rows = g.pop("audit_pending", None) if has_request_context() else None
    if rows:
        db.session.execute(insert(AuditEvent), rows)


def take_request_rows() -> tuple[list[dict], list[dict]]:
    """What this request logged (rows in its transaction) and refused (rows kept aside), for its end."""
    return g.pop("audit_rows", []), g.pop("audit_refusals", [])


def write_after_rollback(rows: list[dict], refusals: list[dict], failure: str) -> None:
    """A failed request still leaves its trace: what it did, with the failure as outcome, and its refusals."""
    kept = [{**row, "outcome": failure} for row in rows] + refusals
    if kept:
        db.session.add_all(AuditEvent(**row) for row in kept)
        db.session.commit()
