"""The calendar feed: a secret, revocable address per user; RFC 5545 events that carry no names or case
details; every read in the access log."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select, update

from app.extensions import db
from app.models import AuditEvent, CalendarFeed, User
from tests.helpers.auth import login
from tests.helpers.db import query


def _make_link(client) -> str:
    response = client.post("/account/calendar")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    [url] = re.findall(r'id="feed-url"[^>]*>([^<]+)</textarea>', html)
    return url.replace("http://localhost", "")


def _events(client, path: str):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return response.get_data(as_text=True), Calendar.from_ical(response.data).walk("VEVENT")


def test_the_feed_holds_the_coming_appointments_without_names_or_case_numbers(app, world, make, worker_client):
    child = make.member(world.family_a, first_name="Emma")
    on = date.today() + timedelta(days=3)
    appointment = make.care_session(
        world.family_a,
        held_on=date.today() - timedelta(days=4),
        summary="We talked about Emma's bedtime.",
        next_appointment_on=on,
        next_appointment_at=time(10, 30),
    )
    plan = make.plan(world.family_a, review_on=date.today() + timedelta(days=20))
    path = _make_link(worker_client)

    anonymous = app.test_client()  # a calendar app has no login
    text, events = _events(anonymous, path)
    for secret in (world.family_a.display_name, world.family_a.case_number, child.first_name, "bedtime", "Worker A"):
        assert secret not in text
    by_summary = {str(e["SUMMARY"]): e for e in events}
    assert set(by_summary) == {"Attune: appointment", "Attune: plan review"}
    visit = by_summary["Attune: appointment"]
    assert str(visit["UID"]).startswith(f"appointment-{appointment.id}@")
    assert visit["URL"] == f"http://localhost/families/{world.family_a.id}"
    start = visit.decoded("DTSTART")
    assert start.tzinfo is not None and start.utcoffset() == timedelta(0)  # in UTC
    assert start == datetime.combine(on, time(10, 30), tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert visit.decoded("DTSTAMP").tzinfo is not None
    review = by_summary["Attune: plan review"]
    assert str(review["UID"]).startswith(f"plan-review-{plan.id}@")
    assert review.decoded("DTSTART") == plan.review_on  # a whole day

    _, again = _events(anonymous, path)
    assert sorted(str(e["UID"]) for e in again) == sorted(str(e["UID"]) for e in events)  # stable UIDs


def test_the_token_is_stored_hashed_and_the_account_page_does_not_show_it_again(app, world, worker_client):
    path = _make_link(worker_client)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    stored = query(app, lambda: db.session.execute(select(CalendarFeed.token_hash)).scalars().all())
    assert len(stored) == 1 and token not in stored[0]
    account = worker_client.get("/account").get_data(as_text=True)
    assert token not in account
    assert "Make a new link" in account and "Stop the link" in account


def test_a_new_link_revokes_the_old_one_and_stopping_revokes_it(app, world, worker_client):
    anonymous = app.test_client()
    old = _make_link(worker_client)
    new = _make_link(worker_client)
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    assert worker_client.post("/account/calendar/stop").status_code == 302
    assert anonymous.get(new).status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    actions = query(app, lambda: db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all())
    assert actions.count("calendar_feed_new") == 2 and actions.count("calendar_feed_revoke") == 1


def test_an_inactive_users_feed_answers_404(app, world, worker_client):
    path = _make_link(worker_client)

    def deactivate():
        db.session.execute(update(User).where(User.id == world.worker_a.id).values(active=False))
        db.session.commit()

    query(app, deactivate)
    assert app.test_client().get(path).status_code == 404


def test_reading_the_feed_is_in_the_access_log_of_each_family_it_shows(app, world, make, worker_client):
    make.care_session(
        world.family_a, held_on=date.today() - timedelta(days=4), next_appointment_on=date.today() + timedelta(days=2)
    )
    path = _make_link(worker_client)
    since = query(app, lambda: db.session.execute(select(db.func.max(AuditEvent.id))).scalar_one())
    assert app.test_client().get(path).status_code == 200
    rows = query(
        app,
        lambda: db.session.execute(
            select(AuditEvent.action, AuditEvent.family_id, AuditEvent.user_id).where(AuditEvent.id > since)
        ).all(),
    )
    assert ("calendar_feed", None, world.worker_a.id) in rows
    assert ("seen_in_calendar", world.family_a.id, world.worker_a.id) in rows


def test_an_administrator_has_no_calendar_link(app, world):
    client = app.test_client()
    login(client, world.admin)
    assert client.post("/account/calendar").status_code == 404
    assert "calendar-heading" not in client.get("/account").get_data(as_text=True)
    assert query(app, lambda: db.session.execute(select(CalendarFeed)).all()) == []
