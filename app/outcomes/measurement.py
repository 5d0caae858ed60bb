"""How much of a change in a 0-10 goal score is more than measurement error (Jacobson & Truax, 1991).

Pure functions over plain numbers, so the synthetic tests can feed them known noise. Written out here rather than
taken from numpy or statsmodels: the arithmetic is a few sums, and the app does not otherwise need either.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Scores are whole points: rounding adds a uniform error of variance 1/12 to every score. Sheppard's correction
# takes it out again, so the estimate is the error of the rating itself, not of writing it down as a whole number.
ROUNDING_VARIANCE = 1 / 12
Z_95 = 1.96


@dataclass(frozen=True)
class SemEstimate:
    """The standard error of measurement of one score, and where it came from."""

    sem: float
    estimated: bool  # False: the configured prior, because there were not enough scored goals yet
    goals: int  # goals with enough scores that went into the estimate
    needed: int  # goals needed before the estimate replaces the prior
    trend_sem: float | None = None  # from each goal's scores around its own straight line
    pair_sem: float | None = None  # from the same-day differences between the worker's and the parent's score


def _trend_residuals(points: Sequence[tuple[float, float]]) -> tuple[float, int] | None:
    """The residual sum of squares of a straight line through (x, y) and its degrees of freedom (n - 2)."""
    n = len(points)
    if n < 3:
        return None
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    syy = sum((y - mean_y) ** 2 for _, y in points)
    return max(0.0, syy - sxy * sxy / sxx), n - 2


def _centred_squares(values: Sequence[float]) -> tuple[float, int] | None:
    """Sum of squares around the mean and its degrees of freedom (n - 1): a rater's steady difference drops out."""
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    return sum((v - mean) ** 2 for v in values), n - 1


def estimate_sem(
    goals: Iterable[Sequence[Sequence[tuple[float, float]]]],
    differences: Iterable[Sequence[float]] = (),
    *,
    prior: float = 1.0,
    min_goals: int = 50,
    min_scores: int = 4,
) -> SemEstimate:
    """The SEM of a 0-10 score from the organisation's own history.

    `goals`: per goal, per rater, (weeks since the goal began, score). A goal's scores scatter around its own
    course; the spread around a straight line through them, pooled over goals, is the error of one score (the
    course is not always straight, so this errs on the side of a larger error, and fewer signals).
    `differences`: per goal, the worker's minus the parent's score on the days both scored. Each difference holds
    two errors, so its spread around the goal's own mean difference is sqrt(2) x SEM.
    Below `min_goals` goals with `min_scores` scores (by one rater at least) the prior stays in force.
    """
    trend_ss = trend_df = 0.0
    counted = 0
    for raters in goals:
        used = False
        for points in raters:
            if len(points) < min_scores:
                continue
            fitted = _trend_residuals(points)
            if fitted is None:
                continue
            used = True
            trend_ss += fitted[0]
            trend_df += fitted[1]
        counted += used
    pair_ss = pair_df = 0.0
    for values in differences:
        fitted = _centred_squares(values)
        if fitted is not None:
            pair_ss += fitted[0] / 2  # back to one score's error
            pair_df += fitted[1]

    def corrected(ss: float, df: float) -> float | None:
        return math.sqrt(max(0.0, ss / df - ROUNDING_VARIANCE)) if df else None

    trend_sem, pair_sem = corrected(trend_ss, trend_df), corrected(pair_ss, pair_df)
    if counted < min_goals:
        return SemEstimate(prior, False, counted, min_goals, trend_sem, pair_sem)
    sem = corrected(trend_ss + pair_ss, trend_df + pair_df) or prior
    return SemEstimate(sem, True, counted, min_goals, trend_sem, pair_sem)


def reliable_threshold(sem: float) -> int:
    """The smallest whole-point change that is more than chance: 1.96 x sqrt(2) x SEM, rounded up (at least 1)."""
    raw = Z_95 * math.sqrt(2) * sem
    return max(1, math.ceil(raw - 1e-9))
