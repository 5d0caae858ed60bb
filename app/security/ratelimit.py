"""Rate limit on the login forms per remote address (Flask-Limiter), on top of the lockout.

The lockout protects one account from many addresses; this protects all accounts from one
address (password spraying). Storage comes from RATELIMIT_STORAGE_URI: memory:// counts per
process, Redis counts for all processes together.

One Limiter per app rather than one in app.extensions: Flask-Limiter keeps its storage and
its on/off switch on the instance, and the tests run several apps in one process.

Behind a reverse proxy every request comes from the proxy's address, so all users share one
limit. ProxyFix is not enabled by default (trusting X-Forwarded-For without a proxy in front
would let anyone choose their address): wrap the app in werkzeug's ProxyFix when deploying
behind exactly one proxy.
"""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app
from flask.typing import RouteCallable
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

LIMITED_ENDPOINTS = ("auth.login", "auth.verify", "auth.setup")  # every form that checks a secret


def init_app(app: Flask) -> Limiter:
    limiter = Limiter(key_func=get_remote_address, app=app)
    limit = limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
    for endpoint in LIMITED_ENDPOINTS:
        # The decorator keeps the view's signature; its type merges the sync and async view types.
        app.view_functions[endpoint] = cast(RouteCallable, limit(app.view_functions[endpoint]))
    app.extensions["attune_limiter"] = limiter
    return limiter
