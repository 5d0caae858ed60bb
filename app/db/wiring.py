"""The wiring of the app's own engine: SQLite's or PostgreSQL's settings, attached to it alone."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.engine import make_url

from app.db import outages, postgresql, sqlite
from app.extensions import db


def init_app(app: Flask) -> None:
    """Bind Flask-SQLAlchemy to the app and attach SQLite's or PostgreSQL's wiring to the app's engine, and
    the dropping of broken connections to either (app.db.outages)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if make_url(uri).get_backend_name() == "sqlite":
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {
            **options.get("connect_args", {}),
            **sqlite.connect_args(int(app.config["SQLITE_BUSY_TIMEOUT_MS"])),
        }
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    sqlite.install(engine, int(app.config["SQLITE_BUSY_TIMEOUT_MS"]))
    postgresql.install(engine, str(app.config.get("POSTGRESQL_RANDOM_PAGE_COST") or ""))
    outages.install(engine)
