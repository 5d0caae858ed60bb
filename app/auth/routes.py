from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from app import dates
from app.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    PreferencesForm,
    RecoveryCodesForm,
    SetupForm,
    TwoFactorDisableForm,
    TwoFactorSetupForm,
    VerifyForm,
    weakness_message,
)
from app.models import User
from app.security.redirects import is_safe_next
from app.services import account_changes, lockout, login_sessions, logins, two_factor

bp = Blueprint("auth", __name__)

# The Flask session keys of the two steps of two-step verification, not secrets. Each its own,
# so neither step can ever read the other's value:
# between a correct password and the code: who, since when, and where to go next (the user is
# not logged in during this step);
PENDING_LOGIN_KEY = "two_factor_pending"
# a logged-in user setting it up: the new secret, until a code confirms it.
SETUP_SESSION_KEY = "two_factor_setup"

# Pages a user who must set up two-step verification can still open before doing so.
OPEN_DURING_SETUP = {
    "auth.two_factor_setup",
    "auth.two_factor_qr",
    "auth.logout",
    "main.set_language",
    "main.healthz",
    "static",
    "bootstrap.static",
}


def _fresh_session() -> None:
    """A fresh session at every login step, keeping only the language picked."""
    chosen_locale = session.get("locale")
    session.clear()
    if chosen_locale:
        session["locale"] = chosen_locale


def _complete_login(user: User, *, second_factor: bool, method: str) -> int | None:
    """Logged in, in this browser and in the database; the recovery codes left when one was used."""
    chosen_locale = session.get("locale")
    _fresh_session()
    left = logins.start(user, second_factor=second_factor, method=method, chosen_locale=chosen_locale)
    login_user(user)
    session.permanent = True
    return left


def _refuse_login(form: LoginForm):
    # One answer for every failure, the lockout included: it must not tell which addresses
    # have an account, or which accounts are locked.
    form.password.errors.append(_("The e-mail address or password is not correct."))
    form.password.errors.append(
        _(
            "After %(count)d failed attempts in a row an account is locked for %(minutes)d minutes.",
            count=current_app.config["LOGIN_MAX_FAILURES"],
            minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"],
        )
    )
    return render_template("auth/login.html", form=form), 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = logins.password_login(form.email.data, form.password.data)
        if user is None:
            return _refuse_login(form)
        target = form.next.data if is_safe_next(form.next.data) else None
        if user.two_factor_enabled:
            _fresh_session()
            session[PENDING_LOGIN_KEY] = {"user": user.id, "at": int(dates.now().timestamp()), "next": target}
            return redirect(url_for("auth.verify"))
        _complete_login(user, second_factor=False, method="password")
        if two_factor.required_for(user):
            return redirect(url_for("auth.two_factor_setup"))
        return redirect(target or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """A one-time set-up code (from the administrator, confirmed by a second person) and a password of
    one's own. One answer for every failure; failures count towards the account's lockout, and the page
    is rate limited like the login (app.security.ratelimit)."""
    if current_user.is_authenticated:
        flash(_("Log out first to set up another account."), "info")
        return redirect(url_for("main.index"))
    form = SetupForm()
    if form.validate_on_submit():
        redeemed = account_changes.redeem(form.email.data, form.code.data, form.new_password.data)
        if redeemed.weak is not None:
            form.new_password.errors.append(weakness_message(redeemed.weak))
        elif redeemed.refused or redeemed.user is None:
            form.code.errors.append(
                _(
                    "This e-mail address and code do not fit together, or the code is not valid: it works once, "
                    "only after a second person confirmed it, and for %(hours)d hours after it was made.",
                    hours=current_app.config["ACCOUNT_CHANGE_HOURS"],
                )
            )
        else:
            user = redeemed.user
            if user.two_factor_enabled:
                # The password step is done; the code from their app comes next, as at a login.
                _fresh_session()
                session[PENDING_LOGIN_KEY] = {"user": user.id, "at": int(dates.now().timestamp()), "next": None}
                flash(_("Your password has been set. Type the code from your app to log in."), "success")
                return redirect(url_for("auth.verify"))
            _complete_login(user, second_factor=False, method="setup code")
            flash(_("Your password has been set."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/setup.html", form=form)


def _pending_user() -> User | None:
    pending = session.get(PENDING_LOGIN_KEY)
    if not isinstance(pending, dict):
        return None
    return logins.pending_user(
        pending.get("user"), pending.get("at", 0), current_app.config["TWO_FACTOR_PENDING_MINUTES"]
    )


@bp.route("/login/verify", methods=["GET", "POST"])
def verify():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = _pending_user()
    if user is None:
        if session.pop(PENDING_LOGIN_KEY, None):
            flash(_("The login took too long. Log in again."), "info")
        return redirect(url_for("auth.login"))
    too_many = _("Too many failed attempts. Wait %(minutes)d minutes and log in again.")
    minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
    if lockout.is_locked(user):
        session.pop(PENDING_LOGIN_KEY, None)
        logins.refuse_locked(user)
        flash(too_many % {"minutes": minutes}, "danger")
        return redirect(url_for("auth.login"))
    form = VerifyForm()
    if form.validate_on_submit():
        checked = logins.check_login_code(user, form.code.data)
        if checked.method is None:
            if checked.locked:
                session.pop(PENDING_LOGIN_KEY, None)
                flash(too_many % {"minutes": minutes}, "danger")
                return redirect(url_for("auth.login"))
            form.code.errors.append(
                _("This code is not correct. Check that the time on your phone is right, or use a recovery code.")
            )
            return render_template("auth/verify.html", form=form), 200
        target = session[PENDING_LOGIN_KEY].get("next")
        left = _complete_login(user, second_factor=True, method=checked.method)
        if left is not None:
            flash(
                ngettext(
                    "You used a recovery code. %(num)d code is left: make new ones under 'My account'.",
                    "You used a recovery code. %(num)d codes are left: make new ones under 'My account'.",
                    left,
                ),
                "warning",
            )
        return redirect(target if is_safe_next(target) else url_for("main.index"))
    return render_template("auth/verify.html", form=form)


@bp.before_app_request
def require_two_factor_setup():
    """A user whose role needs a second factor can do nothing else until it is set up."""
    if request.endpoint is None or request.endpoint in OPEN_DURING_SETUP or not current_user.is_authenticated:
        return None  # no endpoint: a 404 stays a 404
    user = current_user._get_current_object()
    if user.login_second_factor or not two_factor.required_for(user):
        return None
    if user.two_factor_enabled:
        # Set up on another device while this login was open: log in again, with the code.
        login_sessions.end(user.login_token, reason="second_factor")
        logout_user()
        _fresh_session()
        flash(_("Log in again with your code."), "info")
        return redirect(url_for("auth.login"))
    flash(_("Your role needs two-step verification. Set it up to continue."), "info")
    return redirect(url_for("auth.two_factor_setup"))


@bp.post("/logout")
@login_required
def logout():
    logins.log_out(current_user._get_current_object())
    logout_user()
    _fresh_session()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


def _render_account(status: int = 200, **forms):
    forms.setdefault("password_form", ChangePasswordForm(prefix="pw"))
    forms.setdefault("preferences_form", PreferencesForm(prefix="pref", language=current_user.locale))
    forms.setdefault("disable_form", TwoFactorDisableForm(prefix="off"))
    forms.setdefault("recovery_form", RecoveryCodesForm(prefix="rc"))
    return render_template(
        "auth/account.html",
        two_factor_required=two_factor.required_for(current_user),
        recovery_codes_left=two_factor.unused_recovery_codes(current_user) if current_user.two_factor_enabled else 0,
        **forms,
    ), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    password_form = ChangePasswordForm(prefix="pw")
    preferences_form = PreferencesForm(prefix="pref", language=current_user.locale)
    if password_form.submit.data and password_form.validate_on_submit():
        user = current_user._get_current_object()
        if not logins.change_password(user, password_form.current_password.data, password_form.new_password.data):
            password_form.current_password.errors.append(_("This is not your current password."))
        else:
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
    elif preferences_form.submit.data and preferences_form.validate_on_submit():
        current_user.locale = preferences_form.language.data
        session["locale"] = preferences_form.language.data
        flash(_("Your preferences have been saved."), "success")
        return redirect(url_for("auth.account"))
    return _render_account(password_form=password_form, preferences_form=preferences_form)


def _wrong_code() -> str:
    return _("This code is not correct. Check that the time on your phone is right.")


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    user = current_user._get_current_object()
    if user.two_factor_enabled:
        flash(_("Two-step verification is already on."), "info")
        return redirect(url_for("auth.account"))
    # Pending until a code confirms it: kept in this login's session (a GET changes nothing in
    # the database), and across reloads, so a code already scanned stays valid.
    secret = session.get(SETUP_SESSION_KEY)
    if not secret:
        secret = session[SETUP_SESSION_KEY] = two_factor.new_secret()
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        codes = logins.confirm_setup(user, secret, form.code.data)
        if codes is None:
            form.code.errors.append(_wrong_code())
        else:
            session.pop(SETUP_SESSION_KEY, None)
            return render_template("auth/recovery_codes.html", codes=codes, first_time=True)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        secret=two_factor.grouped(secret),
        required=two_factor.required_for(user),
    )


@bp.get("/account/two-factor/qr.svg")
@login_required
def two_factor_qr():
    user = current_user._get_current_object()
    secret = session.get(SETUP_SESSION_KEY)
    if user.two_factor_enabled or not secret:
        abort(404)  # only while setting up: the code must not be shown again later
    svg = two_factor.qr_svg(two_factor.provisioning_uri(user, secret))
    return svg, 200, {"Content-Type": "image/svg+xml", "Cache-Control": "no-store"}


@bp.post("/account/two-factor/disable")
@login_required
def two_factor_disable():
    user = current_user._get_current_object()
    form = TwoFactorDisableForm(prefix="off")
    if not user.two_factor_enabled or two_factor.required_for(user):
        flash(_("Two-step verification cannot be turned off for your account."), "info")
        return redirect(url_for("auth.account"))
    if form.validate_on_submit():
        if not logins.turn_off_second_factor(user, form.code.data):
            form.code.errors.append(_wrong_code())
        else:
            flash(_("Two-step verification is off. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
    return _render_account(disable_form=form)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def recovery_codes():
    user = current_user._get_current_object()
    form = RecoveryCodesForm(prefix="rc")
    if not user.two_factor_enabled:
        return redirect(url_for("auth.two_factor_setup"))
    if form.validate_on_submit():
        codes = logins.renew_recovery_codes(user, form.code.data)
        if codes is None:
            form.code.errors.append(_wrong_code())
        else:
            return render_template("auth/recovery_codes.html", codes=codes, first_time=False)
    return _render_account(recovery_form=form)
