"""The next appointment of a family is the one its latest session agreed (app.services.appointments), and
"my week" lists what is coming in the next 14 days of the families the user may see."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from app.extensions import db
from app.models import Family, FamilyStatus, HelpPeriod, User
from app.services import appointments
from tests.helpers.db import query

NOW = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # Monday, noon in Amsterdam
TODAY = date(2026, 12, 7)
NOON = datetime(2026, 12, 7, 12, 0)  # the app's wall clock


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _next(app, family):
    return query(app, lambda: appointments.next_appointments([family.id], NOON).get(family.id))


def test_the_latest_session_decides_not_the_nearest_appointment(app, world, make):
    # The bug of issue 19: the older session's appointment was nearer, and won.
    make.care_session(world.family_a, held_on=TODAY - timedelta(days=14), next_appointment_on=TODAY + timedelta(days=3))
    newest = make.care_session(
        world.family_a, held_on=TODAY - timedelta(days=2), next_appointment_on=TODAY + timedelta(days=10)
    )
    found = _next(app, world.family_a)
    assert (found.on, found.session_id) == (TODAY + timedelta(days=10), newest.id)


def test_when_the_latest_session_agreed_none_there_is_none(app, world, make):
    make.care_session(world.family_a, held_on=TODAY - timedelta(days=14), next_appointment_on=TODAY + timedelta(days=3))
    make.care_session(world.family_a, held_on=TODAY - timedelta(days=1))
    assert _next(app, world.family_a) is None
    page = query(app, lambda: appointments.family_appointment(db.session.get(Family, world.family_a.id)))
    assert page.state == "none_agreed" and page.latest_held_on == TODAY - timedelta(days=1)


def test_an_older_visit_logged_later_does_not_replace_the_newest(app, world, make):
    newest = make.care_session(
        world.family_a, held_on=TODAY - timedelta(days=1), next_appointment_on=TODAY + timedelta(days=6)
    )
    make.care_session(world.family_a, held_on=TODAY - timedelta(days=20))  # logged afterwards, about an old visit
    assert _next(app, world.family_a).session_id == newest.id


def test_of_two_sessions_on_one_day_the_one_logged_last_counts(app, world, make):
    day = TODAY - timedelta(days=1)
    make.care_session(world.family_a, held_on=day, next_appointment_on=TODAY + timedelta(days=2))
    last = make.care_session(world.family_a, held_on=day, next_appointment_on=TODAY + timedelta(days=9))
    assert _next(app, world.family_a).session_id == last.id


def test_a_trashed_session_does_not_count(app, world, make):
    kept = make.care_session(
        world.family_a, held_on=TODAY - timedelta(days=9), next_appointment_on=TODAY + timedelta(days=4)
    )
    make.care_session(
        world.family_a, held_on=TODAY - timedelta(days=1), next_appointment_on=TODAY + timedelta(days=8), deleted_at=NOW
    )
    assert _next(app, world.family_a).session_id == kept.id


def test_today_an_appointment_is_coming_until_its_time(app, world, make):
    make.care_session(
        world.family_a, held_on=TODAY - timedelta(days=7), next_appointment_on=TODAY, next_appointment_at=time(9)
    )
    make.care_session(
        world.family_a2, held_on=TODAY - timedelta(days=7), next_appointment_on=TODAY, next_appointment_at=time(15)
    )
    make.care_session(world.family_b, held_on=TODAY - timedelta(days=7), next_appointment_on=TODAY)  # no time: all day
    assert _next(app, world.family_a) is None
    assert _next(app, world.family_a2) is not None
    assert _next(app, world.family_b) is not None
    page = query(app, lambda: appointments.family_appointment(db.session.get(Family, world.family_a.id)))
    assert page.state == "passed"


def test_a_closed_family_has_no_appointment_a_paused_one_keeps_it(app, world, make):
    closed = make.family(world.team_a, world.worker_a, status=FamilyStatus.CLOSED)
    paused = make.family(world.team_a, world.worker_a, status=FamilyStatus.PAUSED)
    for family in (closed, paused):
        make.care_session(family, held_on=TODAY - timedelta(days=3), next_appointment_on=TODAY + timedelta(days=5))
    assert _next(app, closed) is None
    assert _next(app, paused) is not None
    state = query(app, lambda: appointments.family_appointment(db.session.get(Family, closed.id)).state)
    assert state == "closed"


def test_a_family_without_sessions_has_none_yet(app, world):
    page = query(app, lambda: appointments.family_appointment(db.session.get(Family, world.family_a.id)))
    assert page.state == "no_sessions" and page.appointment is None


def _agenda(app, user, days=appointments.WEEK_DAYS):
    return query(app, lambda: appointments.agenda(db.session.get(User, user.id), now=NOON, days=days))


def test_the_week_holds_the_next_fourteen_days_of_the_users_own_families(app, world, make):
    make.care_session(
        world.family_a,
        held_on=TODAY - timedelta(days=3),
        next_appointment_on=TODAY + timedelta(days=13),
        next_appointment_at=time(10),
    )
    make.care_session(world.family_a2, held_on=TODAY - timedelta(days=3), next_appointment_on=TODAY + timedelta(days=2))
    make.care_session(world.family_b, held_on=TODAY - timedelta(days=3), next_appointment_on=TODAY + timedelta(days=1))
    far = make.family(world.team_a, world.worker_a)
    make.care_session(far, held_on=TODAY - timedelta(days=3), next_appointment_on=TODAY + timedelta(days=14))
    make.plan(world.family_a, review_on=TODAY + timedelta(days=13))

    mine = _agenda(app, world.worker_a)
    assert [(i.kind, i.family_id, i.on) for i in mine] == [
        (appointments.PLAN_REVIEW, world.family_a.id, TODAY + timedelta(days=13)),  # untimed first on its day
        (appointments.APPOINTMENT, world.family_a.id, TODAY + timedelta(days=13)),
    ]
    team = _agenda(app, world.lead_a)
    assert {i.family_id for i in team} == {world.family_a.id, world.family_a2.id}  # not team B's
    assert {i.worker_name for i in team} == {"Worker A", "Colleague A"}
    # The feed looks further ahead.
    assert far.id in {i.family_id for i in _agenda(app, world.worker_a, days=None)}


def test_the_week_leaves_out_closed_families_and_past_or_superseded_plan_reviews(app, world, make):
    closed = make.family(world.team_a, world.worker_a, status=FamilyStatus.CLOSED)
    make.plan(closed, review_on=TODAY + timedelta(days=3))
    make.care_session(closed, held_on=TODAY - timedelta(days=3), next_appointment_on=TODAY + timedelta(days=3))
    make.plan(world.family_a, review_on=TODAY - timedelta(days=1))
    make.plan(world.family_a, number=2, review_on=TODAY + timedelta(days=4), superseded_at=NOW)
    assert _agenda(app, world.worker_a) == []


def test_by_day_groups_in_order(app, world, make):
    make.care_session(world.family_a, held_on=TODAY - timedelta(days=3), next_appointment_on=TODAY + timedelta(days=2))
    make.plan(world.family_a, review_on=TODAY + timedelta(days=2))
    make.care_session(world.family_a2, held_on=TODAY - timedelta(days=3), next_appointment_on=TODAY + timedelta(days=5))
    days = appointments.by_day(_agenda(app, world.lead_a))
    assert [(d.on, len(d.items)) for d in days] == [(TODAY + timedelta(days=2), 2), (TODAY + timedelta(days=5), 1)]


def test_a_reopened_family_has_no_appointment_from_before_the_reopening(app, world, make):
    family = make.family(world.team_a, world.worker_a, start_date=TODAY - timedelta(days=5))

    def periods():
        db.session.add_all(
            [
                HelpPeriod(
                    family_id=family.id,
                    number=1,
                    start_date=TODAY - timedelta(days=100),
                    end_date=TODAY - timedelta(days=30),
                    reopened_at=NOW,
                ),
                HelpPeriod(family_id=family.id, number=2, start_date=TODAY - timedelta(days=5)),
            ]
        )
        db.session.commit()

    query(app, periods)
    # Closed early, with a visit still agreed: the closing ended it.
    make.care_session(family, held_on=TODAY - timedelta(days=40), next_appointment_on=TODAY + timedelta(days=3))
    assert _next(app, family) is None
    assert query(app, lambda: appointments.family_appointment(db.session.get(Family, family.id)).state) == "reopened"
    make.care_session(family, held_on=TODAY - timedelta(days=1), next_appointment_on=TODAY + timedelta(days=4))
    assert _next(app, family).on == TODAY + timedelta(days=4)
