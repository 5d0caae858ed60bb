"""Account lockout after repeated failed logins, counted in the database.

The counter is raised with one UPDATE (failed_logins = failed_logins + 1), so app processes
serving the same database count every failure, even two at the same moment.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import case, literal, update

from app import dates
from app.db.types import UTCDateTime
from app.extensions import db
from app.models import User


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > dates.now()


def record_failure(user: User) -> bool:
    """Count a failed password or code; True when this failure locks the account.

    Once the limit is reached, every further failure (after the lock has run out) locks it
    again: only a successful login resets the count.
    """
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    until = dates.now() + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    failures = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=User.failed_logins + 1,
            locked_until=case(
                (User.failed_logins + 1 >= limit, literal(until, UTCDateTime())), else_=User.locked_until
            ),
        )
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    db.session.expire(user, ["failed_logins", "locked_until"])
    return failures >= limit


def reset(user: User) -> None:
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
