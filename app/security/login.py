"""Flask-Login's two questions: who holds this login, and what to do with a visitor without one."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from app.extensions import db, login_manager
from app.services import drafts, login_sessions
from app.web.form_pages import keeps_drafts


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.user_loader(login_sessions.resolve)
    login_manager.unauthorized_handler(send_to_login)


def send_to_login() -> Any:
    """Not logged in (any more): to the login page, keeping a form typed into a timed-out login."""
    if request.method == "POST":
        user = login_sessions.timed_out_user(session.get("_user_id"))
        if user is not None and keeps_drafts():
            drafts.keep(user, request.path, request.form)
            db.session.commit()
            flash(_("Your login has expired. Log in again: what you typed has been kept."), "warning")
            return redirect(url_for("auth.login", next=request.path))
    if login_sessions.ended_by_lock(session.get("_user_id")):
        flash(locked_message(), "danger")
        return redirect(url_for("auth.login"))
    flash(_("Please log in to continue."), "info")
    # After logging in, a GET goes back where it was; a POST cannot be replayed as a GET.
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def locked_message() -> str:
    return _(
        "Too many wrong passwords or codes: your account is locked for %(minutes)d minutes, and every login"
        " of it has ended. Log in again after that.",
        minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"],
    )


def locked_out() -> Any:
    """The answer to the check that locked the account (services.logins.Check.LOCKED_NOW): its
    login has ended on the server, so the browser lets go of it too and learns why at the login page."""
    chosen_locale = session.get("locale")
    logout_user()
    session.clear()
    if chosen_locale:
        session["locale"] = chosen_locale
    flash(locked_message(), "danger")
    return redirect(url_for("auth.login"))
