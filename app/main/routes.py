from flask import Blueprint, current_app, jsonify, redirect, request, send_from_directory, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from app.extensions import csrf, db
from app.main.forms import LanguageForm
from app.security.redirects import is_safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index():
    if current_user.is_admin:
        return redirect(url_for("admin.users"))
    return redirect(url_for("families.index"))


@bp.get("/favicon.ico")
def favicon():
    """The icon at the address browsers and bookmarks ask for without reading the page (the pages link the
    SVG): without it, every page's first visit logs a 404."""
    return send_from_directory(
        current_app.static_folder or "static", "favicon.ico", mimetype="image/x-icon", max_age=7 * 24 * 3600
    )


@bp.get("/healthz")
@csrf.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        current_app.logger.exception("health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            current_user.locale = form.language.data
        session["locale"] = form.language.data
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("main.index"))
