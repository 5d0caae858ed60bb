"""The organisation's outcome model: from its own scores, the prior until there are enough, kept for a day."""

import random
from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.models import OutcomeModelRow
from app.services import outcome_model
from tests.helpers.db import query


def scored_goals(make, world, goals, scores, sem=1.0, seed=1):
    rng = random.Random(seed)
    for n in range(goals):
        family = make.family(world.team_a, world.worker_a, display_name=f"Family {n}")
        plan = make.plan(family, goals=[("Calm bedtimes", 4, 8)])
        for k in range(scores):
            session = make.care_session(family, held_on=date(2026, 1, 1) + timedelta(days=14 * k))
            value = round(4 + 0.1 * 2 * k + rng.gauss(0, sem))
            make.score(family, plan.goals[0], session.held_on, max(0, min(10, value)), session_id=session.id)


def model(app):
    def run():
        with app.test_request_context():
            found = outcome_model.current()
            db.session.commit()
            return found

    return query(app, run)


def test_the_prior_until_fifty_goals_have_four_scores(app, world, make):
    scored_goals(make, world, 10, 4)
    found = model(app)
    assert not found.sem.estimated and found.sem.sem == 1.0 and found.sem.goals == 10 and found.threshold == 3
    assert found.course is None  # ten goals draw no course


def test_estimated_from_the_organisations_scores(app, world, make):
    scored_goals(make, world, 60, 5, sem=1.0)
    found = model(app)
    assert found.sem.estimated and found.sem.goals == 60
    assert 0.75 < found.sem.sem < 1.25  # 60 goals: a rough estimate, but the truth is in it
    assert found.course is not None and found.course.expected(4, 1) is not None


def test_kept_for_a_day_then_worked_out_again(app, world, make):
    scored_goals(make, world, 3, 4)
    with time_machine.travel(datetime(2026, 12, 1, 8, tzinfo=UTC), tick=False):
        first = model(app)
    with time_machine.travel(datetime(2026, 12, 1, 20, tzinfo=UTC), tick=False):
        assert model(app).computed_at == first.computed_at
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=UTC), tick=False):
        assert model(app).computed_at > first.computed_at
    assert query(app, lambda: db.session.execute(select(func.count(OutcomeModelRow.id))).scalar_one()) == 1
