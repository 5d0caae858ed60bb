"""Logging in and a user's own account: the password step, the code step, a new password, the second
factor set up, turned off or renewed. Flushes, never commits; each outcome logs itself.

The Flask session and Flask-Login (who is logged in in this browser) stay with the auth views; what a
login is in the database (its row, the lockout count, the access log) is decided here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit, dates
from app.extensions import db
from app.models import User
from app.security import ratelimit
from app.security.passwords import hash_password, needs_rehash, verify_password
from app.services import drafts, lockout, login_sessions, passkeys, two_factor


def password_login(email: str, password: str) -> User | None:
    """The account this password opens, or None: one answer for every failure, the lockout included.

    The password is verified even for an unknown address, so both failures take about as long.
    """
    user = db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        audit.record_refused("login", detail="unknown e-mail", outcome="failed")
        return None
    if lockout.is_locked(user):
        audit.record_refused("login", user=user, detail="locked", outcome="failed")
        return None
    if not password_ok or not user.active:
        audit.record_refused("login", user=user, detail=None if user.active else "inactive", outcome="failed")
        if not password_ok and lockout.record_failure(user):
            audit.record("lock_account", obj=user, user=user, detail=f"{user.email}: too many failed logins")
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.has_second_factor:
        audit.record("login_password", user=user, detail="second factor next")
    return user


def pending_user(user_id: object, started: float, minutes: int) -> User | None:
    """The user half-way through logging in (password given, code not yet), while the step is fresh."""
    if dates.now().timestamp() - started > minutes * 60 or not isinstance(user_id, int):
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active and user.has_second_factor else None


@dataclass(frozen=True)
class CodeCheck:
    method: str | None  # "totp" or "recovery code" when the code was right
    locked: bool = False  # this wrong code locked the account


def check_login_code(user: User, code: str) -> CodeCheck:
    method = two_factor.check_login_code(user, code)
    if method is not None:
        return CodeCheck(method)
    audit.record_refused("login_verify", user=user, outcome="failed")
    if lockout.record_failure(user):
        audit.record("lock_account", obj=user, user=user, detail=f"{user.email}: too many failed codes")
        return CodeCheck(None, locked=True)
    return CodeCheck(None)


def check_login_passkey(user: User, proof: passkeys.Proof) -> CodeCheck:
    """The second step with a passkey: a failure counts toward the lockout like a wrong code."""
    checked = passkeys.check(user, proof.rp, proof.challenge, proof.response, "login")
    if checked.passkey is not None:
        return CodeCheck("passkey")
    audit.record_refused("login_verify", user=user, detail="passkey", outcome="failed")
    if lockout.record_failure(user):
        audit.record("lock_account", obj=user, user=user, detail=f"{user.email}: too many failed passkey checks")
        return CodeCheck(None, locked=True)
    return CodeCheck(None)


def refuse_locked(user: User) -> None:
    audit.record_refused("login_verify", user=user, detail="locked", outcome="failed")


def start(user: User, *, second_factor: bool, method: str, chosen_locale: str | None) -> int | None:
    """The login's row and its traces. For a code login, the recovery codes left after using one (else None)."""
    if chosen_locale and not user.locale:
        user.locale = chosen_locale  # a language picked on the login page sticks
    lockout.reset(user)
    login_sessions.start(user, second_factor=second_factor)
    user.last_login_at = dates.now()
    audit.record("login", user=user, detail=method)
    if not second_factor:
        return None
    audit.record("login_verify", user=user, detail=method)
    if method != "recovery code":
        return None
    audit.record("use_recovery_code", obj=user, user=user)
    return two_factor.unused_recovery_codes(user)


def log_out(user: User) -> None:
    """Ending the login on the server makes a copied cookie useless; kept drafts go with it."""
    login_sessions.end(user.login_token)
    drafts.discard_all(user)
    audit.record("logout", user=user)


class Check(StrEnum):
    """What a password or code check on a logged-in user's own account came to."""

    PASSED = "passed"
    WRONG = "wrong"  # counted towards the lockout
    LOCKED = "locked"  # the account is locked: refused without looking at what was typed
    LOCKED_NOW = "locked now"  # this wrong answer locked the account, and ended every login of it


def _secret_check(user: User, action: str, passes: Callable[[], bool], *, detail: str | None = None) -> Check:
    """Every secret check of a logged-in user counts like the login's: one more in the address's
    rate limit (429 over it), and a wrong answer one more towards the account's lockout.

    While the account is locked, even the right answer is refused. The failure that locks it ends
    every login of the account, this one too: whoever guesses holds a login, and must not keep it.
    """
    ratelimit.count_secret_check()
    if lockout.is_locked(user):
        audit.record_refused(action, user=user, detail="locked", outcome="failed")
        return Check.LOCKED
    if passes():
        lockout.reset(user)
        return Check.PASSED
    audit.record_refused(action, user=user, detail=detail, outcome="failed")
    if not lockout.record_failure(user):
        return Check.WRONG
    login_sessions.end_all(user, reason="locked")
    audit.record("lock_account", obj=user, user=user, detail=f"{user.email}: too many failed checks ({action})")
    return Check.LOCKED_NOW


def change_password(user: User, current: str, new: str) -> Check:
    """Nothing changes unless `current` is the user's password (a checked secret). Other logins end."""
    checked = _secret_check(user, "change_password", lambda: verify_password(user.password_hash, current))
    if checked is not Check.PASSED:
        return checked
    user.password_hash = hash_password(new)
    login_sessions.end_all(user, reason="password", keep_token=user.login_token)
    audit.record("change_password")
    return checked


def confirm_setup(user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-step verification on when the code fits the new secret; the new recovery codes, or None.

    Not a secret check: whoever types this code was just shown the secret it comes from.
    """
    step = two_factor.matching_step(secret, code)
    if step is None:
        audit.record_refused("two_factor_setup", user=user, outcome="failed")
        return None
    first_factor = not user.has_second_factor
    two_factor.enable(user, secret, step)
    # Recovery codes come with the first factor of any kind; a passkey user keeps theirs.
    codes = two_factor.new_recovery_codes(user) if first_factor else []
    if user.login_token is not None:  # the login that set it up now counts as one with a second factor
        login_sessions.mark_second_factor(user.login_token)
        login_sessions.clear_setup_secret(user.login_token)
    user.login_second_factor = True
    # A new factor: logins elsewhere that never used it end (ASVS 7.4.3).
    login_sessions.end_all(user, reason="second_factor", keep_token=user.login_token)
    audit.record("two_factor_setup", obj=user)
    return codes


def turn_off_second_factor(user: User, code: str) -> Check:
    checked = _secret_check(user, "two_factor_disable", lambda: two_factor.check_login_code(user, code) is not None)
    if checked is not Check.PASSED:
        return checked
    two_factor.disable(user)
    login_sessions.end_all(user, reason="second_factor", keep_token=user.login_token)
    audit.record("two_factor_disable", obj=user)
    return checked


@dataclass(frozen=True)
class RenewedCodes:
    check: Check
    codes: list[str] | None = None  # the new codes, to show once, when the check passed


def renew_recovery_codes(user: User, code: str | None, passkey: passkeys.Proof | None = None) -> RenewedCodes:
    """With the app's code or a passkey (a passkey-only user has no app), never with a recovery code:
    a recovery code should not be able to make new recovery codes."""
    checked = _secret_check(user, "recovery_codes", lambda: _fresh_passes(user, code, "recovery_codes", passkey))
    if checked is not Check.PASSED:
        return RenewedCodes(checked)
    codes = two_factor.new_recovery_codes(user)
    audit.record("recovery_codes", obj=user, detail="new codes made")
    return RenewedCodes(checked, codes)


def _fresh_passes(user: User, code: str | None, action: str, passkey: passkeys.Proof | None) -> bool:
    """A passkey assertion to a challenge made for this check, or else the app's current code (once)."""
    if passkey is not None and passkey.response:
        return passkeys.check(user, passkey.rp, passkey.challenge, passkey.response, action).passkey is not None
    return bool(code) and two_factor.accept_totp(user, code or "")


def fresh_check(user: User, code: str | None, action: str, passkey: passkeys.Proof | None = None) -> bool:
    """A sensitive action (granting access, removing a factor) asks again who is at the keyboard:
    the current code from the user's app, accepted once, or a passkey assertion to a challenge
    made for this check. A failure is on file under `action`.

    The one place such a re-check is decided: lockout, rate limits and other factors (passkeys)
    belong here, so every sensitive form gets them at once. It counts like every secret check
    (_secret_check): a 429 over the address's limit; refused while the account is locked; the
    failure that locks the account ends every login of it, so the caller's next page is the login
    page, which says why (app.security.login.send_to_login).
    """
    checked = _secret_check(
        user, action, lambda: _fresh_passes(user, code, action, passkey), detail="fresh check failed"
    )
    return checked is Check.PASSED


def fresh_check_asked(user: User) -> str:
    """What to do when a fresh check was left empty, for the factors this user has."""
    has_passkey = bool(user.passkeys)
    if has_passkey and not user.two_factor_enabled:
        return str(_l("Confirm it is you: check with your passkey."))
    if has_passkey:
        return str(_l("Type the current code from your app, or check with your passkey."))
    return str(_l("Type the current code from your app."))


def locked_message(user: User) -> str:
    """Said to the logged-in owner only: the login page never tells whether an account is locked."""
    return str(
        _l(
            "Your account is locked after too many wrong passwords or codes. Try again in %(minutes)d minutes.",
            minutes=lockout.minutes_left(user),
        )
    )


def fresh_check_refused(user: User, passkey: passkeys.Proof | None) -> str:
    """Why an answered fresh check did not pass: the account is locked (then even the right answer is
    refused, so "not correct" would be false), or by what answered it."""
    if lockout.is_locked(user):
        return locked_message(user)
    if passkey is not None and passkey.response:
        return str(
            _l(
                "That did not confirm it is you: the passkey was not accepted (it is not registered for your "
                "account on this device, or the check took too long). Try again."
            )
        )
    return wrong_code()


def wrong_code() -> str:
    """A refused code of an app already set up. It may be right but used: a code works once, and the
    login a moment ago (or another check) may have used this one."""
    return str(
        _l(
            "This code is not correct, or it was used already: each code works once, so wait for the next"
            " one. Check too that the time on your phone is right."
        )
    )


def remove_passkey(user: User, passkey_id: int | None, code: str | None, proof: passkeys.Proof | None) -> str:
    """ "ok", "unknown" (not this user's), "last" (the role needs a second factor) or "check" (the
    fresh check failed)."""
    passkey = passkeys.owned(user, passkey_id)
    if passkey is None:
        audit.record_refused("passkey_remove", user=user, detail=f"passkey {passkey_id}")
        return "unknown"
    if not passkeys.can_remove(user, passkey):
        audit.record_refused("passkey_remove", user=user, detail=f"{passkey.name}: last second factor")
        return "last"
    if not fresh_check(user, code, "passkey_remove", proof):
        return "check"
    passkeys.remove(user, passkey)
    return "ok"
