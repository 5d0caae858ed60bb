"""Edge cases found in review of the plans and signals: lost scores, stray keys, 500s."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import CareSession, Goal, GoalScore, GoalStatus, Plan
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import plan_form, session_form


def test_editing_a_session_keeps_scores_of_goals_no_longer_active(app, world, client, make):
    plan = make.plan(world.family_a, goals=[("A", 2, 8), ("B", 3, 9)])
    a, b = (g.key for g in plan.goals)
    login(client, world.worker_a)
    data = session_form(
        **{"scores-0-goal_key": a, "scores-0-worker_score": "5", "scores-1-goal_key": b, "scores-1-worker_score": "6"}
    )
    client.post(f"/families/{world.family_a.id}/sessions/new", data=data)

    def achieve_b():
        db.session.execute(update(Goal).where(Goal.key == b).values(status=GoalStatus.ACHIEVED))
        db.session.commit()

    query(app, achieve_b)
    session_id = query(app, lambda: db.session.execute(select(CareSession.id)).scalar_one())
    edit = f"/families/{world.family_a.id}/sessions/{session_id}/edit"
    client.post(edit, data=session_form(version="1", **{"scores-0-goal_key": a, "scores-0-worker_score": "5"}))
    kept = query(app, lambda: dict(db.session.execute(select(GoalScore.goal_key, GoalScore.worker_score)).all()))
    assert kept == {a: 5, b: 6}


def test_scores_of_trashed_sessions_do_not_count(app, world, client, make):
    plan = make.plan(world.family_a, goals=[("Calm bedtimes", 5, 9)])
    session = make.care_session(world.family_a, deleted_at=datetime.now(UTC))
    make.score(world.family_a, plan.goals[0], date.today(), 0, session_id=session.id)
    login(client, world.worker_a)
    page = client.get(f"/families/{world.family_a.id}/plan/print?lang=en").get_data(as_text=True)
    assert "Now: 0" not in page
    lead = app.test_client()
    login(lead, world.lead_a)
    assert (
        "Family Alpha" not in lead.get("/overview?signal=declining").get_data(as_text=True).split("families-heading")[1]
    )


def test_a_full_plan_does_not_save_on_add_goal(app, world, client):
    login(client, world.worker_a)
    data = plan_form(add_goal="1")
    del data["submit"]
    for n in range(2, 10):
        data[f"goals-{n}-title"] = f"Goal {n}"
        data[f"goals-{n}-start_score"] = "1"
        data[f"goals-{n}-target_score"] = "5"
    html = client.post(f"/families/{world.family_a.id}/plan/edit", data=data).get_data(as_text=True)
    assert "A plan can have at most 10 goals." in html
    assert query(app, lambda: db.session.execute(select(func.count(Plan.id))).scalar_one()) == 0


def test_goal_keys_from_the_form_are_checked(app, world, client, make):
    foreign = make.plan(world.family_b, goals=[("Theirs", 1, 5)])
    login(client, world.worker_a)
    data = plan_form(**{"goals-0-key": "x" * 40, "goals-1-key": foreign.goals[0].key})
    assert client.post(f"/families/{world.family_a.id}/plan/edit", data=data).status_code == 302
    keys = query(
        app,
        lambda: (
            db.session.execute(select(Goal.key).join(Plan).where(Plan.family_id == world.family_a.id)).scalars().all()
        ),
    )
    assert len(set(keys)) == 2 and foreign.goals[0].key not in keys and all(len(k) == 16 for k in keys)


def test_closing_refuses_the_same_goal_twice(app, world, client, make):
    plan = make.plan(world.family_a, goals=[("A", 2, 8), ("B", 3, 9)])
    key = plan.goals[0].key
    login(client, world.worker_a)
    data = {
        "closure_type": "planned",
        "end_date": date.today().isoformat(),
        "scores-0-goal_key": key,
        "scores-0-worker_score": "9",
        "scores-1-goal_key": key,
        "scores-1-worker_score": "1",
    }
    assert client.post(f"/families/{world.family_a.id}/close", data=data).status_code == 400
    assert query(app, lambda: db.session.execute(select(func.count(GoalScore.id))).scalar_one()) == 0


def test_odd_print_parameters_answer_404_not_500(world, client, make):
    make.plan(world.family_a)
    login(client, world.worker_a)
    base = f"/families/{world.family_a.id}/plan/print"
    assert client.get(f"{base}?version=99999999999999999999").status_code == 404
    assert client.get(f"{base}?version=abc").status_code == 404
    assert client.get(f"{base}?moment=99999999999999999999&moment=x").status_code == 200
