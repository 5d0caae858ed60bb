"""Attune: case planning for family care. create_app() builds the application."""

from __future__ import annotations

import logging
import os
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request

from config import INSTANCE_DIR, ProductionConfig, get_config


def create_app(config_name: str | None = None, instance_path: str | None = None, **overrides: Any) -> Flask:
    """instance_path: the folder of this instance's own files (default `instance/` of the checkout)."""
    config = get_config(config_name)
    if issubclass(config, ProductionConfig):
        config.validate()

    app = Flask(__name__, instance_path=str(instance_path or INSTANCE_DIR))
    app.config.from_object(config)
    if "SECRET_KEY" in os.environ:
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config.update(overrides)
    if int(app.config["AUDIT_RETENTION_YEARS"]) < 5:
        raise RuntimeError("AUDIT_RETENTION_YEARS must be at least 5: the access log is kept five years or more")
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        from app.security.secret_key import instance_secret_key

        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    from app import bench, cli
    from app.db import transaction, wiring
    from app.errors import repeats
    from app.extensions import babel, bootstrap, compress, csrf, db, migrate
    from app.security import headers, login, ratelimit
    from app.web import static_assets, templating
    from app.web.locale import select_locale
    from app.web.routing import DatabaseId

    app.url_map.converters["int"] = DatabaseId
    wiring.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login.init_app(app)
    _register_blueprints(app)
    app.before_request(_refuse_unreadable_input)

    # Flask runs after-request hooks in the reverse order of registration. Read bottom up, a response
    # meets: the static files' cache header, the commit, the security headers, the bench's query count
    # (after the commit, so it counts it), compression (last: it compresses the final body).
    compress.init_app(app)
    bench.register(app)
    headers.init_app(app)
    transaction.init_app(app)
    static_assets.register(app)

    ratelimit.init_app(app)  # wraps the login views, so after the blueprints
    cli.register(app)
    templating.register(app)
    repeats.install(app)
    logging.getLogger("attune").setLevel(logging.INFO)
    return app


def _register_blueprints(app: Flask) -> None:
    from app.access_log import bp as access_log_bp
    from app.account_changes import bp as account_changes_bp
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
    from app.trash import bp as trash_bp
    from app.week import bp as week_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(families_bp, url_prefix="/families")
    # Blueprints of one family's record: every route is a family view (app.security.access.family_view).
    for family_scoped in (care_sessions_bp, plans_bp, destruction_bp):
        app.register_blueprint(family_scoped, url_prefix="/families/<int:family_id>")
    app.register_blueprint(overview_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(account_changes_bp, url_prefix="/account-changes")
    app.register_blueprint(errors_bp)
    app.register_blueprint(access_log_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(trash_bp)
    app.register_blueprint(week_bp)


def _refuse_unreadable_input() -> None:
    # Every form posts form data; there is no JSON API. Flask-WTF would read a JSON body as
    # form data and fail on anything but an object (a server error instead of a 400).
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.is_json:
        abort(400)
    # Text that is not UTF-8 is not text anyone typed: Werkzeug would keep its bytes as literal "%FF%FE"
    # (a typed "%FF" arrives as "%25FF", so the raw request tells the two apart).
    raw = [request.query_string]
    if request.mimetype == "application/x-www-form-urlencoded":
        raw.append(request.get_data(cache=True))  # the form is parsed from this cached copy
    for encoded in raw:
        try:
            unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            from app.errors.handlers import UnreadableText

            raise UnreadableText() from None
    # No text anyone types holds a NUL character, and PostgreSQL refuses to store one.
    for values in (request.args, request.form):
        if any("\x00" in value for _, value in values.items(multi=True)):
            abort(400)
