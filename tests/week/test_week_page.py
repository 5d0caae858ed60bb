"""'My week': the coming 14 days of appointments and plan reviews, by day, in the user's language."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from app.dates import calendar_day
from app.extensions import db
from app.models import AuditEvent
from tests.helpers.auth import login
from tests.helpers.db import query


def test_my_week_lists_the_coming_appointments_and_reviews_by_day(app, world, make, worker_client):
    soon = date.today() + timedelta(days=2)
    make.care_session(
        world.family_a,
        held_on=date.today() - timedelta(days=5),
        next_appointment_on=soon,
        next_appointment_at=time(14, 15),
    )
    make.plan(world.family_a, review_on=soon)
    make.care_session(
        world.family_a2, held_on=date.today() - timedelta(days=5), next_appointment_on=soon
    )  # a colleague's

    html = worker_client.get("/week").get_data(as_text=True)
    assert '<h1 class="h3">My week</h1>' in html
    assert 'aria-current="page"' in html and 'href="/week"' in html  # in the main navigation, marked current
    day = html[html.index(f'id="day-{soon.isoformat()}"') :]
    assert calendar_day(soon, "weekday", "en") in day[:200]
    assert "2:15" in day and "Appointment with" in day and "Plan review of" in day
    assert day.index("Plan review of") < day.index("2:15")  # the untimed review first
    assert "Family Alpha" in html and "Family Colleague" not in html
    assert f'href="/families/{world.family_a.id}/plan"' in html


def test_a_lead_sees_the_teams_week_with_the_workers(app, world, make):
    make.care_session(
        world.family_a2, held_on=date.today() - timedelta(days=5), next_appointment_on=date.today() + timedelta(days=3)
    )
    make.care_session(
        world.family_b, held_on=date.today() - timedelta(days=5), next_appointment_on=date.today() + timedelta(days=3)
    )
    client = app.test_client()
    login(client, world.lead_a)
    html = client.get("/week").get_data(as_text=True)
    assert "The team&#39;s week" in html or "The team's week" in html
    assert "Family Colleague" in html and "Colleague A" in html
    assert "Family Bravo" not in html


def test_nothing_coming_says_so(world, make, worker_client):
    make.care_session(
        world.family_a, held_on=date.today() - timedelta(days=9), next_appointment_on=date.today() - timedelta(days=2)
    )
    html = worker_client.get("/week").get_data(as_text=True)
    assert "Nothing planned in the next 14 days." in html


def test_the_week_is_in_the_users_language(app, world, make, worker_client):
    soon = date.today() + timedelta(days=4)
    make.care_session(
        world.family_a,
        held_on=date.today() - timedelta(days=5),
        next_appointment_on=soon,
        next_appointment_at=time(9, 5),
    )
    worker_client.post("/language", data={"language": "nl"})
    html = worker_client.get("/week").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert calendar_day(soon, "weekday", "nl") in html
    assert "09:05" in html


def test_the_week_logs_each_family_it_shows(app, world, make, worker_client):
    make.care_session(
        world.family_a, held_on=date.today() - timedelta(days=5), next_appointment_on=date.today() + timedelta(days=1)
    )
    assert worker_client.get("/week").status_code == 200
    rows = query(
        app,
        lambda: db.session.execute(
            select(AuditEvent.action, AuditEvent.family_id, AuditEvent.user_id).where(
                AuditEvent.action.in_(("week", "seen_in_week"))
            )
        ).all(),
    )
    assert sorted(rows, key=repr) == sorted(
        [("week", None, world.worker_a.id), ("seen_in_week", world.family_a.id, world.worker_a.id)], key=repr
    )
