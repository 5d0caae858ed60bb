"""New passwords: long ones accepted as typed, guessable ones refused with a reason."""

from app.extensions import db
from app.models import AccountChange, User
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


def test_the_set_up_page_refuses_a_guessable_password_and_one_built_from_the_name(app, client, world):
    """The administrator no longer types passwords; the person does, on /setup, under the same rules."""
    from tests.helpers.account_changes import confirm, new_account_form, redeem, setup_code_from

    admin, lead = app.test_client(), app.test_client()
    login(admin, world.admin)
    form = new_account_form(app, world.admin, team_id=world.team_a.id, name="Wilhelmina Zonneveldtuin")
    page = admin.post("/admin/users/new", data=form)
    code = setup_code_from(page.get_data(as_text=True))
    login(lead, world.lead_a)
    change_id = query(app, lambda: db.session.query(AccountChange.id).scalar())
    assert confirm(lead, world.lead_a, change_id).status_code == 302
    response = redeem(client, "noor.bakker@example.org", code, "qwertyuiopasdfgh")
    assert b"This looks like a commonly used password." in response.data
    response = redeem(
        client, "noor.bakker@example.org", code, "Wilhelmina Zonneveldtuin!"
    )  # the service knows the name
    assert b"Do not build your password from your name or e-mail address." in response.data
    assert redeem(client, "noor.bakker@example.org", code).status_code == 302  # the code was not used up


def test_create_user_cli_refuses_a_guessable_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "x@example.org", "--name", "X Person", "--role", "admin"],
        env={"NEW_USER_PASSWORD": "aaaaaaaaaaaaaaaaaaaa"},
    )
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
