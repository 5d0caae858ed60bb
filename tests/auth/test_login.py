import re

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import AuditEvent, Role, User
from app.security.passwords import hash_password
from tests.helpers.auth import PASSWORD, login
from tests.helpers.db import query


def test_login_and_logout(client, make):
    user = make.user(Role.WORKER)
    response = login(client, user)
    assert response.status_code == 302
    assert client.get("/families/").status_code == 200
    client.post("/logout")
    response = client.get("/families/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make):
    user = make.user()
    wrong = client.post("/login", data={"email": user.email, "password": "not the right password"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "not the right password"})
    assert wrong.status_code == unknown.status_code == 200
    assert b"The e-mail address or password is not correct." in wrong.data

    # The pages differ only in the address typed back into the field (and the CSRF tokens, which
    # carry a timestamp and so change from one second to the next).
    def normalised(response, email):
        html = response.get_data(as_text=True).replace(email, "X")
        return re.sub(r'name="csrf_token"( type="hidden")? value="[^"]+"', "csrf", html)

    assert normalised(wrong, user.email) == normalised(unknown, "nobody@example.org")


def test_email_is_kept_after_a_failed_login(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": "wrong password here"})
    assert f'value="{user.email}"'.encode() in response.data


def test_login_is_case_insensitive_on_email(client, make):
    make.user(email="mixed.case@example.org")
    response = client.post("/login", data={"email": "MIXED.case@example.ORG", "password": PASSWORD})
    assert response.status_code == 302


def test_deactivated_user_cannot_log_in(client, make):
    user = make.user(active=False)
    response = login(client, user)
    assert response.status_code == 200
    assert client.get("/families/").status_code == 302


def test_cookie_captured_before_logout_no_longer_works(app, make):
    user = make.user()
    client = app.test_client()
    login(client, user)
    stolen = client.get_cookie("session").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/families/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_safe_next_redirect_only_to_own_site(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/account"})
    assert response.headers["Location"] == "/account"
    client.post("/logout")
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": evil})
        assert "evil" not in response.headers["Location"]
        client.post("/logout")


def test_logins_and_failures_are_audited(app, client, make):
    user = make.user()
    client.post("/login", data={"email": user.email, "password": "wrong password again"})
    login(client, user)
    events = query(app, lambda: db.session.execute(select(AuditEvent.action, AuditEvent.outcome)).all())
    assert ("login", "failed") in events
    assert ("login", "ok") in events


def test_password_is_never_stored_in_plain_text(app, make):
    user = make.user()
    stored = query(app, lambda: db.session.get(User, user.id).password_hash)
    assert PASSWORD not in stored
    assert stored.startswith("$argon2id$")


def test_old_hash_parameters_are_upgraded_at_login(app, client, make, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setitem(app.config, "PASSWORD_HASHING", "rfc9106-low-memory")  # what production uses

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user = make.user(password_hash=weak)
    login(client, user)
    stored = query(app, lambda: db.session.get(User, user.id).password_hash)
    assert stored != weak
    assert "m=65536" in stored


def test_hash_helper_produces_argon2id_at_rfc9106_strength():
    # Outside the test configuration (no app here): argon2id, t=3, m=64 MiB (ASVS: t>=2, m>=19 MiB).
    stored = hash_password("x" * 20)
    assert stored.startswith("$argon2id$") and "m=65536,t=3,p=4" in stored


def test_production_refuses_the_test_hashing_profile(monkeypatch):
    from config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setattr(ProductionConfig, "PASSWORD_HASHING", "tests-only-fast", raising=False)
    with pytest.raises(RuntimeError, match="RFC 9106"):
        create_app("production")
