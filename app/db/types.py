"""Shared column types and defaults."""

from datetime import UTC, date, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from app import dates


def utcnow() -> datetime:
    """Callable default: evaluated per row, never at import time."""
    return dates.now()


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


class year_month(FunctionElement):
    """'2026-11' for a date column, on SQLite and PostgreSQL alike: dashboards count per month in SQL
    instead of fetching a row per day and bucketing in Python."""

    type = String()
    inherit_cache = True


@compiles(year_month, "sqlite")
def _year_month_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps a date as ISO text: its first seven characters are the month.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"


@compiles(year_month, "postgresql")
def _year_month_postgresql(element, compiler, **kw) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


def first_of_month(key: str) -> date:
    """The month a year_month() key names, as its first day."""
    year, month = key.split("-")
    return date(int(year), int(month), 1)
