from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import (
    AgreementKind,
    AgreementParty,
    AgreementWay,
    AuditEvent,
    CareSession,
    ClosureType,
    Family,
    FamilyStatus,
    Goal,
    GoalScore,
    GoalStatus,
    MomentKind,
    Plan,
    PlanAgreement,
    PlanStatus,
)
from tests.helpers.auth import login
from tests.helpers.db import count_rows, query
from tests.helpers.form_data import plan_form, session_form


def plans_of(app, family_id):
    return query(
        app,
        lambda: [
            (p.number, p.status, p.superseded_at is None, [g.title for g in p.goals], [g.key for g in p.goals])
            for p in db.session.execute(select(Plan).where(Plan.family_id == family_id).order_by(Plan.number)).scalars()
        ],
    )


def test_make_a_plan_with_two_goals(app, world, worker_client):
    family = world.family_a
    assert "No plan yet" in worker_client.get(f"/families/{family.id}/plan").get_data(as_text=True)
    response = worker_client.post(f"/families/{family.id}/plan/edit", data=plan_form())
    assert response.status_code == 302
    [(number, status, current, titles, _)] = plans_of(app, family.id)
    assert (number, status, current, titles) == (1, PlanStatus.DRAFT, True, ["Bedtime is calm", "A plan for the debts"])
    page = worker_client.get(f"/families/{family.id}/plan").get_data(as_text=True)
    assert "Sings the bedtime song every night" in page and "Debt counselling" in page
    assert "Respond to the child&#39;s signals" in page
    assert query(
        app,
        lambda: db.session.execute(select(AuditEvent.action).where(AuditEvent.action == "create_plan")).scalar_one(),
    )


def test_a_draft_changes_in_place_and_an_agreed_plan_gets_a_new_version(app, world, worker_client, make):
    url = f"/families/{world.family_a.id}/plan/edit"
    worker_client.post(url, data=plan_form())
    worker_client.post(url, data=plan_form(version="1.1", **{"goals-0-title": "Bedtime is calm and cosy"}))
    [(number, status, _, titles, keys)] = plans_of(app, world.family_a.id)
    assert (number, status, titles[0]) == (1, PlanStatus.DRAFT, "Bedtime is calm and cosy")

    with app.app_context():  # agreed with the parents (tests/plans/test_agreement.py records it through the form)
        plan = db.session.execute(select(Plan)).scalar_one()
        plan_id, family_id = plan.id, plan.family_id
        db.session.add(
            PlanAgreement(
                plan_id=plan_id,
                family_id=family_id,
                kind=AgreementKind.RESPONSE,
                party=AgreementParty.PARENT,
                name="Anouk",
                way=AgreementWay.IN_PERSON,
                agrees=True,
                agreed_on=date.today(),
            )
        )
        plan.status = PlanStatus.AGREED
        db.session.commit()
        version = plan.version

    changed = plan_form(
        version=f"1.{version}",
        **{"goals-0-key": keys[0], "goals-1-key": keys[1], "goals-0-title": "Bedtime and mornings are calm"},
    )
    response = worker_client.post(url, data=changed)
    assert response.status_code == 302
    versions = plans_of(app, world.family_a.id)
    assert [(v[0], v[1], v[2]) for v in versions] == [(1, PlanStatus.AGREED, False), (2, PlanStatus.DRAFT, True)]
    assert versions[0][3][0] == "Bedtime is calm and cosy"  # the agreed version stays as it was
    assert versions[1][3][0] == "Bedtime and mornings are calm"
    assert versions[1][4] == keys  # the same goals, so their scores carry on
    old = worker_client.get(f"/families/{world.family_a.id}/plan/versions/1").get_data(as_text=True)
    assert "Bedtime is calm and cosy" in old and "This is an earlier version" in old


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11", "Give a whole number from 0 to 10."),
        ("-1", "Give a whole number from 0 to 10."),
        ("4.5", "Not a valid integer value."),
    ],
)
def test_plan_scores_are_whole_numbers_from_0_to_10(app, world, worker_client, value, message):
    html = worker_client.post(
        f"/families/{world.family_a.id}/plan/edit", data=plan_form(**{"goals-0-start_score": value})
    ).get_data(as_text=True)
    assert message in html
    assert "Sings the bedtime song every night" in html
    assert plans_of(app, world.family_a.id) == []


def test_a_goal_needs_a_title_and_scores(world, worker_client):
    html = worker_client.post(
        f"/families/{world.family_a.id}/plan/edit",
        data=plan_form(**{"goals-0-title": "", "goals-1-start_score": ""}),
    ).get_data(as_text=True)
    assert "Give this goal a title, in the parents&#39; own words." in html
    assert "Where are you now? Give a score from 0 to 10." in html


def test_plan_conflict_keeps_the_first_save_and_shows_both(app, world):
    """Two people save the same plan: the first save stays, the second gets 409 with both versions."""
    url = f"/families/{world.family_a.id}/plan/edit"
    first, second = app.test_client(), app.test_client()
    login(first, world.worker_a)
    login(second, world.lead_a)
    first.post(url, data=plan_form())
    assert first.post(url, data=plan_form(version="1.1", **{"goals-0-title": "Saved by the worker"})).status_code == 302
    clash = second.post(url, data=plan_form(version="1.1", **{"goals-0-title": "Typed by the lead"}))
    assert clash.status_code == 409
    html = clash.get_data(as_text=True)
    assert "Someone else saved this plan while you were editing" in html
    start, end = html.index('id="conflict"'), html.index("Save again to replace it with your version.")
    saved_part, form_part = html[start:end], html[end:]
    assert "Saved by the worker" in saved_part  # what is in the database now
    assert 'value="Typed by the lead"' in form_part  # the second user's text, not lost
    [(_, _, _, titles, _)] = plans_of(app, world.family_a.id)  # the draft changed in place: still one plan
    assert titles[0] == "Saved by the worker"


def _open_form_version(client, url):
    return _token_in(client.get(url).get_data(as_text=True))


@pytest.mark.parametrize("then_agreed", [False, True])
def test_stale_saves_of_an_agreed_plan_never_stack_on_each_other(app, world, make, then_agreed):
    """Both open the agreed version 1; the first save makes version 2 (not yet discussed, and perhaps
    agreed since); the second save is a conflict: it would have written over version 2 in place, or put
    a version 3 on top of it unseen."""
    plan = make.plan(world.family_a, goals=[("Bedtime is calm", 3, 8)])
    url = f"/families/{world.family_a.id}/plan/edit"
    first, second = app.test_client(), app.test_client()
    login(first, world.worker_a)
    login(second, world.lead_a)
    token_first, token_second = _open_form_version(first, url), _open_form_version(second, url)
    assert token_first == token_second == f"1.{plan.version}"
    assert first.post(url, data=plan_form(version=token_first, **{"goals-0-title": "First"})).status_code == 302
    if then_agreed:
        with app.app_context():
            version_2 = db.session.execute(select(Plan).where(Plan.number == 2)).scalar_one()
            db.session.add(
                PlanAgreement(
                    plan_id=version_2.id,
                    family_id=version_2.family_id,
                    kind=AgreementKind.RESPONSE,
                    party=AgreementParty.PARENT,
                    name="Anouk",
                    way=AgreementWay.IN_PERSON,
                    agrees=True,
                    agreed_on=date.today(),
                )
            )
            version_2.status = PlanStatus.AGREED
            db.session.commit()
    clash = second.post(url, data=plan_form(version=token_second, **{"goals-0-title": "Second"}))
    assert clash.status_code == 409
    html = clash.get_data(as_text=True)
    assert "Someone else saved this plan while you were editing" in html
    assert 'value="Second"' in html  # the second person's text is still in the form
    versions = plans_of(app, world.family_a.id)
    assert [(v[0], v[3][0]) for v in versions] == [(1, "Bedtime is calm"), (2, "First")]
    # Saving again from the conflict page is a knowing choice: it goes through, and an agreed
    # version 2 stays as the parents saw it.
    again = second.post(url, data=plan_form(version=_token_in(html), **{"goals-0-title": "Second"}))
    assert again.status_code == 302
    versions = plans_of(app, world.family_a.id)
    assert [v[3][0] for v in versions] == (
        ["Bedtime is calm", "First", "Second"] if then_agreed else ["Bedtime is calm", "Second"]
    )


def _token_in(html):
    return html.split('name="version" type="hidden" value="', 1)[1].split('"', 1)[0]


def test_a_plan_made_meanwhile_is_a_conflict_for_a_form_opened_without_one(app, world):
    url = f"/families/{world.family_a.id}/plan/edit"
    first, second = app.test_client(), app.test_client()
    login(first, world.worker_a)
    login(second, world.lead_a)
    token = _open_form_version(second, url)
    assert token == ""
    assert first.post(url, data=plan_form(**{"goals-0-title": "First"})).status_code == 302
    clash = second.post(url, data=plan_form(version=token, **{"goals-0-title": "Second"}))
    assert clash.status_code == 409
    assert [v[3][0] for v in plans_of(app, world.family_a.id)] == ["First"]


class TestScoring:
    def test_score_goals_in_a_session(self, app, world, worker_client, make):
        plan = make.plan(world.family_a, goals=[("Calm bedtimes", 3, 8), ("Playing together", 4, 9)])
        keys = [g.key for g in plan.goals]
        url = f"/families/{world.family_a.id}/sessions/new"
        form = worker_client.get(url).get_data(as_text=True)
        assert "Calm bedtimes" in form and "Progress on the goals" in form
        data = session_form(
            **{
                "scores-0-goal_key": keys[0],
                "scores-0-worker_score": "5",
                "scores-0-parent_score": "6",
                "scores-1-goal_key": keys[1],
                "scores-1-worker_score": "",
                "scores-1-parent_score": "",
            }
        )
        assert worker_client.post(url, data=data).status_code == 302
        rows = query(
            app,
            lambda: db.session.execute(
                select(GoalScore.goal_key, GoalScore.worker_score, GoalScore.parent_score, GoalScore.scored_on)
            ).all(),
        )
        assert rows == [(keys[0], 5, 6, date.today())]  # a goal left empty has no reading that day
        page = worker_client.get(f"/families/{world.family_a.id}").get_data(as_text=True)
        assert "start 3, now 5, target 8" in page

    @pytest.mark.parametrize("value", ["11", "-2", "7.5", "seven"])
    def test_session_scores_are_validated(self, app, world, worker_client, make, value):
        plan = make.plan(world.family_a)
        data = session_form(**{"scores-0-goal_key": plan.goals[0].key, "scores-0-worker_score": value})
        html = worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=data).get_data(as_text=True)
        assert "Give a whole number from 0 to 10." in html or "Not a valid integer value." in html
        assert count_rows(app, GoalScore) == 0

    def test_a_goal_key_of_another_family_is_ignored(self, app, world, worker_client, make):
        make.plan(world.family_a)
        foreign = make.plan(world.family_b, goals=[("Their goal", 1, 5)])
        data = session_form(**{"scores-0-goal_key": foreign.goals[0].key, "scores-0-worker_score": "9"})
        assert worker_client.post(f"/families/{world.family_a.id}/sessions/new", data=data).status_code == 302
        assert count_rows(app, GoalScore) == 0

    def test_editing_a_session_shows_and_replaces_its_scores(self, app, world, worker_client, make):
        plan = make.plan(world.family_a)
        key = plan.goals[0].key
        url = f"/families/{world.family_a.id}/sessions/new"
        worker_client.post(url, data=session_form(**{"scores-0-goal_key": key, "scores-0-worker_score": "4"}))
        session_id = query(app, lambda: db.session.execute(select(GoalScore.session_id)).scalar_one())
        edit = f"/families/{world.family_a.id}/sessions/{session_id}/edit"
        assert 'name="scores-0-worker_score" step="1" type="number" value="4"' in worker_client.get(edit).get_data(
            as_text=True
        )
        worker_client.post(
            edit, data=session_form(version="1", **{"scores-0-goal_key": key, "scores-0-worker_score": "6"})
        )
        assert query(app, lambda: db.session.execute(select(GoalScore.worker_score)).scalars().all()) == [6]

    def test_editing_a_session_keeps_scores_of_goals_no_longer_active(self, app, world, client, make):
        plan = make.plan(world.family_a, goals=[("A", 2, 8), ("B", 3, 9)])
        a, b = (g.key for g in plan.goals)
        login(client, world.worker_a)
        data = session_form(
            **{
                "scores-0-goal_key": a,
                "scores-0-worker_score": "5",
                "scores-1-goal_key": b,
                "scores-1-worker_score": "6",
            }
        )
        client.post(f"/families/{world.family_a.id}/sessions/new", data=data)

        def achieve_b():
            db.session.execute(update(Goal).where(Goal.key == b).values(status=GoalStatus.ACHIEVED))
            db.session.commit()

        query(app, achieve_b)
        session_id = query(app, lambda: db.session.execute(select(CareSession.id)).scalar_one())
        edit = f"/families/{world.family_a.id}/sessions/{session_id}/edit"
        client.post(edit, data=session_form(version="1", **{"scores-0-goal_key": a, "scores-0-worker_score": "5"}))
        kept = query(app, lambda: dict(db.session.execute(select(GoalScore.goal_key, GoalScore.worker_score)).all()))
        assert kept == {a: 5, b: 6}

    def test_scores_of_trashed_sessions_do_not_count(self, app, world, client, make):
        plan = make.plan(world.family_a, goals=[("Calm bedtimes", 5, 9)])
        session = make.care_session(world.family_a, deleted_at=datetime.now(UTC))
        make.score(world.family_a, plan.goals[0], date.today(), 0, session_id=session.id)
        login(client, world.worker_a)
        page = client.get(f"/families/{world.family_a.id}/plan/print?lang=en").get_data(as_text=True)
        assert "Now: 0" not in page
        lead = app.test_client()
        login(lead, world.lead_a)
        assert (
            "Family Alpha"
            not in lead.get("/overview?signal=reliably_worse").get_data(as_text=True).split("families-heading")[1]
        )


class TestClosing:
    def test_closing_asks_for_type_and_a_final_score_per_active_goal(self, app, world, worker_client, make):
        plan = make.plan(world.family_a, goals=[("Calm bedtimes", 3, 8), ("Playing together", 4, 9)])
        url = f"/families/{world.family_a.id}/close"
        page = worker_client.get(url).get_data(as_text=True)
        assert "Calm bedtimes" in page and "Playing together" in page
        keys = [g.key for g in plan.goals]
        base = {"end_date": date.today().isoformat(), "period": "1"}
        base |= {"scores-0-goal_key": keys[0], "scores-1-goal_key": keys[1]}
        html = worker_client.post(url, data={**base, "scores-0-worker_score": "7"}).get_data(as_text=True)
        assert "Choose how the help ended." in html and "Give a score from 0 to 10 for each goal." in html
        done = worker_client.post(
            url,
            data={
                **base,
                "closure_type": "planned",
                "scores-0-worker_score": "7",
                "scores-1-worker_score": "8",
                "scores-1-parent_score": "9",
            },
        )
        assert done.status_code == 302
        family = query(app, lambda: db.session.get(Family, world.family_a.id))
        assert (family.status, family.closure_type, family.end_date) == (
            FamilyStatus.CLOSED,
            ClosureType.PLANNED,
            date.today(),
        )
        finals = query(
            app,
            lambda: db.session.execute(
                select(GoalScore.goal_key, GoalScore.worker_score, GoalScore.parent_score, GoalScore.is_final).order_by(
                    GoalScore.worker_score
                )
            ).all(),
        )
        assert finals == [(keys[0], 7, None, True), (keys[1], 8, 9, True)]

    def test_closing_without_a_plan_still_records_the_type(self, app, world, worker_client):
        response = worker_client.post(
            f"/families/{world.family_a.id}/close",
            data={
                "closure_type": "early",
                "early_reason": "moved",
                "early_reason_text": "Moved to Zwolle.",
                "end_date": date.today().isoformat(),
                "period": "1",
            },
        )
        assert response.status_code == 302
        assert query(app, lambda: db.session.get(Family, world.family_a.id).closure_type) == ClosureType.EARLY

    def test_closing_refuses_the_same_goal_twice(self, app, world, client, make):
        plan = make.plan(world.family_a, goals=[("A", 2, 8), ("B", 3, 9)])
        key = plan.goals[0].key
        login(client, world.worker_a)
        data = {
            "closure_type": "planned",
            "end_date": date.today().isoformat(),
            "period": "1",
            "scores-0-goal_key": key,
            "scores-0-worker_score": "9",
            "scores-1-goal_key": key,
            "scores-1-worker_score": "1",
        }
        assert client.post(f"/families/{world.family_a.id}/close", data=data).status_code == 400
        assert count_rows(app, GoalScore) == 0


def test_a_full_plan_does_not_save_on_add_goal(app, world, client):
    login(client, world.worker_a)
    data = plan_form(add_goal="1")
    del data["submit"]
    for n in range(2, 10):
        data[f"goals-{n}-title"] = f"Goal {n}"
        data[f"goals-{n}-start_score"] = "1"
        data[f"goals-{n}-target_score"] = "5"
    html = client.post(f"/families/{world.family_a.id}/plan/edit", data=data).get_data(as_text=True)
    assert "A plan can have at most 10 goals." in html
    assert count_rows(app, Plan) == 0


def test_goal_keys_are_unique_per_goal(app, world, make):
    plan = make.plan(world.family_a, goals=[("A", 1, 2), ("B", 1, 2)])
    assert len({g.key for g in plan.goals}) == 2
    assert count_rows(app, Goal) == 2


def test_goal_keys_from_the_form_are_checked(app, world, client, make):
    foreign = make.plan(world.family_b, goals=[("Theirs", 1, 5)])
    login(client, world.worker_a)
    data = plan_form(**{"goals-0-key": "x" * 40, "goals-1-key": foreign.goals[0].key})
    assert client.post(f"/families/{world.family_a.id}/plan/edit", data=data).status_code == 302
    keys = query(
        app,
        lambda: (
            db.session.execute(select(Goal.key).join(Plan).where(Plan.family_id == world.family_a.id)).scalars().all()
        ),
    )
    assert len(set(keys)) == 2 and foreign.goals[0].key not in keys and all(len(k) == 16 for k in keys)


def test_printing_with_no_moment_ticked_shows_none(world, worker_client, make):
    make.plan(world.family_a)
    make.care_session(world.family_a, moments=[(MomentKind.POSITIVE, "They laughed at the swings", [])])
    plan_page = worker_client.get(f"/families/{world.family_a.id}/plan").get_data(as_text=True)
    assert "checked" in plan_page and "They laughed at the swings" in plan_page  # the plan page suggests it
    none = worker_client.get(f"/families/{world.family_a.id}/plan/print?lang=en&chosen=1").get_data(as_text=True)
    assert "They laughed at the swings" not in none
    bare = worker_client.get(f"/families/{world.family_a.id}/plan/print?lang=en").get_data(as_text=True)
    assert "They laughed at the swings" not in bare  # only what the worker chose is printed
