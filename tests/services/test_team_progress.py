"""The team charts' data for a known history: exact numbers, the team's families only, the trash left out, few queries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from app.charts import team as team_charts
from app.extensions import db
from app.models import (
    CareSession,
    FamilyStatus,
    Goal,
    GoalStatus,
    HelpFocus,
    MomentKind,
    Plan,
    Role,
    StressKind,
    StressStatus,
)
from app.services import goal_progress, team_progress
from app.services.team_progress import FocusScores, StressKindCount
from tests.helpers.charts import series
from tests.helpers.db import counted_statements, query

TODAY = date(2025, 5, 10)
POSITIVE, DIFFICULT = MomentKind.POSITIVE, MomentKind.DIFFICULT
OPEN, IN_PROGRESS, RESOLVED = StressStatus.OPEN, StressStatus.IN_PROGRESS, StressStatus.RESOLVED
# The last 12 months up to TODAY: June 2024 (index 0) to May 2025 (index 11).
MONTHS = [date(2024, m, 1) for m in range(6, 13)] + [date(2025, m, 1) for m in range(1, 6)]
JUN, JAN, MAR = 0, 7, 9


def per_month(**counts) -> list[int]:
    """Twelve zeros with counts at the given months: per_month(JAN=2, MAR=1)."""
    result = [0] * 12
    for name, count in counts.items():
        result[globals()[name]] = count
    return result


def soft_delete(app, care_session):
    """To the trash, as app.services.care_sessions.soft_delete does it: the goals' stored facts follow."""
    with app.app_context():
        db.session.get(CareSession, care_session.id).deleted_at = datetime.now(UTC)
        goal_progress.refresh(care_session.family_id)
        db.session.commit()


def change_goal(app, goal, **fields):
    with app.app_context():
        row = db.session.get(Goal, goal.id)
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.commit()


def supersede(app, plan):
    with app.app_context():
        db.session.get(Plan, plan.id).superseded_at = datetime.now(UTC)
        db.session.commit()


def run(app, lead, today=TODAY):
    return query(app, lambda: team_progress.team_progress(lead, today))


@pytest.fixture
def team(app, make):
    """A team with an active and a closed family, and another team whose data must never show."""

    class Team:
        pass

    t = Team()
    t.team, t.other_team = make.team("Team A"), make.team("Team B")
    t.lead = make.user(Role.LEAD, t.team)
    t.worker = make.user(Role.WORKER, t.team)
    t.colleague = make.user(Role.WORKER, t.team)
    t.other_lead = make.user(Role.LEAD, t.other_team)
    t.active = make.family(t.team, t.worker, display_name="Active family")
    t.closed = make.family(t.team, t.colleague, display_name="Closed family", status=FamilyStatus.CLOSED)
    t.other = make.family(t.other_team, make.user(Role.WORKER, t.other_team), display_name="Other team's family")
    return t


@pytest.fixture
def history(app, make, team):
    """Sessions with moments (one in the trash, one too old), stress items, and plans with scored goals."""
    active, closed, other = team.active, team.closed, team.other

    # -- sessions and moments
    make.care_session(
        active, held_on=date(2025, 1, 10), focus_parent=True, moments=[(POSITIVE, "a", []), (DIFFICULT, "b", [])]
    )
    make.care_session(
        active,
        held_on=date(2025, 1, 20),
        focus_parent=True,
        focus_child=True,
        moments=[(POSITIVE, "c", ["enjoyed_together"])],
    )
    trashed = make.care_session(
        active, held_on=date(2025, 2, 12), focus_parent=False, focus_child=True, moments=[(POSITIVE, "d", [])] * 3
    )
    soft_delete(app, trashed)
    make.care_session(active, held_on=date(2025, 3, 25), focus_parent=True, moments=[(POSITIVE, "e", [])])
    make.care_session(active, held_on=date(2024, 5, 31), focus_parent=True, moments=[(POSITIVE, "too old", [])])
    make.care_session(
        closed,
        held_on=date(2025, 3, 5),
        focus_parent=False,
        focus_stress=True,
        moments=[(DIFFICULT, "f", ["resists"]), (DIFFICULT, "g", [])],
    )
    make.care_session(closed, held_on=date(2024, 6, 1), focus_parent=False, focus_child=True)
    make.care_session(
        other,
        held_on=date(2025, 1, 10),
        focus_parent=False,
        focus_child=True,
        focus_stress=True,
        moments=[(DIFFICULT, "h", [])] * 4,
    )

    # -- stress: debts in both families (twice in one), housing being dealt with, resolved items do not count
    make.stress_item(active, kind=StressKind.DEBTS, status=OPEN)
    make.stress_item(active, kind=StressKind.DEBTS, status=IN_PROGRESS)
    make.stress_item(active, kind=StressKind.ISOLATION, status=RESOLVED, resolved_on=date(2025, 4, 1))
    make.stress_item(closed, kind=StressKind.DEBTS, status=OPEN)
    make.stress_item(closed, kind=StressKind.DEBTS, status=RESOLVED, resolved_on=date(2025, 4, 1))
    make.stress_item(closed, kind=StressKind.HOUSING, status=IN_PROGRESS)
    make.stress_item(other, kind=StressKind.DEBTS, status=OPEN)
    make.stress_item(other, kind=StressKind.RELATIONSHIP, status=OPEN)

    # -- goals: an old plan version, the current one with goals per focus, scores with and without a session
    old = make.plan(active, number=1, goals=(("Old goal", 0, 10),))
    make.score(active, old.goals[0], date(2024, 12, 1), 10)
    supersede(app, old)
    plan = make.plan(active, number=2, goals=(("Calm bedtimes", 3, 8), ("Play together", 2, 7), ("Tidy up", 4, 6)))
    bedtimes, play, tidy = plan.goals
    change_goal(app, tidy, focus=HelpFocus.CHILD)
    make.score(active, bedtimes, date(2025, 1, 10), 4, 2)
    make.score(active, bedtimes, date(2025, 2, 12), 9, 9, session_id=trashed.id)  # in the trash
    make.score(active, bedtimes, date(2025, 3, 25), 5)
    make.score(active, bedtimes, date(2025, 3, 25), 7, None)  # the same day, recorded later: the latest
    make.score(active, bedtimes, date(2025, 4, 2), None, 3)  # only the parent's: not the worker's latest
    make.score(active, play, date(2025, 3, 5), 3)
    make.score(active, tidy, date(2025, 3, 5), None, 6)  # only the parent scored it

    closed_plan = make.plan(closed, goals=(("Pay the bills together", 1, 6), ("Reached already", 0, 5)))
    bills, reached = closed_plan.goals
    change_goal(app, bills, focus=HelpFocus.STRESS)
    change_goal(app, reached, status=GoalStatus.ACHIEVED)
    make.score(closed, bills, date(2025, 2, 1), 2)
    make.score(closed, bills, date(2025, 4, 1), 4, is_final=True)  # at closing, without a session
    make.score(closed, reached, date(2025, 2, 1), 10)
    make.score(closed, bedtimes, date(2025, 4, 30), 0)  # another family's goal key: not this family's goal

    other_plan = make.plan(other, goals=(("Elsewhere", 0, 10),))
    make.score(other, other_plan.goals[0], date(2025, 3, 1), 10)
    return team


class TestTeamProgress:
    def test_sessions_per_month_by_focus(self, app, history):
        result = run(app, history.lead)
        assert result.months == MONTHS
        focus = result.focus
        assert focus.months == MONTHS
        assert focus.sessions == per_month(JUN=1, JAN=2, MAR=2)
        assert focus.parent == per_month(JAN=2, MAR=1)
        assert focus.child == per_month(JUN=1, JAN=1)
        assert focus.stress == per_month(MAR=1)

    def test_moments_per_month(self, app, history):
        moments = run(app, history.lead).moments
        assert moments.months == MONTHS
        assert moments.positive == per_month(JAN=2, MAR=1)
        assert moments.difficult == per_month(JAN=1, MAR=2)

    def test_open_stress_by_kind(self, app, history):
        stress = run(app, history.lead).stress
        assert stress.kinds == [
            StressKindCount(StressKind.DEBTS, families=2, items=3),
            StressKindCount(StressKind.HOUSING, families=1, items=1),
            *(StressKindCount(kind, 0, 0) for kind in list(StressKind)[2:]),
        ]

    def test_goal_change_per_focus(self, app, history):
        goals = run(app, history.lead).goals
        assert goals.focuses == [
            FocusScores(HelpFocus.PARENT, goals=2, scored=2, average_start=2.5, average_latest=5.0, average_change=2.5),
            FocusScores(HelpFocus.CHILD, goals=1, scored=0),
            FocusScores(HelpFocus.STRESS, goals=1, scored=1, average_start=1.0, average_latest=4.0, average_change=3.0),
        ]
        assert goals.goals == 4 and not goals.is_empty

    def test_another_team_sees_only_its_own(self, app, history):
        result = run(app, history.other_lead)
        assert result.focus.sessions == per_month(JAN=1)
        assert (result.focus.child, result.focus.stress, result.focus.parent) == (
            per_month(JAN=1),
            per_month(JAN=1),
            per_month(),
        )
        assert result.moments.difficult == per_month(JAN=4) and not any(result.moments.positive)
        assert [(k.kind, k.families) for k in result.stress.kinds if k.items] == [
            (StressKind.DEBTS, 1),
            (StressKind.RELATIONSHIP, 1),
        ]
        assert result.goals.focuses[0] == FocusScores(HelpFocus.PARENT, 1, 1, 0.0, 10.0, 10.0)

    def test_a_care_worker_gets_only_their_own_families(self, app, history):
        result = run(app, history.colleague)
        assert result.focus.sessions == per_month(JUN=1, MAR=1)
        assert [(k.kind, k.families, k.items) for k in result.stress.kinds if k.items] == [
            (StressKind.DEBTS, 1, 1),
            (StressKind.HOUSING, 1, 1),
        ]
        assert [f.scored for f in result.goals.focuses] == [0, 0, 1]

    def test_the_trash_does_not_count(self, app, make, team):
        kept = make.care_session(team.active, held_on=date(2025, 4, 3), moments=[(POSITIVE, "x", [])])
        trashed = make.care_session(
            team.active, held_on=date(2025, 4, 4), focus_stress=True, moments=[(DIFFICULT, "y", [])]
        )
        plan = make.plan(team.active)
        make.score(team.active, plan.goals[0], date(2025, 4, 3), 4, session_id=kept.id)
        make.score(team.active, plan.goals[0], date(2025, 4, 4), 9, session_id=trashed.id)
        soft_delete(app, trashed)
        result = run(app, team.lead)
        assert (result.focus.sessions[10], result.focus.stress[10]) == (1, 0)
        assert (result.moments.positive[10], result.moments.difficult[10]) == (1, 0)
        assert result.goals.focuses[0].average_latest == 4.0
        soft_delete(app, kept)
        result = run(app, team.lead)
        assert result.focus.is_empty and result.moments.is_empty and result.goals.is_empty
        assert result.goals.focuses[0] == FocusScores(HelpFocus.PARENT, goals=1, scored=0)

    def test_months_across_a_new_year(self, app, team):
        result = run(app, team.lead, date(2025, 1, 31))
        assert result.months[0] == date(2024, 2, 1) and result.months[-1] == date(2025, 1, 1)
        assert len(result.months) == 12

    def test_a_team_without_data(self, app, team):
        result = run(app, team.lead)
        assert result.is_empty
        assert result.focus.sessions == per_month() and result.moments.positive == per_month()
        assert [k.families for k in result.stress.kinds] == [0] * len(StressKind)
        assert result.goals.focuses == [FocusScores(focus, 0, 0) for focus in HelpFocus]


def grow(app, make, team, start: int, n: int) -> None:
    """n more families with sessions, moments, a plan with a scored goal and stress items."""
    for i in range(start, start + n):
        family = make.family(team.team, team.worker, display_name=f"Grown {i}")
        held_on = date(2025, 1 + i % 5, 1 + i % 10)  # up to TODAY: the charts count until today
        session = make.care_session(
            family,
            held_on=held_on,
            focus_child=bool(i % 2),
            moments=[(POSITIVE, "x", ["enjoyed_together"]), (DIFFICULT, "y", ["resists"])],
        )
        plan = make.plan(family, goals=(("Calm bedtimes", 3, 8), ("Calm mornings", 2, 6)))
        make.score(family, plan.goals[0], held_on, i % 11, session_id=session.id)
        make.score(family, plan.goals[1], held_on, 5)
        make.stress_item(family, kind=list(StressKind)[i % len(StressKind)])


def test_queries_do_not_grow_with_the_team(app, make, team):
    counts = []
    for start, n in ((0, 3), (3, 27)):
        grow(app, make, team, start, n)
        with counted_statements(app) as statements, app.app_context():
            with app.test_request_context(headers={"Accept-Language": "en"}):
                data = team_progress.team_progress(team.lead, TODAY)
                charts = team_charts.team_figures(data)
            db.session.remove()
        assert sum(data.focus.sessions) == start + n
        assert sum(k.families for k in data.stress.kinds) == start + n
        assert data.goals.focuses[0].scored == 2 * (start + n)
        assert set(charts) == {"team-focus", "team-moments", "team-stress", "team-goals"}
        counts.append(len(statements))
    assert counts[0] == counts[1] == 3


def test_a_goals_latest_score_is_the_last_date_then_the_last_given(app, make, team):
    """The goal-change view reads the goals' stored facts, as the signals do: the latest date counts, not the
    order the scores were typed in, and on one day the score given last."""
    plan = make.plan(team.active)
    goal = plan.goals[0]
    make.score(team.active, goal, date(2025, 4, 5), 7)
    make.score(team.active, goal, date(2025, 4, 3), 2)  # typed in later, about an earlier day
    assert run(app, team.lead).goals.focuses[0].average_latest == 7.0
    make.score(team.active, goal, date(2025, 4, 6), 5)
    make.score(team.active, goal, date(2025, 4, 6), 6)
    assert run(app, team.lead).goals.focuses[0].average_latest == 6.0


# -- the figures ----------------------------------------------------------------------------------------------------


@pytest.fixture
def data(app, history):
    return run(app, history.lead)


def figures(app, data, locale="en"):
    with app.test_request_context(), force_locale(locale):
        return {
            "focus": team_charts.team_focus_figure(data.focus),
            "moments": team_charts.team_moments_figure(data.moments),
            "stress": team_charts.open_stress_figure(data.stress),
            "goals": team_charts.goal_change_figure(data.goals),
        }


class TestFigures:
    def test_the_four_figures(self, app, data):
        figs = figures(app, data)
        focus, moments, stress, goals = figs["focus"], figs["moments"], figs["stress"], figs["goals"]
        lines = [t for t in focus.data if t.showlegend is not False]  # the current month's pieces are not listed
        assert [t.name for t in lines] == ["Parent", "Child", "Family stress"]
        assert list(series(focus.to_dict()).values()) == [data.focus.parent, data.focus.child, data.focus.stress]
        assert list(focus.data[0].x)[:2] == ["Jun 2024", "Jul 2024"] and len(focus.data[0].x) == 12
        assert len({t.line.dash for t in lines}) == 3 and len({t.marker.symbol for t in lines}) == 3

        assert [t.name for t in moments.data] == ["Positive moments", "Difficult moments"]
        assert moments.data[0].marker.pattern.shape != moments.data[1].marker.pattern.shape

        (bars,) = stress.data
        assert list(bars.y)[:2] == ["Debts", "Housing"] and list(bars.x) == [2, 1, 0, 0, 0, 0, 0]
        assert stress.layout.xaxis.title.text == "Number of families"

        start, latest = goals.data
        assert (start.name, latest.name) == ("Start score (average)", "Latest score (average)")
        assert list(start.x) == ["Parent<br>(2 goals)", "Family stress<br>(1 goal)"]
        assert (list(start.y), list(latest.y)) == ([2.5, 1.0], [5.0, 4.0])
        assert list(latest.text) == ["+2.5", "+3.0"]
        assert start.marker.pattern.shape != latest.marker.pattern.shape
        assert tuple(goals.layout.yaxis.range) == (0, 11)

    def test_in_dutch_with_decimal_commas(self, app, data):
        figs = figures(app, data, "nl")
        assert list(series(figs["focus"].to_dict())) == ["Ouder", "Kind", "Stress in het gezin"]
        assert list(figs["stress"].data[0].y)[0] == "Schulden"
        latest = figs["goals"].data[1]
        assert list(latest.text) == ["+2,5", "+3,0"]
        assert [row[0] for row in latest.customdata] == ["5,0", "4,0"]

    def test_only_charts_with_data(self, app, team):
        with app.test_request_context(), force_locale("en"):
            charts = team_charts.team_figures(team_progress.team_progress(team.lead, TODAY))
        assert charts == {}
