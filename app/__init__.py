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
        config.validate()

    app = Flask(
        __name__,
        template_folder="templates",
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config)
    if "SECRET_KEY" in os.environ:
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config.update(overrides)
    if int(app.config["AUDIT_RETENTION_YEARS"]) < 5:
        raise RuntimeError("AUDIT_RETENTION_YEARS must be at least 5: the access log is kept five years or more")
    os.makedirs(app.instance_path, exist_ok=True)

    global _sqlite_busy_timeout_ms
    _sqlite_busy_timeout_ms = app.config["SQLITE_BUSY_TIMEOUT_MS"]
    app.url_map.converters["int"] = DatabaseId
    _init_extensions(app)
    _postgresql_planner(app)
    from app import bench

    bench.register(app)  # before the request hooks: its query count runs after their commit
    _register_blueprints(app)
    _register_request_hooks(app)

    from app import cli
    from app.security import ratelimit
    from app.web import static_assets, templating

    ratelimit.init_app(app)  # after the blueprints: it wraps their login views

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


def _postgresql_planner(app: Flask) -> None:
    """random_page_cost for every new PostgreSQL connection of the app, with a SET in autocommit (SQLAlchemy's
    recipe for session settings): the URL's options, PGOPTIONS and a connection pooler's rules stay as they are.

    With the default (4) the team overview read all 250,000 sessions of scale L for a team's 7,000 (30-45 ms
    per query instead of 2-4 by the (family_id, held_on) index): docs/benchmarks.md.
    """
    from app.extensions import db

    setting = str(app.config.get("POSTGRESQL_RANDOM_PAGE_COST") or "").strip()
    if not setting:
        return
    try:
        cost = float(setting)
    except ValueError:
        raise RuntimeError(f"POSTGRESQL_RANDOM_PAGE_COST must be a number (or empty), not {setting!r}") from None
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _plan_for_data_in_memory(dbapi_connection, _connection_record) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET random_page_cost = {cost}")
        dbapi_connection.autocommit = autocommit


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


# Set from SQLITE_BUSY_TIMEOUT_MS by create_app(); the pragmas run for every new connection.
_sqlite_busy_timeout_ms = 30000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets readers and one writer work side by side; the busy timeout waits for a lock
    instead of failing with 'database is locked'."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(_sqlite_busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # Transactions are begun by _sqlite_begin_immediate below, not by the driver.
        dbapi_connection.isolation_level = None
        # SQLite's own lower() folds only ASCII: 'Öztürk' would never match 'öztürk'.
        dbapi_connection.create_function(
            "lower", 1, lambda s: s.lower() if isinstance(s, str) else s, deterministic=True
        )


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(connection) -> None:
    """Every transaction takes SQLite's write lock at BEGIN (SQLAlchemy's documented recipe).

    Nearly every request writes (at least its access-log row). A deferred transaction that
    reads first and writes later cannot wait for the lock: when another writer committed in
    between, SQLite answers 'database is locked' at once, whatever the busy timeout. BEGIN
    IMMEDIATE waits (busy timeout) at the start instead, when nothing has been read yet.
    """
    if connection.dialect.name == "sqlite" and connection.dialect.driver == "pysqlite":
        from app.db import sqlite as sqlite_writes

        sqlite_writes.begin(connection, _sqlite_busy_timeout_ms, reading=_request_reads_until_its_end())


def _request_reads_until_its_end() -> bool:
    """GET and HEAD change nothing (a test walks every GET route); their writes wait for the commit."""
    from flask import has_request_context, request

    return has_request_context() and request.method in READING_METHODS


def _install_sqlite_turns() -> None:
    from app.db import sqlite as sqlite_writes

    sqlite_writes.install(Engine)


_install_sqlite_turns()


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
    from app.access_log import bp as access_log_bp
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.care_sessions import bp as care_sessions_bp
    from app.destruction import bp as destruction_bp
    from app.errors import bp as errors_bp
    from app.exports import bp as exports_bp
    from app.families import bp as families_bp
    from app.main import bp as main_bp
    from app.overview import bp as overview_bp
    from app.plans import bp as plans_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(families_bp, url_prefix="/families")
    app.register_blueprint(care_sessions_bp, url_prefix="/families")
    app.register_blueprint(plans_bp, url_prefix="/families")
    app.register_blueprint(destruction_bp, url_prefix="/families")
    app.register_blueprint(overview_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(errors_bp)
    app.register_blueprint(access_log_bp)
    app.register_blueprint(exports_bp)


def _register_request_hooks(app: Flask) -> None:
    from app import audit
    from app.extensions import db
    from app.web.static_assets import is_static_request

    def writes_wait_for_the_end():
        # A GET's only writes (its access-log row, a login's last-seen time) go out with the commit, so on
        # SQLite its queries and template run without the write lock (app/sqlite_writes.py). First of all
        # hooks: loading the login may already touch it.
        if request.method in READING_METHODS:
            db.session.autoflush = False

    app.before_request_funcs.setdefault(None, []).insert(0, writes_wait_for_the_end)

    @app.before_request
    def refuse_unreadable_input():
        from flask import abort

        # Every form posts form data; there is no JSON API. Flask-WTF would read a JSON body as
        # form data and fail on anything but an object (a server error instead of a 400).
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.is_json:
            abort(400)
        # No text anyone types holds a NUL character, and PostgreSQL refuses to store one.
        for values in (request.args, request.form):
            if any("\x00" in value for _, value in values.items(multi=True)):
                abort(400)

    @app.after_request
    def finish_transaction(response):
        # One commit per request, at its end; failed requests leave nothing behind.
        if not is_static_request():
            audit.finish_request(response.status_code)
        return response

    @app.after_request
    def security_headers(response):
        # Every response, error pages and static files included (ASVS V3.4). Pages may hold
        # family data or a CSRF token: keep them out of shared and browser caches; static files
        # may be cached.
        if not is_static_request():
            response.headers.setdefault("Cache-Control", "no-store")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["HSTS"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


# No 'unsafe-inline' anywhere: scripts are files, chart data sits in type="application/json"
# blocks, and plotly.js's style rules are a file (static/vendor/plotly/plotly.css). Bootstrap's
# CSS draws its icons from data: URIs, hence img-src data:.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
READING_METHODS = ("GET", "HEAD")

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
