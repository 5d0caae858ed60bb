"""Each signal fires exactly where its rule says, at its boundary days (the clock is fixed)."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from app.models import FamilyStatus, MomentKind, PlanStatus, Role, Severity, StressStatus
from app.outcomes.assess import OutcomeModel
from app.outcomes.course import BANDS, WEEK_EDGES, Cell, Course, Pooling
from app.outcomes.measurement import SemEstimate
from app.security.access import visible_families
from app.services import signals
from app.services.signals import SignalKind
from tests.helpers.db import counted_statements, query, selects

TODAY = date(2026, 6, 15)
DEFAULTS = {
    "not_seen_days": 21,
    "review_within_days": 7,
    "no_plan_after_days": 42,
    "difficult_window_days": 30,
    "stress_open_days": 30,
    "intake_days": 42,
    "paused_weeks": 8,
}


def fired(app, lead, today=TODAY, thresholds=DEFAULTS, model=None):
    def run():
        from app.extensions import db
        from app.models import User

        user = db.session.get(User, lead.id)
        with app.test_request_context(headers={"Accept-Language": "en"}):
            result = signals.compute(visible_families(user), today, thresholds, model or PRIOR)
            return {fid: sorted((s.kind.value, str(s.reason)) for s in fs.signals) for fid, fs in result.items()}

    return query(app, run)


def kinds(result, family):
    return {kind for kind, _reason in result[family.id]}


@pytest.fixture
def team(make):
    team = make.team()
    lead = make.user(team=team, role=Role.LEAD)
    worker = make.user(team=team)
    return team, lead, worker


def a_family(make, team, worker, started_days_ago=200, **fields):
    return make.family(team, worker, start_date=TODAY - timedelta(days=started_days_ago), **fields)


class TestNotSeen:
    @pytest.mark.parametrize(("days", "fires"), [(21, False), (22, True)])
    def test_boundary(self, app, make, team, days, fires):
        team_, lead, worker = team
        family = a_family(make, team_, worker)
        make.plan(family, review_on=TODAY + timedelta(days=60))
        make.care_session(family, held_on=TODAY - timedelta(days=days))
        result = fired(app, lead)
        assert (SignalKind.NOT_SEEN.value in kinds(result, family)) is fires
        if fires:
            assert ("not_seen", "last session 22 days ago") in result[family.id]

    def test_only_active_families_and_deleted_sessions_do_not_count(self, app, make, team):
        team_, lead, worker = team
        paused = a_family(make, team_, worker, status=FamilyStatus.PAUSED)
        active = a_family(make, team_, worker)
        make.care_session(
            active,
            held_on=TODAY - timedelta(days=2),
            deleted_at=__import__("datetime").datetime.now(__import__("datetime").UTC),
        )
        make.care_session(active, held_on=TODAY - timedelta(days=40))
        result = fired(app, lead)
        assert SignalKind.NOT_SEEN.value not in kinds(result, paused)
        assert ("not_seen", "last session 40 days ago") in result[active.id]


class TestPlanReview:
    @pytest.mark.parametrize(("in_days", "fires"), [(8, False), (7, True), (0, True), (-3, True)])
    def test_review_date_boundary(self, app, make, team, in_days, fires):
        team_, lead, worker = team
        family = a_family(make, team_, worker)
        make.care_session(family, held_on=TODAY)
        make.plan(family, review_on=TODAY + timedelta(days=in_days))
        assert (SignalKind.REVIEW_DUE.value in kinds(fired(app, lead), family)) is fires

    @pytest.mark.parametrize(("started", "fires"), [(41, False), (42, True)])
    def test_no_agreed_plan_six_weeks_after_start(self, app, make, team, started, fires):
        team_, lead, worker = team
        family = a_family(make, team_, worker, started_days_ago=started)
        make.care_session(family, held_on=TODAY)
        make.plan(family, status=PlanStatus.DRAFT, review_on=None)
        result = fired(app, lead)
        assert (SignalKind.REVIEW_DUE.value in kinds(result, family)) is fires
        if fires:
            assert ("review_due", "no agreed plan, 42 days after the start") in result[family.id]


PRIOR = OutcomeModel(sem=SemEstimate(1.0, False, 0, 50), threshold=3, course=None)
ESTIMATED = OutcomeModel(sem=SemEstimate(1.0, True, 80, 50), threshold=3, course=None)


def a_course(p10=-1.0, p25=0.0, p50=1.0):
    """A course where every band and bucket expects the same change from the start."""
    cells = {
        (band, bucket): Cell(p10, p25, p50, 40, Pooling.OWN)
        for band in range(len(BANDS))
        for bucket in range(len(WEEK_EDGES))
    }
    return Course(cells=cells, goals=200)


class TestGoalRules:
    """Reliable change (threshold 3 here), the expected course, the review date and the two raters."""

    def _family(self, make, team_, worker, scores, start=5, target=9, review_in=90, status=FamilyStatus.ACTIVE):
        family = a_family(make, team_, worker, status=status)
        make.care_session(family, held_on=TODAY)
        plan = make.plan(family, goals=[("Calm bedtimes", start, target)], review_on=TODAY + timedelta(days=review_in))
        for n, value in enumerate(scores):
            worker_score, parent_score = value if isinstance(value, tuple) else (value, None)
            make.score(
                family, plan.goals[0], TODAY - timedelta(days=7 * (len(scores) - 1 - n)), worker_score, parent_score
            )
        return family

    @pytest.mark.parametrize(("latest", "fires"), [(3, False), (2, True)])
    def test_reliably_worse_at_the_threshold(self, app, make, team, latest, fires):
        team_, lead, worker = team
        family = self._family(make, team_, worker, [5, 4, latest], start=5)
        result = fired(app, lead, model=ESTIMATED)[family.id]
        assert (SignalKind.RELIABLY_WORSE.value in {k for k, _r in result}) is fires
        if fires:
            assert (
                "reliably_worse",
                "'Calm bedtimes' went from 5 to 2; a change of 3 or more is more than chance",
            ) in result

    def test_three_small_falls_are_noise(self, app, make, team):
        """The old rule fired on 7, 6, 5 against a start of 6; none of it is more than chance."""
        team_, lead, worker = team
        family = self._family(make, team_, worker, [7, 6, 5], start=6)
        assert fired(app, lead, model=ESTIMATED)[family.id] == []

    def test_the_parent_is_judged_against_their_own_first_score(self, app, make, team):
        team_, lead, worker = team
        family = self._family(make, team_, worker, [(5, 7), (5, 5), (5, 4)], start=5)
        result = dict(fired(app, lead, model=ESTIMATED)[family.id])
        assert result["reliably_worse"] == (
            "the parent's own score for 'Calm bedtimes' went from 7 to 4; a change of 3 or more is more than chance"
        )

    def test_the_prior_is_named_in_the_reason(self, app, make, team):
        team_, lead, worker = team
        family = self._family(make, team_, worker, [4, 1], start=5)
        reason = dict(fired(app, lead, model=PRIOR)[family.id])["reliably_worse"]
        assert "an assumed measurement error until 50 goals have enough scores" in reason

    @pytest.mark.parametrize(
        ("scores", "level"),
        [
            ([5, 5, 5, 5, 5, 5], None),
            ([5, 5, 5, 5, 5, 4], "orange"),
            ([5, 5, 5, 5, 5, 3], "red"),
            ([3], None),  # a first score says where a goal starts
            ([5, 3], None),  # a week later: too soon
            ([5, 5, 3], "orange"),  # two weeks: orange, not yet red
        ],
    )
    def test_off_course(self, app, make, team, scores, level):
        """Expected: start 5 + (p10 -1.5, p25 -0.5), scored weekly. Orange needs two scores and two weeks, red
        three scores and four weeks."""
        team_, lead, worker = team
        family = self._family(make, team_, worker, scores, start=5)
        model = OutcomeModel(sem=SemEstimate(1.0, True, 80, 50), threshold=4, course=a_course(-1.5, -0.5, 1.0))
        result = query(app, lambda: _signals_of(app, lead, model)[family.id])
        found = [s for s in result.signals if s.kind == SignalKind.OFF_COURSE]
        assert [s.level for s in found] == ([level] if level else [])
        if scores == [5, 5, 5, 5, 5, 4]:
            assert str(found[0].reason) == (
                "'Calm bedtimes' is at 4 after 5 weeks, below 4.5: three in four goals that started like it were "
                "higher by then (goals that started in the same range, at the same point)"
            )
            # The same reason, read next in Dutch, is worded again: number and all.
            with app.test_request_context(), force_locale("nl"):
                assert str(found[0].reason) == (
                    "'Calm bedtimes' staat na 5 weken op 4, onder 4,5: drie op de vier doelen die zo begonnen, "
                    "stonden dan hoger (doelen die ongeveer even hoog begonnen, op hetzelfde moment)"
                )

    def test_no_reliable_progress_by_the_review_date(self, app, make, team):
        team_, lead, worker = team
        family = self._family(make, team_, worker, [5, 6, 7], start=5, review_in=0)
        result = dict(fired(app, lead, model=ESTIMATED)[family.id])
        assert result["no_progress"] == (
            "'Calm bedtimes' went from 5 to 7 by the review date; less than 3 points either way is no reliable change"
        )
        better = self._family(make, team_, worker, [5, 6, 8], start=5, review_in=0)
        assert "no_progress" not in dict(fired(app, lead, model=ESTIMATED)[better.id])

    def test_parent_and_worker_differ(self, app, make, team):
        team_, lead, worker = team
        family = self._family(make, team_, worker, [(5, 5), (6, 3)], start=5)
        result = dict(fired(app, lead, model=ESTIMATED)[family.id])
        assert result["raters_differ"] == (
            "when both last scored 'Calm bedtimes', the parent gave 3 and the care worker 6; "
            "a difference of 3 or more is a conversation to have"
        )
        # The worker scored again without the parent: the reason speaks of when both last scored, still true.
        later = self._family(make, team_, worker, [(5, 5), (6, 3), (6, None)], start=5)
        assert dict(fired(app, lead, model=ESTIMATED)[later.id])["raters_differ"].startswith(
            "when both last scored 'Calm bedtimes', the parent gave 3 and the care worker 6"
        )

    def test_strengths_are_shown_but_never_count_as_attention(self, app, make, team):
        team_, lead, worker = team
        reached = self._family(make, team_, worker, [5, 7, 9], start=5, target=9)
        better = self._family(make, team_, worker, [5, 7, 8], start=5, target=10)
        result = query(app, lambda: _signals_of(app, lead, ESTIMATED))
        assert result[reached.id].signals == [] and result[better.id].signals == []
        assert [str(s.reason) for s in result[reached.id].strengths] == [
            "'Calm bedtimes' went from 5 to 9 and reached its target of 9; a change of 3 or more is more than chance"
        ]
        assert [str(s.reason) for s in result[better.id].strengths] == [
            "'Calm bedtimes' went from 5 to 8; a change of 3 or more is more than chance"
        ]

    def test_a_strength_seen_only_by_the_parent_says_so(self, app, make, team):
        team_, lead, worker = team
        family = self._family(make, team_, worker, [(5, 4), (5, 6), (5, 9)], start=5, target=9)
        result = query(app, lambda: _signals_of(app, lead, ESTIMATED))
        assert [str(s.reason) for s in result[family.id].strengths] == [
            "the parent's own score for 'Calm bedtimes' went from 4 to 9 and reached the target of 9; "
            "a change of 3 or more is more than chance"
        ]

    def test_one_signal_names_every_goal_it_applies_to(self, app, make, team):
        team_, lead, worker = team
        family = a_family(make, team_, worker)
        make.care_session(family, held_on=TODAY)
        plan = make.plan(family, goals=[("Play together", 6, 9), ("Calm bedtimes", 5, 8)])
        for goal, (first, last) in zip(plan.goals, [(6, 3), (5, 1)], strict=True):
            make.score(family, goal, TODAY - timedelta(days=14), first)
            make.score(family, goal, TODAY, last)
        result = dict(fired(app, lead, model=ESTIMATED)[family.id])
        assert result["reliably_worse"] == (
            "'Play together' went from 6 to 3; 'Calm bedtimes' went from 5 to 1; a change of 3 or more is more than chance"
        )

    def test_paused_families_keep_their_goal_signals(self, app, make, team):
        team_, lead, worker = team
        family = self._family(make, team_, worker, [5, 2], start=5, status=FamilyStatus.PAUSED)
        assert "reliably_worse" in dict(fired(app, lead, model=ESTIMATED)[family.id])


def _signals_of(app, lead, model):
    from app.extensions import db
    from app.models import User

    user = db.session.get(User, lead.id)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return signals.compute(visible_families(user), TODAY, DEFAULTS, model)


class TestDifficultRising:
    def _moments(self, make, family, day, difficult, positive):
        moments = [(MomentKind.DIFFICULT, "hard", [])] * difficult + [(MomentKind.POSITIVE, "good", [])] * positive
        make.care_session(family, held_on=day, moments=moments)

    @pytest.mark.parametrize(
        ("recent", "before", "fires"),
        [((3, 2), 2, True), ((2, 2), 1, False), ((3, 2), 3, False), ((1, 0), 0, True)],
    )
    def test_rule(self, app, make, team, recent, before, fires):
        team_, lead, worker = team
        family = a_family(make, team_, worker)
        make.plan(family, review_on=TODAY + timedelta(days=90))
        self._moments(make, family, TODAY - timedelta(days=3), *recent)
        self._moments(make, family, TODAY - timedelta(days=45), before, 0)
        assert (SignalKind.DIFFICULT_RISING.value in kinds(fired(app, lead), family)) is fires

    @pytest.mark.parametrize(("age", "counts_as_recent"), [(29, True), (30, False)])
    def test_window_boundary(self, app, make, team, age, counts_as_recent):
        team_, lead, worker = team
        family = a_family(make, team_, worker)
        make.plan(family, review_on=TODAY + timedelta(days=90))
        make.care_session(family, held_on=TODAY)
        self._moments(make, family, TODAY - timedelta(days=age), 1, 0)
        assert (SignalKind.DIFFICULT_RISING.value in kinds(fired(app, lead), family)) is counts_as_recent


class TestStressOpen:
    @pytest.mark.parametrize(
        ("days", "severity", "status", "fires"),
        [
            (30, Severity.SEVERE, StressStatus.OPEN, True),
            (29, Severity.SEVERE, StressStatus.OPEN, False),
            (60, Severity.MODERATE, StressStatus.OPEN, False),
            (60, Severity.SEVERE, StressStatus.IN_PROGRESS, False),
        ],
    )
    def test_rule(self, app, make, team, days, severity, status, fires):
        team_, lead, worker = team
        family = a_family(make, team_, worker)
        make.plan(family, review_on=TODAY + timedelta(days=90))
        make.care_session(family, held_on=TODAY)
        since = TODAY - timedelta(days=days)
        make.stress_item(family, severity=severity, status=status, opened_on=since, status_since=since)
        result = fired(app, lead)
        assert (SignalKind.STRESS_OPEN.value in kinds(result, family)) is fires
        if fires:
            assert ("stress_open", "Debts open for 30 days") in result[family.id]


class TestIntake:
    @pytest.mark.parametrize(("started", "fires"), [(41, False), (42, True)])
    def test_boundary_with_nothing_yet(self, app, make, team, started, fires):
        team_, lead, worker = team
        family = a_family(make, team_, worker, started_days_ago=started, status=FamilyStatus.INTAKE)
        result = fired(app, lead)
        # Not "not seen" or "no agreed plan": those are the active family's rules.
        expected = [("intake_long", "in intake for 42 days; no session and no agreed plan yet")] if fires else []
        assert result[family.id] == expected

    def test_the_reason_names_what_is_missing(self, app, make, team):
        team_, lead, worker = team
        seen = a_family(make, team_, worker, started_days_ago=91, status=FamilyStatus.INTAKE)
        make.care_session(seen, held_on=TODAY - timedelta(days=80))
        make.plan(seen, status=PlanStatus.DRAFT, review_on=None)
        planned = a_family(make, team_, worker, started_days_ago=91, status=FamilyStatus.INTAKE)
        make.plan(planned)
        both = a_family(make, team_, worker, started_days_ago=91, status=FamilyStatus.INTAKE)
        make.care_session(both, held_on=TODAY - timedelta(days=80))
        make.plan(both, review_on=TODAY + timedelta(days=60))
        result = fired(app, lead)
        assert result[seen.id] == [("intake_long", "in intake for 91 days; no agreed plan yet")]
        assert result[planned.id] == [("intake_long", "in intake for 91 days; no session yet")]
        assert result[both.id] == []

    def test_threshold_from_settings(self, app, make, team):
        team_, lead, worker = team
        family = a_family(make, team_, worker, started_days_ago=30, status=FamilyStatus.INTAKE)
        assert fired(app, lead)[family.id] == []
        assert kinds(fired(app, lead, thresholds={**DEFAULTS, "intake_days": 30}), family) == {"intake_long"}


class TestPaused:
    @pytest.mark.parametrize(("days", "fires"), [(62, False), (63, True)])
    def test_longer_than_eight_whole_weeks(self, app, make, team, days, fires):
        team_, lead, worker = team
        family = a_family(make, team_, worker, status=FamilyStatus.PAUSED, status_since=TODAY - timedelta(days=days))
        make.plan(family, review_on=TODAY + timedelta(days=30))
        expected = [("paused_long", "paused for 9 weeks")] if fires else []
        assert fired(app, lead)[family.id] == expected

    def test_threshold_from_settings(self, app, make, team):
        team_, lead, worker = team
        family = a_family(make, team_, worker, status=FamilyStatus.PAUSED, status_since=TODAY - timedelta(days=35))
        assert fired(app, lead)[family.id] == []
        assert fired(app, lead, thresholds={**DEFAULTS, "paused_weeks": 4})[family.id] == [
            ("paused_long", "paused for 5 weeks")
        ]

    @pytest.mark.parametrize(("review_in", "fires"), [(3, False), (0, False), (-1, True)])
    def test_review_date_passed(self, app, make, team, review_in, fires):
        """A paused family waits: only a review date that passed needs someone, not one coming up."""
        team_, lead, worker = team
        family = a_family(make, team_, worker, status=FamilyStatus.PAUSED, status_since=TODAY - timedelta(days=10))
        make.plan(family, review_on=TODAY + timedelta(days=review_in))
        expected = [("review_due", "review date passed 1 day ago")] if fires else []
        assert fired(app, lead)[family.id] == expected


def test_closed_families_get_no_signals(app, make, team):
    team_, lead, worker = team
    family = a_family(
        make, team_, worker, started_days_ago=400, status=FamilyStatus.CLOSED, status_since=TODAY - timedelta(days=300)
    )
    make.plan(family, review_on=TODAY - timedelta(days=200))
    make.stress_item(family, opened_on=TODAY - timedelta(days=390), status_since=TODAY - timedelta(days=390))
    assert fired(app, lead)[family.id] == []


def test_calm_family_has_no_signals_and_thresholds_can_change(app, make, team):
    team_, lead, worker = team
    family = a_family(make, team_, worker)
    make.plan(family, review_on=TODAY + timedelta(days=60))
    make.care_session(family, held_on=TODAY - timedelta(days=10))
    assert fired(app, lead)[family.id] == []
    stricter = {**DEFAULTS, "not_seen_days": 7}
    assert SignalKind.NOT_SEEN.value in kinds(fired(app, lead, thresholds=stricter), family)


def test_query_count_does_not_grow_with_the_number_of_families(app, make, team):
    team_, lead, worker = team

    def count_queries():
        with counted_statements(app) as statements:
            fired(app, lead)
        return len(selects(statements))

    def add_families(n):
        for _ in range(n):
            family = a_family(make, team_, worker)
            plan = make.plan(family, review_on=TODAY + timedelta(days=3))
            make.care_session(family, held_on=TODAY - timedelta(days=30), moments=[(MomentKind.DIFFICULT, "x", [])])
            make.score(family, plan.goals[0], TODAY - timedelta(days=30), 2)
            make.stress_item(family, opened_on=TODAY - timedelta(days=90), status_since=TODAY - timedelta(days=90))

    add_families(2)
    small = count_queries()
    add_families(20)
    assert count_queries() == small
