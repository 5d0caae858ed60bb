"""The progress charts' data for a known history: exact series, the trash left out, one family only, few queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.charts import family as family_charts
from app.extensions import db
from app.models import (
    CareSession,
    GoalStatus,
    MomentKind,
    MomentTag,
    Plan,
    Severity,
    StressItem,
    StressKind,
    StressStatus,
    StressUpdate,
)
from app.services import outcome_model, progress
from app.services.progress import ScorePoint, ScoreReading, TagCount
from tests.helpers.db import counted_statements, query

TODAY = date(2025, 5, 10)
POSITIVE, DIFFICULT = MomentKind.POSITIVE, MomentKind.DIFFICULT
OPEN, IN_PROGRESS, RESOLVED = StressStatus.OPEN, StressStatus.IN_PROGRESS, StressStatus.RESOLVED


def months(*pairs) -> list[date]:
    return [date(year, month, 1) for year, month in pairs]


def save(app, *objects):
    with app.app_context():
        db.session.add_all(objects)
        db.session.commit()
        ids = [obj.id for obj in objects]
    return ids


def stress_item(app, family, kind, changes, **fields):
    """A stress item with its history: changes is [(date, status), ...], the first one its opening."""
    opened_on, _first = changes[0]
    last_on, last_status = changes[-1]
    item = StressItem(
        family_id=family.id,
        kind=kind,
        severity=Severity.MODERATE,
        status=last_status,
        opened_on=opened_on,
        status_since=last_on,
        resolved_on=last_on if last_status == RESOLVED else None,
        **fields,
    )
    item.updates = [StressUpdate(changed_on=on, status=status, severity=Severity.MODERATE) for on, status in changes]
    return save(app, item)[0]


def soft_delete(app, care_session):
    with app.app_context():
        db.session.get(CareSession, care_session.id).deleted_at = datetime.now(UTC)
        db.session.commit()


@pytest.fixture
def families(make):
    team = make.team()
    worker = make.user(team=team)
    return make.family(team, worker), make.family(team, worker)


@pytest.fixture
def history(app, make, families):
    """Three months of sessions (one in the trash), a plan with scores, and stress items, plus another family."""
    family, other = families
    make.care_session(
        family,
        held_on=date(2025, 1, 10),
        focus_parent=True,
        moments=[(POSITIVE, "Noticed she was tired", ["responded_to_signal"]), (DIFFICULT, "No to bath", ["resists"])],
    )
    make.care_session(
        family,
        held_on=date(2025, 1, 20),
        focus_parent=True,
        focus_child=True,
        moments=[(POSITIVE, "Built a tower", ["responded_to_signal", "enjoyed_together"])],
    )
    trashed = make.care_session(
        family,
        held_on=date(2025, 2, 12),
        focus_parent=False,
        focus_child=True,
        moments=[(POSITIVE, "Stayed calm", ["ignored_minor"])] * 3,
    )
    soft_delete(app, trashed)
    make.care_session(
        family,
        held_on=date(2025, 3, 5),
        focus_parent=False,
        focus_stress=True,
        moments=[(DIFFICULT, "Shouting", ["resists", "irritable"]), (DIFFICULT, "Slammed door", ["resists"])],
    )
    make.care_session(
        family,
        held_on=date(2025, 3, 25),
        focus_parent=True,
        moments=[(POSITIVE, "Asked what he wanted", ["understood_wish", "stayed_positive"])],
    )

    plan = make.plan(family, goals=(("Calm bedtimes", 3, 8), ("Play together every day", 2, 7)))
    bedtimes, play = plan.goals
    make.score(family, bedtimes, date(2025, 1, 10), 3, 2)
    make.score(family, bedtimes, date(2025, 1, 20), 4, None)
    make.score(family, bedtimes, date(2025, 2, 12), 9, 9, session_id=trashed.id)  # in the trash
    make.score(family, bedtimes, date(2025, 3, 5), 5, 6)
    make.score(family, play, date(2025, 3, 25), None, 4)

    # Debts: open in January, dealt with from February, resolved in April. Housing: open since March 20.
    stress_item(
        app,
        family,
        StressKind.DEBTS,
        [(date(2025, 1, 15), OPEN), (date(2025, 2, 10), IN_PROGRESS), (date(2025, 4, 3), RESOLVED)],
    )
    stress_item(app, family, StressKind.HOUSING, [(date(2025, 3, 20), OPEN)])

    # Another family: data in every view, on the same days, that must never show up.
    make.care_session(
        other,
        held_on=date(2025, 2, 12),
        focus_child=True,
        moments=[(DIFFICULT, "Hit", ["resists"]), (POSITIVE, "Hug", ["child_sought_comfort"])],
    )
    make.care_session(other, held_on=date(2024, 11, 2), moments=[(POSITIVE, "Laughed", ["enjoyed_together"])])
    make.score(other, bedtimes, date(2025, 2, 1), 1, 1)  # the same goal key, another family
    stress_item(app, other, StressKind.WORK_INCOME, [(date(2024, 10, 1), OPEN)])
    return family, other, plan


def run(app, fn, *args, **kwargs):
    return query(app, lambda: fn(*args, **kwargs))


class TestGoalScores:
    def test_series_per_goal_of_the_current_plan(self, app, history):
        family, _other, plan = history
        has_plan, goals = run(app, progress.goal_series, family.id)
        assert has_plan is True
        bedtimes, play = goals
        assert (bedtimes.key, bedtimes.title, bedtimes.start_score, bedtimes.target_score) == (
            plan.goals[0].key,
            "Calm bedtimes",
            3,
            8,
        )
        assert bedtimes.worker == [
            ScorePoint(date(2025, 1, 10), 3),
            ScorePoint(date(2025, 1, 20), 4),
            ScorePoint(date(2025, 3, 5), 5),
        ]
        assert bedtimes.parent == [ScorePoint(date(2025, 1, 10), 2), ScorePoint(date(2025, 3, 5), 6)]
        assert bedtimes.readings == [
            ScoreReading(date(2025, 1, 10), 3, 2),
            ScoreReading(date(2025, 1, 20), 4, None),
            ScoreReading(date(2025, 3, 5), 5, 6),
        ]
        assert (play.title, play.start_score, play.target_score) == ("Play together every day", 2, 7)
        assert play.worker == []
        assert play.parent == [ScorePoint(date(2025, 3, 25), 4)]

    def test_score_readings_of_any_goals_for_the_print(self, app, make, history):
        """The print reads the goals of whatever version it prints: the same rules, by goal key."""
        family, _other, plan = history
        bedtimes, play = plan.goals
        make.score(family, play, date(2025, 4, 1), 6, None)  # a final score has no session: it counts
        make.score(family, play, date(2025, 4, 2), None, None)  # nothing scored: left out
        readings = run(app, progress.score_readings, family.id, [bedtimes.key, play.key, "gone"])
        assert readings[bedtimes.key] == [  # the trashed session's 9/9 is not there; the other family's 1/1 neither
            ScoreReading(date(2025, 1, 10), 3, 2),
            ScoreReading(date(2025, 1, 20), 4, None),
            ScoreReading(date(2025, 3, 5), 5, 6),
        ]
        assert readings[play.key] == [ScoreReading(date(2025, 3, 25), None, 4), ScoreReading(date(2025, 4, 1), 6, None)]
        assert readings["gone"] == []
        assert run(app, progress.score_readings, family.id, []) == {}

    def test_only_the_current_plan_version(self, app, make, history):
        family, _other, _plan = history
        with app.app_context():
            old = db.session.query(Plan).filter_by(family_id=family.id).one()
            old.superseded_at = datetime.now(UTC)
            db.session.commit()
        new = make.plan(family, number=2, goals=(("Calm mornings", 4, 9),))
        make.score(family, new.goals[0], date(2025, 4, 1), 6)
        _has_plan, goals = run(app, progress.goal_series, family.id)
        assert [(g.title, g.worker) for g in goals] == [("Calm mornings", [ScorePoint(date(2025, 4, 1), 6)])]

    def test_goals_keep_their_status(self, app, make, families):
        family, _other = families
        plan = make.plan(family, goals=(("Calm bedtimes", 3, 8),))
        with app.app_context():
            goal = db.session.get(Plan, plan.id).goals[0]
            goal.status = GoalStatus.ACHIEVED
            db.session.commit()
        _has_plan, goals = run(app, progress.goal_series, family.id)
        assert [(g.status, g.has_scores) for g in goals] == [(GoalStatus.ACHIEVED, False)]

    def test_no_plan(self, app, families):
        family, _other = families
        assert run(app, progress.goal_series, family.id) == (False, [])


class TestMoments:
    def test_per_month_with_empty_months_and_top_tags(self, app, history):
        family, _other, _plan = history
        result = run(app, progress.moments_by_month, family.id)
        assert result.months == months((2025, 1), (2025, 2), (2025, 3))
        assert result.positive == [2, 0, 1]
        assert result.difficult == [1, 0, 2]
        # Ties are broken by the tag's name, so the top five are stable.
        assert result.top_tags == [
            TagCount(MomentTag.RESISTS, 3),
            TagCount(MomentTag.RESPONDED_TO_SIGNAL, 2),
            TagCount(MomentTag.ENJOYED_TOGETHER, 1),
            TagCount(MomentTag.IRRITABLE, 1),
            TagCount(MomentTag.STAYED_POSITIVE, 1),
        ]

    def test_the_trash_does_not_count(self, app, make, families):
        family, _other = families
        kept = make.care_session(family, held_on=date(2025, 1, 3), moments=[(POSITIVE, "Hug", ["enjoyed_together"])])
        trashed = make.care_session(family, held_on=date(2025, 6, 3), moments=[(DIFFICULT, "Hit", ["resists"])])
        soft_delete(app, trashed)
        result = run(app, progress.moments_by_month, family.id)
        assert (result.months, result.positive, result.difficult) == (months((2025, 1)), [1], [0])
        assert result.top_tags == [TagCount(MomentTag.ENJOYED_TOGETHER, 1)]
        soft_delete(app, kept)
        assert run(app, progress.moments_by_month, family.id).is_empty

    def test_no_moments(self, app, make, families):
        family, _other = families
        make.care_session(family, held_on=date(2025, 1, 3))
        result = run(app, progress.moments_by_month, family.id)
        assert result.is_empty
        assert (result.months, result.positive, result.difficult, result.top_tags) == ([], [], [], [])


def test_the_current_month_is_counted_until_today_and_a_past_one_is_whole(app, make, families):
    family, _other = families
    make.care_session(family, held_on=date(2025, 2, 3), moments=[(POSITIVE, "Hug", [])])
    assert run(app, progress.moments_by_month, family.id).partial_until is None
    assert run(app, progress.focus_by_month, family.id).partial_until is None
    make.care_session(family, held_on=date.today(), moments=[(POSITIVE, "Hug", [])])
    assert run(app, progress.moments_by_month, family.id).partial_until == date.today()
    assert run(app, progress.focus_by_month, family.id).partial_until == date.today()


class TestFocus:
    def test_sessions_per_month_by_focus(self, app, history):
        family, _other, _plan = history
        result = run(app, progress.focus_by_month, family.id)
        assert result.months == months((2025, 1), (2025, 2), (2025, 3))
        assert result.sessions == [2, 0, 2]
        assert result.parent == [2, 0, 1]
        assert result.child == [1, 0, 0]
        assert result.stress == [0, 0, 1]

    def test_across_a_new_year(self, app, make, families):
        family, _other = families
        make.care_session(family, held_on=date(2024, 11, 30), focus_parent=False, focus_child=True)
        make.care_session(family, held_on=date(2025, 2, 1), focus_parent=True, focus_stress=True)
        result = run(app, progress.focus_by_month, family.id)
        assert result.months == months((2024, 11), (2024, 12), (2025, 1), (2025, 2))
        assert (result.sessions, result.parent, result.child, result.stress) == (
            [1, 0, 0, 1],
            [0, 0, 0, 1],
            [1, 0, 0, 0],
            [0, 0, 0, 1],
        )

    def test_no_sessions(self, app, families):
        family, _other = families
        assert run(app, progress.focus_by_month, family.id).is_empty


class TestStress:
    def test_status_at_the_end_of_each_month(self, app, history):
        family, _other, _plan = history
        result = run(app, progress.stress_by_month, family.id, TODAY)
        # Housing is still open, so the months run on to the current one.
        assert result.months == months((2025, 1), (2025, 2), (2025, 3), (2025, 4), (2025, 5))
        assert result.open == [1, 0, 1, 1, 1]
        assert result.in_progress == [0, 1, 1, 0, 0]
        assert result.resolved == [0, 0, 0, 1, 1]

    def test_all_resolved_ends_at_the_last_change(self, app, families):
        family, _other = families
        stress_item(app, family, StressKind.DEBTS, [(date(2025, 1, 31), OPEN), (date(2025, 3, 1), RESOLVED)])
        result = run(app, progress.stress_by_month, family.id, TODAY)
        assert result.months == months((2025, 1), (2025, 2), (2025, 3))
        assert (result.open, result.in_progress, result.resolved) == ([1, 1, 0], [0, 0, 0], [0, 0, 1])

    def test_changes_on_one_day_keep_their_order(self, app, families):
        family, _other = families
        stress_item(
            app,
            family,
            StressKind.HOUSING,
            [(date(2025, 2, 3), OPEN), (date(2025, 2, 3), IN_PROGRESS), (date(2025, 2, 28), RESOLVED)],
        )
        result = run(app, progress.stress_by_month, family.id, TODAY)
        assert (result.months, result.resolved, result.open) == (months((2025, 2)), [1], [0])

    def test_an_item_without_history(self, app, make, families):
        family, _other = families
        make.stress_item(
            family, status=IN_PROGRESS, opened_on=date(2025, 1, 20), status_since=date(2025, 3, 2), resolved_on=None
        )
        result = run(app, progress.stress_by_month, family.id, date(2025, 3, 15))
        assert result.months == months((2025, 1), (2025, 2), (2025, 3))
        assert (result.open, result.in_progress, result.resolved) == ([1, 1, 0], [0, 0, 1], [0, 0, 0])

    def test_no_stress(self, app, families):
        family, _other = families
        assert run(app, progress.stress_by_month, family.id, TODAY).is_empty


class TestFamilyProgress:
    def test_everything_together(self, app, history):
        family, _other, _plan = history
        result = run(app, progress.family_progress, family.id, TODAY)
        assert result.family_id == family.id
        assert result.has_plan and result.has_scores
        assert [g.title for g in result.goals] == ["Calm bedtimes", "Play together every day"]
        assert result.moments.months[0] == date(2025, 1, 1)
        assert result.focus.sessions == [2, 0, 2]
        assert result.stress.open == [1, 0, 1, 1, 1]

    def test_another_familys_data_never_shows(self, app, history):
        _family, other, _plan = history
        result = run(app, progress.family_progress, other.id, TODAY)
        assert result.has_plan is False and result.goals == []
        assert result.moments.months == months((2024, 11), (2024, 12), (2025, 1), (2025, 2))
        assert (result.moments.positive, result.moments.difficult) == ([1, 0, 0, 1], [0, 0, 0, 1])
        assert result.moments.top_tags == [
            TagCount(MomentTag.CHILD_SOUGHT_COMFORT, 1),
            TagCount(MomentTag.ENJOYED_TOGETHER, 1),
            TagCount(MomentTag.RESISTS, 1),
        ]
        assert result.focus.sessions == [1, 0, 0, 1]
        assert result.stress.months[0] == date(2024, 10, 1)
        assert set(result.stress.open) == {1} and set(result.stress.resolved) == {0}

    def test_the_family_page_draws_its_charts_from_the_data(self, app, history):
        family, _other, plan = history

        def page():
            with app.test_request_context(headers={"Accept-Language": "en"}):
                data = progress.family_progress(family.id, TODAY)
                return data, family_charts.progress_figures(data)

        data, charts = query(app, page)
        assert data.family_id == family.id
        assert set(charts) == {
            f"goal-{plan.goals[0].key}",
            f"goal-{plan.goals[1].key}",
            "moments",
            "tags",
            "focus",
            "stress",
        }
        assert all(set(fig) == {"data", "layout", "config"} for fig in charts.values())


def build_history(app, make, family, plan, scale: int) -> None:
    """`scale` times: a month with two sessions, moments with tags, two scores and a stress item that moves on."""
    goal = plan.goals[0]
    for n in range(scale):
        month_start = date(2023 + n // 12, n % 12 + 1, 1)
        for day, focus in ((3, {"focus_parent": True}), (17, {"focus_child": True, "focus_stress": True})):
            held_on = month_start + timedelta(days=day)
            session = make.care_session(
                family,
                held_on=held_on,
                moments=[
                    (POSITIVE, "Well done", ["responded_to_signal"]),
                    (DIFFICULT, "Hard", ["resists", "irritable"]),
                ],
                **focus,
            )
            make.score(family, goal, held_on, n % 11, (n + 1) % 11, session_id=session.id)
        stress_item(
            app,
            family,
            StressKind.DEBTS,
            [(month_start, OPEN), (month_start + timedelta(days=20), IN_PROGRESS)],
        )


def test_queries_do_not_grow_with_the_history(app, make, families):
    small_family, large_family = families
    with app.app_context(), app.test_request_context():  # the day's model, worked out before (one read after)
        outcome_model.refresh()
        db.session.commit()
    counts = []
    for family, scale in ((small_family, 2), (large_family, 20)):
        plan = make.plan(family, goals=(("Calm bedtimes", 3, 8), ("Play together", 2, 7)))
        build_history(app, make, family, plan, scale)
        with counted_statements(app) as statements, app.app_context():
            with app.test_request_context(headers={"Accept-Language": "en"}):
                data = progress.family_progress(family.id, date(2025, 1, 1))
                family_charts.progress_figures(data)  # drawing the charts runs no query
            db.session.remove()
        assert len(data.goals[0].worker) == 2 * scale
        assert sum(data.moments.positive) == 2 * scale
        assert len(data.stress.months) >= scale
        counts.append(len(statements))
    assert counts[0] == counts[1]
    # The current plan (plan, goals, agreements), scores, moments, tags, focus, stress, the outcome model.
    assert counts[0] <= 9
