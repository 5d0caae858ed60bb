"""The access log is append-only in the database, with one narrow, tested way out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.audit import log as audit_log
from app.extensions import db
from app.models import PURGE_FAMILY_ACTION, AuditEvent, AuditPurgeAuthorization
from tests.helpers.db import count_rows, query

LONG_AGO = datetime.now(UTC) - timedelta(days=6 * 366)


def _event(**fields) -> AuditEvent:
    values = {"action": "view", "outcome": "ok", "user_email": "someone@example.org"}
    values.update(fields)
    return AuditEvent(**values)


def _add(app, *events) -> list[int]:
    def save():
        db.session.add_all(events)
        db.session.commit()
        return [e.id for e in events]

    return query(app, save)


def _all(app) -> list[tuple]:
    return query(
        app,
        lambda: db.session.execute(
            select(AuditEvent.family_id, AuditEvent.action, AuditEvent.detail).order_by(AuditEvent.id)
        ).all(),
    )


def _refused(app, statement) -> None:
    def run():
        try:
            with pytest.raises(IntegrityError, match="append-only"):
                db.session.execute(statement)
                db.session.flush()
        finally:
            db.session.rollback()

    query(app, run)


def test_rows_cannot_be_changed_or_deleted(app):
    _add(app, _event(family_id=7), _event(at=LONG_AGO))
    _refused(app, update(AuditEvent).values(action="nothing happened"))
    _refused(app, update(AuditEvent).where(AuditEvent.family_id == 7).values(user_email=None))
    _refused(app, delete(AuditEvent))
    _refused(app, delete(AuditEvent).where(AuditEvent.family_id == 7))
    if query(app, lambda: db.engine.dialect.name) == "postgresql":
        _refused(app, text("TRUNCATE audit_events"))
    assert [row[1] for row in _all(app)] == ["view", "view"]


def test_an_orm_delete_is_refused_too(app):
    (event_id,) = _add(app, _event())

    def run():
        db.session.delete(db.session.get(AuditEvent, event_id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()

    query(app, run)
    assert len(_all(app)) == 1


def test_purging_a_family_leaves_only_the_stub_and_nothing_else(app, make):
    team = make.team()
    family = make.family(team, case_number="AT-2020-0042")
    _add(app, _event(family_id=family.id), _event(family_id=family.id, action="update"), _event(family_id=999))
    _add(app, _event(action="login"))

    def purge():
        removed = audit_log.purge_family_events(family.id, "AT-2020-0042", "reason: request of the mother")
        db.session.commit()
        return removed

    assert query(app, purge) == 2
    rows = _all(app)
    assert (999, "view", None) in rows and (None, "login", None) in rows
    stub = [r for r in rows if r[0] == family.id]
    assert len(stub) == 1 and stub[0][1] == PURGE_FAMILY_ACTION
    assert stub[0][2] == "reason: request of the mother"
    # The permit is spent: the next delete is refused again.
    assert count_rows(app, AuditPurgeAuthorization) == 0
    _refused(app, delete(AuditEvent).where(AuditEvent.family_id == 999))


def test_a_rolled_back_purge_removes_nothing(app):
    _add(app, _event(family_id=5))

    def purge_then_fail():
        audit_log.purge_family_events(5, "X", "reason")
        db.session.rollback()

    query(app, purge_then_fail)
    assert _all(app) == [(5, "view", None)]


def test_expired_events_without_a_family_go_after_the_retention_period(app):
    _add(
        app,
        _event(at=LONG_AGO, action="login"),  # old, no family: goes
        _event(at=LONG_AGO, family_id=3),  # old but about a family: stays with its record
        _event(at=LONG_AGO, family_id=4, action=PURGE_FAMILY_ACTION, detail="case Y"),  # an old stub: goes
        _event(at=datetime.now(UTC) - timedelta(days=4 * 366), action="login"),  # four years: stays
    )

    def purge():
        removed = audit_log.purge_expired_events()
        db.session.commit()
        return removed

    assert query(app, purge) == 2
    rows = _all(app)
    assert [r[:2] for r in rows] == [(3, "view"), (None, "login"), (None, "purge_expired")]


def test_nothing_younger_than_the_retention_period_may_be_purged(app):
    def too_recent():
        with pytest.raises(ValueError, match="older than 5 years"):
            audit_log.purge_expired_events(datetime.now(UTC) - timedelta(days=365))

    query(app, too_recent)


def test_a_retention_below_five_years_is_refused():
    with pytest.raises(RuntimeError, match="at least 5"):
        create_app("testing", AUDIT_RETENTION_YEARS=4)


def test_postgresql_refuses_to_commit_a_permit_left_behind(app):
    if query(app, lambda: db.engine.dialect.name) != "postgresql":
        pytest.skip("the deferred check is a PostgreSQL constraint trigger")

    def leave_permit():
        db.session.add(AuditPurgeAuthorization(family_id=1))
        with pytest.raises(IntegrityError, match="removed before commit"):
            db.session.commit()
        db.session.rollback()

    query(app, leave_permit)
