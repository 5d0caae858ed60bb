"""Shared column types and defaults."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Callable default: evaluated per row, never at import time."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC without an offset and hands back aware UTC datetimes.

    SQLite keeps no offset and PostgreSQL's timestamptz converts to the session zone; this
    gives the same aware value on both, so comparisons never mix naive and aware times.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def render_item(type_, obj, autogen_context):
    """Alembic: write UTCDateTime as a plain DateTime, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
