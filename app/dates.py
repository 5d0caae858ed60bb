"""The clock in one place: every "today" and "now" of the app's rules comes from here, and calendar months.

Tests fix the clock with time-machine (time_machine.travel), which moves these too.
"""

from datetime import UTC, date, datetime, timedelta


def today() -> date:
    return date.today()


def month_of(day: date) -> date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_end(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from the month of `first` to the month of `last`, both included."""
    months, month, last = [], month_of(first), month_of(last)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def now() -> datetime:
    """This moment, aware UTC: as the database stores it (app.db.types.UTCDateTime)."""
    return datetime.now(UTC)
