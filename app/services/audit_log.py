"""Access-log maintenance. # replaced by auditlog branch at merge

A minimal stand-in so the destruction service and its tests run in this branch: the auditlog
branch makes audit_events append-only with database triggers and owns this function, the one
path allowed to delete a family's log rows.
"""

from __future__ import annotations

from sqlalchemy import delete

from app import audit
from app.extensions import db
from app.models import AuditEvent


def purge_family_events(family_id: int, stub_detail: str) -> None:
    """Delete the family's access-log rows and leave one stub saying the record was destroyed."""
    db.session.flush()
    db.session.execute(delete(AuditEvent).where(AuditEvent.family_id == family_id))
    audit.record("destroy", family_id=family_id, detail=stub_detail)
