"""Writers on one SQLite file take turns in arrival order, within this process.

Every transaction begins with BEGIN IMMEDIATE (app/__init__.py). When the write lock is
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


def begin(connection, timeout_ms: int) -> None:
    """Wait for this thread's turn, then BEGIN IMMEDIATE; the turn ends with the transaction."""
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


def end_turn(info: dict) -> None:
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
    event.listen(engine_class, "commit", _end_turn_of)
    event.listen(engine_class, "rollback", _end_turn_of)
    event.listen(Pool, "reset", _on_reset)
    event.listen(Pool, "checkin", _on_checkin)
    event.listen(Pool, "invalidate", _on_invalidate)
