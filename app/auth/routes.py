from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from app import dates
from app.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    PasskeyAddForm,
    PasskeyCheckForm,
    PasskeyRemoveForm,
    PasskeyRenameForm,
    PasskeyVerifyForm,
    PreferencesForm,
    RecoveryCodesForm,
    SetupForm,
    TwoFactorDisableForm,
    TwoFactorSetupForm,
    VerifyForm,
    weakness_message,
)
from app.models import Role, User
from app.security.login import locked_out
from app.security.redirects import is_safe_next
from app.services import account_changes, calendar_feeds, lockout, login_sessions, logins, passkeys, two_factor
from app.services.logins import Check
from app.web.passkeys import fresh_check_offer, fresh_proof, passkey_options, relying_party, take_challenge

bp = Blueprint("auth", __name__)

# The Flask session key between a correct password and the code: who, since when, and where to
# go next (the user is not logged in during this step). Not a secret: the cookie is signed, not
# encrypted, so a secret being set up is kept on the server (login_sessions.setup_secret).
PENDING_LOGIN_KEY = "two_factor_pending"
# A user who already has a factor passed a fresh check, and may now add another, until then.
ADD_FACTOR_KEY = "add_factor_checked"
ADD_FACTOR_SECONDS = 300

# Pages a user who must set up two-step verification can still open before doing so.
OPEN_DURING_SETUP = {
    "auth.two_factor_setup",
    "auth.two_factor_qr",
    "auth.passkey_add",
    "auth.logout",
    "main.set_language",
    "main.healthz",
    "main.favicon",
    "static",
    "bootstrap.static",
}


def _fresh_session() -> None:
    """A fresh session at every login step, keeping only the language picked."""
    chosen_locale = session.get("locale")
    session.clear()
    if chosen_locale:
        session["locale"] = chosen_locale


def _demo_password_only() -> bool:
    """The demo lets care workers in with a password alone, and says so; production never does."""
    return (
        current_app.config["ENV_NAME"] == "development"
        and "worker" not in current_app.config["TWO_FACTOR_REQUIRED_ROLES"]
    )


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
            "After %(count)d failed attempts within %(window)d minutes an account is locked for %(minutes)d minutes.",
            count=current_app.config["LOGIN_MAX_FAILURES"],
            window=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"],
            minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"],
        )
    )
    return render_template("auth/login.html", form=form, demo_password_only=_demo_password_only()), 200


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
        if user.has_second_factor:
            _fresh_session()
            session[PENDING_LOGIN_KEY] = {"user": user.id, "at": int(dates.now().timestamp()), "next": target}
            return redirect(url_for("auth.verify"))
        _complete_login(user, second_factor=False, method="password")
        if two_factor.required_for(user):
            return redirect(url_for("auth.two_factor_setup"))
        return redirect(target or url_for("main.index"))
    return render_template("auth/login.html", form=form, demo_password_only=_demo_password_only())


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
        redeemed = account_changes.redeem(
            form.email.data, form.code.data, form.second_code.data, form.new_password.data
        )
        if redeemed.weak is not None:
            form.new_password.errors.append(weakness_message(redeemed.weak))
        elif redeemed.refused or redeemed.user is None:
            form.code.errors.append(
                _(
                    "This e-mail address and these codes do not fit together, or the codes are not valid: they work once, "
                    "only after a second person confirmed, and for %(hours)d hours after they were asked for.",
                    hours=current_app.config["ACCOUNT_CHANGE_HOURS"],
                )
            )
        else:
            user = redeemed.user
            if user.has_second_factor:
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


def _too_many() -> str:
    return _("Too many failed attempts. Wait %(minutes)d minutes and log in again.") % {
        "minutes": current_app.config["LOGIN_LOCKOUT_MINUTES"]
    }


def _verify_step():
    """The user half-way through logging in, or the redirect that ends this step."""
    if current_user.is_authenticated:
        return None, redirect(url_for("main.index"))
    user = _pending_user()
    if user is None:
        if session.pop(PENDING_LOGIN_KEY, None):
            flash(_("The login took too long. Log in again."), "info")
        return None, redirect(url_for("auth.login"))
    if lockout.is_locked(user):
        session.pop(PENDING_LOGIN_KEY, None)
        logins.refuse_locked(user)
        flash(_too_many(), "danger")
        return None, redirect(url_for("auth.login"))
    return user, None


def _render_verify(user: User, form: VerifyForm, status: int = 200, passkey_error: str | None = None):
    options = (
        passkey_options("login", passkeys.authentication_ceremony(user, relying_party())) if user.passkeys else None
    )
    return render_template(
        "auth/verify.html",
        form=form,
        passkey_form=PasskeyVerifyForm(),
        passkey_options=options,
        has_app=user.two_factor_enabled,
        passkey_error=passkey_error,
    ), status


def _verified(user: User, checked: logins.CodeCheck):
    target = session[PENDING_LOGIN_KEY].get("next")
    left = _complete_login(user, second_factor=True, method=str(checked.method))
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


def _locked_now():
    session.pop(PENDING_LOGIN_KEY, None)
    flash(_too_many(), "danger")
    return redirect(url_for("auth.login"))


@bp.route("/login/verify", methods=["GET", "POST"])
def verify():
    user, away = _verify_step()
    if user is None:
        return away
    form = VerifyForm()
    if form.validate_on_submit():
        checked = logins.check_login_code(user, form.code.data)
        if checked.method is None:
            if checked.locked:
                return _locked_now()
            form.code.errors.append(
                _(
                    "This code is not correct, or it was used already: each code works once, so wait for the next"
                    " one. Check too that the time on your phone is right, or use a recovery code."
                )
            )
            return _render_verify(user, form)
        return _verified(user, checked)
    return _render_verify(user, form)


@bp.post("/login/verify/passkey")
def verify_passkey():
    """The second step in one touch: the passkey's assertion, posted by app/static/js/passkeys.js."""
    user, away = _verify_step()
    if user is None:
        return away
    form = PasskeyVerifyForm()
    if form.validate_on_submit():
        proof = passkeys.Proof(rp=relying_party(), challenge=take_challenge("login"), response=form.credential.data)
        checked = logins.check_login_passkey(user, proof)
        if checked.method is not None:
            return _verified(user, checked)
        if checked.locked:
            return _locked_now()
    return _render_verify(user, VerifyForm(formdata=None), passkey_error=_passkey_refused())


def _passkey_refused() -> str:
    return _(
        "This passkey was not accepted: it is not registered for your account on this device, or the check "
        "took too long. Try again, or use a code."
    )


@bp.before_app_request
def require_two_factor_setup():
    """A user whose role needs a second factor can do nothing else until it is set up."""
    if request.endpoint is None or request.endpoint in OPEN_DURING_SETUP or not current_user.is_authenticated:
        return None  # no endpoint: a 404 stays a 404
    user = current_user._get_current_object()
    if user.login_second_factor or not two_factor.required_for(user):
        return None
    if user.has_second_factor:
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
    user = current_user._get_current_object()
    forms.setdefault("password_form", ChangePasswordForm(prefix="pw"))
    forms.setdefault("preferences_form", PreferencesForm(prefix="pref", language=user.locale))
    forms.setdefault("disable_form", TwoFactorDisableForm(prefix="off"))
    forms.setdefault("recovery_form", RecoveryCodesForm(prefix="rc"))
    forms.setdefault("remove_form", PasskeyRemoveForm(prefix="rm", formdata=None))
    forms.setdefault("rename_form", PasskeyRenameForm(prefix="rn", formdata=None))
    return render_template(
        "auth/account.html",
        two_factor_required=two_factor.required_for(user),
        recovery_codes_left=two_factor.unused_recovery_codes(user) if user.has_second_factor else 0,
        passkey_list=list(user.passkeys),
        fresh=fresh_check_offer(user),
        demo_password_only=_demo_password_only() and user.role == Role.WORKER,
        calendar_feed=calendar_feeds.active_feed(user),
        **forms,
    ), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    password_form = ChangePasswordForm(prefix="pw")
    preferences_form = PreferencesForm(prefix="pref", language=current_user.locale)
    if password_form.submit.data and password_form.validate_on_submit():
        user = current_user._get_current_object()
        checked = logins.change_password(user, password_form.current_password.data, password_form.new_password.data)
        if checked is Check.PASSED:
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
        if checked is Check.LOCKED_NOW:
            return locked_out()
        password_form.current_password.errors.append(
            _locked(user) if checked is Check.LOCKED else _("This is not your current password.")
        )
    elif preferences_form.submit.data and preferences_form.validate_on_submit():
        current_user.locale = preferences_form.language.data
        session["locale"] = preferences_form.language.data
        flash(_("Your preferences have been saved."), "success")
        return redirect(url_for("auth.account"))
    return _render_account(password_form=password_form, preferences_form=preferences_form)


def _wrong_code() -> str:
    """A code that does not fit the key being set up (no code of it was used yet)."""
    return _("This code is not correct. Check that the time on your phone is right.")


def _locked(user: User) -> str:
    return logins.locked_message(user)


def _may_add_factor(user: User) -> bool:
    """A first factor needs no check; another one needs a fresh check a moment ago (by the app or a
    passkey), so someone at an unlocked, logged-in tablet cannot add their own."""
    if not user.has_second_factor:
        return True
    at = session.get(ADD_FACTOR_KEY)
    return isinstance(at, int) and 0 <= dates.now().timestamp() - at <= ADD_FACTOR_SECONDS


def _render_setup(user: User, form: TwoFactorSetupForm | None = None, status: int = 200, **extra):
    if not _may_add_factor(user):
        return render_template(
            "auth/two_factor_setup.html",
            check_form=extra.get("check_form") or PasskeyCheckForm(prefix="chk", formdata=None),
            fresh=fresh_check_offer(user),
            required=two_factor.required_for(user),
        ), status
    secret = None
    if not user.two_factor_enabled:
        # Pending until a code confirms it: kept on this login's row on the server, the same across reloads.
        secret = login_sessions.setup_secret(user.login_token, create=True)
    add_form = extra.get("add_form") or PasskeyAddForm(
        formdata=None, name=passkeys.default_name(request.user_agent.string)
    )
    return render_template(
        "auth/two_factor_setup.html",
        form=form or TwoFactorSetupForm(formdata=None),
        add_form=add_form,
        create_options=passkey_options("register", passkeys.registration_ceremony(user, relying_party())),
        secret=two_factor.grouped(secret) if secret else None,
        required=two_factor.required_for(user),
        has_factor=user.has_second_factor,
    ), status


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    """A second factor: a passkey (this tablet's fingerprint or face) or the authenticator app."""
    user = current_user._get_current_object()
    form = TwoFactorSetupForm()
    if request.method == "POST" and (user.two_factor_enabled or not _may_add_factor(user)):
        return redirect(url_for("auth.two_factor_setup"))
    if form.validate_on_submit():
        secret = login_sessions.setup_secret(user.login_token)
        codes = logins.confirm_setup(user, secret, form.code.data) if secret else None
        if codes is None:
            form.code.errors.append(_wrong_code())
        else:
            session.pop(ADD_FACTOR_KEY, None)
            if not codes:
                flash(_("The authenticator app is set up. Your recovery codes stay as they were."), "success")
                return redirect(url_for("auth.account"))
            return render_template("auth/recovery_codes.html", codes=codes, first_time=True)
    return _render_setup(user, form, 200)


@bp.post("/account/two-factor/check")
@login_required
def add_factor_check():
    """The fresh check before adding another factor, by the app's code or a passkey."""
    user = current_user._get_current_object()
    form = PasskeyCheckForm(prefix="chk")
    if form.validate_on_submit():
        proof = fresh_proof(form)
        if logins.fresh_check(user, form.fresh_code.data, "add_second_factor", proof):
            session[ADD_FACTOR_KEY] = int(dates.now().timestamp())
            return redirect(url_for("auth.two_factor_setup"))
        form.fresh_code.errors.append(logins.fresh_check_refused(user, proof))
    return _render_setup(user, check_form=form)


@bp.post("/account/passkeys/add")
@login_required
def passkey_add():
    user = current_user._get_current_object()
    form = PasskeyAddForm()
    if not _may_add_factor(user):
        flash(_("Confirm it is you first: the check is valid for five minutes."), "info")
        return redirect(url_for("auth.two_factor_setup"))
    if not form.validate_on_submit():
        form.credential.errors = []  # the hidden field: the page says what to do instead
        flash(_("No passkey was made. Press the button and follow your device's instructions."), "warning")
        return _render_setup(user, add_form=form)
    fallback = passkeys.default_name(request.user_agent.string)
    added = passkeys.add(
        user, relying_party(), take_challenge("register"), form.credential.data, form.name.data or fallback
    )
    if added.passkey is None:
        if added.error == "known":
            flash(_("This passkey is already registered."), "warning")
        else:
            flash(
                _("The passkey could not be added. Try again; if it keeps failing, use the authenticator app."),
                "danger",
            )
        return redirect(url_for("auth.two_factor_setup"))
    session.pop(ADD_FACTOR_KEY, None)
    if added.recovery_codes:
        return render_template("auth/recovery_codes.html", codes=added.recovery_codes, first_time=True)
    flash(_("Passkey “%(name)s” added.", name=added.passkey.name), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/passkeys/rename")
@login_required
def passkey_rename():
    user = current_user._get_current_object()
    form = PasskeyRenameForm(prefix="rn")
    if form.validate_on_submit():
        if passkeys.rename(user, form.passkey_id.data, form.name.data) is None:
            abort(404)
        flash(_("The passkey has been renamed."), "success")
        return redirect(url_for("auth.account"))
    return _render_account(rename_form=form)


@bp.post("/account/passkeys/remove")
@login_required
def passkey_remove():
    user = current_user._get_current_object()
    form = PasskeyRemoveForm(prefix="rm")
    if form.validate_on_submit():
        proof = fresh_proof(form)
        outcome = logins.remove_passkey(user, form.passkey_id.data, form.fresh_code.data, proof)
        if outcome == "unknown":
            abort(404)
        if outcome == "last":
            flash(_("This is your last second factor and your role needs one: add another first."), "warning")
            return redirect(url_for("auth.account"))
        if outcome == "ok":
            flash(_("The passkey has been removed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
        form.fresh_code.errors.append(logins.fresh_check_refused(user, proof))
    return _render_account(remove_form=form)


@bp.get("/account/two-factor/qr.svg")
@login_required
def two_factor_qr():
    user = current_user._get_current_object()
    secret = login_sessions.setup_secret(user.login_token)
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
        checked = logins.turn_off_second_factor(user, form.code.data)
        if checked is Check.PASSED:
            flash(_("Two-step verification is off. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
        if checked is Check.LOCKED_NOW:
            return locked_out()
        form.code.errors.append(_locked(user) if checked is Check.LOCKED else logins.wrong_code())
    return _render_account(disable_form=form)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def recovery_codes():
    user = current_user._get_current_object()
    form = RecoveryCodesForm(prefix="rc")
    if not user.has_second_factor:
        return redirect(url_for("auth.two_factor_setup"))
    if form.validate_on_submit():
        proof = fresh_proof(form)
        renewed = logins.renew_recovery_codes(user, form.fresh_code.data, proof)
        if renewed.check is Check.PASSED:
            return render_template("auth/recovery_codes.html", codes=renewed.codes, first_time=False)
        if renewed.check is Check.LOCKED_NOW:
            return locked_out()
        form.fresh_code.errors.append(
            _locked(user) if renewed.check is Check.LOCKED else logins.fresh_check_refused(user, proof)
        )
    return _render_account(recovery_form=form)
