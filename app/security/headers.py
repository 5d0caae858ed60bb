"""Security headers on every response, error pages and static files included (ASVS V3.4)."""

from __future__ import annotations

from flask import Flask, Response

from app.web.static_assets import is_static_request

# No 'unsafe-inline' anywhere: scripts are files, chart data sits in type="application/json"
# blocks, and plotly.js's style rules are a file (static/vendor/plotly/plotly.css). Bootstrap's
# CSS draws its icons from data: URIs, hence img-src data:.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def init_app(app: Flask) -> None:
    hsts = bool(app.config["HSTS"])

    @app.after_request
    def security_headers(response: Response) -> Response:
        # Pages may hold family data or a CSRF token: keep them out of shared and browser caches;
        # static files may be cached (app/web/static_assets.py says how long).
        if not is_static_request():
            response.headers.setdefault("Cache-Control", "no-store")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
