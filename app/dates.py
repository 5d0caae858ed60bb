"""Today's date in one place, so tests can fix the clock for rules that count days."""

from datetime import date


def today() -> date:
    return date.today()
