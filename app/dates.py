"""The clock in one place: every "today" and "now" of the app's rules comes from here.

Tests fix the clock with time-machine (time_machine.travel), which moves these too.
"""

from datetime import UTC, date, datetime


def today() -> date:
    return date.today()


def now() -> datetime:
    """This moment, aware UTC: as the database stores it (app.db.types.UTCDateTime)."""
    return datetime.now(UTC)
