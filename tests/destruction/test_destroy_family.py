"""destroy_family(): every row of the family goes, other families stay, one stub stays in the log."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEvent, Family, Role
from app.services.destruction import FAMILY_TABLES, destroy_family
from tests.helpers.db import query
from tests.helpers.destruction import fill_family, table_counts


def _tables_reaching_families() -> set[str]:
    """Tables with a foreign-key path to families (directly or through other tables)."""
    reaching = {"families"}
    changed = True
    while changed:
        changed = False
        for table in db.metadata.sorted_tables:
            if table.name in reaching:
                continue
            if any(fk.column.table.name in reaching for fk in table.foreign_keys):
                reaching.add(table.name)
                changed = True
    return reaching


def test_every_table_with_family_data_is_emptied_by_the_service(app):
    # A new table with family data must be added to destroy_family(), or this fails.
    with app.app_context():
        assert _tables_reaching_families() <= set(FAMILY_TABLES)


def test_destroy_removes_every_row_of_the_family_and_nothing_else(app, make):
    team = make.team()
    worker = make.user(Role.WORKER, team)
    helper = make.user(Role.WORKER, team)
    lead = make.user(Role.LEAD, team)
    kept = make.family(team, worker, display_name="Family Kept")
    fill_family(app, make, kept, worker, co_worker=helper)
    before = table_counts(app)
    doomed = make.family(
        team, worker, display_name="Family Doomed", case_number="AT-2001-0007", end_date=date(2004, 5, 1)
    )
    fill_family(app, make, doomed, worker, co_worker=helper)
    assert table_counts(app)["moments"] == 2 * before["moments"]

    with app.app_context():
        family = db.session.get(Family, doomed.id)
        assert family.members  # loaded objects of the family must not be flushed back
        stub = destroy_family(family, actor=db.session.get(type(lead), lead.id), reason="retention term passed")
        db.session.commit()

    after = table_counts(app)
    assert after == {**before, "audit_events": before["audit_events"] + 1}
    assert query(app, lambda: db.session.get(Family, doomed.id)) is None
    events = query(
        app, lambda: db.session.execute(select(AuditEvent).where(AuditEvent.family_id == doomed.id)).scalars().all()
    )
    assert [e.action for e in events] == ["purge_family"]
    assert events[0].detail == stub and events[0].record_ref == "AT-2001-0007"
    assert lead.email in stub and "retention term passed" in stub
    # The name and the period of help are case content: they go with the record.
    assert "Doomed" not in stub and "2004-05-01" not in stub
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []


def test_destroy_leaves_nothing_when_the_transaction_fails(app, make):
    team = make.team()
    worker = make.user(Role.WORKER, team)
    family = make.family(team, worker)
    fill_family(app, make, family, worker)
    before = table_counts(app)
    with app.app_context(), pytest.raises(RuntimeError):
        destroy_family(db.session.get(Family, family.id), actor="ops@example.org", reason="test")
        raise RuntimeError("the process fails before the commit")
    assert table_counts(app) == before
