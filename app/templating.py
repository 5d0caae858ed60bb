"""Template helpers: formatting in the user's language, and the globals every page needs."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request
from flask_babel import format_date, format_datetime, get_locale

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def register(app: Flask) -> None:
    @app.template_filter("day")
    def day(value: date | datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return format_datetime(value, fmt)
        return format_date(value, fmt)

    @app.context_processor
    def globals_for_templates() -> dict:
        return {
            "current_locale": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "languages": app.config["LANGUAGES"],
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
