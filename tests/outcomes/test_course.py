"""The expected course from goals like it, its pooling when groups are small, and the fallback without one."""

import random

from app.outcomes.course import MIN_GROUP, Course, Pooling, build_course


def improving_goals(rng, n, start, gain_per_week=0.1, weeks=(0, 6, 14, 30)):
    return [
        (start, [(w + rng.uniform(0, 1), start + gain_per_week * w + rng.gauss(0, 1)) for w in weeks]) for _ in range(n)
    ]


def test_median_and_percentiles_follow_the_goals():
    rng = random.Random(1)
    course = build_course(improving_goals(rng, 200, 3))
    at_30 = course.expected(3, 30.5)
    assert at_30 is not None and at_30.pooling == Pooling.OWN
    assert 5.3 < at_30.p50 < 6.7  # 3 + 0.1 x 30 = 6, give or take the error and the smoothing
    assert at_30.p10 < at_30.p25 < at_30.p50
    early = course.expected(3, 1)
    assert early.p50 < at_30.p50


def test_small_groups_borrow_and_then_there_is_no_course():
    rng = random.Random(2)
    few = improving_goals(rng, 12, 8) + improving_goals(rng, 25, 2)
    course = build_course(few)
    high = course.expected(8, 14.5)
    assert high is not None and high.pooling == Pooling.ALL_STARTS  # 12 + 25 goals at this point
    assert build_course(improving_goals(rng, MIN_GROUP - 1, 5, weeks=(0,))).expected(5, 0.5) is None
    assert Course(cells={}, goals=0).expected(5, 3) is None


def test_the_course_survives_its_json():
    rng = random.Random(3)
    course = build_course(improving_goals(rng, 80, 5))
    again = Course.from_json(course.to_json())
    assert again.expected(5, 10) == course.expected(5, 10)
