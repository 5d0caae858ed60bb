"""On SQLite a page that only reads holds no lock while it queries and renders (app/db/sqlite.py);
its access-log row still goes out with it, even when another process wrote in the meantime."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select, text

from app import audit
from app.db import sqlite, transaction
from app.extensions import db
from app.models import AuditEvent, Team


@pytest.fixture
def sqlite_file(app) -> str:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("about SQLite's single write lock; PostgreSQL has row locks")
        return db.engine.url.database


def _other_process_writes(path: str, name: str) -> None:
    """Another app process saving something: it must get the lock at once (no busy timeout here)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO teams (name, created_at) VALUES (?, '2026-11-25 12:00:00')", (name,))
        other.execute("COMMIT")
    finally:
        other.close()


def test_a_page_being_read_lets_another_process_write_and_still_logs_its_access(app, sqlite_file):
    with app.test_request_context("/overview", method="GET"):
        app.preprocess_request()
        assert db.session.execute(select(func.count()).select_from(Team)).scalar_one() == 0
        audit.record("overview", detail="read while another process wrote")
        # The page is still being made, its log row pending: another process saves in between.
        _other_process_writes(sqlite_file, "Team saved meanwhile")
        transaction.finish(200)
    with app.app_context():
        assert db.session.execute(select(Team.name)).scalars().all() == ["Team saved meanwhile"]
        logged = db.session.execute(select(AuditEvent.detail).where(AuditEvent.action == "overview")).scalars().all()
        assert logged == ["read while another process wrote"]


def test_a_change_holds_the_write_lock_from_its_first_query(app, sqlite_file):
    """A POST reads and then writes what it read (versions, counters): nobody may write in between."""
    with app.test_request_context("/families/new", method="POST"):
        app.preprocess_request()
        db.session.execute(select(func.count()).select_from(Team)).scalar_one()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            _other_process_writes(sqlite_file, "Team that must wait")
        transaction.finish(200)
    _other_process_writes(sqlite_file, "Team after the change")


def test_a_read_that_starts_with_with_stays_a_reader(app, sqlite_file):
    """A common table expression (WITH ... SELECT) reads: the GET keeps its snapshot and holds no lock."""
    with app.test_request_context("/overview", method="GET"):
        app.preprocess_request()
        counted = db.session.execute(text("WITH named AS (SELECT name FROM teams) SELECT count(*) FROM named"))
        assert counted.scalar_one() == 0
        _other_process_writes(sqlite_file, "Team saved during a WITH read")  # no 'database is locked'
        transaction.finish(200)


@pytest.mark.parametrize(
    ("statement", "reads"),
    [
        ("SELECT 1", True),
        ("  select name from teams", True),
        ("WITH t AS (SELECT 1) SELECT * FROM t", True),
        ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) SELECT x FROM n", True),
        ("WITH t AS (SELECT 1 AS id) DELETE FROM teams WHERE id IN (SELECT id FROM t)", False),
        ("WITH t AS (SELECT 'x' AS name) INSERT INTO teams (name) SELECT name FROM t", False),
        ("INSERT INTO teams (name) VALUES ('x')", False),
        ("UPDATE teams SET name = 'y'", False),
        ("PRAGMA foreign_keys=ON", False),
    ],
)
def test_which_statements_read(statement, reads):
    assert sqlite.is_read(statement) is reads
