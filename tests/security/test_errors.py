"""Errors answer a generic page and log no case content or passwords (ASVS V13.4, V16.5)."""

from __future__ import annotations

import logging

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import audit, create_app
from app.extensions import db
from app.security.headers import CONTENT_SECURITY_POLICY
from tests.helpers.auth import login

NOTE = "Mother told us about the debts at Rabobank"
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def fragile(app: Flask, tmp_path, monkeypatch) -> Flask:
    """The production configuration (DEBUG off even when FLASK_DEBUG asks for it) with failing routes."""
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    broken = create_app(
        "production", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=False
    )

    @broken.post("/__boom")
    def boom():
        raise RuntimeError(f"failed while saving {request.form['note']} for {request.form['password']}")

    @broken.post("/__db")
    def database_error():
        db.session.execute(text("SELECT * FROM no_such_table WHERE note = :note"), {"note": request.form["note"]})
        return "unreachable"

    return broken


def _logged_text(caplog) -> str:
    formatter = logging.Formatter("%(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_production_never_runs_the_debugger(fragile):
    assert fragile.debug is False
    assert fragile.config["DEBUG"] is False
    assert fragile.config["TESTING"] is False
    assert fragile.config["PROPAGATE_EXCEPTIONS"] is None  # so errors go to the error page, not up


def test_an_exception_shows_a_generic_page_without_its_message(fragile, caplog):
    caplog.set_level(logging.ERROR)
    response = fragile.test_client().post(
        "/__boom", data={"note": NOTE, "password": PASSWORD}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    for secret in (NOTE, PASSWORD, "RuntimeError", "Traceback", "test_errors.py"):
        assert secret not in html
    logged = _logged_text(caplog)
    assert "Unhandled error on POST /__boom" in logged  # the log says where and what failed ...
    assert "RuntimeError: failed while saving [redacted] for [redacted]" in logged
    assert NOTE not in logged  # ... but not what was posted
    assert PASSWORD not in logged


def test_a_database_error_logs_the_statement_but_not_the_values(fragile, caplog):
    caplog.set_level(logging.ERROR)
    response = fragile.test_client().post("/__db", data={"note": NOTE})
    assert response.status_code == 500
    assert NOTE not in response.get_data(as_text=True)
    logged = _logged_text(caplog)
    assert "no_such_table" in logged
    assert NOTE not in logged


def test_a_failed_form_post_logs_no_form_values(app, client, world, caplog):
    """A rejected login and a validation error write nothing of what was typed to the log."""
    caplog.set_level(logging.DEBUG)
    client.post("/login", data={"email": world.worker_a.email, "password": PASSWORD})
    login(client, world.worker_a)
    client.post(f"/families/{world.family_a.id}/edit", data={"display_name": "", "context_notes": NOTE})
    logged = _logged_text(caplog)
    assert PASSWORD not in logged
    assert NOTE not in logged


# --- Without the database -------------------------------------------------------------------------


@pytest.fixture
def unreachable(tmp_path, monkeypatch) -> Flask:
    """Production, pointed at an SQLite file in a folder that does not exist: no connection can be made."""
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    return create_app(
        "production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/gone/attune.db", WTF_CSRF_ENABLED=False
    )


def _logged_in_cookie(app: Flask, locale: str | None = None) -> FlaskClient:
    """A browser holding a login (and maybe a language choice) from before the database went away."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "a-login-token"
        if locale:
            session["locale"] = locale
    return client


def _assert_own_page_with_headers(response, text: str) -> None:
    html = response.get_data(as_text=True)
    assert text in html, html[:500]
    assert "Internal Server Error" not in html and "werkzeug" not in html.lower()
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_without_the_database_a_logged_in_user_gets_the_apps_page_in_their_language(unreachable, caplog):
    caplog.set_level(logging.ERROR)
    response = _logged_in_cookie(unreachable, locale="nl").get("/families/", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    _assert_own_page_with_headers(response, "Attune is even niet beschikbaar")  # the session's choice: Dutch
    assert '<html lang="nl">' in response.get_data(as_text=True)
    assert "unable to open database file" in _logged_text(caplog)  # the cause is in the server log


def test_without_the_database_the_browsers_language_is_used(unreachable):
    response = _logged_in_cookie(unreachable).get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    _assert_own_page_with_headers(response, "Attune is unavailable for a moment")


def test_without_the_database_a_login_attempt_gets_the_apps_page(unreachable):
    response = unreachable.test_client().post(
        "/login", data={"email": "sanne@attune.example", "password": PASSWORD}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 503
    _assert_own_page_with_headers(response, "Attune is unavailable for a moment")
    assert PASSWORD not in response.get_data(as_text=True)


def test_without_the_database_other_error_pages_still_render(unreachable):
    """A 404 page for a logged-in browser loads the user for its menu: that fails, the page does not."""
    response = _logged_in_cookie(unreachable).get("/no/such/page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    _assert_own_page_with_headers(response, "This page does not exist")


def test_a_connection_lost_during_a_request_answers_503_without_the_users_menu(app, world, monkeypatch, caplog):
    """The login was loaded, then the connection broke (PostgreSQL restarted): the page must not reload the user."""
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    lost = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        WTF_CSRF_ENABLED=False,
        TWO_FACTOR_REQUIRED_ROLES=app.config["TWO_FACTOR_REQUIRED_ROLES"],  # about the outage, not the factor
    )

    @lost.get("/__lost")
    def lost_connection():
        audit.record("view", family_id=world.family_a.id, detail="about to fail")
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=True)

    client = lost.test_client()
    login(client, world.worker_a)
    caplog.set_level(logging.ERROR)
    response = client.get("/__lost", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    _assert_own_page_with_headers(response, "Attune is unavailable for a moment")
    assert world.worker_a.name not in response.get_data(as_text=True)
    logged = _logged_text(caplog)
    assert (
        "Access-log row not written (database unavailable): "
        f"view failed 503 by user {world.worker_a.id} on family {world.family_a.id}"
    ) in logged  # what the access log could not take is still on file
    assert "about to fail" not in logged  # the detail may quote data: not in the server log


def test_a_wrong_statement_is_still_a_500_not_an_outage(fragile):
    response = fragile.test_client().post("/__db", data={"note": NOTE}, headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)


def test_when_even_the_error_template_fails_a_fixed_page_answers_in_the_users_language(unreachable, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template gone")

    monkeypatch.setattr("app.errors.handlers.render_template", broken)
    response = _logged_in_cookie(unreachable).get("/families/", headers={"Accept-Language": "nl"})
    assert response.status_code == 503
    _assert_own_page_with_headers(response, "Er ging bij ons iets mis")


def test_a_postgresql_server_that_is_not_there_gets_the_same_page(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    closed_port = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://attune@127.0.0.1:9/attune?connect_timeout=2",
        WTF_CSRF_ENABLED=False,
    )
    response = _logged_in_cookie(closed_port).get("/families/", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    _assert_own_page_with_headers(response, "Attune is unavailable for a moment")
