from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from app.extensions import db
from app.models import LoginSession
from tests.helpers.auth import login
from tests.helpers.db import query


def _age_sessions(app, **column_values):
    def run():
        db.session.execute(update(LoginSession).values(**column_values))
        db.session.commit()

    query(app, run)


def test_two_devices_stay_logged_in_and_logout_ends_only_one(app, make):
    user = make.user()
    laptop, tablet = app.test_client(), app.test_client()
    login(laptop, user)
    login(tablet, user)
    assert laptop.get("/families/").status_code == 200
    assert tablet.get("/families/").status_code == 200
    laptop.post("/logout")
    assert laptop.get("/families/").status_code == 302
    assert tablet.get("/families/").status_code == 200


def test_idle_login_times_out(app, client, make):
    login(client, make.user())
    _age_sessions(app, last_seen_at=datetime.now(UTC) - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=1))
    assert client.get("/families/").status_code == 302


def test_active_login_ends_after_its_absolute_lifetime(app, client, make):
    login(client, make.user())
    _age_sessions(app, created_at=datetime.now(UTC) - app.config["SESSION_ABSOLUTE_LIFETIME"] - timedelta(minutes=1))
    assert client.get("/families/").status_code == 302


def test_only_a_hash_of_the_cookie_token_is_stored(app, client, make):
    login(client, make.user())
    with client.session_transaction() as cookie_session:
        token = cookie_session["_user_id"]
    stored = query(app, lambda: db.session.execute(db.select(LoginSession.token_hash)).scalar_one())
    assert token not in stored and len(stored) == 64
