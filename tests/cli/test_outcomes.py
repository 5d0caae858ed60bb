"""flask outcome-model and flask progress-backtest print what the signals rest on."""

from datetime import date, timedelta

from app.models import FamilyStatus


def test_outcome_model_says_where_its_numbers_come_from(app, world, make):
    plan = make.plan(world.family_a, goals=[("Calm bedtimes", 4, 8)])
    for n, score in enumerate([4, 5, 5, 6]):
        session = make.care_session(world.family_a, held_on=date(2026, 1, 1) + timedelta(days=14 * n))
        make.score(world.family_a, plan.goals[0], session.held_on, score, session_id=session.id)
    result = app.test_cli_runner().invoke(args=["outcome-model", "--rebuild-progress"])
    assert result.exit_code == 0, result.output
    assert "goal facts: 1 goals" in result.output
    assert "SEM): 1.00, the prior (only 1 of the 50 goals needed have enough scores)" in result.output
    assert "reliable change: 3 points or more" in result.output
    assert "expected course: none yet (too few goals)" in result.output


def test_progress_backtest_replays_the_ended_goals(app, world, make):
    closed = make.family(world.team_a, world.worker_a, status=FamilyStatus.CLOSED)
    plan = make.plan(closed, goals=[("Calm bedtimes", 5, 8)])
    for n, score in enumerate([5, 2, 2, 2, 2]):
        session = make.care_session(closed, held_on=date(2026, 1, 1) + timedelta(days=14 * n))
        make.score(closed, plan.goals[0], session.held_on, score, session_id=session.id)
    result = app.test_cli_runner().invoke(args=["progress-backtest"])
    assert result.exit_code == 0, result.output
    assert "ended goals: 1 not reached, 0 reached" in result.output
    assert "new, red: reliably worse or far off course" in result.output
    assert "100%" in result.output  # fell 3 at its second scoring: flagged in time by both rules
