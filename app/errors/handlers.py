"""Friendly error pages in the user's language. Details go to the log, never to the page."""

import traceback

from flask import Blueprint, current_app, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

bp = Blueprint("errors", __name__)


KNOWN = {400, 404, 405, 409, 413, 429}


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    return render_template("errors/error.html", code=400, reason="csrf"), 400


@bp.app_errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded):
    # Not written to the access log: a flood of refused requests would flood the log too.
    # Retry-After: the length of the limit's window (a minute, an hour) is an honest upper bound.
    retry_after = str(error.limit.limit.get_expiry())
    return render_template("errors/error.html", code=429, reason="rate"), 429, {"Retry-After": retry_after}


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    code = error.code or 500
    if code not in KNOWN and code < 500:
        return error
    return render_template("errors/error.html", code=code if code in KNOWN else 500, reason=None), code


@bp.app_errorhandler(Exception)
def server_error(error: Exception):
    if isinstance(error, HTTPException):
        return http_error(error)
    # Log where it happened, not what was posted: form bodies hold case notes and passwords, and
    # an exception's message may quote them.
    details = _redact("".join(traceback.format_exception(error)), _posted_values())
    current_app.logger.error("Unhandled error on %s %s\n%s", request.method, request.path, details)
    return render_template("errors/error.html", code=500, reason=None), InternalServerError.code


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
