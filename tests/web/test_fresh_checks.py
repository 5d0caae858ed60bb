"""Every fresh check takes a passkey as well as the app's code (app.web.forms.FreshCheckForm,
app.web.passkeys, the `fresh_check` macro): the administrator's pages, the confirm page of an account
change and "Make new recovery codes", for users who have only passkeys, only the app, or both."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import AccountChange, ChangeOutcome, Role, User
from tests.helpers.account_changes import last_change, new_account_form, second_half
from tests.helpers.audit import audit_events
from tests.helpers.auth import PASSWORD, fresh_code, login
from tests.helpers.db import query
from tests.helpers.passkeys import (
    SoftAuthenticator,
    add_passkey,
    log_in_with_only_a_passkey,
    page_options,
    recovery_codes_from,
)

NOT_ACCEPTED = "the passkey was not accepted"


def _passkey_only(app, make, role: Role, **fields):
    """A user without the app, logged in with a passkey as their only second factor."""
    user = make.user(role, two_factor=False, **fields)
    client = app.test_client()
    return user, client, log_in_with_only_a_passkey(client, user, PASSWORD)


def _code_fields(page: str) -> list[str]:
    return re.findall(r'<input[^>]*name="([a-z]*-?fresh_code)"', page)


def _changes(app) -> int:
    return query(app, lambda: len(db.session.execute(select(AccountChange.id)).all()))


def _failures(app, user) -> int:
    return query(app, lambda: db.session.get(User, user.id).failed_logins)


def _new_account_by_passkey(app, admin, client, device, **overrides):
    """The new-account form as the browser's script posts it after the passkey: no submit button, no code."""
    page = client.get("/admin/users/new").get_data(as_text=True)
    data = {"name": "Noor Bakker", "email": "noor.bakker@example.org", "role": "lead", "team_id": "0", **overrides}
    return client.post("/admin/users/new", data={**data, "fresh_passkey": device.assertion(page_options(page))})


def test_an_administrator_and_a_lead_with_only_passkeys_create_an_account_together(app, make):
    team = make.team()
    admin, admin_client, admin_device = _passkey_only(app, make, Role.ADMIN)
    lead, lead_client, lead_device = _passkey_only(app, make, Role.LEAD, team=team)

    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    assert _code_fields(page) == []  # no code they cannot type
    assert "Ask for the account: check with passkey" in page
    asked = _new_account_by_passkey(app, admin, admin_client, admin_device, team_id=str(team.id), role="worker")
    assert asked.status_code == 200 and "Waiting for confirmation" in asked.get_data(as_text=True)
    change = last_change(app)
    assert change.kind.value == "create" and change.outcome == ChangeOutcome.PENDING

    page = lead_client.get(f"/account-changes/{change.id}").get_data(as_text=True)
    assert _code_fields(page) == [] and "Confirm: check with passkey" in page
    confirmed = lead_client.post(
        f"/account-changes/{change.id}/confirm",
        data={"confirm-fresh_passkey": lead_device.assertion(page_options(page))},
    )
    assert second_half(confirmed)  # the confirming lead's half of the set-up code
    assert last_change(app).outcome == ChangeOutcome.CONFIRMED
    used = [e.detail for e in audit_events(app, action="passkey_use") if e.outcome == "ok"]
    assert "create_user: Work tablet" in used and "confirm_account_change: Work tablet" in used


def test_a_wrong_passkey_answer_refuses_the_action_and_keeps_what_was_typed(app, make):
    admin, client, device = _passkey_only(app, make, Role.ADMIN)
    team = make.team()
    stranger = SoftAuthenticator()  # a device never registered for this administrator

    refused = _new_account_by_passkey(app, admin, client, stranger, team_id=str(team.id), name="Noor Bakker")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and NOT_ACCEPTED in html
    assert 'value="Noor Bakker"' in html and 'value="noor.bakker@example.org"' in html
    assert _changes(app) == 0
    assert _failures(app, admin) == 1  # counted towards the lockout, like a wrong code
    assert ("create_user", "failed") in [(e.action, e.outcome) for e in audit_events(app)]

    # The right device answering a challenge already used once: refused too.
    page = client.get("/admin/users/new").get_data(as_text=True)
    answer = device.assertion(page_options(page))
    data = {"name": "A. Person", "email": "a.person@example.org", "role": "lead", "team_id": str(team.id)}
    data["fresh_passkey"] = answer
    assert client.post("/admin/users/new", data=data).status_code == 200 and _changes(app) == 1
    replayed = client.post("/admin/users/new", data={**data, "email": "someone.else@example.org"})
    assert NOT_ACCEPTED in replayed.get_data(as_text=True) and _changes(app) == 1


def test_the_confirm_page_refuses_a_wrong_passkey(app, make):
    team = make.team()
    admin = make.user(Role.ADMIN)
    admin_client = app.test_client()
    login(admin_client, admin)
    admin_client.post("/admin/users/new", data=new_account_form(app, admin, team_id=str(team.id), role="worker"))
    lead, lead_client, _ = _passkey_only(app, make, Role.LEAD, team=team)
    change = last_change(app)
    page = lead_client.get(f"/account-changes/{change.id}").get_data(as_text=True)
    wrong = lead_client.post(
        f"/account-changes/{change.id}/confirm",
        data={"confirm-fresh_passkey": SoftAuthenticator().assertion(page_options(page))},
    )
    assert wrong.status_code == 200 and NOT_ACCEPTED in wrong.get_data(as_text=True)
    assert last_change(app).outcome == ChangeOutcome.PENDING and _failures(app, lead) == 1
    empty = lead_client.post(f"/account-changes/{change.id}/confirm", data={})
    assert "Confirm it is you: check with your passkey." in empty.get_data(as_text=True)


def test_every_administrator_fresh_check_takes_a_passkey(app, make):
    team = make.team()
    admin, client, device = _passkey_only(app, make, Role.ADMIN)
    make.user(Role.LEAD, team=team)  # someone who can confirm
    worker = make.user(Role.WORKER, team=team, two_factor=True)
    other_team = make.team()

    def answer():
        return device.assertion(page_options(client.get(f"/admin/users/{worker.id}").get_data(as_text=True)))

    page = client.get(f"/admin/users/{worker.id}").get_data(as_text=True)
    assert _code_fields(page) == []
    for label in ("Save", "Ask for a set-up code", "Ask to reset two-step verification", "End all logins"):
        assert f"{label}: check with passkey" in page
    # A team change, posted by the script (without the Save button), waits for a confirmation.
    edit = {"name": worker.name, "email": worker.email, "role": "worker", "team_id": str(other_team.id), "active": "y"}
    moved = client.post(f"/admin/users/{worker.id}", data={**edit, "fresh_passkey": answer()})
    assert moved.status_code == 200 and last_change(app).kind.value == "access"
    client.post(f"/account-changes/{last_change(app).id}/cancel", data={})
    assert client.post(f"/admin/users/{worker.id}/password", data={"reset-fresh_passkey": answer()}).status_code == 200
    assert last_change(app).kind.value == "password"
    client.post(f"/account-changes/{last_change(app).id}/cancel", data={})
    assert (
        client.post(f"/admin/users/{worker.id}/two-factor/reset", data={"tf-fresh_passkey": answer()}).status_code
        == 200
    )
    assert last_change(app).kind.value == "two_factor"
    ended = client.post(f"/admin/users/{worker.id}/sessions/end", data={"end-fresh_passkey": answer()})
    assert ended.headers["Location"] == f"/admin/users/{worker.id}"
    actions = {e.detail.split(":")[0] for e in audit_events(app, action="passkey_use") if e.outcome == "ok"}
    assert {"update_user", "reset_password", "reset_two_factor", "end_sessions"} <= actions


def test_the_page_offers_the_factors_the_user_has(app, make):
    worker = make.user(Role.WORKER, two_factor=True)
    app_only = make.user(Role.ADMIN)
    client = app.test_client()
    login(client, app_only)
    page = client.get(f"/admin/users/{worker.id}").get_data(as_text=True)
    assert len(_code_fields(page)) == 4 and "check with passkey" not in page and "js/passkeys.js" not in page

    both = make.user(Role.ADMIN)
    client = app.test_client()
    login(client, both)
    client.post("/account/two-factor/check", data={"chk-fresh_code": fresh_code(app, both)})
    add_passkey(client, SoftAuthenticator())
    page = client.get(f"/admin/users/{worker.id}").get_data(as_text=True)
    assert len(_code_fields(page)) == 4 and page.count("check with passkey") == 4 and "js/passkeys.js" in page
    for prefix in ("", "reset-", "tf-", "end-"):  # once: a second, empty field would be the one posted
        assert page.count(f'name="{prefix}fresh_passkey"') == 1
    # Either way passes: here the app's code, beside the passkey button.
    done = client.post(f"/admin/users/{worker.id}/sessions/end", data={"end-fresh_code": fresh_code(app, both)})
    assert done.headers["Location"] == f"/admin/users/{worker.id}"


def test_a_passkey_only_user_makes_new_recovery_codes_with_a_passkey(app, make):
    lead = make.user(Role.LEAD, two_factor=False)
    client = app.test_client()
    client.post("/login", data={"email": lead.email, "password": PASSWORD})
    device = SoftAuthenticator()
    first_codes = recovery_codes_from(add_passkey(client, device).get_data(as_text=True))

    account = client.get("/account").get_data(as_text=True)
    assert "New recovery codes" in account and "Make new recovery codes: check with passkey" in account
    assert "rc-fresh_code" not in _code_fields(account)
    # A recovery code is no fresh check: it cannot make new recovery codes.
    refused = client.post("/account/two-factor/recovery-codes", data={"rc-fresh_code": first_codes[0]})
    assert refused.status_code == 200 and "Your recovery codes" not in refused.get_data(as_text=True)
    # The page that said so asks again, with a new challenge.
    renewed = client.post(
        "/account/two-factor/recovery-codes",
        data={"rc-fresh_passkey": device.assertion(page_options(refused.get_data(as_text=True)))},
    )
    new_codes = recovery_codes_from(renewed.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(first_codes)
    assert ("recovery_codes", "ok") in [(e.action, e.outcome) for e in audit_events(app)]
    assert "recovery_codes: Work tablet" in [e.detail for e in audit_events(app, action="passkey_use")]


def test_a_refused_check_on_one_form_leaves_the_account_form_as_the_account_is(app, make):
    worker = make.user(Role.WORKER, two_factor=True)
    admin, client, _ = _passkey_only(app, make, Role.ADMIN)
    page = client.get(f"/admin/users/{worker.id}").get_data(as_text=True)
    refused = client.post(
        f"/admin/users/{worker.id}/sessions/end",
        data={"end-fresh_passkey": SoftAuthenticator().assertion(page_options(page))},
    ).get_data(as_text=True)
    assert NOT_ACCEPTED in refused
    # Still ticked: a Save from this page must not deactivate the account.
    assert re.search(r'<input[^>]*checked[^>]*name="active"|<input[^>]*name="active"[^>]*checked', refused)
    assert '<a href="#end-fresh_code" class="alert-link">Check with passkey</a>' in refused
