"""Writers on one SQLite file take turns in arrival order, within this process.

A request that only reads until its end (GET and HEAD: they write nothing but their access-log row, added
when the request ends) begins with a plain BEGIN: a read snapshot that holds no lock, so the other app
processes and threads go on while it queries and renders. Its first write, normally the access-log row at
commit, ends the snapshot and continues as a writer's transaction (below); what it read stays valid, since
such a request changes nothing it read. Without this, every request held the write lock from its first
query to its end, and two app processes served one request at a time.

Every other transaction begins with BEGIN IMMEDIATE (app/__init__.py). When the write lock is
taken, SQLite's busy handler makes the others retry on a timer, and it is not a queue: under
many writers one of them can lose every retry until its timeout and fail with 'database is
locked'. So threads first queue here, first come first served, and only the one at the front
waits on SQLite itself (at most briefly, behind another process). Other processes still meet
SQLite's own handler: for several busy app processes, use PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import Pool

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


def _first_write(connection, cursor, statement, parameters, context, executemany) -> None:
    """Before the first statement of a reading transaction that is not a SELECT: become a writer.

    Upgrading the snapshot in place would fail at once ('database is locked', busy timeout or not) whenever
    another connection wrote since it began; ending it and queueing for the lock cannot.
    """
    if connection.dialect.name != "sqlite":
        return
    info = connection.connection.info
    if _READING_KEY not in info or statement.lstrip()[:6].upper() == "SELECT":
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
    if connection.dialect.name == "sqlite":
        end_turn(connection.connection.info)


def _on_reset(dbapi_connection, connection_record, reset_state) -> None:
    end_turn(connection_record.info)


def _on_checkin(dbapi_connection, connection_record) -> None:
    if connection_record is not None:
        end_turn(connection_record.info)


def _on_invalidate(dbapi_connection, connection_record, exception) -> None:
    end_turn(connection_record.info)


def install(engine_class) -> None:
    # Commit and rollback end the transaction; the pool events catch a connection given back,
    # reset or thrown away with its transaction still open, so a turn is never kept.
    event.listen(engine_class, "before_cursor_execute", _first_write)
    event.listen(engine_class, "commit", _end_turn_of)
    event.listen(engine_class, "rollback", _end_turn_of)
    event.listen(Pool, "reset", _on_reset)
    event.listen(Pool, "checkin", _on_checkin)
    event.listen(Pool, "invalidate", _on_invalidate)
