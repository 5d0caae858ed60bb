"""One goal, judged against its start and against the course of similar goals: the rules behind the signals.

Pure: the lists feed it facts aggregated in SQL, the family page facts taken from the full score series
(`facts_from_readings`), so both say the same. docs/signals.md explains the method and its sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from app.models.enums import LabelledEnum
from app.outcomes.course import Course, Expected
from app.outcomes.measurement import SemEstimate


class Change(LabelledEnum):
    BETTER = "better"
    NONE = "none"
    WORSE = "worse"
    REACHED = "reached"


Change.labels = {
    Change.BETTER: _l("Reliably better"),
    Change.NONE: _l("No reliable change"),
    Change.WORSE: _l("Reliably worse"),
    Change.REACHED: _l("Reached"),
}


class CourseLevel(LabelledEnum):
    ON = "on"  # at or above the 25th percentile of similar goals
    BELOW = "below"  # below the 25th percentile: orange
    FAR_BELOW = "far_below"  # below the 10th, after enough scores and weeks: red


CourseLevel.labels = {
    CourseLevel.ON: _l("On course"),
    CourseLevel.BELOW: _l("Below the expected course"),
    CourseLevel.FAR_BELOW: _l("Far below the expected course"),
}


@dataclass(frozen=True)
class OutcomeModel:
    """What the organisation's history says about one score: its error, the change that counts, the course."""

    sem: SemEstimate
    threshold: int
    course: Course | None
    computed_at: datetime | None = None
    red_min_scores: int = 3
    red_min_weeks: int = 4
    # Orange waits for a second score two weeks on: a first score says where a goal starts, not where it heads,
    # and against the first weeks' course (a change of about 0) one point under the start would already count.
    orange_min_scores: int = 2
    orange_min_weeks: int = 2


class GoalFacts(NamedTuple):
    """What the rules need of one goal: its start and target, and per rater the first and latest score.

    GoalFacts and Assessment are named tuples, not frozen dataclasses: as immutable, and a team's list builds
    both for every goal on every request, where a frozen dataclass's __init__ cost three times as much."""

    key: str
    title: str
    start: int
    target: int
    began_on: date | None  # the goal's first scoring
    worker_latest: int | None = None
    worker_latest_on: date | None = None
    worker_count: int = 0
    parent_first: int | None = None
    parent_latest: int | None = None
    parent_count: int = 0
    pair_on: date | None = None  # the latest scoring where both scored, and their two scores
    pair_worker: int | None = None
    pair_parent: int | None = None


class Assessment(NamedTuple):
    facts: GoalFacts
    worker: Change | None  # None: no score yet
    parent: Change | None  # None: fewer than two scores of the parent's own
    weeks: float | None  # of the latest worker's score since the goal began
    expected: Expected | None  # None: no course for this goal (too few similar goals): reliable change alone
    course: CourseLevel | None
    differ: bool  # the latest scoring had the parent and the worker at least the threshold apart
    review_unmet: bool  # the review date has come without reliable progress


def classify(start: int, latest: int, target: int, threshold: int) -> Change:
    change = latest - start
    if change >= threshold:
        return Change.REACHED if latest >= target else Change.BETTER
    if change <= -threshold:
        return Change.WORSE
    return Change.NONE


def assess(facts: GoalFacts, model: OutcomeModel, today: date, review_on: date | None) -> Assessment:
    threshold = model.threshold
    worker = None
    if facts.worker_latest is not None:
        worker = classify(facts.start, facts.worker_latest, facts.target, threshold)
    parent = None
    if facts.parent_count >= 2 and facts.parent_first is not None and facts.parent_latest is not None:
        parent = classify(facts.parent_first, facts.parent_latest, facts.target, threshold)

    weeks = expected = course = None
    if facts.worker_latest is not None and facts.began_on is not None and facts.worker_latest_on is not None:
        weeks = (facts.worker_latest_on - facts.began_on).days / 7
        if model.course is not None:
            expected = model.course.expected(facts.start, weeks)
        if expected is not None:
            course = CourseLevel.ON
            if (
                facts.worker_latest < expected.p25
                and facts.worker_count >= model.orange_min_scores
                and weeks >= model.orange_min_weeks
            ):
                course = CourseLevel.BELOW
            if (
                facts.worker_latest < expected.p10
                and facts.worker_count >= model.red_min_scores
                and weeks >= model.red_min_weeks
            ):
                course = CourseLevel.FAR_BELOW

    differ = (
        facts.pair_worker is not None
        and facts.pair_parent is not None
        and abs(facts.pair_worker - facts.pair_parent) >= threshold
    )
    review_unmet = (
        review_on is not None
        and today >= review_on
        and worker is not None
        and worker not in (Change.BETTER, Change.REACHED)
    )
    return Assessment(facts, worker, parent, weeks, expected, course, differ, review_unmet)


@dataclass(frozen=True)
class Scoring:
    on: date
    worker: int | None
    parent: int | None


def facts_from_readings(key: str, title: str, start: int, target: int, readings: Sequence[Scoring]) -> GoalFacts:
    """The facts of one goal from its scorings in date order (the family page has them all)."""
    workers = [r for r in readings if r.worker is not None]
    parents = [r for r in readings if r.parent is not None]
    pairs = [r for r in readings if r.worker is not None and r.parent is not None]
    return GoalFacts(
        key=key,
        title=title,
        start=start,
        target=target,
        began_on=readings[0].on if readings else None,
        worker_latest=workers[-1].worker if workers else None,
        worker_latest_on=workers[-1].on if workers else None,
        worker_count=len(workers),
        parent_first=parents[0].parent if parents else None,
        parent_latest=parents[-1].parent if parents else None,
        parent_count=len(parents),
        pair_on=pairs[-1].on if pairs else None,
        pair_worker=pairs[-1].worker if pairs else None,
        pair_parent=pairs[-1].parent if pairs else None,
    )


def reliable_since(start: int, readings: Sequence[Scoring], threshold: int) -> Scoring | None:
    """The first worker's scoring from which the change held at the threshold or more (either way), for the
    chart's mark: the latest run of scorings that all stay reliably better, or all reliably worse."""
    workers = [(r, r.worker) for r in readings if r.worker is not None]
    if not workers:
        return None
    last = workers[-1][1] - start
    if abs(last) < threshold:
        return None
    sign = 1 if last > 0 else -1
    first = workers[-1][0]
    for reading, score in reversed(workers):
        if sign * (score - start) >= threshold:
            first = reading
        else:
            break
    return first
