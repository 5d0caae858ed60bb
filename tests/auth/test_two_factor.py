"""Two-step login with TOTP and recovery codes: set-up, the code step, once-only, turning off."""

import os
import re
import subprocess
import sys
import time
from datetime import timedelta

import pyotp
import time_machine
from sqlalchemy import select, update

from app import create_app
from app.auth.routes import PENDING_LOGIN_KEY
from app.extensions import db
from app.models import LoginSession, RecoveryCode, Role, User
from app.security.roles import second_factor_required
from tests.helpers.audit import audit_actions
from tests.helpers.auth import PASSWORD, fresh_code, login
from tests.helpers.db import query


def _password_step(client, user, password=PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


def _fresh(app, user):
    return query(app, lambda: db.session.get(User, user.id))


def test_lead_needs_the_code_after_the_password(app, client, make):
    lead = make.user(Role.LEAD)
    response = _password_step(client, lead)
    assert response.headers["Location"] == "/login/verify"
    assert client.get("/families/").status_code == 302  # not logged in yet
    page = client.get("/login/verify").get_data(as_text=True)
    assert '<label class="form-label" for="code">Code</label>' in page

    wrong = client.post("/login/verify", data={"code": "000000" if fresh_code(app, lead) != "000000" else "111111"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 200 and 'id="code-error"' in html and "This code is not correct" in html

    done = client.post("/login/verify", data={"code": fresh_code(app, lead)})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/families/").status_code == 200
    assert query(app, lambda: db.session.execute(select(LoginSession.second_factor)).scalar_one()) is True
    events = audit_actions(app)
    assert ("login_verify", "failed") in events and ("login_verify", "ok") in events and ("login", "ok") in events


def test_a_code_is_accepted_only_once(app, make):
    lead = make.user(Role.LEAD)
    code = fresh_code(app, lead)
    first, second = app.test_client(), app.test_client()
    _password_step(first, lead)
    assert first.post("/login/verify", data={"code": code}).status_code == 302
    _password_step(second, lead)
    replay = second.post("/login/verify", data={"code": code})
    assert replay.status_code == 200 and b"or it was used already: each code works once" in replay.data


def test_a_code_from_an_earlier_step_than_the_last_used_is_refused(app, make):
    lead = make.user(Role.LEAD)
    totp = pyotp.TOTP(lead.totp_secret)
    now_step = int(time.time() // 30)
    query(app, lambda: (db.session.execute(update(User).values(totp_last_counter=now_step)), db.session.commit()))
    client = app.test_client()
    _password_step(client, lead)
    previous = totp.at(time.time() - 30)
    assert client.post("/login/verify", data={"code": previous}).status_code == 200


def test_the_pending_step_expires(app, client, make):
    lead = make.user(Role.LEAD)
    _password_step(client, lead)
    with time_machine.travel(timedelta(minutes=app.config["TWO_FACTOR_PENDING_MINUTES"], seconds=1)):
        response = client.post("/login/verify", data={"code": fresh_code(app, lead)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/families/").status_code == 302


def test_a_lead_without_it_is_sent_to_set_up_and_can_do_nothing_else(app, client, make):
    lead = make.user(Role.LEAD, two_factor=False)
    response = _password_step(client, lead)
    assert response.headers["Location"] == "/account/two-factor/setup"
    for url in ("/families/", "/overview", "/account"):
        assert client.get(url).headers["Location"] == "/account/two-factor/setup", url
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert 'src="/account/two-factor/qr.svg"' in page
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    qr = client.get("/account/two-factor/qr.svg")
    assert qr.mimetype == "image/svg+xml" and qr.headers["Cache-Control"] == "no-store"
    assert b"<svg" in qr.data and b"style" not in qr.data

    wrong = client.post("/account/two-factor/setup", data={"code": "12345"})
    assert b'id="code-error"' in wrong.data
    done = client.post("/account/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-z-]{29})</code>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/families/").status_code == 200  # this login passed the second factor now
    stored = query(app, lambda: db.session.execute(select(RecoveryCode.code_hash)).scalars().all())
    assert len(stored) == 10 and not any(code.replace("-", "") in stored for code in codes)
    assert ("two_factor_setup", "ok") in audit_actions(app)
    assert client.get("/account/two-factor/qr.svg").status_code == 404  # never shown again


def _shown_secret(page) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.get_data(as_text=True)).group(1).replace(" ", "")


def test_the_pending_login_keeps_only_who_and_when_in_the_cookie(app, client, make):
    lead = make.user(Role.LEAD)
    _password_step(client, lead)
    with client.session_transaction() as cookie_session:
        assert set(cookie_session[PENDING_LOGIN_KEY]) == {"user", "at", "next"}


def test_a_key_being_set_up_ends_with_its_login(app, client, make):
    lead = make.user(Role.LEAD, two_factor=False)
    _password_step(client, lead)
    secret = _shown_secret(client.get("/account/two-factor/setup"))
    with client.session_transaction() as cookie_session:
        del cookie_session["_user_id"]  # the login ends in the middle of the set-up
    response = client.get("/login/verify")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "took too long" not in client.get("/login").get_data(as_text=True)  # there was no login to expire
    _password_step(client, lead)  # a new login: a new key, the old one went with its login
    assert _shown_secret(client.get("/account/two-factor/setup")) != secret


def test_a_login_awaiting_its_code_is_not_taken_for_a_key_being_set_up(app, client, make):
    lead = make.user(Role.LEAD, two_factor=False)
    waiting = make.user(Role.LEAD, email="waiting@example.org")
    _password_step(client, lead)
    pending = {"user": waiting.id, "at": int(time.time()), "next": None}
    with client.session_transaction() as cookie_session:
        cookie_session[PENDING_LOGIN_KEY] = pending
    page = client.get("/account/two-factor/setup")
    assert page.status_code == 200
    secret = _shown_secret(page)
    assert client.get("/account/two-factor/qr.svg").status_code == 200
    done = client.post("/account/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and _fresh(app, lead).two_factor_enabled
    assert _fresh(app, lead).totp_secret != _fresh(app, waiting).totp_secret
    with client.session_transaction() as cookie_session:
        assert cookie_session[PENDING_LOGIN_KEY] == pending


def test_a_recovery_code_logs_in_once(app, make):
    user = make.user(Role.WORKER)
    client = app.test_client()
    login(client, user)
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    done = client.post("/account/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-z-]{29})</code>", done.get_data(as_text=True))
    client.post("/logout")

    assert _password_step(client, user).headers["Location"] == "/login/verify"
    response = client.post("/login/verify", data={"code": codes[3].upper().replace("-", " ")}, follow_redirects=True)
    assert b"You used a recovery code. 9 codes are left" in response.data
    client.post("/logout")
    _password_step(client, user)
    assert client.post("/login/verify", data={"code": codes[3]}).status_code == 200
    assert ("use_recovery_code", "ok") in audit_actions(app)


def test_a_worker_turns_it_off_with_a_code_but_a_lead_cannot(app, make):
    worker = make.user(Role.WORKER, two_factor=True)
    client = app.test_client()
    login(client, worker)
    page = client.get("/account").get_data(as_text=True)
    assert "Turn off two-step verification" in page
    wrong = client.post("/account/two-factor/disable", data={"off-code": "000000x"})
    assert b'id="off-code-error"' in wrong.data
    done = client.post("/account/two-factor/disable", data={"off-code": fresh_code(app, worker)})
    assert done.status_code == 302
    assert _fresh(app, worker).totp_secret is None
    assert ("two_factor_disable", "ok") in audit_actions(app)

    lead = make.user(Role.LEAD)
    lead_client = app.test_client()
    login(lead_client, lead)
    assert "Turn off two-step verification" not in lead_client.get("/account").get_data(as_text=True)
    lead_client.post("/account/two-factor/disable", data={"off-code": fresh_code(app, lead)})
    assert _fresh(app, lead).two_factor_enabled


def test_new_recovery_codes_need_the_apps_code(app, make):
    lead = make.user(Role.LEAD)
    client = app.test_client()
    login(client, lead)
    assert (
        b'id="rc-fresh_code-error"'
        in client.post("/account/two-factor/recovery-codes", data={"rc-fresh_code": "123"}).data
    )
    response = client.post("/account/two-factor/recovery-codes", data={"rc-fresh_code": fresh_code(app, lead)})
    assert len(re.findall(r"<code>([0-9a-z-]{29})</code>", response.get_data(as_text=True))) == 10
    assert ("recovery_codes", "ok") in audit_actions(app)


def test_second_factor_required_decorator(app, make):
    worker = make.user(Role.WORKER)
    lead = make.user(Role.LEAD)
    guarded = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])

    @guarded.get("/guarded")
    @second_factor_required
    def guarded_page():
        return "secret page"

    try:
        client = guarded.test_client()
        login(client, worker)  # no second factor
        response = client.get("/guarded")
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor/setup"
        client = guarded.test_client()
        login(client, lead)
        assert client.get("/guarded").data == b"secret page"
        assert guarded.test_client().get("/guarded").status_code == 302  # anonymous: to the login page
    finally:
        with guarded.app_context():
            db.session.remove()
            db.engine.dispose()


def test_all_roles_can_be_required(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("worker", "lead", "admin"))
    worker = make.user(Role.WORKER, two_factor=False)
    client = app.test_client()
    assert login(client, worker).headers["Location"] == "/account/two-factor/setup"


def test_config_reads_the_all_roles_switch():
    # In a fresh interpreter: reloading config here would swap the classes under the running app.
    def roles(value):
        env = {**os.environ, "TWO_FACTOR_REQUIRED_FOR_ALL": value}
        script = "import config; print(','.join(config.Config.TWO_FACTOR_REQUIRED_ROLES))"
        return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True).stdout.strip()  # noqa: S603 (fixed argv)

    assert roles("1") == "worker,lead,admin"
    assert roles("") == "lead,admin"


def _cookie_session(app, client) -> dict:
    """What the browser holds: the session cookie, opened with the app's own key (signed, not encrypted)."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def test_the_secret_being_set_up_stays_on_the_server(app, client, make):
    lead = make.user(Role.LEAD, two_factor=False)
    _password_step(client, lead)
    first = client.get("/account/two-factor/setup")
    secret = _shown_secret(first)
    assert _shown_secret(client.get("/account/two-factor/setup")) == secret  # a reload shows the same key
    assert client.get("/account/two-factor/qr.svg").status_code == 200
    opened = _cookie_session(app, client)
    assert secret not in repr(opened) and secret not in client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    # A passkey ceremony's challenge may be there: not a secret, it only has to be fresh.
    allowed = {"_user_id", "_fresh", "_id", "_permanent", "csrf_token", "locale", "_flashes", "passkey_challenges"}
    assert set(opened) <= allowed
    kept = query(app, lambda: db.session.execute(select(LoginSession.totp_setup_secret)).scalar_one())
    assert kept == secret  # on this login's row instead

    done = client.post("/account/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and b"recovery" in done.data.lower()
    assert _fresh(app, lead).totp_secret == secret
    assert query(app, lambda: db.session.execute(select(LoginSession.totp_setup_secret)).scalar_one()) is None
    assert secret not in repr(_cookie_session(app, client))
    assert client.get("/families/").status_code == 200


def test_each_login_sets_up_its_own_key_and_logging_out_forgets_it(app, make):
    worker = make.user(Role.WORKER, two_factor=False)
    laptop, tablet = app.test_client(), app.test_client()
    login(laptop, worker)
    login(tablet, worker)
    on_laptop = _shown_secret(laptop.get("/account/two-factor/setup"))
    assert _shown_secret(tablet.get("/account/two-factor/setup")) != on_laptop
    laptop.post("/logout")
    secrets_kept = query(
        app,
        lambda: db.session.execute(select(LoginSession.totp_setup_secret).order_by(LoginSession.id)).scalars().all(),
    )
    assert secrets_kept[0] is None and secrets_kept[1] is not None
