"""`flask outcome-model` and `flask progress-backtest`: the statistics behind the goal signals (docs/signals.md)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db


def _describe(model) -> list[str]:
    sem = model.sem
    source = (
        f"estimated from {sem.goals} goals with enough scores"
        if sem.estimated
        else f"the prior (only {sem.goals} of the {sem.needed} goals needed have enough scores)"
    )
    lines = [f"error of measurement (SEM): {sem.sem:.2f}, {source}"]
    if sem.trend_sem is not None or sem.pair_sem is not None:
        trend = "-" if sem.trend_sem is None else f"{sem.trend_sem:.2f}"
        pair = "-" if sem.pair_sem is None else f"{sem.pair_sem:.2f}"
        lines.append(f"  around each goal's own trend: {trend}; from same-day worker/parent differences: {pair}")
    lines.append(f"reliable change: {model.threshold} points or more (1.96 x sqrt(2) x SEM, rounded up)")
    if model.course is None:
        lines.append("expected course: none yet (too few goals): the signals use reliable change alone")
    else:
        lines.append(f"expected course: from {model.course.goals} goals, {len(model.course.cells)} groups")
    return lines


@click.command("outcome-model")
@click.option("--rebuild-progress", is_flag=True, help="Also work out every goal's stored facts from the scores.")
@with_appcontext
def outcome_model_command(rebuild_progress: bool) -> None:
    """Work out the outcome model again now from the score history, and print it."""
    from app.services import goal_progress, outcome_model

    if rebuild_progress:
        click.echo(f"goal facts: {goal_progress.rebuild_all()} goals")
    model = outcome_model.refresh()
    db.session.commit()
    for line in _describe(model):
        click.echo(line)


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.0f}%"


@click.command("progress-backtest")
@with_appcontext
def progress_backtest_command() -> None:
    """Replay every ended goal: would the old rule and the new have warned in time, and how often falsely?"""
    from app.outcomes.backtest import backtest
    from app.services.outcome_model import goal_histories

    config = current_app.config
    result = backtest(
        goal_histories(),
        prior=config["OUTCOME_SEM_PRIOR"],
        min_goals=config["OUTCOME_MIN_GOALS"],
        min_group=config["OUTCOME_COURSE_MIN_GROUP"],
    )
    for number, model in enumerate(result.folds, start=1):
        click.echo(f"fold {number}, fitted on the other families:")
        for line in _describe(model):
            click.echo(f"  {line}")
    missed, reached = result.not_reached, result.reached
    click.echo(
        f"ended goals: {missed.goals} not reached, {reached.goals} reached ({result.skipped} with under 3 scores)"
    )
    click.echo(f"{'rule':<48} {'sensitivity':>12} {'false alarms':>13}")
    names = {
        "old": "old: three falls, or 2 below the start",
        "new_red": "new, red: reliably worse or far off course",
        "new_course": "new, red or orange (below the expected course)",
        "new_all": "new, all: red, orange or no progress by review",
    }
    for rule, name in names.items():
        click.echo(f"{name:<48} {_percent(missed.share(rule)):>12} {_percent(reached.share(rule)):>13}")
    click.echo(
        "sensitivity: not reached, flagged two scorings or more before the end; false alarms: reached, ever flagged"
    )
