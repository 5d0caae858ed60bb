"""The schema of the test database: built by the migrations, emptied between tests; queries for assertions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, func, select, text

from app import create_app
from app.extensions import db
from app.models import CareSession, Moment, MomentKind


def reset_schema(app: Flask) -> None:
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


@contextmanager
def audit_triggers_lifted(connection):
    """Lift the append-only triggers on audit_events for the rest of this transaction only.

    For the test cleanup, which empties every table. SQLite: drop the triggers and create
    them again from their stored SQL before the commit. PostgreSQL: disable and enable them
    inside the transaction (ALTER TABLE locks the table, so no other connection sees them off).
    """
    if connection.dialect.name == "sqlite":
        triggers = connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'")
        ).all()
        for name, _sql in triggers:
            connection.execute(text(f'DROP TRIGGER "{name}"'))
        yield
        for _name, sql in triggers:
            connection.execute(text(sql))
    else:
        connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        yield
        connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))


def empty_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection, audit_triggers_lifted(connection):
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


def query(app: Flask, fn):
    """Run fn() inside an app context and return its result (for assertions)."""
    with app.app_context():
        return fn()


def count_rows(app: Flask, model) -> int:
    """How many rows a model's (or a table's) table holds."""
    return query(app, lambda: db.session.execute(select(func.count()).select_from(model)).scalar_one())


@contextmanager
def counted_statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement sent to the app's database inside the block, from whichever app context.

    Pushes no app context around the block: requests made in it get their own, as in production.
    """
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def moment_counts_off(app: Flask) -> list[tuple[int, int, int, int, int]]:
    """Sessions whose kept moment counts differ from their moments: (id, positive, difficult, real ones...)."""

    def real(kind: MomentKind):
        return (
            select(func.count())
            .where(Moment.session_id == CareSession.id, Moment.kind == kind)
            .correlate(CareSession)
            .scalar_subquery()
        )

    rows = query(
        app,
        lambda: db.session.execute(
            select(
                CareSession.id,
                CareSession.positive_moments,
                CareSession.difficult_moments,
                real(MomentKind.POSITIVE),
                real(MomentKind.DIFFICULT),
            )
        ).all(),
    )
    return [tuple(r) for r in rows if (r[1], r[2]) != (r[3], r[4])]


def served_app(app: Flask, **overrides) -> Flask:
    """The test app as it is served: a failing request gets the error page instead of raising into the test.
    On the test database, with an engine and pool of its own (its events and failures stay with it)."""
    served = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        PROPAGATE_EXCEPTIONS=False,
        **overrides,
    )
    served.test_client_class = app.test_client_class
    return served


def dialect_of(app: Flask) -> str:
    return query(app, lambda: db.engine.dialect.name)


class ReadOnlyFile:
    """The SQLite file made read-only (chmod 0444) while `on`, for the connections opened meanwhile.

    What SQLite does then, seen as a non-root user: a connection opened while the file is read-only opens it
    read-only and stays so after the file is writable again (every write: 'attempt to write a readonly
    database', SQLITE_READONLY); connections opened before keep writing. Root ignores file modes, so while
    `on` the engine's new connections open the file with mode=ro, which fails the same way.
    """

    def __init__(self, app: Flask) -> None:
        with app.app_context():
            self.engine = db.engine
        self.on = False
        event.listen(self.engine, "do_connect", self._connect)

    def _connect(self, _dialect, _record, cargs: list, cparams: dict) -> None:
        if self.on:
            cargs[0] = f"{Path(cargs[0]).resolve().as_uri()}?mode=ro"
            cparams["uri"] = True

    def make_read_only(self) -> None:
        """From now on, and for the pool's next connections: as a worker started while the file was read-only."""
        self.on = True
        self.engine.dispose()

    def make_writable(self) -> None:
        """The file is writable again; the connections opened read-only meanwhile stay read-only."""
        self.on = False
