"""SQLite as Attune uses it: pragmas, transactions that wait their turn, GETs that read a snapshot.

Writers on one SQLite file take turns in arrival order, within this process.

A request that only reads until its end (GET and HEAD: they write nothing but their access-log row, added
when the request ends) begins with a plain BEGIN: a read snapshot that holds no lock, so the other app
processes and threads go on while it queries and renders. Its first write, normally the access-log row at
commit, ends the snapshot and continues as a writer's transaction (below); what it read stays valid, since
such a request changes nothing it read. Without this, every request held the write lock from its first
query to its end, and two app processes served one request at a time.

Every other transaction begins with BEGIN IMMEDIATE. When the write lock is taken, SQLite's
busy handler makes the others retry on a timer, and it is not a queue: under many writers one of
them can lose every retry until its timeout and fail with 'database is locked'. So threads first
queue here, first come first served, and only the one at the front waits on SQLite itself (at
most briefly, behind another process). Other processes still meet SQLite's own handler: for
several busy app processes, use PostgreSQL.

Why the ticket lock stays: the documented deployment (README, gunicorn.conf.py) runs sync workers,
one request per process, where it never waits; but `flask run` (the demo, `make run`) and any
threaded server serve requests on threads of one process, and there twenty writers at once lost
saves to 'database is locked' before it (tests/db/test_durability.py, the writers' soak).

Everything here is attached to the app's own engine (install()), never to the Engine class, so
another engine in the process (a test's, a backup's) is left as it is.
"""

from __future__ import annotations

import re
import sqlite3
import threading

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

_TURN_KEY = "attune_sqlite_turn"
_READING_KEY = "attune_sqlite_reading"  # set while a reading transaction has not written yet


class TicketLock:
    """A first-come, first-served lock; a waiter that gives up loses its turn, not the queue."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._abandoned: set[int] = set()

    def acquire(self, timeout: float) -> bool:
        with self._condition:
            ticket = self._next_ticket
            self._next_ticket += 1
            if self._condition.wait_for(lambda: self._serving == ticket, timeout):
                return True
            if self._serving == ticket:  # served just as the wait ended
                return True
            self._abandoned.add(ticket)
            return False

    def release(self) -> None:
        with self._condition:
            self._serving += 1
            while self._serving in self._abandoned:
                self._abandoned.discard(self._serving)
                self._serving += 1
            self._condition.notify_all()


_locks: dict[str, TicketLock] = {}
_locks_guard = threading.Lock()


def _lock_for(database: str) -> TicketLock:
    with _locks_guard:
        return _locks.setdefault(database, TicketLock())


def begin(connection, timeout_ms: int, *, reading: bool = False) -> None:
    """Wait for this thread's turn, then BEGIN IMMEDIATE; the turn ends with the transaction.

    reading=True begins a read snapshot instead, which becomes a writer's transaction at its first write.
    """
    if reading:
        connection.connection.dbapi_connection.execute("BEGIN")
        connection.connection.info[_READING_KEY] = timeout_ms
        return
    _begin_writing(connection, timeout_ms)


def _begin_writing(connection, timeout_ms: int) -> None:
    lock = _lock_for(connection.engine.url.database or "")
    if not lock.acquire(timeout_ms / 1000):
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked (waited for other writers)"))
    info = connection.connection.info  # lives with the DB-API connection
    info[_TURN_KEY] = lock
    try:
        # On the driver's connection, as the driver's own implicit BEGIN was: not a statement
        # of the application (query-counting tests do not see it).
        connection.connection.dbapi_connection.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        end_turn(info)
        raise OperationalError("BEGIN IMMEDIATE", {}, error) from error
    except BaseException:
        end_turn(info)
        raise


_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def is_read(statement: str) -> bool:
    """A SELECT, or a WITH ... SELECT (a common table expression), that writes nothing."""
    head = statement.lstrip()[:6].upper()
    if head == "SELECT":
        return True
    return head.startswith("WITH") and not _WRITES.search(statement)


def _first_write(connection, cursor, statement, parameters, context, executemany) -> None:
    """Before the first statement of a reading transaction that is not a read: become a writer.

    Upgrading the snapshot in place would fail at once ('database is locked', busy timeout or not) whenever
    another connection wrote since it began; ending it and queueing for the lock cannot.
    """
    info = connection.connection.info
    if _READING_KEY not in info or is_read(statement):
        return
    timeout_ms = info.pop(_READING_KEY)
    connection.connection.dbapi_connection.execute("ROLLBACK")  # nothing written yet: only the snapshot ends
    _begin_writing(connection, timeout_ms)


def end_turn(info: dict) -> None:
    info.pop(_READING_KEY, None)
    lock = info.pop(_TURN_KEY, None)
    if lock is not None:
        lock.release()


def _end_turn_of(connection) -> None:
    if connection.invalidated:  # dropped (app.db.outages): _on_invalidate ended its turn, and asking for it would
        return  # reconnect in the middle of the rollback
    end_turn(connection.connection.info)


def _on_reset(dbapi_connection, connection_record, reset_state) -> None:
    end_turn(connection_record.info)


def _on_checkin(dbapi_connection, connection_record) -> None:
    if connection_record is not None:
        end_turn(connection_record.info)


def _on_invalidate(dbapi_connection, connection_record, exception) -> None:
    end_turn(connection_record.info)


READING_METHODS = ("GET", "HEAD")


def request_reads_until_its_end() -> bool:
    """GET and HEAD change nothing (a test walks every GET route); their writes wait for the commit."""
    return has_request_context() and request.method in READING_METHODS


def connect_args(busy_timeout_ms: int) -> dict:
    """The driver's own busy timeout (in seconds): how long a connection waits for another process's lock."""
    return {"timeout": busy_timeout_ms / 1000}


def _pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets readers and one writer work side by side; foreign keys are checked."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # Transactions are begun by _begin below, not by the driver.
    dbapi_connection.isolation_level = None
    # SQLite's own lower() folds only ASCII: 'Öztürk' would never match 'öztürk'.
    dbapi_connection.create_function("lower", 1, lambda s: s.lower() if isinstance(s, str) else s, deterministic=True)


def install(engine: Engine, busy_timeout_ms: int) -> None:
    """Attach SQLite's wiring to this engine (SQLAlchemy's per-engine event recipe)."""
    if engine.dialect.name != "sqlite" or engine.dialect.driver != "pysqlite":
        return

    def _begin(connection) -> None:
        """Every transaction takes SQLite's write lock at BEGIN (SQLAlchemy's documented recipe), but a GET's.

        A deferred transaction that reads first and writes later cannot wait for the lock: when another writer
        committed in between, SQLite answers 'database is locked' at once, whatever the busy timeout. BEGIN
        IMMEDIATE waits (busy timeout) at the start instead, when nothing has been read yet.
        """
        begin(connection, busy_timeout_ms, reading=request_reads_until_its_end())

    event.listen(engine, "connect", _pragmas)
    event.listen(engine, "begin", _begin)
    # Commit and rollback end the transaction; the pool events catch a connection given back,
    # reset or thrown away with its transaction still open, so a turn is never kept.
    event.listen(engine, "before_cursor_execute", _first_write)
    event.listen(engine, "commit", _end_turn_of)
    event.listen(engine, "rollback", _end_turn_of)
    event.listen(engine, "reset", _on_reset)
    event.listen(engine, "checkin", _on_checkin)
    event.listen(engine, "invalidate", _on_invalidate)
