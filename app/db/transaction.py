"""The request owns the transaction: one commit at its end when it succeeded, a rollback otherwise.

A change and its access-log row are saved together or not at all. When the request fails, or
its commit does, the messages it queued ("saved", "recorded") are dropped: the user sees the
error page, never a success that did not happen. Refusals and what a failed request did are
written after the rollback, so they are on file even though nothing else was kept.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, message_flashed, session
from flask.globals import request_ctx

from app import audit
from app.db.sqlite import request_reads_until_its_end
from app.extensions import db
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


def finish(status_code: int) -> None:
    rows, refusals = audit.take_request_rows()
    if g.get("database_unavailable"):  # the error page found the database gone (app/errors/handlers.py)
        drop_queued_messages(g.pop("flashed", []))
        _to_the_server_log([{**row, "outcome": f"failed {status_code}"} for row in rows] + refusals)
        return
    if status_code < 400:
        flashed = g.pop("flashed", [])
        try:
            audit.write_pending_rows()  # the request's batched log rows, in its transaction
            db.session.commit()
        except Exception:
            db.session.rollback()
            drop_queued_messages(flashed)
            audit.write_after_rollback(rows, refusals, "failed 500")
            raise  # the error page answers, without the messages of what was not saved
        if refusals:
            audit.write_after_rollback([], refusals, "")
        return
    db.session.rollback()
    drop_queued_messages(g.pop("flashed", []))
    audit.write_after_rollback(rows, refusals, f"failed {status_code}")


def _to_the_server_log(rows: list[dict]) -> None:
    """What the access log could not take: who did what to which record, never the detail (it may quote data)."""
    for row in rows:
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
