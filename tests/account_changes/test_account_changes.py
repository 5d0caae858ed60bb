"""Separation of duties (issue 15): no administrator alone can make an account that reads case files.

An account change that gives access waits for the team's lead (or a second administrator); a new
account or a password reset gives the person a one-time set-up code, useless until confirmed.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select, update

from app import dates
from app.extensions import db
from app.models import AccountChange, ChangeOutcome, Role, User
from app.security.passwords import verify_password
from tests.helpers.account_changes import (
    NEW_PASSWORD,
    confirm,
    enrol_totp,
    last_change,
    new_account_form,
    redeem,
    second_half,
    setup_code_from,
)
from tests.helpers.audit import audit_actions, audit_events
from tests.helpers.auth import PASSWORD, fresh_code, login
from tests.helpers.db import query

REFUSED = "This e-mail address and these codes do not fit together"


def _stored(app, user_id: int) -> User:
    def run():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user

    return query(app, run)


def _new_lead(app, admin_client, world, **overrides) -> tuple[AccountChange, str]:
    response = admin_client.post(
        "/admin/users/new", data=new_account_form(app, world.admin, team_id=world.team_a.id, **overrides)
    )
    assert response.status_code == 200
    return last_change(app), setup_code_from(response.get_data(as_text=True))


def test_a_new_lead_opens_the_teams_families_only_after_confirmation_set_up_and_a_second_factor(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    change, code = _new_lead(app, admin, world)
    page = admin.get(f"/account-changes/{change.id}").get_data(as_text=True)
    assert "Can be confirmed by the team lead: Lead A." in page
    new = _stored(app, change.user_id)
    assert not new.active and change.outcome == ChangeOutcome.PENDING

    # Before confirmation: no login, and the code is refused with the one answer.
    person = app.test_client()
    assert person.post("/login", data={"email": new.email, "password": NEW_PASSWORD}).status_code == 200
    assert REFUSED in redeem(person, new.email, code).get_data(as_text=True)
    # The admin cannot confirm it themselves.
    assert confirm(admin, world.admin, change.id).status_code == 404
    assert last_change(app).outcome == ChangeOutcome.PENDING

    lead = app.test_client()
    login(lead, world.lead_a)
    start = lead.get("/families/").get_data(as_text=True)
    assert "1 account change waits for your confirmation." in start
    second = second_half(confirm(lead, world.lead_a, change.id))
    assert second != code
    assert last_change(app).outcome == ChangeOutcome.CONFIRMED and _stored(app, new.id).active

    # Neither half alone sets the password: not the admin's, not the lead's.
    assert REFUSED in redeem(person, new.email, code).get_data(as_text=True)
    assert REFUSED in redeem(person, new.email, (second, second)).get_data(as_text=True)
    assert REFUSED in redeem(person, new.email, (code, code)).get_data(as_text=True)
    # Both halves set the password once; the person is logged in with the password step only.
    response = redeem(person, new.email, (code.upper().replace("-", " "), second))
    assert response.status_code == 302
    assert verify_password(_stored(app, new.id).password_hash, NEW_PASSWORD)
    # A lead needs a second factor before anything else: no family yet.
    assert person.get(f"/families/{world.family_a.id}").headers["Location"] == "/account/two-factor/setup"
    enrol_totp(person)
    assert person.get(f"/families/{world.family_a.id}").status_code == 200
    assert person.get(f"/families/{world.family_b.id}").status_code == 404

    # Used up: a second use is refused, even by someone who saw the code.
    assert REFUSED in redeem(app.test_client(), new.email, (code, second), "another password for a takeover").get_data(
        as_text=True
    )
    assert verify_password(_stored(app, new.id).password_hash, NEW_PASSWORD)
    actions = audit_actions(app)
    for action in ("create_user", "request_account_change", "confirm_account_change", "redeem_setup_code"):
        assert (action, "ok") in actions
    assert ("redeem_setup_code", "failed") in actions
    assert ("confirm_account_change", "refused") not in actions
    confirmed = audit_events(app, action="confirm_account_change")[0]
    assert confirmed.user_id == world.lead_a.id and confirmed.object_id == new.id and new.email in confirmed.detail


def test_a_confirmed_code_is_refused_after_24_hours(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    change, code = _new_lead(app, admin, world)
    lead = app.test_client()
    login(lead, world.lead_a)
    second = second_half(confirm(lead, world.lead_a, change.id))
    with time_machine.travel(timedelta(hours=24, seconds=1)):
        answer = redeem(app.test_client(), "noor.bakker@example.org", (code, second))
        assert REFUSED in answer.get_data(as_text=True)
    assert not verify_password(_stored(app, change.user_id).password_hash, NEW_PASSWORD)


def test_an_unconfirmed_change_expires_and_shows_as_expired(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    change, _code = _new_lead(app, admin, world)
    lead = app.test_client()
    login(lead, world.lead_a)
    with time_machine.travel(timedelta(hours=25)):
        login(lead, world.lead_a)
        page = lead.get(f"/account-changes/{change.id}").get_data(as_text=True)
        assert "Expired" in page and "Waiting for confirmation" not in page.split("<h1")[1]
        response = confirm(lead, world.lead_a, change.id)
        assert "This change has expired; nothing was changed." in lead.get(response.headers["Location"]).get_data(
            as_text=True
        )
    assert last_change(app).outcome == ChangeOutcome.EXPIRED
    assert not _stored(app, change.user_id).active
    assert ("expire_account_change", "ok") in audit_actions(app)


def test_a_team_without_a_lead_needs_a_second_administrator(app, world, make):
    team = make.team("Team Zonder Lead")
    admin = app.test_client()
    login(admin, world.admin)
    response = admin.post("/admin/users/new", data=new_account_form(app, world.admin, role="worker", team_id=team.id))
    assert "Nobody can confirm this yet:" in response.get_data(as_text=True)
    assert "flask create-user" in response.get_data(as_text=True)
    second = make.user(Role.ADMIN, name="Second Admin")
    other = app.test_client()
    login(other, second)
    page = admin.get(f"/account-changes/{last_change(app).id}").get_data(as_text=True)
    assert "a second administrator confirms: Second Admin." in page
    assert confirm(other, second, last_change(app).id).status_code == 200  # with the second half
    assert last_change(app).outcome == ChangeOutcome.CONFIRMED


def test_a_new_administrator_needs_a_second_administrator(app, world, make):
    admin = app.test_client()
    login(admin, world.admin)
    lead = app.test_client()
    login(lead, world.lead_a)
    admin.post("/admin/users/new", data=new_account_form(app, world.admin, role="admin"))
    change = last_change(app)
    assert change.team_id is None
    assert lead.get(f"/account-changes/{change.id}").status_code == 404  # not a lead's business
    assert confirm(admin, world.admin, change.id).status_code == 404


def test_a_password_reset_takes_no_password_and_the_old_one_works_until_the_code_is_used(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    worker = app.test_client()
    login(worker, world.worker_a)
    response = admin.post(
        f"/admin/users/{world.worker_a.id}/password",
        data={"reset-password": "admin chose this one", "reset-fresh_code": fresh_code(app, world.admin)},
    )
    code = setup_code_from(response.get_data(as_text=True))
    assert verify_password(_stored(app, world.worker_a.id).password_hash, PASSWORD)
    assert worker.get("/families/").status_code == 200  # nothing happened to them yet
    assert REFUSED in redeem(app.test_client(), world.worker_a.email, code).get_data(as_text=True)
    lead = app.test_client()
    login(lead, world.lead_a)
    second = second_half(confirm(lead, world.lead_a, last_change(app).id))
    assert login(app.test_client(), world.worker_a).status_code == 302  # still the old password
    assert redeem(app.test_client(), world.worker_a.email, (code, second)).status_code == 302
    assert worker.get("/families/").status_code == 302  # every other login ended
    assert login(app.test_client(), world.worker_a).status_code == 200  # old password refused
    assert login(app.test_client(), world.worker_a, NEW_PASSWORD).status_code == 302


def test_a_lead_whose_password_is_reset_cannot_confirm_it_themselves(app, world, make):
    admin = app.test_client()
    login(admin, world.admin)
    admin.post(f"/admin/users/{world.lead_a.id}/password", data={"reset-fresh_code": fresh_code(app, world.admin)})
    lead = app.test_client()
    login(lead, world.lead_a)
    page = lead.get(f"/account-changes/{last_change(app).id}").get_data(as_text=True)
    assert "This is a change of your own account, so someone else confirms it." in page
    assert confirm(lead, world.lead_a, last_change(app).id).status_code == 404


def test_a_second_factor_reset_takes_effect_only_after_confirmation(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    lead_b = app.test_client()
    login(lead_b, world.lead_b)
    a_lead = world.lead_a
    response = admin.post(
        f"/admin/users/{a_lead.id}/two-factor/reset", data={"tf-fresh_code": fresh_code(app, world.admin)}
    )
    assert "Waiting for confirmation" in response.get_data(as_text=True)
    assert _stored(app, a_lead.id).totp_secret is not None
    assert lead_b.get(f"/account-changes/{last_change(app).id}").status_code == 404  # another team's
    # Team A has no other lead: a second administrator confirms.
    assert "Nobody can confirm this yet" in admin.get(f"/account-changes/{last_change(app).id}").get_data(as_text=True)


def test_a_second_factor_reset_is_applied_when_confirmed(app, world, make):
    second_lead = make.user(Role.LEAD, world.team_a, name="Second Lead A")
    admin = app.test_client()
    login(admin, world.admin)
    target = app.test_client()
    login(target, world.lead_a)
    admin.post(f"/admin/users/{world.lead_a.id}/two-factor/reset", data={"tf-fresh_code": fresh_code(app, world.admin)})
    assert target.get("/families/").status_code == 200
    other = app.test_client()
    login(other, second_lead)
    assert confirm(other, second_lead, last_change(app).id).status_code == 302
    assert _stored(app, world.lead_a.id).totp_secret is None
    assert target.get("/families/").status_code == 302  # logged out everywhere
    assert login(app.test_client(), world.lead_a).headers["Location"] == "/account/two-factor/setup"


def _edit(app, admin_client, user, **changes):
    data = {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "team_id": str(user.team_id or 0),
        "active": "y",
        "submit": "1",
    }
    data.update(changes)
    if data.get("active") is None:
        del data["active"]
    return admin_client.post(f"/admin/users/{user.id}", data=data)


def test_role_and_team_changes_and_reactivation_wait_for_confirmation(app, world, make):
    admin = app.test_client()
    login(admin, world.admin)
    # A name change takes effect at once, without a code.
    assert _edit(app, admin, world.worker_a, name="Worker A. Jansen").status_code == 302
    assert _stored(app, world.worker_a.id).name == "Worker A. Jansen"
    # Worker A to team B: needs a fresh code, then waits for Lead B.
    worker = _stored(app, world.worker_a.id)
    html = _edit(app, admin, worker, team_id=str(world.team_b.id)).get_data(as_text=True)
    assert "Type the current code from your app." in html and _stored(app, worker.id).team_id == world.team_a.id
    response = _edit(app, admin, worker, team_id=str(world.team_b.id), fresh_code=fresh_code(app, world.admin))
    assert "Can be confirmed by the team lead: Lead B." in response.get_data(as_text=True)
    assert _stored(app, worker.id).team_id == world.team_a.id
    lead_a, lead_b = app.test_client(), app.test_client()
    login(lead_a, world.lead_a)
    login(lead_b, world.lead_b)
    assert lead_a.get(f"/account-changes/{last_change(app).id}").status_code == 404
    assert confirm(lead_b, world.lead_b, last_change(app).id).status_code == 302
    assert _stored(app, worker.id).team_id == world.team_b.id
    # Promotion to lead of team B waits too.
    worker = _stored(app, world.worker_a.id)
    _edit(app, admin, worker, role="lead", fresh_code=fresh_code(app, world.admin))
    assert _stored(app, worker.id).role == Role.WORKER and last_change(app).outcome == ChangeOutcome.PENDING
    # One change at a time.
    html = _edit(app, admin, worker, team_id=str(world.team_a.id), fresh_code=fresh_code(app, world.admin))
    assert "A change of this account is waiting for confirmation." in html.get_data(as_text=True)
    # Deactivation takes effect at once; re-activation waits.
    colleague = _stored(app, world.colleague_a.id)
    assert _edit(app, admin, colleague, active=None).status_code == 200  # less access asks for a fresh check too
    assert _edit(app, admin, colleague, active=None, fresh_code=fresh_code(app, world.admin)).status_code == 302
    assert not _stored(app, colleague.id).active
    _edit(app, admin, _stored(app, colleague.id), fresh_code=fresh_code(app, world.admin))
    assert not _stored(app, colleague.id).active
    assert last_change(app).kind.value == "reactivate"
    assert confirm(lead_a, world.lead_a, last_change(app).id).status_code == 302
    assert _stored(app, colleague.id).active


def test_a_lead_becoming_a_worker_in_the_same_team_takes_effect_at_once(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    assert _edit(app, admin, world.lead_a, role="worker", fresh_code=fresh_code(app, world.admin)).status_code == 302
    assert _stored(app, world.lead_a.id).role == Role.WORKER


def test_a_wrong_fresh_code_refuses_the_request_and_keeps_what_was_typed(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    response = admin.post(
        "/admin/users/new", data=new_account_form(app, world.admin, team_id=world.team_a.id, fresh_code="000000")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="fresh_code-error"' in html and "This code is not correct" in html
    assert 'value="Noor Bakker"' in html and 'value="noor.bakker@example.org"' in html
    assert query(app, lambda: db.session.execute(select(User).where(User.name == "Noor Bakker")).first()) is None
    assert ("create_user", "failed") in audit_actions(app)
    # The confirm asks too.
    change, _code = _new_lead(app, admin, world)
    lead = app.test_client()
    login(lead, world.lead_a)
    html = lead.post(f"/account-changes/{change.id}/confirm", data={"confirm-fresh_code": "000000"}).get_data(
        as_text=True
    )
    assert 'id="confirm-fresh_code-error"' in html
    assert last_change(app).outcome == ChangeOutcome.PENDING
    # End all logins asks too.
    html = admin.post(f"/admin/users/{world.worker_a.id}/sessions/end", data={"end-fresh_code": "1"}).get_data(
        as_text=True
    )
    assert 'id="end-fresh_code-error"' in html


def test_leads_see_their_own_teams_changes_and_workers_none(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    change, _code = _new_lead(app, admin, world)
    lead_b, worker = app.test_client(), app.test_client()
    login(lead_b, world.lead_b)
    login(worker, world.worker_a)
    assert "Noor Bakker" not in lead_b.get("/account-changes/").get_data(as_text=True)
    for url in (f"/account-changes/{change.id}", f"/account-changes/{change.id + 1000}"):
        assert lead_b.get(url).status_code == 404
    assert confirm(lead_b, world.lead_b, change.id).status_code == 404
    assert lead_b.post(f"/account-changes/{change.id}/refuse").status_code == 404
    assert worker.get("/account-changes/").status_code == 404
    lead_a = app.test_client()
    login(lead_a, world.lead_a)
    listing = lead_a.get("/account-changes/").get_data(as_text=True)
    assert "Noor Bakker" in listing and "Admin" in listing and "waiting for you" in listing
    assert 'badge rounded-pill text-bg-warning">1' in listing  # the count in the menu


def test_confirm_after_cancel_gives_one_outcome_and_tells_the_loser(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    change, _code = _new_lead(app, admin, world)
    lead = app.test_client()
    login(lead, world.lead_a)
    lead.get(f"/account-changes/{change.id}")  # the lead has the page open
    assert admin.post(f"/account-changes/{change.id}/cancel").status_code == 302
    response = confirm(lead, world.lead_a, change.id)
    message = lead.get(response.headers["Location"]).get_data(as_text=True)
    assert "This change was already decided (cancelled by the administrator, by Admin)." in message
    assert last_change(app).outcome == ChangeOutcome.CANCELLED and not _stored(app, change.user_id).active
    assert ("cancel_account_change", "ok") in audit_actions(app)
    assert ("confirm_account_change", "ok") not in audit_actions(app)


def test_two_decisions_at_the_same_moment_one_wins(app, world):
    """Both requests passed their checks with the change still pending; the UPDATE decides."""
    from app.services import account_changes

    admin = app.test_client()
    login(admin, world.admin)
    change, _code = _new_lead(app, admin, world)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        stale = db.session.get(AccountChange, change.id)
        lead = db.session.get(User, world.lead_a.id)
        requester = db.session.get(User, world.admin.id)
        assert account_changes.may_decide(stale, lead) and account_changes.may_cancel(stale, requester)
        first = account_changes.cancel(stale, requester)
        second = account_changes.confirm(stale, lead)
        db.session.commit()
    assert first.done and not second.done and "already decided" in second.message
    assert last_change(app).outcome == ChangeOutcome.CANCELLED
    assert not _stored(app, change.user_id).active


def test_a_lead_can_refuse(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    change, code = _new_lead(app, admin, world)
    lead = app.test_client()
    login(lead, world.lead_a)
    assert lead.post(f"/account-changes/{change.id}/refuse").status_code == 302
    assert last_change(app).outcome == ChangeOutcome.REFUSED
    assert REFUSED in redeem(app.test_client(), "noor.bakker@example.org", code).get_data(as_text=True)
    assert ("refuse_account_change", "ok") in audit_actions(app)
    assert admin.post(f"/account-changes/{change.id}/cancel").status_code == 302  # too late: says so
    assert last_change(app).outcome == ChangeOutcome.REFUSED


def test_the_admins_list_shows_the_pending_change_not_active(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    _new_lead(app, admin, world)
    row = admin.get("/admin/").get_data(as_text=True).split("Noor Bakker")[1].split("</tr>")[0]
    assert "waiting for confirmation: new account" in row and ">active<" not in row
    lead = app.test_client()
    login(lead, world.lead_a)
    confirm(lead, world.lead_a, last_change(app).id)
    row = admin.get("/admin/").get_data(as_text=True).split("Noor Bakker")[1].split("</tr>")[0]
    assert "set-up code not used yet" in row
    with time_machine.travel(timedelta(hours=25)):
        login(admin, world.admin)
        row = admin.get("/admin/").get_data(as_text=True).split("Noor Bakker")[1].split("</tr>")[0]
    assert "not set up: no password yet" in row and ">active<" not in row


def test_opening_the_list_writes_down_what_expired(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    _new_lead(app, admin, world)
    with time_machine.travel(timedelta(hours=24, minutes=1)):
        lead = app.test_client()
        login(lead, world.lead_a)
        html = lead.get("/account-changes/").get_data(as_text=True)
    assert "Nothing is waiting." in html and "Expired" in html
    assert last_change(app).outcome == ChangeOutcome.EXPIRED
    assert [e.object_id for e in audit_events(app, action="expire_account_change")] == [last_change(app).user_id]


def test_wrong_set_up_codes_count_towards_the_lockout_with_one_answer(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    _change, code = _new_lead(app, admin, world)
    lead = app.test_client()
    login(lead, world.lead_a)
    second = second_half(confirm(lead, world.lead_a, last_change(app).id))
    person = app.test_client()
    answers = set()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        html = redeem(person, "noor.bakker@example.org", (code, "aaaa-bbbb-cccc-dddd")).get_data(as_text=True)
        answers.add(REFUSED in html)
    unknown = redeem(person, "nobody@example.org", (code, second)).get_data(as_text=True)
    assert answers == {True} and REFUSED in unknown
    # Locked now: even the right codes are refused, with the same answer.
    assert REFUSED in redeem(person, "noor.bakker@example.org", (code, second)).get_data(as_text=True)
    assert ("lock_account", "ok") in audit_actions(app)
    refused = audit_events(app, action="redeem_setup_code", outcome="failed")
    assert len(refused) == app.config["LOGIN_MAX_FAILURES"] + 2
    assert any(e.detail == "locked" for e in refused) and any("unknown" in (e.detail or "") for e in refused)


def test_a_confirmed_lead_who_has_not_set_up_the_account_is_not_named_as_a_confirmer(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    first, _code = _new_lead(app, admin, world)
    lead = app.test_client()
    login(lead, world.lead_a)
    confirm(lead, world.lead_a, first.id)
    response = admin.post(
        "/admin/users/new",
        data=new_account_form(app, world.admin, team_id=world.team_a.id, name="Second Newcomer", email="s@example.org"),
    )
    assert "Can be confirmed by the team lead: Lead A." in response.get_data(as_text=True)


def test_the_confirmer_who_lost_the_second_half_makes_a_new_one_and_the_old_stops_working(app, world):
    """A double click on Confirm shows "already decided" and the second half is gone: not a dead end."""
    admin = app.test_client()
    login(admin, world.admin)
    change, code = _new_lead(app, admin, world)
    lead = app.test_client()
    login(lead, world.lead_a)
    lost = second_half(confirm(lead, world.lead_a, change.id))
    page = lead.get(f"/account-changes/{change.id}").get_data(as_text=True)
    assert "Make a new second half" in page
    # Only the one who confirmed, with a fresh check.
    assert (
        admin.post(
            f"/account-changes/{change.id}/second-half", data={"renew-fresh_code": fresh_code(app, world.admin)}
        ).status_code
        == 404
    )
    refused = lead.post(f"/account-changes/{change.id}/second-half", data={"renew-fresh_code": "000000"})
    assert refused.status_code == 200 and "This code is not correct" in refused.get_data(as_text=True)
    renewed = lead.post(
        f"/account-changes/{change.id}/second-half", data={"renew-fresh_code": fresh_code(app, world.lead_a)}
    )
    new = second_half(renewed)
    assert new != lost and "The second half shown before no longer works." in renewed.get_data(as_text=True)
    person = app.test_client()
    assert REFUSED in redeem(person, "noor.bakker@example.org", (code, lost)).get_data(as_text=True)
    assert redeem(person, "noor.bakker@example.org", (code, new)).status_code == 302
    # Used: nothing more to renew.
    assert (
        lead.post(
            f"/account-changes/{change.id}/second-half", data={"renew-fresh_code": fresh_code(app, world.lead_a)}
        ).status_code
        == 404
    )
    assert ("renew_setup_code", "ok") in audit_actions(app)


def test_while_a_change_waits_the_account_keeps_the_name_and_address_the_confirmer_sees(app, world):
    admin = app.test_client()
    login(admin, world.admin)
    asked = _edit(app, admin, world.worker_a, role="lead", fresh_code=fresh_code(app, world.admin))
    assert asked.status_code == 200 and last_change(app).outcome == ChangeOutcome.PENDING
    renamed = _edit(app, admin, world.worker_a, name="A trusted colleague", fresh_code=fresh_code(app, world.admin))
    assert "A change of this account is waiting for confirmation" in renamed.get_data(as_text=True)
    assert _stored(app, world.worker_a.id).name == world.worker_a.name


def test_a_locked_account_is_told_so_at_a_fresh_check_not_that_the_code_is_wrong(app, world):
    """Someone else's wrong passwords at the login locked the lead's account; the lead's open login
    stays, and the right code is refused, so 'not correct' would be false."""
    admin = app.test_client()
    login(admin, world.admin)
    change, _code = _new_lead(app, admin, world)
    lead = app.test_client()
    login(lead, world.lead_a)
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == world.lead_a.id).values(locked_until=dates.now() + timedelta(minutes=10))
        )
        db.session.commit()
    html = confirm(lead, world.lead_a, change.id).get_data(as_text=True)
    assert "Your account is locked after too many wrong passwords or codes. Try again in 10 minutes." in html
    assert "This code is not correct" not in html
    assert last_change(app).outcome == ChangeOutcome.PENDING
