from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, query_expression

from app.db.types import utcnow
from app.extensions import Model

# The stub left behind when a family's log is purged with its record (app.audit.log).
PURGE_FAMILY_ACTION = "purge_family"


class AuditEvent(Model):
    """One row per access to family data, login and refusal (NEN 7513).

    No foreign keys on purpose: the log must outlive the users and records it names. The
    database itself refuses UPDATE and DELETE of these rows (triggers, see the migration
    audit_events_append_only); the only way out is app.audit.log's purges.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    user_email: Mapped[str | None] = mapped_column(String(254))
    user_role: Mapped[str | None] = mapped_column(String(10))
    family_id: Mapped[int | None] = mapped_column(index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="ok")
    ip_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str | None] = mapped_column(String(255))
    # The case number of a destroyed record, on its stub (purge_family) only: the family row it would
    # be read from is gone, and the admin's search by case number must still find the stub.
    record_ref: Mapped[str | None] = mapped_column(String(20), index=True)
    # Not a column: the family's case number, filled in where a query asks for it (app.audit.log);
    # None once the family's record is gone.
    case_number: Mapped[str | None] = query_expression()


class AuditPurgeAuthorization(Model):
    """A permit the delete trigger on audit_events looks for: the one door out of the log.

    Written and removed again inside one transaction by app.audit.log; it lets go
    either one family's rows (family_id) or rows without a family older than older_than.
    On PostgreSQL a deferred trigger refuses a commit that leaves a permit behind.
    """

    __tablename__ = "audit_purge_authorizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int | None]
    older_than: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
