"""Template helpers: formatting in the user's language, and the globals every page needs."""

from __future__ import annotations

import functools

from babel.numbers import format_decimal as babel_format_decimal
from flask import Flask, request
from flask_babel import get_locale

from app import dates
from app.web.forms import error_items

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


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

    # Every date and time of a page, in the named styles of app.dates (one style per language on every page).
    app.add_template_filter(dates.show_day, "day")
    app.add_template_filter(dates.show_time, "clock")

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
