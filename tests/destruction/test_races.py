"""A destruction racing the record's readers and savers wins cleanly, on SQLite and PostgreSQL: each request
either finishes before it (and its rows go with the purge) or answers 404, never a 500, and the access log
keeps nothing of the record but the destruction's stub."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import select

from app import audit
from app.audit.log import PURGE_FAMILY_ACTION
from app.extensions import db
from app.models import AuditEvent, Family
from app.services import families as families_service
from app.services.destruction import destroy_family
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import opened


def _log_of(app: Flask, family_id: int) -> list[str]:
    return query(
        app,
        lambda: list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.family_id == family_id))),
    )


class Destruction(threading.Thread):
    """The family's destruction in a transaction of its own; `hold` keeps it open (and its locks held) until
    `release` is set."""

    def __init__(self, app: Flask, family_id: int, *, hold: bool = False) -> None:
        super().__init__()
        self.app, self.family_id, self.hold = app, family_id, hold
        self.purged, self.release = threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.app.app_context():
                destroy_family(db.session.get(Family, self.family_id), actor="the test", reason="a race")
                self.purged.set()
                if self.hold:
                    self.release.wait(10)
                db.session.commit()
        except BaseException as error:  # the test asserts on it
            self.error = error
            self.purged.set()


def _edit_form(family) -> dict:
    return {
        "display_name": "Family Renamed",
        "status": "active",
        "start_date": family.start_date.isoformat(),
        "context_notes": "Typed while the record went",
    }


def test_a_read_that_loaded_the_family_before_its_destruction_answers_404_and_leaves_no_row(served, world, monkeypatch):
    """The page was drawn from the family; the destruction commits before the read's own log row does."""
    family_id = world.family_a.id
    client = served.test_client()
    login(client, world.worker_a)
    original = audit.write_pending_rows
    destructions: list[Destruction] = []

    def destroyed_first() -> None:
        if not destructions:
            destructions.append(Destruction(served, family_id))
            destructions[0].start()
            destructions[0].join(15)
        original()

    monkeypatch.setattr(audit, "write_pending_rows", destroyed_first)
    page = client.get(f"/families/{family_id}")
    assert destructions and destructions[0].error is None
    assert page.status_code == 404
    assert "Family Alpha" not in page.get_data(as_text=True)
    assert "destroyed while the page was being opened" in page.get_data(as_text=True)
    assert _log_of(served, family_id) == [PURGE_FAMILY_ACTION]


def test_a_read_that_commits_first_is_taken_along_by_the_purge(served, world):
    family_id = world.family_a.id
    client = served.test_client()
    login(client, world.worker_a)
    assert client.get(f"/families/{family_id}").status_code == 200
    destruction = Destruction(served, family_id)
    destruction.run()
    assert destruction.error is None
    assert _log_of(served, family_id) == [PURGE_FAMILY_ACTION]


def test_a_save_that_arrives_during_the_destruction_waits_and_answers_404(served, world):
    family_id = world.family_a.id
    client = served.test_client()
    login(client, world.worker_a)
    edit_page = f"/families/{family_id}/edit"
    data = {**_edit_form(world.family_a), "version": opened(client, edit_page)}
    destruction = Destruction(served, family_id, hold=True)
    destruction.start()
    assert destruction.purged.wait(10)
    answers: list = []
    save = threading.Thread(target=lambda: answers.append(client.post(edit_page, data=data)))
    save.start()
    save.join(0.5)
    assert save.is_alive(), "the save waits for the destruction's lock"
    destruction.release.set()
    destruction.join(15)
    save.join(15)
    assert destruction.error is None
    assert answers[0].status_code == 404
    assert _log_of(served, family_id) == [PURGE_FAMILY_ACTION]
    assert query(served, lambda: db.session.get(Family, family_id)) is None


def test_a_save_under_way_finishes_before_the_destruction_takes_it_along(served, world, monkeypatch):
    family_id = world.family_a.id
    client = served.test_client()
    login(client, world.worker_a)
    edit_page = f"/families/{family_id}/edit"
    data = {**_edit_form(world.family_a), "version": opened(client, edit_page)}
    saving, go_on = threading.Event(), threading.Event()
    original = families_service.update_family

    def slow_save(*args, **kwargs):
        saving.set()
        go_on.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(families_service, "update_family", slow_save)
    answers: list = []
    save = threading.Thread(target=lambda: answers.append(client.post(edit_page, data=data)))
    save.start()
    assert saving.wait(10)
    destruction = Destruction(served, family_id)
    destruction.start()
    destruction.join(0.5)
    assert destruction.is_alive(), "the destruction waits for the save that holds the family"
    go_on.set()
    save.join(15)
    destruction.join(15)
    assert destruction.error is None
    assert answers[0].status_code == 302
    assert _log_of(served, family_id) == [PURGE_FAMILY_ACTION]
    assert query(served, lambda: db.session.get(Family, family_id)) is None
