"""Passkeys through the pages: set up as a first or another factor, the second login step in one
touch, renaming, removing with a fresh check, the administrator's reset, and production's rule."""

import re

import pyotp
from sqlalchemy import select

import config
from app.extensions import db
from app.models import LoginSession, Passkey, Role, User
from tests.helpers.account_changes import confirm, last_change
from tests.helpers.audit import audit_events
from tests.helpers.auth import PASSWORD, fresh_code, login
from tests.helpers.db import query
from tests.helpers.passkeys import SoftAuthenticator, add_passkey, page_options


def _passkeys(app, user):
    return query(
        app, lambda: db.session.execute(select(Passkey.name).where(Passkey.user_id == user.id)).scalars().all()
    )


def _with_passkey(app, client, make, role=Role.WORKER):
    user = make.user(role, two_factor=False)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    device = SoftAuthenticator()
    added = add_passkey(client, device)
    assert added.status_code == 200 and b"Your recovery codes" in added.data
    return user, device


def _passkey_step(client, device):
    page = client.get("/login/verify").get_data(as_text=True)
    assert "Use your passkey" in page
    return client.post("/login/verify/passkey", data={"credential": device.assertion(page_options(page))})


def test_a_care_worker_sets_up_a_passkey_and_logs_in_with_it_in_one_touch(app, client, make):
    worker, device = _with_passkey(app, client, make)
    assert _passkeys(app, worker) == ["Work tablet"]
    client.post("/logout")

    assert client.post("/login", data={"email": worker.email, "password": PASSWORD}).headers["Location"] == (
        "/login/verify"
    )
    assert client.get("/families/").status_code == 302  # not in yet
    done = _passkey_step(client, device)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/families/").status_code == 200
    assert query(app, lambda: db.session.execute(select(LoginSession.second_factor)).scalars().all()[-1]) is True
    logins = [e.detail for e in audit_events(app, action="login")]
    assert logins[-1] == "passkey"
    assert [e.outcome for e in audit_events(app, action="passkey_use")] == ["ok"]


def test_a_wrong_or_replayed_passkey_counts_toward_the_lockout(app, client, make, monkeypatch):
    worker, device = _with_passkey(app, client, make)
    client.post("/logout")
    client.post("/login", data={"email": worker.email, "password": PASSWORD})
    page = client.get("/login/verify").get_data(as_text=True)
    stranger = SoftAuthenticator()  # a device that was never registered
    refused = client.post("/login/verify/passkey", data={"credential": stranger.assertion(page_options(page))})
    assert refused.status_code == 200 and "not registered for your account on this device" in refused.get_data(
        as_text=True
    )
    assert query(app, lambda: db.session.get(User, worker.id).failed_logins) == 1
    # The right device, but an answer to a challenge already used: refused too.
    answer = device.assertion(page_options(page))
    assert client.post("/login/verify/passkey", data={"credential": answer}).status_code == 200
    assert query(app, lambda: db.session.get(User, worker.id).failed_logins) == 2
    assert ("login_verify", "failed") in [(e.action, e.outcome) for e in audit_events(app)]

    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 3)
    page = client.get("/login/verify").get_data(as_text=True)
    locked = client.post("/login/verify/passkey", data={"credential": stranger.assertion(page_options(page))})
    assert locked.headers["Location"] == "/login"
    assert query(app, lambda: db.session.get(User, worker.id).locked_until) is not None


def test_removing_a_passkey_needs_a_fresh_check(app, client, make):
    worker, device = _with_passkey(app, client, make)
    passkey_id = query(app, lambda: db.session.execute(select(Passkey.id)).scalar_one())
    no_check = client.post("/account/passkeys/remove", data={"rm-passkey_id": passkey_id})
    assert no_check.status_code == 200 and "check with your passkey" in no_check.get_data(as_text=True)
    stranger = SoftAuthenticator()
    page = client.get("/account").get_data(as_text=True)
    wrong = client.post(
        "/account/passkeys/remove",
        data={"rm-passkey_id": passkey_id, "rm-fresh_passkey": stranger.assertion(page_options(page))},
    )
    assert "That did not confirm it is you" in wrong.get_data(as_text=True)
    assert _passkeys(app, worker) == ["Work tablet"]

    page = client.get("/account").get_data(as_text=True)
    removed = client.post(
        "/account/passkeys/remove",
        data={"rm-passkey_id": passkey_id, "rm-fresh_passkey": device.assertion(page_options(page))},
    )
    assert removed.headers["Location"] == "/account"
    assert _passkeys(app, worker) == []
    assert query(app, lambda: db.session.get(User, worker.id).has_second_factor) is False
    events = [(e.action, e.outcome) for e in audit_events(app)]
    assert ("passkey_remove", "ok") in events and ("passkey_remove", "failed") in events


def test_a_lead_keeps_a_last_passkey_and_cannot_remove_another_users(app, client, make):
    lead, device = _with_passkey(app, client, make, role=Role.LEAD)
    own = query(app, lambda: db.session.execute(select(Passkey.id)).scalar_one())
    page = client.get("/account").get_data(as_text=True)
    last = client.post(
        "/account/passkeys/remove",
        data={"rm-passkey_id": own, "rm-fresh_passkey": device.assertion(page_options(page))},
    )
    assert last.headers["Location"] == "/account" and _passkeys(app, lead) == ["Work tablet"]

    other_client = app.test_client()
    _with_passkey(app, other_client, make)
    theirs = query(app, lambda: db.session.execute(select(Passkey.id).where(Passkey.user_id != lead.id)).scalar_one())
    assert client.post("/account/passkeys/rename", data={"rn-passkey_id": theirs, "rn-name": "Mine"}).status_code == 404
    assert (
        client.post("/account/passkeys/remove", data={"rm-passkey_id": theirs, "rm-fresh_code": "123456"}).status_code
        == 404
    )


def test_renaming_a_passkey_is_audited(app, client, make):
    worker, _ = _with_passkey(app, client, make)
    passkey_id = query(app, lambda: db.session.execute(select(Passkey.id)).scalar_one())
    renamed = client.post(
        "/account/passkeys/rename", data={"rn-passkey_id": passkey_id, "rn-name": "  Kitchen   tablet "}
    )
    assert renamed.headers["Location"] == "/account"
    assert _passkeys(app, worker) == ["Kitchen tablet"]
    assert audit_events(app, action="passkey_rename")[0].detail == "Work tablet -> Kitchen tablet"
    assert "Kitchen tablet" in client.get("/account").get_data(as_text=True)


def test_a_lead_with_the_app_adds_a_passkey_only_after_a_fresh_check(app, client, make):
    lead = make.user(Role.LEAD)
    login(client, lead)
    gate = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert "Confirm it is you before you add another way to log in" in gate and 'data-passkey="create"' not in gate
    device = SoftAuthenticator()
    sneaked = client.post(
        "/account/passkeys/add", data={"credential": device.register({"challenge": "x", "rp": {"id": "localhost"}})}
    )
    assert sneaked.headers["Location"] == "/account/two-factor/setup" and _passkeys(app, lead) == []

    wrong = client.post("/account/two-factor/check", data={"chk-fresh_code": "000000"})
    assert "This code is not correct" in wrong.get_data(as_text=True)
    assert ("add_second_factor", "failed") in [(e.action, e.outcome) for e in audit_events(app)]
    assert client.post("/account/two-factor/check", data={"chk-fresh_code": fresh_code(app, lead)}).status_code == 302
    codes_before = query(app, lambda: db.session.get(User, lead.id).recovery_codes)
    added = add_passkey(client, device)
    assert added.headers["Location"] == "/account"  # no new recovery codes: not the first factor
    assert _passkeys(app, lead) == ["Work tablet"]
    assert len(query(app, lambda: db.session.get(User, lead.id).recovery_codes)) == len(codes_before)
    # The check was for one addition.
    assert "Confirm it is you" in client.get("/account/two-factor/setup").get_data(as_text=True)


def test_a_lead_with_only_a_passkey_has_a_second_factor_everywhere(app, client, make):
    lead, device = _with_passkey(app, client, make, role=Role.LEAD)
    assert client.get("/overview").status_code == 200  # the login that set it up counts as two-step
    client.post("/logout")
    other = app.test_client()
    assert other.post("/login", data={"email": lead.email, "password": PASSWORD}).headers["Location"] == (
        "/login/verify"
    )
    assert _passkey_step(other, device).headers["Location"] == "/"
    assert other.get("/overview").status_code == 200
    account = other.get("/account").get_data(as_text=True)
    assert "Work tablet" in account and "10 unused recovery codes" in account

    # A recovery code is a way in for a passkey-only user too.
    client.post("/login", data={"email": lead.email, "password": PASSWORD})
    assert "recovery codes" in client.get("/login/verify").get_data(as_text=True)


def test_the_administrators_reset_removes_passkeys_too(app, client, make):
    worker, _ = _with_passkey(app, client, make)
    admin = make.user(Role.ADMIN)
    lead = make.user(Role.LEAD, team=query(app, lambda: db.session.get(User, worker.id).team))
    admin_client, lead_client = app.test_client(), app.test_client()
    login(admin_client, admin)
    assert "1 passkey" in admin_client.get(f"/admin/users/{worker.id}").get_data(as_text=True)
    asked = admin_client.post(
        f"/admin/users/{worker.id}/two-factor/reset", data={"tf-fresh_code": fresh_code(app, admin)}
    )
    assert asked.status_code == 200 and last_change(app).kind.value == "two_factor"
    assert len(_passkeys(app, worker)) == 1  # nothing happens until a second person confirms
    login(lead_client, lead)
    assert confirm(lead_client, lead, last_change(app).id).status_code == 302
    assert _passkeys(app, worker) == []
    assert client.get("/account").status_code == 302  # logged out everywhere


def test_the_browser_is_told_the_host_and_the_origin_can_be_configured(app, client, make, monkeypatch):
    user = make.user(two_factor=False)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    options = page_options(client.get("/account/two-factor/setup").get_data(as_text=True))
    assert options["rp"] == {"name": "Attune", "id": "localhost"}
    assert options["authenticatorSelection"]["userVerification"] == "required"
    monkeypatch.setitem(app.config, "WEBAUTHN_ORIGIN", "https://attune.example.org")
    monkeypatch.setitem(app.config, "WEBAUTHN_RP_ID", "attune.example.org")
    options = page_options(client.get("/account/two-factor/setup").get_data(as_text=True))
    assert options["rp"]["id"] == "attune.example.org"
    device = SoftAuthenticator(origin="https://attune.example.org")
    done = client.post("/account/passkeys/add", data={"credential": device.register(options), "name": ""})
    assert done.status_code == 200 and _passkeys(app, user)  # name from the device


def test_production_needs_a_second_factor_for_every_role():
    for production_like in (config.ProductionConfig, config.SecurityScanConfig, config.BenchConfig):
        assert set(production_like.TWO_FACTOR_REQUIRED_ROLES) == {"worker", "lead", "admin"}
    assert "worker" not in config.TestingConfig.TWO_FACTOR_REQUIRED_ROLES


def test_with_production_rules_a_care_worker_sets_up_a_second_factor_before_anything(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", config.ProductionConfig.TWO_FACTOR_REQUIRED_ROLES)
    worker = make.user(Role.WORKER, two_factor=False)
    sent = client.post("/login", data={"email": worker.email, "password": PASSWORD})
    assert sent.headers["Location"] == "/account/two-factor/setup"
    assert client.get("/families/").headers["Location"] == "/account/two-factor/setup"
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert "Your role needs two-step verification" in page and "A passkey on this device" in page
    add_passkey(client, SoftAuthenticator())
    assert client.get("/families/").status_code == 200


def test_the_demo_says_care_workers_log_in_with_a_password_only(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    note = "In this demo care workers log in with a password only"
    assert note in client.get("/login").get_data(as_text=True)
    login(client, make.user(Role.WORKER))
    assert note in client.get("/account").get_data(as_text=True)
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", config.ALL_ROLES)
    assert note not in app.test_client().get("/login").get_data(as_text=True)


def test_a_passkey_user_can_still_add_the_app(app, client, make):
    user, device = _with_passkey(app, client, make)
    page = client.get("/account").get_data(as_text=True)
    assert (
        client.post(
            "/account/two-factor/check",
            data={
                "chk-fresh_passkey": device.assertion(
                    page_options(client.get("/account/two-factor/setup").get_data(as_text=True))
                )
            },
        ).status_code
        == 302
    )
    setup = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert "Or: an authenticator app" in setup and page
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', setup).group(1).replace(" ", "")
    confirmed = client.post("/account/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    assert confirmed.headers["Location"] == "/account"  # the recovery codes stay
    assert query(app, lambda: db.session.get(User, user.id).two_factor_enabled)
