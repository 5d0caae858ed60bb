"""An error that repeats is logged whole once, then counted: one line per interval, not a traceback a request."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from flask import Flask

from app.extensions import db
from tests.helpers.auth import login
from tests.helpers.db import ReadOnlyFile, dialect_of, served_app

MORNING = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def served(app: Flask) -> Iterator[Flask]:
    served = served_app(app, ERROR_LOG_REPEAT_SECONDS=60)  # the production value (tests log every error)

    @served.get("/__fails/<int:number>")
    def fails(number: int):
        raise RuntimeError("the disk is gone")

    @served.get("/__fails-otherwise")
    def fails_otherwise():
        raise RuntimeError("the network is gone")

    yield served
    with served.app_context():
        db.engine.dispose()


def _errors(caplog) -> list[str]:
    return [record.getMessage().splitlines()[0] for record in caplog.records if record.name == "app"]


def test_the_same_error_is_logged_once_then_counted_once_a_minute(served, caplog):
    caplog.set_level(logging.ERROR)
    client = served.test_client()
    with time_machine.travel(MORNING, tick=False) as clock:
        for number in range(1, 6):  # five pages, one error: the path is not part of it
            assert client.get(f"/__fails/{number}").status_code == 500
        assert _errors(caplog) == ["Unhandled error on GET /__fails/1"]
        assert caplog.records[0].getMessage().count("RuntimeError: the disk is gone") == 1  # whole, traceback too

        clock.shift(61)
        client.get("/__fails/6")
        clock.shift(60)
        client.get("/__fails/7")

    count = "RuntimeError at tests/errors/test_repeats.py:{line} in fails: repeated {n} times in the last {s} s"
    line = served.view_functions["fails"].__code__.co_firstlineno + 2
    assert _errors(caplog) == [
        "Unhandled error on GET /__fails/1",
        count.format(line=line, n=4, s=61),  # while it goes on: a line a minute, no traceback again
        count.format(line=line, n=1, s=60),
    ]


def test_another_error_and_a_record_without_an_error_are_logged_at_once(served, caplog):
    caplog.set_level(logging.ERROR)
    client = served.test_client()
    with time_machine.travel(MORNING, tick=False):
        client.get("/__fails/1")
        client.get("/__fails-otherwise")
        with served.app_context():
            for _ in range(3):  # each a fact, e.g. an access-log row kept in the server log
                served.logger.error("Access-log row not written (database unavailable): view")
    assert _errors(caplog) == [
        "Unhandled error on GET /__fails/1",
        "Unhandled error on GET /__fails-otherwise",
        *["Access-log row not written (database unavailable): view"] * 3,
    ]


def test_an_error_seen_again_after_a_quiet_minute_is_logged_whole(served, caplog):
    caplog.set_level(logging.ERROR)
    client = served.test_client()
    with time_machine.travel(MORNING, tick=False) as clock:
        client.get("/__fails/1")
        clock.shift(90)
        client.get("/__fails/2")
    assert _errors(caplog) == ["Unhandled error on GET /__fails/1", "Unhandled error on GET /__fails/2"]


def test_a_read_only_database_logs_each_of_its_errors_once(app, served, world, caplog):
    """The probe's outage (issue 18): 6.4 MB of tracebacks in 40 s. Now each distinct error once."""
    if dialect_of(app) != "sqlite":
        pytest.skip("about SQLite's file")
    client = served.test_client()
    login(client, world.worker_a)
    ReadOnlyFile(served).make_read_only()
    caplog.set_level(logging.ERROR)
    with time_machine.travel(datetime.now(UTC), tick=False):  # now: the login's signed cookie is from now
        for _ in range(20):
            assert client.get(f"/families/{world.family_a.id}").status_code == 503
    tracebacks = [record for record in caplog.records if record.exc_info]
    assert len(tracebacks) == 1, [record.getMessage() for record in tracebacks]
    rows = [message for message in _errors(caplog) if message.startswith("Access-log row not written")]
    assert len(rows) == 20  # but every failed read is on file
