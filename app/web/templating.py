"""Template helpers: formatting in the user's language, and the globals every page needs."""

from __future__ import annotations

import functools
from datetime import date, datetime, time

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, get_datetime_format
from babel.numbers import format_decimal as babel_format_decimal
from flask import Flask, request
from flask_babel import format_date, format_datetime, format_time, get_locale

from app.web.forms import error_items

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


SKELETONS = {"weekday": "yMMMEd", "month": "yMMM", "day_month": "MMMd"}  # calendar_day's named formats


# The lists show the same few dates and scores on every row and every page: formatting each with Babel
# again cost more than the rest of a row. A date (not a moment in time) reads the same in every time zone.
# The charts label their points and axes with the same function.
@functools.lru_cache(maxsize=4096)
def calendar_day(value: date, fmt: str, locale: str) -> str:
    """fmt is a Babel date format ("medium"), "weekday" ("Wed 26 Nov 2026") "month" ("Nov 2026") or "day_month" ("Nov 26")."""
    if fmt in SKELETONS:
        return format_skeleton(SKELETONS[fmt], value, locale=locale)
    return babel_format_date(value, fmt, locale=locale)


@functools.lru_cache(maxsize=1024)
def _decimal(value: float | int, locale: str) -> str:
    return babel_format_decimal(value, locale=locale)


def sparkline_points(values: list[float], width: int, height: int) -> str:
    """The points of a sparkline polyline for scores 0-10, left to right across `width`.

    Built here, not in a Jinja loop: every row of a list has one, and the loop cost more than the row.
    """
    if len(values) < 2:
        return ""
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (v / 10) * (height - 4):.1f}" for i, v in enumerate(values))


def register(app: Flask) -> None:
    app.add_template_filter(sparkline_points)

    @app.template_filter("day")
    def day(value: date | datetime | None, fmt: str = "medium") -> str:
        """A date in the user's language; fmt "weekday" is a short date with its weekday ("Wed 26 Nov 2026")."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            if fmt == "medium":
                # The date as every date on the page, and the time without seconds (Babel's medium has them).
                joined = str(get_datetime_format("medium", locale=get_locale()))
                return joined.replace("{1}", format_date(value, "medium")).replace("{0}", format_time(value, "short"))
            return format_datetime(value, fmt)  # shown in the user's time zone: not cached
        return calendar_day(value, fmt, str(get_locale()))

    @app.template_filter("clock")
    def clock(value: time | None) -> str:
        """A wall-clock time (an appointment): in the user's language, never shifted to another time zone."""
        return "" if value is None else format_time(value, "short", rebase=False)

    @app.template_filter("number")
    def number(value: float | int | None) -> str:
        """A number in the user's language: 5.5 in English, 5,5 in Dutch."""
        return "" if value is None else _decimal(value, str(get_locale()))

    app.add_template_global(error_items, "form_error_items")

    @app.context_processor
    def globals_for_templates() -> dict:
        return {
            "current_locale": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "languages": app.config["LANGUAGES"],
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
