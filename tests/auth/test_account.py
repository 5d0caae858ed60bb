from app.extensions import db
from app.models import User
from app.security.passwords import verify_password
from tests.helpers.auth import PASSWORD, login
from tests.helpers.db import query

NEW = "a brand new and long password"


def test_change_password_ends_other_logins(app, make):
    user = make.user()
    laptop, tablet = app.test_client(), app.test_client()
    login(laptop, user)
    login(tablet, user)
    response = laptop.post(
        "/account",
        data={"pw-current_password": PASSWORD, "pw-new_password": NEW, "pw-confirm": NEW, "pw-submit": "1"},
    )
    assert response.status_code == 302
    assert laptop.get("/families/").status_code == 200  # this device stays logged in
    assert tablet.get("/families/").status_code == 302  # every other device is logged out
    assert query(app, lambda: verify_password(db.session.get(User, user.id).password_hash, NEW))


def test_change_password_refuses_wrong_current_and_short_new(client, make):
    user = make.user()
    login(client, user)
    response = client.post(
        "/account",
        data={"pw-current_password": "wrong wrong wrong", "pw-new_password": NEW, "pw-confirm": NEW, "pw-submit": "1"},
    )
    assert b"This is not your current password." in response.data
    response = client.post(
        "/account",
        data={"pw-current_password": PASSWORD, "pw-new_password": "short", "pw-confirm": "short", "pw-submit": "1"},
    )
    assert b"Use between 15 and 128 characters." in response.data
    response = client.post(
        "/account",
        data={"pw-current_password": PASSWORD, "pw-new_password": NEW, "pw-confirm": NEW + "x", "pw-submit": "1"},
    )
    assert b"The two passwords are not the same." in response.data


def test_choose_language_is_remembered_for_the_user(app, make):
    user = make.user()
    client = app.test_client()
    login(client, user)
    client.post("/account", data={"pref-language": "en", "pref-submit": "1"})
    assert query(app, lambda: db.session.get(User, user.id).locale) == "en"
    page = client.get("/account")
    assert b'<html lang="en">' in page.data
    client.post("/account", data={"pref-language": "nl", "pref-submit": "1"})
    assert b'<html lang="nl">' in client.get("/account").data


def test_login_page_follows_the_browser_language(client):
    assert b'<html lang="en">' in client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).data
    assert b'<html lang="nl">' in client.get("/login", headers={"Accept-Language": "nl-NL,nl;q=0.9"}).data


def test_language_switch_on_login_page(client):
    response = client.post("/language", data={"language": "en", "next": "/login"}, headers={"Accept-Language": "nl"})
    assert response.headers["Location"] == "/login"
    assert b'<html lang="en">' in client.get("/login", headers={"Accept-Language": "nl"}).data


def test_language_switch_refuses_foreign_redirect(client):
    response = client.post("/language", data={"language": "en", "next": "https://evil.example/"})
    assert "evil" not in response.headers["Location"]
