"""Account lockout after repeated failed passwords or codes, counted in the database.

The counter is raised with one UPDATE, so app processes serving the same database count every
failure, even two at the same moment. Every secret check counts: the login's password and code
steps, and the password and code checks on "My account" and before sensitive actions
(app.services.logins).

The count starts over when a lock has run out, and when its first failure is older than
LOGIN_FAILURE_WINDOW_MINUTES: a trickle of wrong passwords (one a quarter-hour) can then never
keep an account locked. The window does not let a guesser go faster: below the limit they get
fewer than LOGIN_MAX_FAILURES guesses per window, and at the limit the lock holds them to about
LOGIN_MAX_FAILURES per lock period, as before. A successful login resets the count.
"""

from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, literal, or_, update

from app import dates
from app.db.types import UTCDateTime
from app.extensions import db
from app.models import User


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > dates.now()


def minutes_left(user: User) -> int:
    """Whole minutes until the lock runs out, at least 1 (for a message); 0 when not locked."""
    if not is_locked(user):
        return 0
    assert user.locked_until is not None
    return max(1, math.ceil((user.locked_until - dates.now()).total_seconds() / 60))


def record_failure(user: User) -> bool:
    """Count a failed password or code; True when this failure locks the account.

    One UPDATE decides from the row as it is in the database, not from `user` (which may be
    stale): the count starts over at 1 when the last lock has run out or the count's first
    failure is older than the window; else it goes up by one. A failure while locked (another
    process's check, at the same moment) adds to the count and leaves the lock as it is.
    """
    now = dates.now()
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    window_start = now - timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    at = literal(now, UTCDateTime())
    locked_now = and_(User.locked_until.is_not(None), User.locked_until > at)
    start_over = and_(
        ~locked_now,
        or_(
            User.locked_until.is_not(None),  # a lock that has run out
            User.failures_since.is_(None),
            User.failures_since <= literal(window_start, UTCDateTime()),
        ),
    )
    count = case((start_over, 1), else_=User.failed_logins + 1)
    failures, locked_until = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=count,
            failures_since=case((start_over, at), else_=User.failures_since),
            locked_until=case(
                (locked_now, User.locked_until),
                (count >= limit, literal(until, UTCDateTime())),
                else_=None,
            ),
        )
        .returning(User.failed_logins, User.locked_until)
        .execution_options(synchronize_session=False)
    ).one()
    db.session.expire(user, ["failed_logins", "failures_since", "locked_until"])
    # The lock this statement set (a failure in a lock already on keeps that lock's time).
    return failures >= limit and locked_until == until


def reset(user: User) -> None:
    if user.failed_logins or user.locked_until or user.failures_since:
        user.failed_logins = 0
        user.locked_until = None
        user.failures_since = None
