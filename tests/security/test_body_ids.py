"""Ids that arrive in a form body are checked against what the user may reach (ASVS V8.2.2, V8.3).

For every form that takes ids from the body (workers, members, children, stress items, goal keys,
moments, teams), posting another team's id is refused and changes nothing of theirs.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    CareSession,
    Family,
    GoalScore,
    Moment,
    MomentKind,
    Role,
    StressItem,
    StressStatus,
    StressUpdate,
    User,
    session_attendees,
)
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import session_form


@pytest.fixture
def foreign(world, make):
    """Things of team B's family that team A's people must not be able to point at."""

    class Foreign:
        pass

    f = Foreign()
    f.child = make.member(world.family_b, first_name="Bravo Child")
    f.stress = make.stress_item(world.family_b)
    f.plan = make.plan(world.family_b, goals=[("Theirs", 1, 5)])
    f.goal_key = f.plan.goals[0].key
    f.session = make.care_session(world.family_b, moments=[(MomentKind.POSITIVE, "Bravo moment", [])])
    return f


def _count(app, statement) -> int:
    return query(app, lambda: db.session.execute(statement).scalar_one())


def test_session_form_refuses_another_familys_member_as_attendee(app, world, client, foreign):
    login(client, world.worker_a)
    url = f"/families/{world.family_a.id}/sessions/new"
    response = client.post(url, data=session_form(attendee_ids=[str(foreign.child.id)]))
    assert response.status_code in (200, 400)
    assert _count(app, select(func.count()).select_from(session_attendees)) == 0
    assert _count(app, select(func.count(CareSession.id)).where(CareSession.family_id == world.family_a.id)) == 0


def test_session_form_refuses_another_familys_child_on_a_moment(app, world, client, foreign):
    login(client, world.worker_a)
    url = f"/families/{world.family_a.id}/sessions/new"
    response = client.post(url, data=session_form(**{"moments-0-child_id": str(foreign.child.id)}))
    assert response.status_code in (200, 400)
    assert _count(app, select(func.count(Moment.id)).where(Moment.child_id == foreign.child.id)) == 0


def test_session_form_cannot_change_another_familys_stress_item(app, world, client, foreign):
    login(client, world.worker_a)
    url = f"/families/{world.family_a.id}/sessions/new"
    data = session_form(
        **{
            "stress_changes-0-item_id": str(foreign.stress.id),
            "stress_changes-0-status": "resolved",
            "stress_changes-0-severity": "mild",
            "stress_changes-0-note": "Changed from another team",
        }
    )
    response = client.post(url, data=data)
    assert response.status_code in (200, 302, 400)
    item = query(app, lambda: db.session.get(StressItem, foreign.stress.id))
    assert item.status == StressStatus.OPEN
    assert _count(app, select(func.count(StressUpdate.id)).where(StressUpdate.item_id == foreign.stress.id)) == 0


def test_session_form_cannot_score_another_familys_goal(app, world, client, make, foreign):
    make.plan(world.family_a)
    login(client, world.worker_a)
    url = f"/families/{world.family_a.id}/sessions/new"
    data = session_form(**{"scores-0-goal_key": foreign.goal_key, "scores-0-worker_score": "9"})
    assert client.post(url, data=data).status_code in (200, 302, 400)
    assert _count(app, select(func.count(GoalScore.id)).where(GoalScore.goal_key == foreign.goal_key)) == 0


def test_closing_cannot_score_another_familys_goal(app, world, client, foreign):
    login(client, world.worker_a)
    data = {
        "closure_type": "planned",
        "end_date": date.today().isoformat(),
        "period": "1",
        "scores-0-goal_key": foreign.goal_key,
        "scores-0-worker_score": "9",
    }
    client.post(f"/families/{world.family_a.id}/close", data=data)
    assert _count(app, select(func.count(GoalScore.id)).where(GoalScore.goal_key == foreign.goal_key)) == 0


def test_new_family_refuses_another_teams_worker(app, world, client):
    login(client, world.lead_a)
    data = {
        "display_name": "Family Smuggled",
        "status": "intake",
        "start_date": date.today().isoformat(),
        "primary_worker_id": str(world.worker_b.id),
    }
    response = client.post("/families/new", data=data)
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _count(app, select(func.count(Family.id)).where(Family.display_name == "Family Smuggled")) == 0


def test_assigning_refuses_another_teams_worker(app, world, client):
    login(client, world.lead_a)
    url = f"/families/{world.family_a.id}/workers"
    for data in (
        {"primary_worker_id": str(world.worker_b.id)},
        {"primary_worker_id": str(world.worker_a.id), "co_worker_ids": [str(world.worker_b.id)]},
        {"primary_worker_id": str(world.admin.id)},
    ):
        response = client.post(url, data=data)
        assert response.status_code == 200, data
    family = query(app, lambda: db.session.get(Family, world.family_a.id))
    assert family.primary_worker_id == world.worker_a.id
    co_workers = query(app, lambda: [u.id for u in db.session.get(Family, world.family_a.id).co_workers])
    assert co_workers == []


def test_printed_plan_shows_no_moment_of_another_family(world, client, make, foreign):
    make.plan(world.family_a)
    login(client, world.worker_a)
    moment_id = query(app=client.application, fn=lambda: db.session.execute(select(Moment.id)).scalar_one())
    html = client.get(f"/families/{world.family_a.id}/plan/print?lang=en&moment={moment_id}").get_data(as_text=True)
    assert "Bravo moment" not in html


def test_admin_cannot_put_a_user_in_a_team_that_does_not_exist(app, world, client):
    login(client, world.admin)
    data = {"name": "Worker A", "email": world.worker_a.email, "role": "worker", "team_id": "999999", "active": "y"}
    response = client.post(f"/admin/users/{world.worker_a.id}", data=data)
    assert response.status_code == 200
    assert query(app, lambda: db.session.get(User, world.worker_a.id).team_id) == world.team_a.id
    assert query(app, lambda: db.session.get(User, world.worker_a.id).role) == Role.WORKER
