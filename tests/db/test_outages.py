"""Which database errors are outages (503, try again) and which connections are dropped, from real SQLite errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from app.db import outages


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "attune.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE)")
        setup.execute("INSERT INTO notes (body) VALUES ('first')")
    yield path


def _engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 0})
    outages.install(engine)
    return engine


def _failure(engine: Engine, statement: Callable[[Connection], object]) -> DBAPIError:
    with pytest.raises(DBAPIError) as raised, engine.begin() as connection:
        statement(connection)
    return raised.value


def _insert(connection: Connection) -> None:
    connection.execute(text("INSERT INTO notes (body) VALUES ('second')"))


def test_a_write_to_a_file_opened_read_only_is_an_outage_and_its_connection_is_dropped(database):
    engine = _engine(f"sqlite:///{database.as_uri()}?mode=ro&uri=true")
    opened: list[object] = []
    event.listen(engine, "connect", lambda dbapi_connection, _record: opened.append(dbapi_connection))

    error = _failure(engine, _insert)

    assert "attempt to write a readonly database" in str(error)
    assert outages.is_outage(error)
    assert error.connection_invalidated  # the pool lets go of it ...
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert len(opened) == 2  # ... and the next use opens the file again


def test_a_full_disk_is_an_outage_but_the_connection_is_kept(database):
    engine = _engine(f"sqlite:///{database}")

    def fill(connection: Connection) -> None:
        pages = connection.execute(text("PRAGMA page_count")).scalar_one()
        connection.execute(text(f"PRAGMA max_page_count = {pages}"))  # no page more: as a disk with no room
        connection.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": "x" * 100_000})

    error = _failure(engine, fill)

    assert "database or disk is full" in str(error)
    assert outages.is_outage(error)
    assert not error.connection_invalidated  # nothing wrong with it: it writes again once there is room


def test_a_lock_held_past_the_timeout_is_an_outage_but_the_connection_is_kept(database):
    other_process = sqlite3.connect(database, isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")
    try:
        error = _failure(_engine(f"sqlite:///{database}"), _insert)
    finally:
        other_process.execute("ROLLBACK")

    assert "database is locked" in str(error)
    assert outages.is_outage(error)
    assert not error.connection_invalidated


@pytest.mark.parametrize(
    "statement",
    [
        lambda connection: connection.execute(text("SELECT * FROM no_such_table")),
        lambda connection: connection.execute(text("INSERT INTO notes (body) VALUES ('first')")),  # not unique
    ],
    ids=["wrong statement", "broken rule"],
)
def test_a_wrong_statement_or_a_broken_rule_is_no_outage(database, statement):
    error = _failure(_engine(f"sqlite:///{database}"), statement)

    assert not outages.is_outage(error)  # a 500: trying again in a minute would not help
    assert not error.connection_invalidated
