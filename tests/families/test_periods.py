"""The end of the help: how it ended on the family page and the print, no new work on a closed family,
closing twice at once, and a team lead reopening it as a new period of help (issue 16)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from flask import request
from sqlalchemy import select
from sqlalchemy import update as sa_update

from app.extensions import db
from app.models import (
    AuditEvent,
    CareSession,
    ClosureType,
    EarlyEndReason,
    Family,
    FamilyStatus,
    GoalScore,
    HelpPeriod,
    Plan,
    PlanAgreement,
    PlanStatus,
    StressItem,
)
from app.services import plans as plans_service
from tests.helpers.auth import login
from tests.helpers.db import count_rows, query
from tests.helpers.form_data import agreement_form, plan_form, session_form

TODAY = date.today()


def close_form(plan=None, **overrides):
    data = {"closure_type": "planned", "end_date": TODAY.isoformat(), "period": "1"}
    for n, goal in enumerate(plan.goals if plan else []):
        data[f"scores-{n}-goal_key"] = goal.key
        data[f"scores-{n}-worker_score"] = str(7 + n)
        data[f"scores-{n}-parent_score"] = str(8 + n)
    data.update(overrides)
    return data


EARLY = {"closure_type": "early", "early_reason": "moved", "early_reason_text": "Moved to Zwolle, new address unknown."}


def periods_of(app, family_id):
    return query(
        app,
        lambda: [
            (p.number, p.start_date, p.end_date, p.closure_type, p.early_reason, p.reopen_reason)
            for p in db.session.execute(
                select(HelpPeriod).where(HelpPeriod.family_id == family_id).order_by(HelpPeriod.number)
            ).scalars()
        ],
    )


def actions(app, family_id):
    return query(
        app,
        lambda: list(
            db.session.execute(
                select(AuditEvent.action, AuditEvent.detail)
                .where(AuditEvent.family_id == family_id, AuditEvent.action.in_(["close_family", "reopen_family"]))
                .order_by(AuditEvent.id)
            ).all()
        ),
    )


class TestClosingTwiceAtOnce:
    def test_two_people_closing_at_once_give_one_closure_and_no_error(self, app, world, make, monkeypatch):
        """Both load the open family and send the form at the same moment. PostgreSQL: both pass the
        route's check, the second UPDATE waits for the first's commit and then finds it closed. SQLite:
        writers take turns, so the second already reads it closed. Either way: one closure, one set of
        final scores, and the second person is told it had already ended."""
        family = world.family_a
        plan = make.plan(family, goals=[("Calm bedtimes", 3, 8), ("Playing together", 4, 9)])
        postgres = not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
        barrier = threading.Barrier(2, timeout=10)
        loaded = plans_service.current_plan

        def both_loaded(family_id):
            plan = loaded(family_id)
            if postgres and request.method == "POST" and threading.current_thread().name.startswith("closer"):
                barrier.wait()  # both requests have read the family as open: now both write
            return plan

        monkeypatch.setattr(plans_service, "current_plan", both_loaded)
        clients = []
        for user in (world.worker_a, world.lead_a):
            client = app.test_client()
            login(client, user)
            clients.append(client)
        results: list = [None, None]

        def close(n):
            response = clients[n].post(f"/families/{family.id}/close", data=close_form(plan))
            results[n] = (response.status_code, clients[n].get(response.headers.get("Location", "/")).get_data(True))

        threads = [threading.Thread(target=close, args=(n,), name=f"closer-{n}") for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert [r[0] for r in results] == [302, 302]
        pages = [r[1] for r in results]
        assert sum("The help has been closed." in page for page in pages) == 1
        assert sum("The help for this family has already ended." in page for page in pages) == 1
        assert count_rows(app, GoalScore) == 2  # one final score per goal, once
        assert [a for a, _ in actions(app, family.id)] == ["close_family"]
        assert query(app, lambda: db.session.get(Family, family.id).status) == FamilyStatus.CLOSED
        assert [p[:4] for p in periods_of(app, family.id)] == [(1, family.start_date, TODAY, ClosureType.PLANNED)]


class TestClosingForm:
    def test_an_early_end_needs_a_reason_and_its_words(self, app, world, worker_client):
        url = f"/families/{world.family_a.id}/close"
        html = worker_client.post(url, data=close_form(closure_type="early")).get_data(as_text=True)
        assert "Choose why the help ended early." in html
        assert "Write in a few words what happened." in html
        assert query(app, lambda: db.session.get(Family, world.family_a.id).status) == FamilyStatus.ACTIVE
        assert worker_client.post(url, data=close_form(**EARLY)).status_code == 302
        assert periods_of(app, world.family_a.id)[0][3:5] == (ClosureType.EARLY, EarlyEndReason.MOVED)
        assert actions(app, world.family_a.id) == [("close_family", "early, moved")]

    def test_a_planned_end_needs_no_reason_and_keeps_none(self, app, world, worker_client):
        data = close_form(early_reason="moved", early_reason_text="left over from a first choice")
        assert worker_client.post(f"/families/{world.family_a.id}/close", data=data).status_code == 302
        assert periods_of(app, world.family_a.id)[0][3:5] == (ClosureType.PLANNED, None)

    def test_the_end_date_lies_within_the_period(self, app, world, worker_client):
        url = f"/families/{world.family_a.id}/close"
        before = (world.family_a.start_date - timedelta(days=1)).isoformat()
        html = worker_client.post(url, data=close_form(end_date=before)).get_data(as_text=True)
        assert "The end date cannot be before the start of this period of help." in html
        tomorrow = (TODAY + timedelta(days=1)).isoformat()
        assert "This date lies in the future." in worker_client.post(url, data=close_form(end_date=tomorrow)).get_data(
            as_text=True
        )


@pytest.fixture
def closed(app, world, make, worker_client):
    """Family Alpha, with a plan of two goals and a session, closed early by its worker."""
    family = world.family_a
    plan = make.plan(family, goals=[("Calm bedtimes", 3, 8), ("Playing together", 4, 9)])
    session = make.care_session(family, world.worker_a, summary="The last home visit.")
    stress = make.stress_item(family)
    response = worker_client.post(f"/families/{family.id}/close", data=close_form(plan, **EARLY))
    assert response.status_code == 302
    return family, plan, session, stress


class TestAClosedFamily:
    def test_takes_no_new_session_stress_or_plan_change(self, app, world, closed, worker_client):
        family, plan, _session, _stress = closed
        base = f"/families/{family.id}"
        for url in (f"{base}/sessions/new", f"{base}/plan/edit", f"{base}/stress/new", f"{base}/plan/agreement"):
            response = worker_client.get(url)  # opening the form: back to the family page, with the reason
            assert response.status_code == 302, url
            assert response.headers["Location"] == base
            page = worker_client.get(base).get_data(as_text=True)
            assert "The help for this family has ended. A team lead can reopen it." in page
        # A form opened before the close and sent after it: nothing stored, shown again as typed.
        version = f"{plan.number}.{query(app, lambda: db.session.get(Plan, plan.id).version)}"
        for url, data, typed in [
            (f"{base}/sessions/new", session_form(summary="Typed before the close"), "Typed before the close"),
            (f"{base}/plan/edit", plan_form(version=version, **{"goals-0-title": "Typed goal"}), "Typed goal"),
            (
                f"{base}/stress/new",
                {
                    "kind": "housing",
                    "severity": "moderate",
                    "status": "open",
                    "changed_on": TODAY.isoformat(),
                    "helper": "Typed helper",
                },
                "Typed helper",
            ),
        ]:
            response = worker_client.post(url, data=data)
            html = response.get_data(as_text=True)
            assert response.status_code in (200, 409), url
            assert "The help for this family has ended. A team lead can reopen it." in html, url
            assert typed in html, url
        assert count_rows(app, CareSession) == 1
        assert count_rows(app, Plan) == 1
        assert count_rows(app, StressItem) == 1

    def test_keeps_its_record_readable_and_printable(self, app, world, closed, worker_client):
        family, _plan, session, _stress = closed
        base = f"/families/{family.id}"
        assert "The last home visit." in worker_client.get(f"{base}/sessions/{session.id}").get_data(as_text=True)
        plan_page = worker_client.get(f"{base}/plan").get_data(as_text=True)
        assert "Calm bedtimes" in plan_page and "Change the plan" not in plan_page
        assert "The plan can be read and printed, not changed." in plan_page
        assert worker_client.get(f"{base}/plan/print?lang=en").status_code == 200

    def test_its_page_shows_how_the_help_ended(self, app, world, closed, worker_client):
        family, _plan, _session, _stress = closed
        page = worker_client.get(f"/families/{family.id}").get_data(as_text=True)
        ended = page.split('id="ended-heading"')[1].split("</section>")[0]
        assert "How the help ended" in page
        assert "Ended early" in ended and "the family moved" in ended
        assert "Moved to Zwolle, new address unknown." in ended
        assert "Start 3 → at the end 7 (care worker) · 8 (parent's own)" in ended
        assert "Start 4 → at the end 8 (care worker) · 9 (parent's own)" in ended
        assert "A team lead can reopen it." in ended and "Reopen the help" not in page
        assert "Log a session" not in page and "Close the help" not in page
        assert "Add a source of stress" not in page

    def test_its_lead_is_offered_to_reopen_it(self, app, world, closed):
        family = closed[0]
        lead = app.test_client()
        login(lead, world.lead_a)
        page = lead.get(f"/families/{family.id}").get_data(as_text=True)
        assert f'href="/families/{family.id}/reopen"' in page

    def test_its_family_form_offers_no_way_back(self, app, world, closed, worker_client):
        family = closed[0]
        page = worker_client.get(f"/families/{family.id}/edit").get_data(as_text=True)
        assert 'name="status"' not in page


class TestClosingRacingNewWork:
    """family_view(open_only=True) reads the status as the request starts. A close committed after that check
    must still stop the save: no closed family with a new plan version or session, and nothing typed lost."""

    @pytest.fixture(params=["closed before the save", "closed during the request"])
    def closed_behind_the_check(self, request, app, world, monkeypatch):
        """The family passes the door as open, and is closed by the time the save runs."""
        from app.security import access

        family = world.family_a
        postgres = not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")

        def close_now():
            with db.engine.connect() as connection:  # another transaction: someone else's close, committed
                connection.execute(
                    sa_update(Family).where(Family.id == family.id).values(status=FamilyStatus.CLOSED, end_date=TODAY)
                )
                connection.commit()

        if request.param == "closed before the save":
            query(app, close_now)  # the check is told it is open, as it was a moment earlier
            monkeypatch.setattr(access, "takes_new_work", lambda _family: True)
        else:
            if not postgres:  # SQLite: the request holds the write lock, so no close can commit during it
                pytest.skip("a close committing during a writing request needs PostgreSQL")
            read_family = access.family_or_404

            def read_then_closed(*args, **kwargs):
                found = read_family(*args, **kwargs)
                close_now()  # commits while this request has already read the family as open
                return found

            monkeypatch.setattr(access, "family_or_404", read_then_closed)
        return family

    def test_an_agreement_is_refused_with_the_text_kept(self, app, world, make, worker_client, closed_behind_the_check):
        family = closed_behind_the_check
        plan = make.plan(family, status=PlanStatus.DRAFT, discussed_on=None)
        goal_ids = [str(g.id) for g in plan.goals]
        token = query(app, lambda: plans_service.agreement_token(db.session.get(Plan, plan.id)))
        data = agreement_form(goal_ids, token, name="Maria", words="We doen het samen.")
        response = worker_client.post(f"/families/{family.id}/plan/agreement", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "The help for this family has ended. A team lead can reopen it." in html
        assert 'value="Maria"' in html and "We doen het samen." in html
        assert count_rows(app, PlanAgreement) == 0

    def test_a_plan_save_is_refused_with_the_text_kept(self, app, world, make, worker_client, closed_behind_the_check):
        family = closed_behind_the_check
        plan = make.plan(family, status=PlanStatus.DRAFT, discussed_on=None)
        data = plan_form(version=f"{plan.number}.{plan.version}", **{"goals-0-title": "Bedtime is calm and short"})
        response = worker_client.post(f"/families/{family.id}/plan/edit", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "The help for this family has ended. A team lead can reopen it." in html
        assert 'value="Bedtime is calm and short"' in html  # what was typed is still in the form
        assert query(app, lambda: [(p.number, p.version) for p in db.session.execute(select(Plan)).scalars()]) == [
            (1, plan.version)
        ]
        assert query(app, lambda: db.session.get(Plan, plan.id).goals[0].title) == "Calm bedtimes"

    def test_a_new_plan_is_refused(self, app, world, worker_client, closed_behind_the_check):
        family = closed_behind_the_check
        response = worker_client.post(f"/families/{family.id}/plan/edit", data=plan_form(version=""))
        assert "The help for this family has ended. A team lead can reopen it." in response.get_data(as_text=True)
        assert count_rows(app, Plan) == 0

    def test_a_new_session_is_refused_with_the_text_kept(self, app, world, worker_client, closed_behind_the_check):
        family = closed_behind_the_check
        data = session_form(summary="Bedtime went better; Emma slept at eight.")
        response = worker_client.post(f"/families/{family.id}/sessions/new", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "The help for this family has ended. A team lead can reopen it." in html
        assert "Bedtime went better; Emma slept at eight." in html
        assert count_rows(app, CareSession) == 0
        assert query(app, lambda: db.session.get(Family, family.id).status) == FamilyStatus.CLOSED


class TestPrint:
    def test_the_print_says_warmly_how_it_ended_without_the_workers_words(self, app, world, closed, worker_client):
        family = closed[0]
        page = worker_client.get(f"/families/{family.id}/plan/print?lang=en").get_data(as_text=True)
        assert "The help has ended" in page
        assert "The help stopped earlier than planned. You moved to another place." in page
        assert "Zwolle" not in page
        dutch = worker_client.get(f"/families/{family.id}/plan/print?lang=nl").get_data(as_text=True)
        assert "De hulp is eerder gestopt dan gepland." in dutch

    def test_an_open_familys_print_has_no_ending(self, app, world, make, worker_client):
        make.plan(world.family_a)
        page = worker_client.get(f"/families/{world.family_a.id}/plan/print?lang=en").get_data(as_text=True)
        assert "The help has ended" not in page
        assert "Next appointment" in page and "We look at this plan again on" in page

    def test_an_ended_help_plans_no_appointment_and_no_review(self, app, world, closed, worker_client):
        page = worker_client.get(f"/families/{closed[0].id}/plan/print?lang=en").get_data(as_text=True)
        assert "Next appointment" not in page and "We look at this plan again on" not in page


class TestReopening:
    def reopen_form(self, **overrides):
        data = {"reason": "The parents asked for help again after the move.", "start_date": TODAY.isoformat()}
        data["status"] = "active"
        data.update(overrides)
        return data

    def test_an_earlier_period_keeps_the_words_its_goals_had_then(self, app, world, closed, worker_client):
        family, plan, _session, _stress = closed
        lead = app.test_client()
        login(lead, world.lead_a)
        assert lead.post(f"/families/{family.id}/reopen", data=self.reopen_form()).status_code == 302
        keys = [g.key for g in plan.goals]
        changed = plan_form(
            version=f"1.{query(app, lambda: db.session.get(Plan, plan.id).version)}",
            **{
                "goals-0-key": keys[0],
                "goals-0-title": "Calm bedtimes, and calm mornings too",
                "goals-0-start_score": "6",
                "goals-1-key": keys[1],
                "goals-1-title": "Playing together",
            },
        )
        assert worker_client.post(f"/families/{family.id}/plan/edit", data=changed).status_code == 302
        page = worker_client.get(f"/families/{family.id}").get_data(as_text=True)
        earlier = page.split('class="mt-2 earlier-periods"')[1].split("</details>")[0]
        assert "Calm bedtimes" in earlier and "and calm mornings too" not in earlier
        assert "Start 3 → at the end 7 (care worker)" in earlier

    def test_closing_and_reopening_restart_the_status_count(self, app, world, make):
        """A family closed after a long pause no longer counts that pause, closed or reopened."""
        family = make.family(
            world.team_a, world.worker_a, status=FamilyStatus.PAUSED, status_since=TODAY - timedelta(weeks=20)
        )
        lead = app.test_client()
        login(lead, world.lead_a)
        assert "paused for 20 weeks" in lead.get(f"/families/{family.id}").get_data(as_text=True)
        assert lead.post(f"/families/{family.id}/close", data=close_form(**EARLY)).status_code == 302
        assert query(app, lambda: db.session.get(Family, family.id).status_since) == TODAY
        assert "paused for" not in lead.get(f"/families/{family.id}").get_data(as_text=True)
        assert lead.post(f"/families/{family.id}/reopen", data=self.reopen_form(status="intake")).status_code == 302
        assert query(app, lambda: db.session.get(Family, family.id).status_since) == TODAY
        assert "None of the signals applies to this family now." in lead.get(f"/families/{family.id}").get_data(
            as_text=True
        )

    def test_only_the_team_lead_reopens(self, app, world, closed, worker_client):
        family = closed[0]
        url = f"/families/{family.id}/reopen"
        assert worker_client.get(url).status_code == 404
        assert worker_client.post(url, data=self.reopen_form()).status_code == 404
        other = app.test_client()
        login(other, world.lead_b)
        assert other.post(url, data=self.reopen_form()).status_code == 404
        assert query(app, lambda: db.session.get(Family, family.id).status) == FamilyStatus.CLOSED

    def test_a_reason_and_a_start_within_bounds_are_needed(self, app, world, closed):
        family = closed[0]
        lead = app.test_client()
        login(lead, world.lead_a)
        url = f"/families/{family.id}/reopen"
        assert "Write why the help is starting again." in lead.post(url, data=self.reopen_form(reason=" ")).get_data(
            as_text=True
        )
        yesterday = (TODAY - timedelta(days=1)).isoformat()
        html = lead.post(url, data=self.reopen_form(start_date=yesterday)).get_data(as_text=True)
        assert "The new period cannot start before the help ended." in html
        tomorrow = (TODAY + timedelta(days=1)).isoformat()
        assert "This date lies in the future." in lead.post(url, data=self.reopen_form(start_date=tomorrow)).get_data(
            as_text=True
        )
        assert len(periods_of(app, family.id)) == 1

    def test_reopening_starts_a_new_period_and_keeps_the_earlier_one_readable(self, app, world, closed, worker_client):
        family, plan, _session, _stress = closed
        lead = app.test_client()
        login(lead, world.lead_a)
        url = f"/families/{family.id}/reopen"
        assert "Reopen the help for Family Alpha" in lead.get(url).get_data(as_text=True)
        assert lead.post(url, data=self.reopen_form(status="intake")).status_code == 302
        reopened = query(app, lambda: db.session.get(Family, family.id))
        assert (reopened.status, reopened.start_date, reopened.end_date, reopened.closure_type) == (
            FamilyStatus.INTAKE,
            TODAY,
            None,
            None,
        )
        assert periods_of(app, family.id) == [
            (
                1,
                family.start_date,
                TODAY,
                ClosureType.EARLY,
                EarlyEndReason.MOVED,
                "The parents asked for help again after the move.",
            ),
            (2, TODAY, None, None, None, ""),
        ]
        [(action, detail)] = [a for a in actions(app, family.id) if a[0] == "reopen_family"]
        assert detail == "period 2, intake: The parents asked for help again after the move."
        admin = app.test_client()
        login(admin, world.admin)
        admin_log = admin.get(f"/admin/log?case={family.case_number}").get_data(as_text=True)
        assert "Reopened the help" in admin_log and "asked for help again" not in admin_log  # a case fact

        # The new period cannot be moved to before the earlier one ended on the family form.
        version = str(query(app, lambda: db.session.get(Family, family.id).version))
        edit = {"display_name": "Family Alpha", "status": "intake", "context_notes": "", "version": version}
        edit["start_date"] = (TODAY - timedelta(days=1)).isoformat()
        html = worker_client.post(f"/families/{family.id}/edit", data=edit).get_data(as_text=True)
        assert "This period of help cannot start before the period before it ended." in html

        # The worker can log sessions again, and reads the earlier period with its final scores.
        page = worker_client.get(f"/families/{family.id}").get_data(as_text=True)
        assert "How the help ended" not in page and "Log a session" in page
        earlier = page.split('class="mt-2 earlier-periods"')[1].split("</details>")[0]
        assert "Period 1" in earlier and "Ended early" in earlier
        assert "Start 3 → at the end 7 (care worker)" in earlier
        assert "The parents asked for help again after the move." in earlier and world.lead_a.name in earlier
        assert worker_client.get(f"/families/{family.id}/sessions/new").status_code == 200
        # The parents' copy of the record (an access request) has both periods.
        record = lead.get(f"/families/{family.id}/access-request/export?format=json").get_json()
        assert [(p["number"], p["closure_type"], p["early_reason"]) for p in record["periods"]] == [
            (1, "early", "moved"),
            (2, None, None),
        ]
        assert record["periods"][0]["reopen_reason"] == "The parents asked for help again after the move."

        # Closing the new period gives it its own final scores; the first period keeps its own.
        second = {"scores-0-worker_score": "9", "scores-1-worker_score": "10", "period": "2"}
        response = worker_client.post(f"/families/{family.id}/close", data=close_form(plan, **second))
        assert response.status_code == 302
        page = worker_client.get(f"/families/{family.id}").get_data(as_text=True)
        ended = page.split('id="ended-heading"')[1].split("</section>")[0]
        assert "Ended as planned" in ended and "Start 3 → at the end 9 (care worker)" in ended
        earlier = page.split('class="mt-2 earlier-periods"')[1].split("</details>")[0]
        assert "Start 3 → at the end 7 (care worker)" in earlier and "at the end 9" not in earlier

    def test_a_close_form_opened_before_a_close_and_reopen_closes_nothing(self, app, world, make, worker_client):
        """Worker A opens the close form; B closes; the lead reopens; A sends the form: the new period stays
        open, A's old reason is not put on it, and A is told what happened."""
        family = world.family_a
        plan = make.plan(family, goals=[("Calm bedtimes", 3, 8)])
        url = f"/families/{family.id}/close"
        page = worker_client.get(url).get_data(as_text=True)
        assert 'name="period" type="hidden" value="1"' in page
        lead = app.test_client()
        login(lead, world.lead_a)
        assert lead.post(url, data=close_form(plan)).status_code == 302  # B closes period 1
        assert lead.post(f"/families/{family.id}/reopen", data=self.reopen_form()).status_code == 302

        response = worker_client.post(url, data=close_form(plan, **EARLY))  # A's form, for period 1
        assert response.status_code == 302
        page = worker_client.get(response.headers["Location"]).get_data(as_text=True)
        assert (
            "The help was closed and reopened while you had this form open. "
            "Check the family page and close again if needed." in page
        )
        assert "The help has been closed." not in page
        assert query(app, lambda: db.session.get(Family, family.id).status) == FamilyStatus.ACTIVE
        assert [p[:5] for p in periods_of(app, family.id)] == [
            (1, family.start_date, TODAY, ClosureType.PLANNED, None),
            (2, TODAY, None, None, None),
        ]
        assert count_rows(app, GoalScore) == 1  # B's final score only
        assert [a for a, _ in actions(app, family.id)] == ["close_family", "reopen_family"]
        # A form without the period it was opened for (opened before this release) closes nothing either.
        stale = {k: v for k, v in close_form(plan).items() if k != "period"}
        assert worker_client.post(url, data=stale).status_code == 302
        assert query(app, lambda: db.session.get(Family, family.id).status) == FamilyStatus.ACTIVE
        # The form opened now is for period 2, and closes it.
        assert 'name="period" type="hidden" value="2"' in worker_client.get(url).get_data(as_text=True)
        assert worker_client.post(url, data=close_form(plan, period="2")).status_code == 302
        assert query(app, lambda: db.session.get(Family, family.id).status) == FamilyStatus.CLOSED

    def test_an_open_family_has_nothing_to_reopen(self, app, world):
        lead = app.test_client()
        login(lead, world.lead_a)
        response = lead.post(f"/families/{world.family_a.id}/reopen", data=self.reopen_form())
        assert response.status_code == 302
        assert "there is nothing to reopen" in lead.get(response.headers["Location"]).get_data(as_text=True)
        assert actions(app, world.family_a.id) == []


def test_registering_a_family_starts_its_first_period(app, world, worker_client):
    start = TODAY - timedelta(days=3)
    data = {"display_name": "Family New", "status": "intake", "start_date": start.isoformat(), "context_notes": ""}
    assert worker_client.post("/families/new", data=data).status_code == 302
    family = query(
        app, lambda: db.session.execute(select(Family).where(Family.display_name == "Family New")).scalar_one()
    )
    assert periods_of(app, family.id) == [(1, start, None, None, None, "")]
    # Moving the start on the family form moves the open period's start with it.
    edit = {**data, "start_date": (start - timedelta(days=1)).isoformat(), "version": "1"}
    assert worker_client.post(f"/families/{family.id}/edit", data=edit).status_code == 302
    assert periods_of(app, family.id)[0][1] == start - timedelta(days=1)
