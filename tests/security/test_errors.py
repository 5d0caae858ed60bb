"""Errors answer a generic page and log no case content or passwords (ASVS V13.4, V16.5)."""

from __future__ import annotations

import logging

import pytest
from flask import Flask, request
from sqlalchemy import text

from app import create_app
from app.extensions import db
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
