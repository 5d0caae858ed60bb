"""Logging in and a user's own account: the password step, the code step, a new password, the second
factor set up, turned off or renewed. Flushes, never commits; each outcome logs itself.

The Flask session and Flask-Login (who is logged in in this browser) stay with the auth views; what a
login is in the database (its row, the lockout count, the access log) is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app import audit, dates
from app.extensions import db
from app.models import User
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


def change_password(user: User, current: str, new: str) -> bool:
    """False, with nothing changed, when `current` is not the user's password. Other logins end."""
    if not verify_password(user.password_hash, current):
        return False
    user.password_hash = hash_password(new)
    login_sessions.end_all(user, reason="password", keep_token=user.login_token)
    audit.record("change_password")
    return True


def confirm_setup(user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-step verification on when the code fits the new secret; the new recovery codes, or None."""
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
    user.login_second_factor = True
    # A new factor: logins elsewhere that never used it end (ASVS 7.4.3).
    login_sessions.end_all(user, reason="second_factor", keep_token=user.login_token)
    audit.record("two_factor_setup", obj=user)
    return codes


def turn_off_second_factor(user: User, code: str) -> bool:
    if two_factor.check_login_code(user, code) is None:
        audit.record_refused("two_factor_disable", user=user, outcome="failed")
        return False
    two_factor.disable(user)
    login_sessions.end_all(user, reason="second_factor", keep_token=user.login_token)
    audit.record("two_factor_disable", obj=user)
    return True


def renew_recovery_codes(user: User, code: str) -> list[str] | None:
    """Only with the app's code: a recovery code should not be able to make new recovery codes."""
    if not two_factor.accept_totp(user, code):
        audit.record_refused("recovery_codes", user=user, outcome="failed")
        return None
    codes = two_factor.new_recovery_codes(user)
    audit.record("recovery_codes", obj=user, detail="new codes made")
    return codes


def fresh_check(user: User, code: str | None, action: str, passkey: passkeys.Proof | None = None) -> bool:
    """A sensitive action (granting access, removing a factor) asks again who is at the keyboard:
    the current code from the user's app, accepted once, or a passkey assertion to a challenge
    made for this check. A failure is on file under `action`.

    The one place such a re-check is decided: lockout, rate limits and other factors (passkeys)
    belong here, so every sensitive form gets them at once.
    """
    if passkey is not None and passkey.response:
        if passkeys.check(user, passkey.rp, passkey.challenge, passkey.response, action).passkey is not None:
            return True
    elif code and two_factor.accept_totp(user, code):
        return True
    audit.record_refused(action, user=user, detail="fresh check failed", outcome="failed")
    return False


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
