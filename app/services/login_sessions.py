"""Server-side login sessions behind Flask's signed cookie.

A signed cookie cannot be revoked by itself; the cookie therefore carries a random token
that names a row here. Ending the row (logout, new password, deactivation, timeout) makes
a copied cookie useless at once, on every app process.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import func, select, update

from app import dates
from app.extensions import db
from app.models import LoginSession, User
from app.services import two_factor

# Writing last_seen_at on every request would turn every page view into a write.
_TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, *, second_factor: bool = False) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=_hash(token),
            user_id=user.id,
            ip_address=request.remote_addr if has_request_context() else None,
            second_factor=second_factor,
        )
    )
    user.login_token = token
    user.login_second_factor = second_factor
    return token


def mark_second_factor(token: str) -> None:
    """This login has now passed a second factor (set up during it)."""
    db.session.execute(update(LoginSession).where(LoginSession.token_hash == _hash(token)).values(second_factor=True))


def setup_secret(token: str | None, *, create: bool = False) -> str | None:
    """The TOTP secret being set up in this login; with create, a new one when there is none yet.

    Kept on the login's row, never in the cookie (signed, not encrypted), and the same across
    reloads of the set-up page, so a code already scanned stays valid. Creating it on the page's
    GET writes only this login's own row, as last_seen_at does: the row is the login's state,
    which the cookie used to carry; no data a user sees changes (tests/security/test_safe_methods.py).
    """
    if not token:
        return None
    login = db.session.execute(
        select(LoginSession).where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
    ).scalar_one_or_none()
    if login is None:
        return None
    if login.totp_setup_secret is None and create:
        login.totp_setup_secret = two_factor.new_secret()
    return login.totp_setup_secret


def clear_setup_secret(token: str | None) -> None:
    if token:
        db.session.execute(
            update(LoginSession).where(LoginSession.token_hash == _hash(token)).values(totp_setup_secret=None)
        )


def ended_by_lock(token: str | None) -> bool:
    """Whether the login this token named was ended by a lock of its account that still holds."""
    if not token:
        return False
    locked_until = db.session.execute(
        select(User.locked_until)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == _hash(token), LoginSession.end_reason == "locked")
    ).scalar_one_or_none()
    return locked_until is not None and locked_until > dates.now()


def count_active(user: User) -> int:
    now = dates.now()
    return db.session.execute(
        select(func.count(LoginSession.id)).where(
            LoginSession.user_id == user.id,
            LoginSession.ended_at.is_(None),
            LoginSession.last_seen_at > now - current_app.config["SESSION_IDLE_TIMEOUT"],
            LoginSession.created_at > now - current_app.config["SESSION_ABSOLUTE_LIFETIME"],
        )
    ).scalar_one()


def resolve(token: str) -> User | None:
    """The user of a live login session, or None when it has ended or timed out."""
    row = db.session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    login, user = row
    now = dates.now()
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    lifetime = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    if not user.active or now - login.last_seen_at > idle or now - login.created_at > lifetime:
        login.ended_at = now
        login.end_reason = "timeout" if user.active else "deactivated"
        login.totp_setup_secret = None
        db.session.commit()  # the timeout holds even if this request fails later
        return None
    if now - login.last_seen_at > _TOUCH_INTERVAL:
        login.last_seen_at = now
    user.login_token = token
    user.login_second_factor = login.second_factor
    return user


def end(token: str | None, reason: str = "logout") -> None:
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
            .values(ended_at=dates.now(), end_reason=reason, totp_setup_secret=None)
        )


def end_all(user: User, *, reason: str, keep_token: str | None = None) -> None:
    """End every login of a user, except optionally the one making this request."""
    stmt = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep_token:
        stmt = stmt.where(LoginSession.token_hash != _hash(keep_token))
    db.session.execute(stmt.values(ended_at=dates.now(), end_reason=reason, totp_setup_secret=None))


def timed_out_user(token: str | None) -> User | None:
    """The user whose login this token was, if it ended by timing out (not by logout).

    Only then may a form they were typing be kept for them: a cookie from a login that was
    ended on purpose must not be able to plant text in someone's form.
    """
    if not token:
        return None
    row = db.session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == _hash(token), LoginSession.end_reason == "timeout")
    ).first()
    if row is None or not row.User.active:
        return None
    if dates.now() - row.LoginSession.ended_at > current_app.config["SESSION_ABSOLUTE_LIFETIME"]:
        return None
    return row.User
