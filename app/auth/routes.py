from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from app import audit
from app.auth import bp
from app.auth.forms import ChangePasswordForm, LoginForm, PreferencesForm
from app.extensions import db
from app.models import User
from app.passwords import hash_password, needs_rehash, verify_password
from app.services import drafts, login_sessions
from app.urls import is_safe_next


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()
        # Verify even for an unknown address, so both failures take about as long.
        password_ok = verify_password(user.password_hash if user else None, form.password.data)
        if user is None or not password_ok or not user.active:
            audit.record_refused("login", user=user, detail=None if user else "unknown e-mail", outcome="failed")
            # One message for every failure: it must not tell which addresses have an account.
            form.password.errors.append(_("The e-mail address or password is not correct."))
            return render_template("auth/login.html", form=form), 200
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(form.password.data)
        chosen_locale = session.get("locale")
        session.clear()  # a fresh session at every login
        if chosen_locale and not user.locale:
            user.locale = chosen_locale  # a language picked on the login page sticks
        if chosen_locale:
            session["locale"] = chosen_locale
        login_sessions.start(user)
        user.last_login_at = datetime.now(UTC)
        login_user(user)
        session.permanent = True
        audit.record("login", user=user)
        target = form.next.data
        return redirect(target if is_safe_next(target) else url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    # Ending the login on the server makes a copied cookie useless.
    login_sessions.end(user.login_token)
    drafts.discard_all(user)
    audit.record("logout", user=user)
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    password_form = ChangePasswordForm(prefix="pw")
    preferences_form = PreferencesForm(prefix="pref", language=current_user.locale)
    if password_form.submit.data and password_form.validate_on_submit():
        if not verify_password(current_user.password_hash, password_form.current_password.data):
            password_form.current_password.errors.append(_("This is not your current password."))
        else:
            current_user.password_hash = hash_password(password_form.new_password.data)
            login_sessions.end_all(current_user, reason="password", keep_token=current_user.login_token)
            audit.record("change_password")
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
    elif preferences_form.submit.data and preferences_form.validate_on_submit():
        current_user.locale = preferences_form.language.data
        session["locale"] = preferences_form.language.data
        flash(_("Your preferences have been saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", password_form=password_form, preferences_form=preferences_form)
