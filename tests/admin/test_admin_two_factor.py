"""Administrators reset a lost second factor and end a user's logins: POST only, audited."""

from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import AccountChange, RecoveryCode, Role, Team, User
from tests.helpers.account_changes import confirm
from tests.helpers.audit import audit_actions
from tests.helpers.auth import PASSWORD, csrf_token_from, fresh_code, login
from tests.helpers.db import query


def test_reset_second_factor_clears_it_and_logs_the_user_out_once_confirmed(app, make):
    admin, lead = make.user(Role.ADMIN), make.user(Role.LEAD)
    other_lead = make.user(Role.LEAD, query(app, lambda: db.session.get(Team, lead.team_id)))
    query(app, lambda: (db.session.add(RecoveryCode(user_id=lead.id, code_hash="x" * 64)), db.session.commit()))
    lead_client, admin_client = app.test_client(), app.test_client()
    login(lead_client, lead)
    login(admin_client, admin)
    page = admin_client.get(f"/admin/users/{lead.id}").get_data(as_text=True)
    assert "Ask to reset two-step verification" in page and "1 active login." in page

    assert admin_client.get(f"/admin/users/{lead.id}/two-factor/reset").status_code == 405
    response = admin_client.post(
        f"/admin/users/{lead.id}/two-factor/reset", data={"tf-fresh_code": fresh_code(app, admin)}
    )
    assert b"Waiting for confirmation" in response.data
    assert query(app, lambda: db.session.get(User, lead.id).totp_secret) is not None
    confirmer = app.test_client()
    login(confirmer, other_lead)
    change_id = query(app, lambda: db.session.execute(select(AccountChange.id)).scalar_one())
    confirm(confirmer, other_lead, change_id)
    stored = query(app, lambda: db.session.get(User, lead.id))
    assert stored.totp_secret is None and stored.totp_enabled_at is None
    assert query(app, lambda: db.session.execute(select(RecoveryCode)).first()) is None
    assert lead_client.get("/families/").status_code == 302
    assert ("reset_two_factor", "ok") in audit_actions(app)
    # At the next login the lead must set it up again before anything else.
    assert login(app.test_client(), lead).headers["Location"] == "/account/two-factor/setup"


def test_an_admin_cannot_reset_their_own(app, client, make):
    admin = make.user(Role.ADMIN)
    login(client, admin)
    response = client.post(f"/admin/users/{admin.id}/two-factor/reset", data={"tf-fresh_code": fresh_code(app, admin)})
    assert b"Another administrator has to reset" in response.data
    assert query(app, lambda: db.session.get(User, admin.id).totp_secret) is not None


def test_end_all_logins_of_a_user(app, make):
    admin, worker = make.user(Role.ADMIN), make.user(Role.WORKER)
    laptop, phone, admin_client = app.test_client(), app.test_client(), app.test_client()
    login(laptop, worker)
    login(phone, worker)
    login(admin_client, admin)
    assert b"2 active logins." in admin_client.get(f"/admin/users/{worker.id}").data
    assert admin_client.get(f"/admin/users/{worker.id}/sessions/end").status_code == 405
    response = admin_client.post(
        f"/admin/users/{worker.id}/sessions/end", data={"end-fresh_code": fresh_code(app, admin)}, follow_redirects=True
    )
    assert b"All logins of" in response.data and b"0 active logins." in response.data
    assert laptop.get("/families/").status_code == 302 and phone.get("/families/").status_code == 302
    assert admin_client.get("/admin/").status_code == 200
    assert ("end_sessions", "ok") in audit_actions(app)


def test_the_buttons_need_the_csrf_token(app, make):
    admin, worker = make.user(Role.ADMIN), make.user(Role.WORKER)
    protected = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True
    )
    protected.test_client_class = app.test_client_class
    try:
        victim, admin_client = protected.test_client(), protected.test_client()
        token = csrf_token_from(victim.get("/login").get_data(as_text=True))
        victim.post("/login", data={"email": worker.email, "password": PASSWORD, "csrf_token": token})
        assert victim.get("/families/").status_code == 200
        token = csrf_token_from(admin_client.get("/login").get_data(as_text=True))
        admin_client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
        page = admin_client.get("/login/verify").get_data(as_text=True)
        admin_client.post("/login/verify", data={"code": fresh_code(app, admin), "csrf_token": csrf_token_from(page)})
        assert admin_client.post(f"/admin/users/{worker.id}/sessions/end").status_code == 400  # no token
        assert victim.get("/families/").status_code == 200
        page = admin_client.get(f"/admin/users/{worker.id}").get_data(as_text=True)
        admin_client.post(
            f"/admin/users/{worker.id}/sessions/end",
            data={"end-csrf_token": csrf_token_from(page), "end-fresh_code": fresh_code(app, admin)},
        )
        assert victim.get("/families/").status_code == 302
    finally:
        with protected.app_context():
            db.session.remove()
            db.engine.dispose()
