"""'My families' and the family page show the next appointment of the family's latest session, never an
older session's (issue 19)."""

from __future__ import annotations

from datetime import date, timedelta

from app.dates import calendar_day
from app.models import FamilyStatus


def _weekday(day: date) -> str:
    """As the pages write a day with its weekday, in English."""
    return calendar_day(day, "weekday", "en")


def test_my_families_shows_the_newest_sessions_appointment(app, world, make, worker_client):
    older, newer = date.today() + timedelta(days=3), date.today() + timedelta(days=10)
    make.care_session(world.family_a, held_on=date.today() - timedelta(days=14), next_appointment_on=older)
    make.care_session(world.family_a, held_on=date.today() - timedelta(days=2), next_appointment_on=newer)
    html = worker_client.get("/families/").get_data(as_text=True)
    assert _weekday(newer) in html
    assert _weekday(older) not in html


def test_the_family_page_shows_the_next_appointment(app, world, make, worker_client):
    url = f"/families/{world.family_a.id}"
    html = worker_client.get(url).get_data(as_text=True)
    assert 'id="next-appointment-heading"' in html
    assert "no session has been logged yet" in html

    make.care_session(
        world.family_a, held_on=date.today() - timedelta(days=14), next_appointment_on=date.today() + timedelta(days=3)
    )
    latest = make.care_session(world.family_a, held_on=date.today() - timedelta(days=2))
    html = worker_client.get(url).get_data(as_text=True)
    assert "the latest session, of" in html and "set no next appointment" in html
    assert f"/sessions/{latest.id}" in html

    coming = date.today() + timedelta(days=6)
    make.care_session(world.family_a, held_on=date.today() - timedelta(days=1), next_appointment_on=coming)
    html = worker_client.get(url).get_data(as_text=True)
    block = html[html.index('id="next-appointment-heading"') :][:600]
    assert _weekday(coming) in block


def test_a_passed_appointment_is_not_shown_as_coming(app, world, make, worker_client):
    make.care_session(
        world.family_a, held_on=date.today() - timedelta(days=9), next_appointment_on=date.today() - timedelta(days=2)
    )
    html = worker_client.get(f"/families/{world.family_a.id}").get_data(as_text=True)
    assert "has passed, and no session has been logged since" in html
    listed = worker_client.get("/families/").get_data(as_text=True)
    assert _weekday(date.today() - timedelta(days=2)) not in listed


def test_a_closed_family_shows_no_appointment(app, world, make, worker_client):
    closed = make.family(world.team_a, world.worker_a, status=FamilyStatus.CLOSED, end_date=date.today())
    make.care_session(
        closed, held_on=date.today() - timedelta(days=3), next_appointment_on=date.today() + timedelta(days=4)
    )
    html = worker_client.get(f"/families/{closed.id}").get_data(as_text=True)
    assert 'id="next-appointment-heading"' not in html
    listed = worker_client.get("/families/?status=closed").get_data(as_text=True)
    assert closed.display_name in listed
    assert _weekday(date.today() + timedelta(days=4)) not in listed
