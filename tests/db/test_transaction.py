"""The request owns the transaction: a save whose commit fails shows the error page, never 'saved'."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import AuditEvent, ConsentRecord
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import opened


def _consent_form() -> dict:
    return {
        "kind": "video",
        "given": "yes",
        "given_by": "Anouk (mother)",
        "decided_on": date(2026, 11, 2).isoformat(),
        "note": "",
    }


def test_a_failed_commit_shows_the_error_page_without_the_success_message(app, world, monkeypatch):
    worker = app.test_client()
    login(worker, world.worker_a)
    version = opened(worker, f"/families/{world.family_a.id}/consent")
    real_commit = db.session.commit
    failures = []

    def commit_fails_once():
        if not failures:
            failures.append("the disk is full")
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
        return real_commit()

    monkeypatch.setattr(db.session, "commit", commit_fails_once)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    response = worker.post(
        f"/families/{world.family_a.id}/consent",
        data={**_consent_form(), "version": version},
        follow_redirects=True,
    )

    assert failures, "the commit was never attempted"
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "The decision has been recorded." not in page
    # Nor does the message wait for the next page: nothing was recorded.
    monkeypatch.undo()
    later = worker.get(f"/families/{world.family_a.id}/consent").get_data(as_text=True)
    assert "The decision has been recorded." not in later
    assert query(app, lambda: db.session.execute(select(ConsentRecord)).scalars().all()) == []
    outcomes = query(
        app,
        lambda: (
            db.session.execute(select(AuditEvent.outcome).where(AuditEvent.action == "record_consent")).scalars().all()
        ),
    )
    assert outcomes == ["failed 500"]  # the attempt is on file, its change is not


def test_a_successful_save_still_says_so(app, world):
    """The other side of the rule above, so the test above cannot pass by never showing the message."""
    worker = app.test_client()
    login(worker, world.worker_a)
    response = worker.post(
        f"/families/{world.family_a.id}/consent",
        data={**_consent_form(), "version": opened(worker, f"/families/{world.family_a.id}/consent")},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "The decision has been recorded." in response.get_data(as_text=True)
