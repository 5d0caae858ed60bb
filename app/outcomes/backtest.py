"""Would the signals have warned in time? Replay each ended goal's scores and compare the old rule with the new.

For goals that ended not reached: the share flagged at least two scorings before the end (sensitivity). For goals
that ended reached: the share ever flagged (false alarms). Two folds by family: the model (error of measurement,
expected course) is fitted on one half of the families and judges the other, so no goal is judged by a course it
helped to draw. Pure: `flask progress-backtest` (app.cli) loads the goals and prints the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from app.outcomes.assess import Change, CourseLevel, OutcomeModel, Scoring, assess, facts_from_readings
from app.outcomes.course import MIN_GROUP, build_course
from app.outcomes.measurement import estimate_sem, reliable_threshold

OLD_DROP = 2  # the rule it replaces: the last three scores each went down, or the latest 2 or more below the start


@dataclass(frozen=True)
class GoalHistory:
    family_id: int
    start: int
    target: int
    readings: Sequence[Scoring]  # in date order
    review_on: date | None = None
    ended: bool = False  # the help ended, or the goal was marked achieved or stopped
    reached: bool = False  # its last worker's score is at or above the target


def old_rule(start: int, workers: Sequence[int]) -> bool:
    last3 = workers[-3:]
    falls = len(last3) == 3 and last3[0] > last3[1] > last3[2]
    return falls or start - workers[-1] >= OLD_DROP


RULES = ("old", "new_red", "new_course", "new_all")


def new_flags(goal: GoalHistory, upto: int, model: OutcomeModel) -> tuple[bool, bool, bool]:
    """(the red rules; red or orange; every new rule, with the review date) at scoring number `upto` (1-based)."""
    readings = goal.readings[:upto]
    facts = facts_from_readings("", "", goal.start, goal.target, readings)
    judged = assess(facts, model, readings[-1].on, goal.review_on)
    red = judged.worker == Change.WORSE or judged.course == CourseLevel.FAR_BELOW
    course = red or judged.course == CourseLevel.BELOW
    return red, course, course or judged.review_unmet


def fit(goals: Sequence[GoalHistory], *, prior: float = 1.0, min_goals: int = 50, min_group: int = MIN_GROUP):
    """The model from these goals, as app.services.outcome_model builds it (weeks since the first scoring)."""
    series = []
    course_input = []
    differences = []
    for goal in goals:
        if not goal.readings:
            continue
        began = goal.readings[0].on
        worker = [((r.on - began).days / 7, r.worker) for r in goal.readings if r.worker is not None]
        parent = [((r.on - began).days / 7, r.parent) for r in goal.readings if r.parent is not None]
        series.append([worker, parent])
        course_input.append((goal.start, worker))
        differences.append(
            [r.worker - r.parent for r in goal.readings if r.worker is not None and r.parent is not None]
        )
    sem = estimate_sem(series, differences, prior=prior, min_goals=min_goals)
    course = build_course(course_input, min_group=min_group)
    return OutcomeModel(sem=sem, threshold=reliable_threshold(sem.sem), course=course if course.cells else None)


@dataclass
class Tally:
    goals: int = 0
    flagged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))

    def share(self, rule: str) -> float | None:
        return self.flagged[rule] / self.goals if self.goals else None


@dataclass
class Result:
    not_reached: Tally = field(default_factory=Tally)  # flagged two scorings or more before the end
    reached: Tally = field(default_factory=Tally)  # ever flagged
    folds: list[OutcomeModel] = field(default_factory=list)
    skipped: int = 0  # ended goals with fewer than three worker's scores: nothing to replay


def backtest(goals: Sequence[GoalHistory], *, folds: int = 2, **fit_options) -> Result:
    result = Result()
    for fold in range(folds):
        train = [g for g in goals if g.family_id % folds != fold]
        test = [g for g in goals if g.family_id % folds == fold and g.ended]
        model = fit(train, **fit_options)
        result.folds.append(model)
        for goal in test:
            workers = [r.worker for r in goal.readings if r.worker is not None]
            if len(workers) < 3:
                result.skipped += 1
                continue
            scored = [n + 1 for n, r in enumerate(goal.readings) if r.worker is not None]
            # Not reached: a warning in time leaves two scorings after it; reached: any warning is a false alarm.
            last = len(scored) - 2 if not goal.reached else len(scored)
            hits = dict.fromkeys(RULES, False)
            for index, upto in enumerate(scored[:last]):
                hits["old"] = hits["old"] or old_rule(goal.start, workers[: index + 1])
                for rule, hit in zip(RULES[1:], new_flags(goal, upto, model), strict=True):
                    hits[rule] = hits[rule] or hit
            tally = result.reached if goal.reached else result.not_reached
            tally.goals += 1
            for rule, hit in hits.items():
                tally.flagged[rule] += hit
    return result
