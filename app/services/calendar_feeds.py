"""Calendar feed addresses: made, revoked, and resolved to their user. Flushes, never commits.

The address carries a random token; only its SHA-256 is stored, so the address is shown once, when it is
made. Making a new one revokes the old one: a revoked or unknown token resolves to no one (the feed answers
404), as does the token of a user who is inactive or no longer works with families.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select, update

from app import audit, dates
from app.extensions import db
from app.models import CalendarFeed, User
from app.security.roles import CASE_ROLES

if TYPE_CHECKING:
    from sqlalchemy import CursorResult


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(user: User) -> CalendarFeed | None:
    return db.session.execute(
        select(CalendarFeed).where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
    ).scalar_one_or_none()


def _revoke_all(user: User) -> int:
    revoked = cast(  # an UPDATE's result: a CursorResult, with rowcount
        "CursorResult[Any]",
        db.session.execute(
            update(CalendarFeed)
            .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
            .values(revoked_at=dates.now())
        ),
    )
    return revoked.rowcount


def new_feed(user: User) -> str:
    """A new address's token (shown once); the user's earlier address stops working."""
    replaced = _revoke_all(user)
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(user_id=user.id, token_hash=_hash(token)))
    db.session.flush()
    audit.record("calendar_feed_new", user=user, detail="replaced the earlier address" if replaced else None)
    return token


def revoke(user: User) -> bool:
    """False when the user had no working address."""
    if not _revoke_all(user):
        return False
    audit.record("calendar_feed_revoke", user=user)
    return True


def owner_of(token: str) -> User | None:
    """The user whose working address has this token, and who may still see families; None otherwise."""
    if not token or len(token) > 100:
        return None
    feed = db.session.execute(
        select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token), CalendarFeed.revoked_at.is_(None))
    ).scalar_one_or_none()
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    if user is None or not user.active or user.role not in CASE_ROLES:
        return None
    return user
