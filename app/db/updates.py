"""How two people acting on the same row at once get one winner: a conditional UPDATE, a versioned save,
or a held row."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db


def update_if(model: type, row_id: int, *conditions: Any, **values: Any) -> bool:
    """UPDATE the row `row_id` of `model` only while `conditions` hold; True when this call changed it.

    The database checks the conditions on the row as it is when the UPDATE runs (PostgreSQL waits for
    another transaction's lock on it, then checks again), so the second of two callers finds them no
    longer true and changes nothing. The session's copy of the row is stale afterwards: expire it.
    """
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(model)
            .where(model.id == row_id, *conditions)  # type: ignore[attr-defined]
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount == 1


def save_if_unchanged(obj: Any, seen_version: str, change: Callable[[], None]) -> bool:
    """Make `change` to a row with a version column (its mapper's version_id_col), only when nobody saved
    the row since a form showed it at `seen_version`. False, with nothing changed and `obj` as it is saved
    now, otherwise: the caller shows both versions.

    The version in the UPDATE's WHERE decides a simultaneous save too: on PostgreSQL the second UPDATE waits
    for the first's lock and then matches no row (StaleDataError); on SQLite writers take turns, so the
    second already reads the new version.
    """
    if str(obj.version) != seen_version:
        return False
    try:
        with db.session.begin_nested():
            change()
            db.session.flush()
    except StaleDataError:
        db.session.refresh(obj)
        return False
    return True


def hold(model: type, row_id: int) -> None:
    """Hold the row until the commit, so what the caller reads next stays as read until it has written.

    PostgreSQL: SELECT ... FOR UPDATE, and a second caller waits here, then reads the first's change.
    SQLite leaves FOR UPDATE out: a writing request already holds the database's one write lock.
    """
    # NO KEY UPDATE: it shares the row with the saves' KEY SHARE (family_or_404), and two holders take turns.
    db.session.execute(select(model.id).where(model.id == row_id).with_for_update(key_share=True))  # type: ignore[attr-defined]


def fingerprint(*values: Any) -> str:
    """An edit version for what has no version column (a set of rows, several settings): a short digest of
    the values as a form showed them. Equal values give equal versions, whoever saved them."""
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]
