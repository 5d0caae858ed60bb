"""Friendly error pages in the user's language. Details go to the log, never to the page.

The error page must not need what may have failed. When the database cannot be reached, or can no
longer write (app.db.outages: read-only, full, locked, broken), the page is drawn without it: no
user to load (the visitor is treated as logged out for the rest of the request, so the menu, the
language and the flashes come from the signed cookie and the browser), nothing to roll back into,
and the request's access-log rows go to the server log instead (app.db.transaction). It answers
503 with the app's own text, which says whether what was sent was saved; a page that fails for any
other reason is drawn the same way, and if even that fails, a fixed page in both languages answers.
"""

from __future__ import annotations

import traceback

from flask import Blueprint, Response, current_app, g, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, ServiceUnavailable

from app.db.outages import is_outage
from app.db.sqlite import READING_METHODS
from app.db.transaction import DestroyedMeanwhile, ReadNotLogged, forget_the_transaction
from app.extensions import db, login_manager
from app.models import AuditEvent

bp = Blueprint("errors", __name__)


KNOWN = {400, 404, 405, 409, 413, 429, 503}
RETRY_AFTER_SECONDS = "60"  # when the database is away: an honest guess, and no tighter loop of retries


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    return _page(400, "csrf")


class UnreadableText(BadRequest):
    """Form data or a query string that is not UTF-8: not text anyone typed, refused rather than stored."""


@bp.app_errorhandler(UnreadableText)
def unreadable_text(error: UnreadableText):
    return _page(400, "not_text")


@bp.app_errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded):
    # Not written to the access log: a flood of refused requests would flood the log too.
    # Retry-After: the length of the limit's window (a minute, an hour) is an honest upper bound.
    return _page(429, "rate", {"Retry-After": str(error.limit.limit.get_expiry())})


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    code = error.code or 500
    if code not in KNOWN and code < 500:
        return error
    original = getattr(error, "original_exception", None)  # an error page that failed itself arrives as a 500
    if isinstance(original, ReadNotLogged):
        return _read_not_logged(original.__cause__)
    if isinstance(original, DestroyedMeanwhile):  # raised at the commit, after the view: not an error of the app
        return _page(DestroyedMeanwhile.code, "destroyed", sent=request.method not in READING_METHODS)
    if isinstance(original, DBAPIError) and database_unreachable(original):
        return _database_away()
    return _page(code if code in KNOWN else 500)


@bp.app_errorhandler(Exception)
def server_error(error: Exception):
    if isinstance(error, HTTPException):
        return http_error(error)
    # Log where it happened, not what was posted: form bodies hold case notes and passwords, and
    # an exception's message may quote them.
    details = _redact("".join(traceback.format_exception(error)), _posted_values())
    # extra: the exception itself, by which app.errors.repeats tells a repeat from a new error.
    current_app.logger.error(
        "Unhandled error on %s %s\n%s", request.method, request.path, details, extra={"error": error}
    )
    if isinstance(error, SQLAlchemyError):
        forget_the_transaction()  # the page's own queries (the menu's user) need a session that works
    if isinstance(error, DBAPIError) and _read_lost_its_row(error):
        return _read_not_logged(error)
    if isinstance(error, DBAPIError) and database_unreachable(error):
        return _database_away()
    return _page(InternalServerError.code)


def database_unreachable(error: DBAPIError) -> bool:
    """A lost connection, a database that cannot write, or one that no longer answers (not a wrong statement:
    that is a 500)."""
    if is_outage(error) or g.get("database_unavailable"):
        return True
    forget_the_transaction()
    try:
        with db.engine.connect() as connection:
            connection.execute(sql("SELECT 1"))
    except Exception:
        return True
    return False


def _database_away():
    _without_the_database()
    # Whatever the request did went with its transaction, unless the connection went during the COMMIT itself.
    sent = request.method not in READING_METHODS
    return _page(
        ServiceUnavailable.code,
        "database",
        {"Retry-After": RETRY_AFTER_SECONDS},
        sent=sent,
        saved_unknown=sent and bool(g.get("commit_outcome_unknown")),
    )


def _read_lost_its_row(error: DBAPIError) -> bool:
    """A read's access-log row refused before the commit: a page that shows its own opening (the family's
    access log) writes it in the view. At the commit, app.db.transaction raises ReadNotLogged instead."""
    statement = (error.statement or "").lstrip().lower()
    return request.method in READING_METHODS and statement.startswith(f"insert into {AuditEvent.__tablename__} ")


def _read_not_logged(cause: BaseException | None):
    """The read's access-log row was refused: its page is not shown (app.db.transaction)."""
    if is_outage(cause):
        _without_the_database()
    return _page(ServiceUnavailable.code, "not_logged", {"Retry-After": RETRY_AFTER_SECONDS})


def _page(code: int, reason: str | None = None, headers: dict | None = None, **context: object):
    try:
        return render_template("errors/error.html", code=code, reason=reason, **context), code, headers or {}
    except Exception:
        if g.get("database_unavailable"):
            current_app.logger.exception("The error page failed without the database too")
            return _fixed_page(code, headers)
        current_app.logger.exception("The error page failed; drawing it again without the database")
        _without_the_database()
        return _page(code, reason, headers, **context)


def _without_the_database() -> None:
    """For the rest of this request: nobody logged in, no transaction, no access-log writes."""
    g.database_unavailable = True
    forget_the_transaction()
    # Flask-Login keeps the request's user here; a loaded user would be expired by the rollback and
    # reload itself from the database. The visitor is shown the logged-out menu instead.
    g._login_user = login_manager.anonymous_user()


FIXED_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Attune</title></head><body>
<h1>{heading}</h1><p>{text}</p><p><a href="/">{link}</a></p></body></html>"""

# The last resort, when templates and translations cannot be trusted: both languages written out here.
FIXED_TEXT = {
    "en": {
        "heading": "Something went wrong on our side",
        "text": "Your last action may not have been saved. Try again in a few minutes.",
        "link": "Go to the start page",
    },
    "nl": {
        "heading": "Er ging bij ons iets mis",
        "text": "Wat je als laatste deed, is misschien niet bewaard. Probeer het over een paar minuten opnieuw.",
        "link": "Naar de startpagina",
    },
}


def _fixed_page(code: int, headers: dict | None) -> Response:
    lang = request.accept_languages.best_match(tuple(FIXED_TEXT)) or "nl"
    response = Response(FIXED_PAGE.format(lang=lang, **FIXED_TEXT[lang]), code, mimetype="text/html")
    response.headers.update(headers or {})
    return response


REDACTED = "[redacted]"


def _posted_values() -> list[str]:
    try:
        values = [value for _, value in request.form.items(multi=True)]
    except Exception:  # the body itself may be what failed
        return []
    # Longest first, so a value that contains a shorter one is redacted whole.
    return sorted({v for v in values if len(v) >= 3}, key=len, reverse=True)


def _redact(text: str, values: list[str]) -> str:
    for value in values:
        text = text.replace(value, REDACTED)
    return text
