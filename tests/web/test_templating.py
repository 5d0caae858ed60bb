"""Template helpers that draw: the sparkline on the family lists."""

from app.web.templating import sparkline_points


def test_a_sparkline_runs_left_to_right_with_high_scores_at_the_top():
    points = [tuple(map(float, p.split(","))) for p in sparkline_points([0, 5, 10], width=80, height=24).split()]
    assert points == [(0.0, 22.0), (40.0, 12.0), (80.0, 2.0)]


def test_one_score_draws_no_line():
    assert sparkline_points([6.5], width=80, height=24) == ""
