"""When the database failed rather than the statement: read-only, full, locked, away, or its file broken.

Such an error is an outage: the page answers 503 ("try again in a minute"), not a 500 for a bug. Some of
them also leave the connection broken after their cause is gone, and a pooled connection outlives it: a
SQLite connection opened while the file was read-only opens it read-only and stays so when the file is
writable again (seen as a non-root user after chmod 0444 and back; tests/db/test_recovery.py opens its
connections read-only to the same effect, as root ignores file modes), a file replaced under a connection
(a restored backup) keeps failing with SQLITE_READONLY_DBMOVED or an I/O error. Those are reported to
SQLAlchemy as disconnects (install()), which drops the connection and every one pooled before it, so the
next request opens a fresh one and the app recovers without a restart. PostgreSQL's lost connections are
SQLAlchemy's own disconnects already, and pool_pre_ping (config.py) finds them before a request does.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.exc import DBAPIError

# SQLite's primary result codes (https://sqlite.org/rescode.html); the extended codes keep them in the low byte.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26

# Reopening the file is the cure. A full disk or a lock is not the connection's fault: it is kept.
SQLITE_BROKEN = {SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_CANTOPEN, SQLITE_NOTADB}
SQLITE_OUTAGES = SQLITE_BROKEN | {SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL}

# PostgreSQL's SQLSTATEs: a server demoted to a standby answers 25006 on every write until a new connection
# reaches the primary; 57P01-57P05 (shut down, restarting, connection ended by an operator) and class 08 end
# the connection. Class 53 (disk full, out of memory, too many connections) and 58 (I/O) pass.
PG_BROKEN_PREFIXES = ("08", "57P", "25006")
PG_OUTAGE_PREFIXES = (*PG_BROKEN_PREFIXES, "53", "58")


def _sqlite_code(dbapi_error: BaseException | None) -> int | None:
    code = getattr(dbapi_error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _sqlstate(dbapi_error: BaseException | None) -> str:
    return getattr(dbapi_error, "sqlstate", None) or ""


def connection_broken(dbapi_error: BaseException | None) -> bool:
    """The driver's error leaves its connection unusable even once the database is well again."""
    return _sqlite_code(dbapi_error) in SQLITE_BROKEN or _sqlstate(dbapi_error).startswith(PG_BROKEN_PREFIXES)


def is_outage(error: BaseException | None) -> bool:
    """The database could not do its part (not a wrong statement or a broken rule): worth a retry later."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    dbapi_error = error.orig
    return (
        _sqlite_code(dbapi_error) in SQLITE_OUTAGES
        or _sqlstate(dbapi_error).startswith(PG_OUTAGE_PREFIXES)
        # The writers' queue of app.db.sqlite gives up with the same words as SQLite's busy timeout.
        or "database is locked" in str(dbapi_error)
    )


def _drop_broken_connection(context: ExceptionContext) -> None:
    if connection_broken(context.original_exception):
        context.is_disconnect = True


def install(engine: Engine) -> None:
    event.listen(engine, "handle_error", _drop_broken_connection)
