"""The error of measurement and reliable change, on synthetic goals whose noise is known."""

import random

import pytest

from app.outcomes.assess import Change, classify
from app.outcomes.measurement import estimate_sem, reliable_threshold


def noisy_goal(rng, sem, scores, *, slope=None):
    """Whole-point scores, kept within 0-10, around a straight course of a goal that started between 3 and 6."""
    level = rng.uniform(3, 6)
    slope = rng.uniform(-0.1, 0.25) if slope is None else slope
    weeks = [2.0 * n for n in range(scores)]
    return [(w, max(0, min(10, round(level + slope * w + rng.gauss(0, sem))))) for w in weeks], level


@pytest.mark.parametrize("truth", [0.8, 1.0, 1.2])
def test_the_estimate_lands_within_ten_percent_of_the_truth(truth):
    rng = random.Random(17)
    goals = [[noisy_goal(rng, truth, 6)[0]] for _ in range(200)]
    estimate = estimate_sem(goals)
    assert estimate.estimated
    assert abs(estimate.sem - truth) / truth < 0.10, estimate


def test_same_day_differences_agree_with_the_trend_estimate():
    rng = random.Random(5)
    differences = []
    for _ in range(200):
        bias = rng.choice([-1, 0, 1])  # a parent who always scores a point lower counts as no error
        differences.append([round(rng.gauss(0, 1.0)) - round(rng.gauss(0, 1.0)) + bias for _ in range(6)])
    estimate = estimate_sem([], differences, min_goals=0)
    assert abs(estimate.pair_sem - 1.0) < 0.1


def test_the_prior_holds_until_enough_goals_have_enough_scores():
    rng = random.Random(3)
    few = [[noisy_goal(rng, 0.5, 6)[0]] for _ in range(49)] + [[noisy_goal(rng, 0.5, 3)[0]] for _ in range(100)]
    estimate = estimate_sem(few, prior=1.0, min_goals=50, min_scores=4)
    assert not estimate.estimated and estimate.sem == 1.0 and estimate.goals == 49
    assert estimate.trend_sem is not None  # what the data says so far is still reported
    more = few + [[noisy_goal(rng, 0.5, 4)[0]]]
    assert estimate_sem(more, prior=1.0, min_goals=50, min_scores=4).estimated


@pytest.mark.parametrize(("sem", "threshold"), [(0.5, 2), (0.8, 3), (1.0, 3), (1.2, 4), (1.5, 5), (0.1, 1)])
def test_the_threshold_is_rounded_up_to_whole_points(sem, threshold):
    assert reliable_threshold(sem) == threshold


def test_reliably_worse_fires_on_at_most_five_percent_of_flat_noisy_goals(capsys):
    """1,000 goals that do not change at all, 8 scores each with an error of 1.0, the start score one of them."""
    rng = random.Random(2026)
    new_rule = old_rule = 0
    goals = []
    for _ in range(1000):
        level = rng.uniform(3, 7)
        scores = [max(0, min(10, round(level + rng.gauss(0, 1.0)))) for _ in range(9)]
        goals.append(scores)
    estimate = estimate_sem([[[(2.0 * n, s) for n, s in enumerate(g[1:])]] for g in goals])
    threshold = reliable_threshold(estimate.sem)
    for start, *scores in goals:
        if classify(start, scores[-1], 10, threshold) == Change.WORSE:
            new_rule += 1
        # The rule it replaces: the last three scores each went down, or the latest 2 or more below the start.
        if scores[-1] < scores[-2] < scores[-3] or start - scores[-1] >= 2:
            old_rule += 1
    with capsys.disabled():
        print(f"\nflat noisy goals flagged worse: new rule {new_rule / 10:.1f}%, old rule {old_rule / 10:.1f}%")
    assert threshold == 3
    assert new_rule <= 50
    assert old_rule > new_rule


@pytest.mark.parametrize(
    ("start", "latest", "target", "change"),
    [
        (5, 8, 9, Change.BETTER),
        (5, 9, 9, Change.REACHED),
        (5, 7, 7, Change.NONE),
        (5, 2, 9, Change.WORSE),
        (5, 3, 9, Change.NONE),
    ],
)
def test_classify(start, latest, target, change):
    """Reached needs a reliable change too: from 5 to a target of 7 is within the error."""
    assert classify(start, latest, target, 3) == change
