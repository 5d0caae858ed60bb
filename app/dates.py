"""Today's date in one place, so tests can fix the clock for rules that count days; and calendar months."""

from datetime import date, timedelta


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
