"""`flask --app app bench-data --scale S|M|L`: synthetic data for the benchmark (never in production)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import event, text

from app.extensions import db


@click.command("bench-data")
@click.option("--scale", type=click.Choice(["S", "M", "L"]), default="S", show_default=True)
@click.option(
    "--reset", is_flag=True, help="Delete all rows but the append-only access log first (a throwaway database only)."
)
@with_appcontext
def bench_data_command(scale: str, reset: bool) -> None:
    """Fill an empty database with S (1 team), M (10) or L (30 teams, 10,000 families)."""
    from app.bench.data import database_is_empty, generate
    from app.bench.shape import BENCH_PASSWORD
    from app.security.passwords import hash_password
    from app.services import goal_progress, outcome_model

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("bench-data refuses to run in production: it creates accounts with a known password")
    if not database_is_empty():
        if not reset:
            raise click.ClickException("the database is not empty; use --reset to delete everything first")
        # The access log is append-only (database triggers): it stays, and the bench never reads it.
        for table in reversed(db.metadata.sorted_tables):
            if table.name != "audit_events":
                db.session.execute(table.delete())
    db.session.commit()
    started = time.monotonic()
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        # Only while loading: a crash leaves a throwaway database. The pragma cannot change
        # inside a transaction, and every transaction begins at once (BEGIN IMMEDIATE), so it is
        # set on fresh connections as they open.
        event.listen(db.engine, "connect", _unsynchronised)
        db.session.remove()
        db.engine.dispose()
    try:
        counts = generate(scale, hash_password(BENCH_PASSWORD))  # argon2 once, shared by every account
        db.session.commit()
        # The rows went in without the services: the stored goal facts and the outcome model from all of them.
        counts["goal_progress"] = goal_progress.rebuild_all()
        outcome_model.refresh()
        db.session.commit()
    finally:
        if sqlite:
            db.session.remove()
            event.remove(db.engine, "connect", _unsynchronised)
            db.engine.dispose()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    elapsed = time.monotonic() - started
    summary = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
    click.echo(f"Scale {scale} built in {elapsed:.0f} s: {summary}")
    click.echo(f"Every account has the password '{BENCH_PASSWORD}'.")


def _unsynchronised(dbapi_connection, connection_record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")
