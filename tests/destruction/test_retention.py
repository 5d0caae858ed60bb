"""`flask retention`: closed records are kept 20 years after the help ended, then destroyed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Family, FamilyStatus, Role
from app.services.destruction import term_end
from tests.helpers.db import query
from tests.helpers.destruction import fill_family

TODAY = date(2026, 6, 15)
NOON = datetime.combine(TODAY, time(12), UTC)  # TODAY in every time zone the server may run in


def _families(app) -> set[str]:
    return set(query(app, lambda: db.session.execute(select(Family.case_number)).scalars().all()))


def test_term_end_is_twenty_years_after_the_help_ended():
    assert term_end(date(2006, 6, 15), 20) == date(2026, 6, 15)
    assert term_end(date(2004, 2, 29), 20) == date(2024, 2, 29)
    assert term_end(date(2004, 2, 29), 21) == date(2025, 3, 1)  # never a day early


@time_machine.travel(NOON)
def test_dry_run_lists_and_the_real_run_destroys_only_expired_closed_records(app, make):
    team = make.team()
    worker = make.user(Role.WORKER, team)
    operator = make.user(Role.ADMIN, None, email="ops@example.org")
    closed = {"status": FamilyStatus.CLOSED, "start_date": date(2003, 1, 1)}
    expired = make.family(team, worker, case_number="AT-2003-0001", end_date=date(2006, 6, 14), **closed)
    fill_family(app, make, expired, worker)
    make.family(team, worker, case_number="AT-2003-0002", end_date=date(2006, 6, 15), **closed)  # last day today
    make.family(team, worker, case_number="AT-2003-0003", status=FamilyStatus.ACTIVE, start_date=date(2003, 1, 1))
    make.family(team, worker, case_number="AT-2003-0004", end_date=date(2020, 1, 1), **closed)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "AT-2003-0001" in dry.output and "2006-06-14" in dry.output and "2026-06-14" in dry.output
    assert "AT-2003-0002" not in dry.output and "AT-2003-0003" not in dry.output
    assert "1 record(s) would be destroyed" in dry.output
    assert "AT-2003-0001" in _families(app)

    refused = runner.invoke(args=["retention"])
    assert refused.exit_code != 0 and "--operator" in refused.output
    unknown = runner.invoke(args=["retention", "--operator", "nobody@example.org"])
    assert unknown.exit_code != 0 and "no active account" in unknown.output
    assert "AT-2003-0001" in _families(app)

    done = runner.invoke(args=["retention", "--operator", "ops@example.org"])
    assert done.exit_code == 0, done.output
    assert "1 record(s) destroyed" in done.output
    assert _families(app) == {"AT-2003-0002", "AT-2003-0003", "AT-2003-0004"}
    stub = query(
        app, lambda: db.session.execute(select(AuditEvent).where(AuditEvent.family_id == expired.id)).scalar_one()
    )
    assert stub.action == "purge_family"
    assert stub.record_ref == "AT-2003-0001" and "2006-06-14" not in stub.detail
    assert operator.email in stub.detail and "retention term passed" in stub.detail

    again = runner.invoke(args=["retention", "--dry-run"])
    assert "No record has passed its retention term of 20 years." in again.output


@time_machine.travel(NOON)
def test_retention_years_come_from_the_config(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "RECORD_RETENTION_YEARS", 5)
    team = make.team()
    make.family(team, None, case_number="AT-2019-0001", status=FamilyStatus.CLOSED, end_date=date(2021, 1, 1))
    result = app.test_cli_runner().invoke(args=["retention", "--dry-run"])
    assert "AT-2019-0001" in result.output and "2026-01-01" in result.output
