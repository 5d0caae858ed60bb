"""Template helpers: formatting in the user's language, and the globals every page needs."""

from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import format_skeleton
from flask import Flask, request
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def register(app: Flask) -> None:
    @app.template_filter("day")
    def day(value: date | datetime | None, fmt: str = "medium") -> str:
        """A date in the user's language; fmt "weekday" is a short date with its weekday ("Wed 26 Nov 2026")."""
        if value is None:
            return ""
        if fmt == "weekday":
            return format_skeleton("yMMMEd", value, locale=get_locale())
        if isinstance(value, datetime):
            return format_datetime(value, fmt)
        return format_date(value, fmt)

    @app.template_filter("clock")
    def clock(value: time | None) -> str:
        """A wall-clock time (an appointment): in the user's language, never shifted to another time zone."""
        return "" if value is None else format_time(value, "short", rebase=False)

    @app.template_filter("number")
    def number(value: float | int | None) -> str:
        """A number in the user's language: 5.5 in English, 5,5 in Dutch."""
        return "" if value is None else format_decimal(value)

    @app.context_processor
    def globals_for_templates() -> dict:
        return {
            "current_locale": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "languages": app.config["LANGUAGES"],
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
