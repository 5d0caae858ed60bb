"""Attune: case planning for family care. create_app() builds the application."""

from __future__ import annotations

import logging
import os

from flask import Flask, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from config import INSTANCE_DIR, ProductionConfig, get_config


def create_app(config_name: str | None = None, **overrides) -> Flask:
    config = get_config(config_name)
    if issubclass(config, ProductionConfig):
        ProductionConfig.validate()

    app = Flask(
        __name__,
        template_folder="../templates",
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config)
    if "SECRET_KEY" in os.environ:
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)

    app.url_map.converters["int"] = DatabaseId
    _init_extensions(app)
    from app import bench

    bench.register(app)  # before the request hooks: its query count runs after their commit
    _register_blueprints(app)
    _register_request_hooks(app)

    from app import cli, static_assets, templating

    cli.register(app)
    templating.register(app)
    # After the request hooks, so it runs before them: a static file's cache header comes first.
    static_assets.register(app)
    logging.getLogger("attune").setLevel(logging.INFO)
    return app


class DatabaseId(IntegerConverter):
    """<int:...> in every route: ids beyond a database integer answer 404, not a server error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _init_extensions(app: Flask) -> None:
    from app.extensions import babel, bootstrap, compress, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    compress.init_app(app)  # its hook runs last, so it compresses the final response

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"

    @login_manager.user_loader
    def load_user(token: str):
        from app.services import login_sessions

        return login_sessions.resolve(token)

    @login_manager.unauthorized_handler
    def unauthorized():
        return _send_to_login()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets readers and one writer work side by side; the busy timeout waits for a lock
    instead of failing with 'database is locked'."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # SQLite's own lower() folds only ASCII: 'Öztürk' would never match 'öztürk'.
        dbapi_connection.create_function(
            "lower", 1, lambda s: s.lower() if isinstance(s, str) else s, deterministic=True
        )


def _send_to_login():
    """Not logged in (any more): to the login page, keeping a form typed into a timed-out login."""
    from flask import flash, redirect, url_for
    from flask_babel import gettext as _

    from app.extensions import db
    from app.services import drafts, login_sessions

    if request.method == "POST":
        user = login_sessions.timed_out_user(session.get("_user_id"))
        if user is not None and drafts.keep(user, request.path, request.form):
            db.session.commit()
            flash(_("Your login has expired. Log in again: what you typed has been kept."), "warning")
            return redirect(url_for("auth.login", next=request.path))
    flash(_("Please log in to continue."), "info")
    # After logging in, a GET goes back where it was; a POST cannot be replayed as a GET.
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.care_sessions import bp as care_sessions_bp
    from app.errors import bp as errors_bp
    from app.families import bp as families_bp
    from app.main import bp as main_bp
    from app.overview import bp as overview_bp
    from app.plans import bp as plans_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(families_bp, url_prefix="/families")
    app.register_blueprint(care_sessions_bp, url_prefix="/families")
    app.register_blueprint(plans_bp, url_prefix="/families")
    app.register_blueprint(overview_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(errors_bp)


def _register_request_hooks(app: Flask) -> None:
    from app import audit
    from app.static_assets import is_static_request

    @app.after_request
    def finish_transaction(response):
        # One commit per request, at its end; failed requests leave nothing behind.
        if not is_static_request():
            audit.finish_request(response.status_code)
        return response

    @app.after_request
    def no_store_for_logged_in_pages(response):
        # Pages may hold family data: keep them out of shared and browser caches.
        # (Bootstrap's files are served from /bootstrap/static/: asking current_user there would
        # load the login from the database for a stylesheet.)
        if not is_static_request() and current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
