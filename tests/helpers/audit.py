"""What the access log holds, for assertions."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from tests.helpers.db import query


def audit_events(app: Flask, **where) -> list[AuditEvent]:
    """The access-log rows, oldest first, detached; `where` filters on columns (action="view", ...)."""

    def run():
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, name) == value)
        rows = db.session.execute(stmt).scalars().all()
        db.session.expunge_all()
        return rows

    return query(app, run)


def audit_actions(app: Flask) -> list[tuple[str, str]]:
    """(action, outcome) of every access-log row."""
    return query(app, lambda: db.session.execute(select(AuditEvent.action, AuditEvent.outcome)).all())
