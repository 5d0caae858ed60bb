"""The request owns the transaction: one commit at its end when it succeeded, a rollback otherwise.

A change and its access-log row are saved together or not at all. When the request fails, or
its commit does, the messages it queued ("saved", "recorded") are dropped: the user sees the
error page, never a success that did not happen. Refusals and what a failed request did are
written after the rollback, so they are on file even though nothing else was kept; when the
database cannot take them either, they go to the server log.

A read is shown only with its access-log row: when the commit of a GET that logged a read fails,
the page the view drew is dropped for a 503 that says the record cannot be opened (ReadNotLogged).

A destruction wins cleanly: a request whose rows name a family destroyed while it ran is rolled back and
answers 404 (DestroyedMeanwhile), so no row of the record outlives its purge but the destruction's own.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, message_flashed, session
from flask.globals import request_ctx
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import NotFound, ServiceUnavailable

from app import audit
from app.db.outages import is_outage
from app.db.sqlite import request_reads_until_its_end
from app.extensions import db
from app.models import Family
from app.web.static_assets import is_static_request


def init_app(app: Flask) -> None:
    # First of the before-request hooks: loading the login may already read.
    app.before_request_funcs.setdefault(None, []).insert(0, _reads_wait_for_the_end)
    app.after_request(_finish)
    message_flashed.connect(_remember_flash, app)


def _reads_wait_for_the_end() -> None:
    """A GET's only writes (its access-log row, a login's last-seen time) go out with the commit, so on
    SQLite its queries and template run without the write lock (app/db/sqlite.py)."""
    if request_reads_until_its_end():
        db.session.autoflush = False


def _remember_flash(sender: Flask, message: str, category: str, **_: Any) -> None:
    g.setdefault("flashed", []).append((category, message))


def _finish(response: Response) -> Response:
    if not is_static_request():
        finish(response.status_code)
    return response


class ReadNotLogged(ServiceUnavailable):
    """A read whose access-log row could not be written: its page is not shown (NEN 7513: no read without its
    log row). Raised from the failed commit, so the page the view drew is never sent."""


class DestroyedMeanwhile(NotFound):
    """The family this request read or saved was destroyed before it could commit: nothing of it is kept."""


def mark_destroyed(family_id: int) -> None:
    """The destroying request's own rows (its access, the destruction stub) name the family it purged."""
    if has_request_context():
        g.setdefault("destroyed_families", set()).add(family_id)


def _destroyed_meanwhile(rows: list[dict]) -> bool:
    """Whether a family the request's rows name is gone. Asked after the rows are written, when a GET on SQLite
    holds the write lock (app/db/sqlite.py) and so sees every destruction that committed; on PostgreSQL the
    KEY SHARE lock makes a destruction that has not yet committed wait until this request has (and then purge
    its rows), or the row is gone once it has."""
    named = {row["family_id"] for row in rows if row["family_id"] is not None} - g.get("destroyed_families", set())
    if not named:
        return False
    query = select(Family.id).where(Family.id.in_(named)).with_for_update(read=True, key_share=True)
    return len(db.session.execute(query).all()) < len(named)


def finish(status_code: int) -> None:
    rows, refusals = audit.take_request_rows()
    flashed = g.pop("flashed", [])
    if g.get("database_unavailable"):  # the error page found the database gone (app/errors/handlers.py)
        drop_queued_messages(flashed)
        _to_the_server_log(rows, refusals, f"failed {status_code}")
        return
    if status_code >= 400:
        forget_the_transaction()
        drop_queued_messages(flashed)
        _keep_the_trace(rows, refusals, f"failed {status_code}")
        return
    try:
        audit.write_pending_rows()  # the request's batched log rows, in its transaction
        db.session.flush()  # what fails here was never sent to be kept
        if _destroyed_meanwhile(rows):
            forget_the_transaction()
            drop_queued_messages(flashed)
            raise DestroyedMeanwhile()
        g.commit_sent = True
        db.session.commit()
    except DestroyedMeanwhile:
        raise  # its rows named the destroyed record: they are not kept, not even as a failed request's trace
    except Exception as error:
        forget_the_transaction()
        drop_queued_messages(flashed)
        if isinstance(error, DBAPIError) and g.get("commit_sent") and error.connection_invalidated:
            g.commit_outcome_unknown = True  # the connection went during COMMIT: kept or not, nobody can say
        read_not_logged = isinstance(error, DBAPIError) and request_reads_until_its_end() and bool(rows)
        failure = "failed 503" if read_not_logged or is_outage(error) else "failed 500"
        if is_outage(error):  # trying again now would fail the same way
            _to_the_server_log(rows, refusals, failure)
        else:
            _keep_the_trace(rows, refusals, failure)
        if read_not_logged:
            raise ReadNotLogged() from error
        raise  # the error page answers, without the messages of what was not saved
    if refusals:
        _keep_the_trace([], refusals, "")


def _keep_the_trace(rows: list[dict], refusals: list[dict], failure: str) -> None:
    """What a failed request did, and its refusals, in the access log; in the server log when that fails too."""
    try:
        audit.write_after_rollback(rows, refusals, failure)
    except Exception:
        current_app.logger.exception("The access log took no rows after a failed request")
        forget_the_transaction()
        _to_the_server_log(rows, refusals, failure)


def forget_the_transaction() -> None:
    try:
        db.session.rollback()
    except Exception:  # a rollback over a lost connection may fail too; the connection is dropped either way
        current_app.logger.warning("Rollback failed after a database error")


def _to_the_server_log(rows: list[dict], refusals: list[dict], failure: str) -> None:
    """What the access log could not take: who did what to which record, never the detail (it may quote data)."""
    for row in [{**row, "outcome": failure} for row in rows] + refusals:
        current_app.logger.error(
            "Access-log row not written (database unavailable): %s %s by user %s on family %s, %s %s",
            row["action"],
            row["outcome"],
            row["user_id"],
            row["family_id"],
            row["object_type"],
            row["object_id"],
        )


def drop_queued_messages(flashed: list[tuple[str, str]]) -> None:
    """Take back the flash messages this request queued: what they announce was rolled back."""
    if not flashed:
        return
    for queue in (session.get("_flashes"), request_ctx.flashes):
        if not queue:
            continue
        for message in flashed:
            if message in queue:
                queue.remove(message)
    session.modified = True
