"""The clock in one place: every "today" and "now" of the app's rules comes from here, and calendar months.

Tests fix the clock with time-machine (time_machine.travel), which moves these too.
"""

from calendar import monthrange
from datetime import MAXYEAR, UTC, date, datetime, timedelta


def today() -> date:
    return date.today()


# The bounds of the dates a user may enter (app.web.forms.DateRange) and a URL may filter on (filter_date).
# No help recorded here began before 1990; nothing is planned more than two years ahead; a parent or
# grandparent is at most 120 years old. Dates outside them were typing slips (0001-01-01, 9999-12-31).
EARLIEST = date(1990, 1, 1)
AHEAD_YEARS = 2
OLDEST_YEARS = 120


def years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier, if negative); 29 February becomes the 28th in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest_ahead() -> date:
    return years_from(today(), AHEAD_YEARS)


def earliest_birth() -> date:
    return years_from(today(), -OLDEST_YEARS)


def filter_date(value: str | None) -> date | None:
    """A date from a URL's filter: None when it is not a date; outside what any record can hold, the nearest
    bound (1900 to two years ahead), so a filter of 9999-12-31 means "from then on", not a server error."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    if day is None:
        return None
    return min(max(day, date(1900, 1, 1)), latest_ahead())


def month_of(day: date) -> date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first of the next month; December 9999 has none (OverflowError, as date arithmetic gives)."""
    if month.year == MAXYEAR and month.month == 12:
        raise OverflowError("no month after December 9999")
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_end(month: date) -> date:
    return month.replace(day=monthrange(month.year, month.month)[1])


# A span of months never holds more than this many (the latest ones): a session typed as 0001-01-01 must not
# make a family's charts two thousand years wide.
MAX_SPAN_MONTHS = 1200


def months_between(first: date, last: date) -> list[date]:
    """Every month from the month of `first` to the month of `last`, both included (at most the last
    MAX_SPAN_MONTHS of them)."""
    last = month_of(last)
    index = max(first.year * 12 + first.month - 1, last.year * 12 + last.month - MAX_SPAN_MONTHS)
    months, month = [], date(index // 12, index % 12 + 1, 1)
    while month <= last:
        months.append(month)
        if month == last:
            break
        month = next_month(month)
    return months


def shifted(day: date, days: int) -> date:
    """`day` moved by `days`, held at the first and last day a date can be."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def now() -> datetime:
    """This moment, aware UTC: as the database stores it (app.db.types.UTCDateTime)."""
    return datetime.now(UTC)
