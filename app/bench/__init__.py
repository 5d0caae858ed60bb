"""Benchmark support (issue #8): synthetic data (`flask bench-data`) and the query counter.

The load test itself lives outside the app, in bench/ (`make bench`).
"""

from __future__ import annotations

import contextlib

from flask import Flask, g

# The accounts and sizes, for the load test in bench/ and the tests, which import them from here.
from app.bench.shape import (  # noqa: F401
    BENCH_PASSWORD,
    FAMILIES_PER_TEAM,
    SCALES,
    WORKERS_PER_TEAM,
    bench_totp_secret,
    lead_email,
    worker_email,
)


def register(app: Flask) -> None:
    from app.bench.cli import bench_data_command

    app.cli.add_command(bench_data_command)
    if app.config.get("BENCH_QUERY_COUNT"):
        _count_queries(app)


def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    with contextlib.suppress(RuntimeError):  # outside a request or app context
        g.bench_queries = g.get("bench_queries", 0) + 1


def _count_queries(app: Flask) -> None:
    """Count SQL statements per request and answer them in X-Query-Count (bench config only)."""
    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count)

    @app.after_request
    def _report(response):
        response.headers["X-Query-Count"] = str(g.get("bench_queries", 0))
        return response
