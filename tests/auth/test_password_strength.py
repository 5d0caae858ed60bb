"""New passwords: long ones accepted as typed, guessable ones refused with a reason."""

from app.extensions import db
from app.models import Role, User
from app.security.passwords import verify_password, weakness
from tests.helpers.auth import PASSWORD, login
from tests.helpers.db import query


def _change(client, new):
    return client.post(
        "/account",
        data={"pw-current_password": PASSWORD, "pw-new_password": new, "pw-confirm": new, "pw-submit": "1"},
    )


def test_a_common_password_is_refused_with_a_reason_next_to_the_field(client, make):
    login(client, make.user())
    response = _change(client, "passwordpassword")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="pw-new_password-error"' in html
    assert "Repeated words are easy to guess." in html
    assert "Add a few uncommon words" in html


def test_a_password_built_from_the_name_or_email_is_refused(client, make):
    user = make.user(name="Gerrit Vandermolen", email="gerrit.vandermolen@example.org")
    login(client, user)
    assert weakness("Gerrit Vandermolen!") is None  # strong for anyone else
    response = _change(client, "Gerrit Vandermolen!")
    assert b"Do not build your password from your name or e-mail address." in response.data


def test_a_128_character_password_is_kept_exactly_as_typed(app, client, make):
    user = make.user()
    login(client, user)
    long_password = "Zebra crossing at Dawn, 7 kites & one Quiet owl! " * 2 + "x" * 30
    assert len(long_password) == 128
    assert _change(client, long_password).status_code == 302
    stored = query(app, lambda: db.session.get(User, user.id).password_hash)
    assert verify_password(stored, long_password)
    assert not verify_password(stored, long_password.lower())
    assert not verify_password(stored, long_password[:64])
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": long_password}).status_code == 302


def test_no_composition_rules_and_the_demo_password_passes():
    assert weakness("correct horse battery staple") is None  # lower case letters and spaces only
    assert weakness("attune-demo-2026", ["attune", "sanne@attune.example"]) is None
    assert weakness("welcome123welcome") is not None


def test_admin_reset_and_create_refuse_a_guessable_password(app, client, make):
    admin = make.user(Role.ADMIN)
    worker = make.user(Role.WORKER)
    login(client, admin)
    response = client.post(f"/admin/users/{worker.id}/password", data={"reset-password": "qwertyuiopasdfgh"})
    assert b"This looks like a commonly used password." in response.data
    response = client.post(
        "/admin/users/new",
        data={
            "name": "New Person",
            "email": "new@example.org",
            "role": "admin",
            "team_id": "0",
            "password": "password12345678",
        },
    )
    assert b"This looks like a commonly used password." in response.data
    assert query(app, lambda: db.session.query(User).filter_by(email="new@example.org").first()) is None


def test_create_user_cli_refuses_a_guessable_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "x@example.org", "--name", "X Person", "--role", "admin"],
        env={"NEW_USER_PASSWORD": "aaaaaaaaaaaaaaaaaaaa"},
    )
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
