"""The expected course of a goal: how goals that started at a similar score went on, week by week.

Like the expected-treatment-response zones of outcome feedback (Lambert; OpenFIT), but for personal 0-10 goals:
from the organisation's own goals (ended ones included), grouped by start score band and weeks since the goal
began, the median change and its 25th and 10th percentiles. A group with fewer than `min_group` goals borrows
from its neighbours (the weeks either side, then every start band); where even that is too few there is no
course, and the signals fall back to reliable change alone. Pure: built from plain numbers, stored as JSON.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

# Start score bands: a goal that starts at 2 has more room to grow than one that starts at 7.
BANDS: tuple[tuple[int, int], ...] = ((0, 3), (4, 6), (7, 10))
# Weeks since the goal began: narrow at first, when most of the change happens, wider later.
WEEK_EDGES: tuple[int, ...] = (0, 4, 8, 12, 18, 26, 39, 52, 78, 104)
MIN_GROUP = 30


class Pooling:
    """How far a group had to borrow to have enough goals; named in the signal's reason."""

    OWN = "own"
    NEAR_WEEKS = "near_weeks"
    ALL_STARTS = "all_starts"
    ALL_STARTS_NEAR_WEEKS = "all_starts_near_weeks"

    labels = {
        OWN: _l("goals that started in the same range, at the same point"),
        NEAR_WEEKS: _l("goals that started in the same range, a few weeks either side"),
        ALL_STARTS: _l("goals from every starting score, at the same point"),
        ALL_STARTS_NEAR_WEEKS: _l("goals from every starting score, a few weeks either side"),
    }


def band_of(start: float) -> int:
    for index, (low, high) in enumerate(BANDS):
        if start <= high:
            return index if start >= low else 0
    return len(BANDS) - 1


def bucket_of(weeks: float) -> int:
    return max(0, bisect_right(WEEK_EDGES, weeks) - 1)


def bucket_middle(index: int) -> float:
    """The week a bucket stands for when the band is drawn; the last, open-ended one a quarter past its edge."""
    if index + 1 < len(WEEK_EDGES):
        return (WEEK_EDGES[index] + WEEK_EDGES[index + 1]) / 2
    return WEEK_EDGES[index] * 1.25


_MIDDLES = tuple(bucket_middle(index) for index in range(len(WEEK_EDGES)))


def percentile(ordered: Sequence[float], share: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default), of sorted values."""
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Cell:
    """The change from the start score, at one band and bucket: 10th, 25th and 50th percentile."""

    p10: float
    p25: float
    p50: float
    goals: int
    pooling: str


class Expected(NamedTuple):
    """Where a goal could be by now, in scores (start plus change, kept within 0-10); a named tuple for the
    reason GoalFacts is one."""

    p10: float
    p25: float
    p50: float
    goals: int
    pooling: str


@dataclass(frozen=True)
class Course:
    cells: dict[tuple[int, int], Cell]
    goals: int  # goals the course was built from
    min_group: int = MIN_GROUP

    def expected(self, start: float, weeks: float) -> Expected | None:
        """The expected score of a goal that started at `start`, `weeks` after it began; None without a course.

        Between the middles of two buckets the percentiles are interpolated, so the band is a line, not steps.
        """
        band = band_of(start)
        bucket = bucket_of(weeks)
        here = self.cells.get((band, bucket))
        if here is None:
            return None
        # Written out rather than looped: a team's list asks this of every goal on every request.
        middle = _MIDDLES[bucket]
        other = bucket + 1 if weeks > middle else bucket - 1
        neighbour = self.cells.get((band, other)) if 0 <= other < len(_MIDDLES) else None
        p10, p25, p50 = here.p10, here.p25, here.p50
        if neighbour is not None:
            weight = min(1.0, abs(weeks - middle) / abs(_MIDDLES[other] - middle))
            p10 += (neighbour.p10 - p10) * weight
            p25 += (neighbour.p25 - p25) * weight
            p50 += (neighbour.p50 - p50) * weight
        return Expected(
            min(10.0, max(0.0, start + p10)),
            min(10.0, max(0.0, start + p25)),
            min(10.0, max(0.0, start + p50)),
            here.goals,
            here.pooling,
        )

    def to_json(self) -> dict:
        return {
            "goals": self.goals,
            "min_group": self.min_group,
            "cells": [
                [band, bucket, c.p10, c.p25, c.p50, c.goals, c.pooling] for (band, bucket), c in self.cells.items()
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> Course:
        cells = {
            (band, bucket): Cell(p10, p25, p50, goals, pooling)
            for band, bucket, p10, p25, p50, goals, pooling in data["cells"]
        }
        return cls(cells=cells, goals=data["goals"], min_group=data["min_group"])


def _smooth(values: dict[int, float]) -> dict[int, float]:
    """A 1-2-1 running mean over neighbouring buckets: one group's quirk does not bend the whole band."""
    smoothed = {}
    for bucket, value in values.items():
        total, weight = 2 * value, 2
        for other in (bucket - 1, bucket + 1):
            if other in values:
                total += values[other]
                weight += 1
        smoothed[bucket] = total / weight
    return smoothed


def build_course(goals: Iterable[tuple[float, Sequence[tuple[float, float]]]], min_group: int = MIN_GROUP) -> Course:
    """The course from (start score, [(weeks since the goal began, score), ...]) per goal.

    Each goal counts once per bucket, with its last score in it, so a goal scored weekly weighs no more than one
    scored monthly.
    """
    changes: dict[tuple[int, int], list[float]] = defaultdict(list)
    count = 0
    for start, points in goals:
        last_in_bucket: dict[int, float] = {}
        for weeks, score in sorted(points):
            if weeks >= 0:
                last_in_bucket[bucket_of(weeks)] = score - start
        if last_in_bucket:
            count += 1
        band = band_of(start)
        for bucket, change in last_in_bucket.items():
            changes[(band, bucket)].append(change)

    buckets = range(len(WEEK_EDGES))
    raw: dict[tuple[int, int], tuple[list[float], str]] = {}
    for band in range(len(BANDS)):
        for bucket in buckets:
            near = [bucket - 1, bucket, bucket + 1]
            candidates = (
                (changes.get((band, bucket), []), Pooling.OWN),
                ([c for b in near for c in changes.get((band, b), [])], Pooling.NEAR_WEEKS),
                ([c for o in range(len(BANDS)) for c in changes.get((o, bucket), [])], Pooling.ALL_STARTS),
                (
                    [c for o in range(len(BANDS)) for b in near for c in changes.get((o, b), [])],
                    Pooling.ALL_STARTS_NEAR_WEEKS,
                ),
            )
            for values, pooling in candidates:
                if len(values) >= min_group:
                    raw[(band, bucket)] = (sorted(values), pooling)
                    break

    cells: dict[tuple[int, int], Cell] = {}
    for band in range(len(BANDS)):
        present = {bucket: raw[(band, bucket)] for bucket in buckets if (band, bucket) in raw}
        if not present:
            continue
        smoothed = {
            share: _smooth({bucket: percentile(values, share) for bucket, (values, _p) in present.items()})
            for share in (0.10, 0.25, 0.50)
        }
        for bucket, (values, pooling) in present.items():
            p10, p25, p50 = smoothed[0.10][bucket], smoothed[0.25][bucket], smoothed[0.50][bucket]
            p25, p50 = max(p25, p10), max(p50, p25, p10)  # smoothing never crosses the lines
            cells[(band, bucket)] = Cell(round(p10, 3), round(p25, 3), round(p50, 3), len(values), pooling)
    return Course(cells=cells, goals=count, min_group=min_group)
