"""A database that fails gets a clean page, and the app recovers by itself once the database is well again.

Found by a probe (issue 18): with the SQLite file read-only every page failed, and after it was writable again
kept failing until the workers restarted, because the pool kept the connections opened read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import event, select, text

from app.extensions import db
from app.models import AuditEvent, ConsentRecord
from config import Config
from tests.helpers.auth import login
from tests.helpers.db import ReadOnlyFile, dialect_of, query, served_app
from tests.helpers.form_data import opened

APPLICATION_NAME = "attune-recovery-test"  # the served app's PostgreSQL connections, to end only those


@pytest.fixture
def served(app: Flask) -> Iterator[Flask]:
    options = {**Config.SQLALCHEMY_ENGINE_OPTIONS}
    if dialect_of(app) == "postgresql":
        options["connect_args"] = {"application_name": APPLICATION_NAME}
    served = served_app(app, SQLALCHEMY_ENGINE_OPTIONS=options)
    yield served
    with served.app_context():
        db.engine.dispose()


def _consent_form() -> dict:
    return {"kind": "video", "given": "yes", "given_by": "Anouk (mother)", "decided_on": date(2026, 11, 2).isoformat()}


def _consents(app: Flask) -> list[str]:
    return query(app, lambda: db.session.execute(select(ConsentRecord.given_by)).scalars().all())


def test_a_read_only_sqlite_file_gets_a_clean_page_and_the_app_recovers_when_it_is_writable(app, served, world, caplog):
    if dialect_of(app) != "sqlite":
        pytest.skip("about SQLite's file; PostgreSQL's lost connections are below")
    client = served.test_client()
    login(client, world.worker_a)
    family_page = f"/families/{world.family_a.id}"
    assert client.get(family_page).status_code == 200

    database = ReadOnlyFile(served)
    database.make_read_only()
    read = client.get(family_page)
    saved = client.post(f"/families/{world.family_a.id}/consent", data=_consent_form())

    assert read.status_code == 503
    assert read.headers["Retry-After"] == "60"
    page = read.get_data(as_text=True)
    assert "The record cannot be opened right now" in page
    assert "Family Alpha" not in page  # no read without its access-log row
    assert world.worker_a.name not in page  # drawn as for a visitor: the login is not loaded again
    assert saved.status_code == 503
    assert "Nothing of what you just sent was saved." in saved.get_data(as_text=True)
    assert (
        f"Access-log row not written (database unavailable): view failed 503 by user {world.worker_a.id} "
        f"on family {world.family_a.id}"
    ) in caplog.text  # the failed read is on file in the server log

    database.make_writable()  # no restart, no pool emptied by hand
    again = client.get(family_page)
    assert again.status_code == 200
    assert "Family Alpha" in again.get_data(as_text=True)
    consent_page = f"/families/{world.family_a.id}/consent"
    sent = {**_consent_form(), "version": opened(client, consent_page)}
    assert client.post(consent_page, data=sent).status_code == 302
    assert _consents(app) == ["Anouk (mother)"]  # one: the one sent while read-only was not kept


def _end_the_served_apps_connections(app: Flask) -> int:
    def end() -> int:
        ended = db.session.execute(
            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": APPLICATION_NAME},
        ).scalar_one()
        db.session.commit()
        return ended

    return query(app, end)


def test_postgresql_connections_ended_by_the_server_are_replaced_before_the_next_request(app, served, world):
    if dialect_of(app) != "postgresql":
        pytest.skip("PostgreSQL's server ends connections; SQLite's are above")
    client = served.test_client()
    login(client, world.worker_a)
    family_page = f"/families/{world.family_a.id}"
    assert client.get(family_page).status_code == 200

    assert _end_the_served_apps_connections(app) >= 1  # a restart of the server, or an operator's hand

    # pool_pre_ping finds the dead connection at checkout and opens another: the user notices nothing.
    assert client.get(family_page).status_code == 200


def test_a_postgresql_connection_lost_during_a_save_gets_the_page_and_the_next_request_works(app, served, world):
    if dialect_of(app) != "postgresql":
        pytest.skip("PostgreSQL's server ends connections; SQLite's are above")

    @served.post("/__connection-ends")
    def connection_ends():
        db.session.add(
            ConsentRecord(
                family_id=world.family_a.id, kind="video", given=True, given_by="Lost", decided_on=date(2026, 11, 2)
            )
        )
        db.session.flush()
        db.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))  # the server ends it, mid-save
        return "not reached"

    client = served.test_client()
    login(client, world.worker_a)
    lost = client.post("/__connection-ends")
    assert lost.status_code == 503
    page = lost.get_data(as_text=True)
    assert "The records cannot be reached right now." in page
    assert "Nothing of what you just sent was saved." in page
    assert _consents(app) == []

    assert client.get(f"/families/{world.family_a.id}").status_code == 200
    consent_page = f"/families/{world.family_a.id}/consent"
    saved = client.post(consent_page, data={**_consent_form(), "version": opened(client, consent_page)})
    assert saved.status_code == 302
    assert _consents(app) == ["Anouk (mother)"]
    logged = query(
        app, lambda: db.session.execute(select(AuditEvent.outcome).where(AuditEvent.action == "view")).scalars().all()
    )
    assert "ok" in logged


def test_a_postgresql_connection_lost_at_the_commit_says_the_save_is_uncertain(app, served, world):
    """Lost during the COMMIT itself, a change may or may not be kept: the page does not say 'nothing saved'."""
    if dialect_of(app) != "postgresql":
        pytest.skip("PostgreSQL's server ends connections; SQLite's are above")
    client = served.test_client()
    login(client, world.worker_a)
    with served.app_context():
        engine = db.engine

    def end_it_before_the_commit(connection) -> None:
        pid = connection.connection.dbapi_connection.info.backend_pid
        query(app, lambda: db.session.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}))

    event.listen(engine, "commit", end_it_before_the_commit)
    try:
        lost = client.post(f"/families/{world.family_a.id}/consent", data=_consent_form())
    finally:
        event.remove(engine, "commit", end_it_before_the_commit)

    assert lost.status_code == 503
    page = lost.get_data(as_text=True)
    assert "It is not certain that your last change was saved" in page
    assert "Nothing of what you just sent was saved." not in page
    consent_page = f"/families/{world.family_a.id}/consent"
    sent = {**_consent_form(), "version": opened(client, consent_page)}
    assert client.post(consent_page, data=sent).status_code == 302
    assert _consents(app) == ["Anouk (mother)"]  # this time it was; the server ended the first before its COMMIT
