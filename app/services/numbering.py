from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Counter


def next_value(name: str) -> int:
    """Atomically take the next number of a named counter.

    UPDATE ... RETURNING holds the row lock (PostgreSQL) or the write lock (SQLite) until the
    request commits, so two requests never receive the same number.
    """
    stmt = update(Counter).where(Counter.name == name).values(value=Counter.value + 1).returning(Counter.value)
    value = db.session.execute(stmt).scalar_one_or_none()
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.execute(insert(Counter).values(name=name, value=1))
        return 1
    except IntegrityError:  # another request created the counter first
        return db.session.execute(stmt).scalar_one()


def next_case_number(prefix: str, year: int) -> str:
    return f"{prefix}-{year}-{next_value(f'case-{year}'):04d}"
