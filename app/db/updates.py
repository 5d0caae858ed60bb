"""One conditional UPDATE: the way two people acting on the same row at once get one winner."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, update

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
