"""The stored goal facts follow every change to the scores that count, so the lists' signals never go stale."""

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import CareSession, GoalProgress
from app.services import goal_progress
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import session_form


def stored(app, family_id):
    return query(
        app,
        lambda: {
            row.goal_key: (row.worker_latest, row.worker_count, row.parent_first, row.parent_latest, row.pair_on)
            for row in db.session.execute(select(GoalProgress).where(GoalProgress.family_id == family_id)).scalars()
        },
    )


def rebuilt(app, family_id):
    def run():
        goal_progress.rebuild_all()
        db.session.flush()
        result = {
            row.goal_key: (row.worker_latest, row.worker_count, row.parent_first, row.parent_latest, row.pair_on)
            for row in db.session.execute(select(GoalProgress).where(GoalProgress.family_id == family_id)).scalars()
        }
        db.session.rollback()
        return result

    return query(app, run)


def test_saving_editing_trashing_and_restoring_a_session_keep_the_facts(app, world, worker_client, make):
    family = world.family_a
    plan = make.plan(family, goals=[("Calm bedtimes", 3, 8)])
    key = plan.goals[0].key
    make.care_session(family, held_on=date.today() - timedelta(days=14))
    make.score(family, plan.goals[0], date.today() - timedelta(days=14), 4, 5)
    url = f"/families/{family.id}/sessions/new"
    scores = {"scores-0-goal_key": key, "scores-0-worker_score": "7", "scores-0-parent_score": "6"}
    assert worker_client.post(url, data=session_form(**scores)).status_code == 302
    assert stored(app, family.id) == {key: (7, 2, 5, 6, date.today())} == rebuilt(app, family.id)

    session_id = query(app, lambda: db.session.execute(select(CareSession.id).order_by(CareSession.id.desc())).scalar())
    edit = f"/families/{family.id}/sessions/{session_id}/edit"
    blank = {"scores-0-goal_key": key, "scores-0-worker_score": "", "scores-0-parent_score": ""}
    assert worker_client.post(edit, data=session_form(version="1", **blank)).status_code == 302
    assert stored(app, family.id) == {key: (4, 1, 5, 5, date.today() - timedelta(days=14))} == rebuilt(app, family.id)

    assert worker_client.post(edit, data=session_form(version="2", **scores)).status_code == 302
    assert worker_client.post(f"/families/{family.id}/sessions/{session_id}/delete").status_code == 302
    assert stored(app, family.id)[key][:2] == (4, 1)  # the trashed session's scores no longer count

    lead = app.test_client()
    login(lead, world.lead_a)
    assert lead.post(f"/families/{family.id}/sessions/{session_id}/restore").status_code == 302
    assert stored(app, family.id)[key][:2] == (7, 2) == rebuilt(app, family.id)[key][:2]


def test_a_goal_without_scores_has_no_facts(app, world, make):
    family = world.family_a
    make.plan(family, goals=[("Calm bedtimes", 3, 8)])
    assert stored(app, family.id) == {}
