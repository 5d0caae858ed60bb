"""Static files: versioned URLs that browsers keep for a year, sent compressed from memory.

`url_for('static', filename=...)` (and Bootstrap-Flask's `bootstrap.static`) gets `?v=<hash of
the file>`, so a changed file gets a new URL and a repeat visit downloads nothing but the page.
Only a request whose `v` matches the file on disk is marked immutable: an old or made-up
version is served with the default revalidation, never cached for a year.

The compressed bytes are made once per file and process (plotly.js alone takes ~0.3 s to
compress) instead of on every request. HTML, JSON and CSV are compressed by Flask-Compress.
"""

from __future__ import annotations

import hashlib
import os

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

STATIC_ENDPOINTS = ("static", "bootstrap.static")
ONE_YEAR = 365 * 24 * 3600
COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "image/svg+xml", "application/json"}
MIN_SIZE = 500

# (path, mtime, size) -> version; (path, mtime, size, encoding) -> compressed bytes.
# Keyed on the file's stat, so an edited file (in development) gets a new version at once.
_versions: dict[tuple, str] = {}
_compressed: dict[tuple, bytes] = {}


def register(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(cache_static_files)


def is_static_request() -> bool:
    return request.endpoint in STATIC_ENDPOINTS


def _file_path(endpoint: str, filename: str) -> str | None:
    if endpoint == "static":
        folder = current_app.static_folder
    else:
        blueprint = current_app.blueprints.get(endpoint.partition(".")[0])
        folder = blueprint.static_folder if blueprint else None
    path = safe_join(folder, filename) if folder and filename else None
    return path if path and os.path.isfile(path) else None


def _stat_key(path: str) -> tuple:
    stat = os.stat(path)
    return (path, stat.st_mtime_ns, stat.st_size)


def file_version(endpoint: str, filename: str) -> str | None:
    path = _file_path(endpoint, filename)
    if path is None:
        return None
    key = _stat_key(path)
    version = _versions.get(key)
    if version is None:
        with open(path, "rb") as f:
            version = hashlib.sha256(f.read()).hexdigest()[:12]
        _versions[key] = version
    return version


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint in STATIC_ENDPOINTS and "v" not in values and values.get("filename"):
        version = file_version(endpoint, values["filename"])
        if version:
            values["v"] = version


def cache_static_files(response: Response) -> Response:
    """A year-long cache for a versioned static file, and its body compressed once per process."""
    if not is_static_request() or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    endpoint = request.endpoint or ""
    version = request.args.get("v")
    if version and version == file_version(endpoint, filename):
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    if response.status_code == 200:
        _compress(response, _file_path(endpoint, filename))
    return response


def _compress(response: Response, path: str | None) -> None:
    if path is None or response.mimetype not in COMPRESSIBLE or "Content-Encoding" in response.headers:
        return
    response.vary.add("Accept-Encoding")
    encoding = request.accept_encodings.best_match(["br", "gzip"])
    if encoding is None or os.path.getsize(path) < MIN_SIZE:
        return
    key = (*_stat_key(path), encoding)
    body = _compressed.get(key)
    if body is None:
        with open(path, "rb") as f:
            data = f.read()
        if encoding == "br":
            import brotli

            body = brotli.compress(data, quality=9)
        else:
            import gzip

            body = gzip.compress(data, compresslevel=9, mtime=0)
        _compressed[key] = body
    original = response.response
    response.direct_passthrough = False
    response.set_data(body)
    if hasattr(original, "close"):
        original.close()  # the file send_file opened
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        # The compressed body differs from the file: its validator must too.
        response.set_etag(f"{etag}-{encoding}", weak=bool(weak))
        response.make_conditional(request)
