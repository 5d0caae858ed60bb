"""Benchmark support (issue #8): synthetic data (`flask bench-data`) and the query counter.

The load test itself lives outside the app, in bench/ (`make bench`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib

from flask import Flask, g

BENCH_PASSWORD = "attune-bench-password-2026"  # noqa: S105 - throwaway benchmark accounts
SCALES = {"S": 1, "M": 10, "L": 30}  # teams; every team has a lead and 10 care workers
WORKERS_PER_TEAM = 10
FAMILIES_PER_TEAM = 333  # ~33 per care worker: 10,000 families at scale L


def lead_email(team: int) -> str:
    return f"lead{team:02d}@bench.example"


def worker_email(team: int, worker: int) -> str:
    return f"worker{team:02d}-{worker:02d}@bench.example"


def bench_totp_secret(email: str) -> str:
    """The one place that knows a bench account's TOTP secret (base32), for a second login step.

    Deterministic, so the load generator computes the same secret without reading the database.
    """
    digest = hashlib.sha256(f"attune-bench-totp:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


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
