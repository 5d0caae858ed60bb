"""The clock in one place: every "today" and "now" of the app's rules comes from here, calendar months, and the
one way dates and times are written out for people (show_day and its styles).

Tests fix the clock with time-machine (time_machine.travel), which moves these too.
"""

import functools
from calendar import monthrange
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from typing import Literal

import flask_babel
from babel import dates as babel_dates


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


# --- Dates and times as people read them ---------------------------------------------------------------------------
# One style per language on every page: each date a page, chart or file shows is written by these helpers, in one
# of these named styles, so "1 dec 2026" never stands next to "01-12-2026" or "dinsdag 1 december 2026". Screens
# use DAY (with the time for a moment: "1 dec 2026 22:11"), WEEKDAY where the day of the week matters
# (appointments, sessions) and MONTH; paper (the printed plan for the parents, the record for an access request)
# writes dates out in full: LONG and LONG_WEEKDAY. Chart axes use the short MONTH_SHORT and DAY_MONTH.
DAY = "day"  # Dec 1, 2026 · 1 dec 2026
WEEKDAY = "weekday"  # Tue, Dec 1, 2026 · di 1 dec 2026
MONTH = "month"  # December 2026 · december 2026
MONTH_SHORT = "month_short"  # Dec 2026 · dec 2026
DAY_MONTH = "day_month"  # Dec 1 · 1 dec
LONG = "long"  # December 1, 2026 · 1 december 2026
LONG_WEEKDAY = "long_weekday"  # Tuesday, December 1, 2026 · dinsdag 1 december 2026

# Each style as Babel writes it: a named format, or a skeleton (the fields, in the order of the language).
_FORMATS = {DAY: "medium", LONG: "long", LONG_WEEKDAY: "full"}
_SKELETONS = {WEEKDAY: "yMMMEd", MONTH: "yMMMM", MONTH_SHORT: "yMMM", DAY_MONTH: "MMMd"}
STYLES = frozenset(_FORMATS) | frozenset(_SKELETONS)


# The lists show the same few dates on every row and every page: formatting each with Babel again cost more than
# the rest of a row. A date (not a moment in time) reads the same in every time zone.
@functools.lru_cache(maxsize=4096)
def calendar_day(value: date, style: str, locale: str) -> str:
    """A date in one of the STYLES, in `locale`."""
    if style in _SKELETONS:
        return babel_dates.format_skeleton(_SKELETONS[style], value, locale=locale)
    if style not in _FORMATS:
        raise ValueError(f"unknown date style {style!r}: use one of {sorted(STYLES)}")
    return babel_dates.format_date(value, _FORMATS[style], locale=locale)


def show_day(value: date | datetime | None, style: str = DAY) -> str:
    """A date in the user's language; a datetime is a moment: its date and time in the user's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return show_moment(value, style)
    return calendar_day(value, style, str(flask_babel.get_locale()))


def show_moment(value: datetime, style: str = DAY) -> str:
    """A moment (a timestamp, UTC in the database) as the user's clock shows it: its date in `style` (DAY or
    LONG) and the time without seconds, joined as the language joins them ("1 dec 2026 22:11")."""
    named: Literal["medium", "long"]
    if style == DAY:
        named = "medium"
    elif style == LONG:
        named = "long"
    else:
        raise ValueError(f"a moment is shown as {DAY!r} or {LONG!r}, not {style!r}")
    locale = flask_babel.get_locale()
    local = flask_babel.to_user_timezone(value)
    joined = str(babel_dates.get_datetime_format(named, locale=locale))
    day_part = babel_dates.format_date(local.date(), named, locale=locale)
    return joined.replace("{1}", day_part).replace("{0}", show_time(local.time()))


def show_time(value: time | None) -> str:
    """A wall-clock time (an appointment) in the user's language, never shifted to another time zone."""
    return "" if value is None else flask_babel.format_time(value, "short", rebase=False)
