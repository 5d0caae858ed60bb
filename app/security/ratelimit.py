"""Rate limit per remote address (Flask-Limiter) on every secret check, on top of the lockout.

The lockout protects one account from many addresses; this protects all accounts from one
address (password spraying). Every password or code check counts in one budget per address,
LOGIN_RATE_LIMIT, shared by the login's two steps (LIMITED_ENDPOINTS, counted per POST) and the
checks on "My account" and before sensitive actions (count_secret_check(), called by
app.services.logins where the check happens, so that any view using them is limited).
Storage comes from RATELIMIT_STORAGE_URI: memory:// counts per process, Redis counts for all
processes together.

One Limiter per app rather than one in app.extensions: Flask-Limiter keeps its storage and
its on/off switch on the instance, and the tests run several apps in one process.

Behind a reverse proxy every request comes from the proxy's address, so all users share one
limit. ProxyFix is not enabled by default (trusting X-Forwarded-For without a proxy in front
would let anyone choose their address): wrap the app in werkzeug's ProxyFix when deploying
behind exactly one proxy.
"""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app, has_request_context, request
from flask.typing import RouteCallable
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

LIMITED_ENDPOINTS = ("auth.login", "auth.verify", "auth.verify_passkey", "auth.setup")
# The one bucket per address that every secret check counts in.
SCOPE = "secret-checks"


def _limit(limiter: Limiter):
    return limiter.shared_limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], scope=SCOPE, methods=["POST"])


def init_app(app: Flask) -> Limiter:
    limiter = Limiter(key_func=get_remote_address, app=app)
    app.extensions["attune_limiter"] = limiter
    limit = _limit(limiter)
    for endpoint in LIMITED_ENDPOINTS:
        # The decorator keeps the view's signature; its type merges the sync and async view types.
        app.view_functions[endpoint] = cast(RouteCallable, limit(app.view_functions[endpoint]))
    return limiter


def count_secret_check() -> None:
    """Count one password or code check from this address; over the limit, RateLimitExceeded (429).

    Not in a request (the CLI), or in a view already counted per POST: nothing to count.
    """
    if not has_request_context() or request.endpoint in LIMITED_ENDPOINTS:
        return
    # Flask-Limiter's limit as a context manager: checked and counted on entering.
    with _limit(current_app.extensions["attune_limiter"]):
        pass
