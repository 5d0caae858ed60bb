"""The backtest replays ended goals as the signals would have seen them, fitted on the other half of families."""

import random
from datetime import date, timedelta

from app.outcomes.assess import Scoring
from app.outcomes.backtest import GoalHistory, backtest, old_rule


def goal(family_id, start, target, workers, ended=True):
    readings = [Scoring(date(2026, 1, 1) + timedelta(days=14 * n), w, None) for n, w in enumerate(workers)]
    return GoalHistory(family_id, start, target, readings, ended=ended, reached=workers[-1] >= target)


def test_the_old_rule():
    assert old_rule(5, [6, 5, 4]) and old_rule(5, [3]) and not old_rule(5, [6, 5, 5]) and not old_rule(5, [4])


def test_a_warning_counts_only_two_scorings_before_the_end():
    """With the prior (threshold 3) and no course: a fall of 3 at the second-last scoring is too late."""
    late = goal(1, 5, 8, [5, 5, 5, 5, 2, 2])
    early = goal(3, 5, 8, [5, 2, 2, 2, 2, 2])
    reached = goal(5, 5, 8, [5, 2, 6, 8, 8, 9])  # a dip on the way: a false alarm of the new rule too
    result = backtest([late, early, reached], folds=1, min_goals=50)
    assert result.not_reached.goals == 2 and result.reached.goals == 1
    assert result.not_reached.flagged["new_red"] == 1  # the early one only
    assert result.not_reached.flagged["old"] == 1  # the old rule too: the late fall came too late for both
    assert result.reached.flagged == {"old": 1, "new_red": 1, "new_course": 1, "new_all": 1}
    assert not result.folds[0].sem.estimated and result.folds[0].course is None


def test_goals_are_judged_by_a_model_fitted_on_the_other_families():
    rng = random.Random(4)
    goals = []
    for family_id in range(400):
        start = rng.randint(2, 5)
        rate = rng.choice([0.3, 0.3, 0.0, -0.2])
        workers = [max(0, min(10, round(start + rate * n + rng.gauss(0, 1)))) for n in range(10)]
        goals.append(goal(family_id, start, start + 3, workers, ended=family_id % 5 == 0))
    result = backtest(goals)
    assert len(result.folds) == 2 and all(m.sem.estimated and m.course is not None for m in result.folds)
    assert result.not_reached.goals + result.reached.goals + result.skipped == 80
    assert result.not_reached.share("new_course") > result.reached.share("new_course")
