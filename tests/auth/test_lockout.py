"""Account lockout in the database: shared by every app process, silent about who exists."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select, update

from app import create_app
from app.extensions import db
from app.models import AuditEvent, Role, User
from app.services import lockout
from tests.helpers.auth import PASSWORD, fresh_code
from tests.helpers.db import query

WRONG = "not the right password at all"


@pytest.fixture
def second_app(app):
    """Another app instance on the same database, like a second gunicorn worker."""
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    other.test_client_class = app.test_client_class
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _post(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def _fresh(app, user):
    return query(app, lambda: db.session.get(User, user.id))


def test_lockout_holds_across_two_app_instances(app, second_app, make):
    user = make.user()
    limit = app.config["LOGIN_MAX_FAILURES"]
    first, second = app.test_client(), second_app.test_client()
    for attempt in range(limit):
        # Failures on both instances add up: the count is in the shared database.
        _post(first if attempt % 2 else second, user.email, WRONG)
    locked = _post(second, user.email, PASSWORD)  # the right password, on the other instance
    assert locked.status_code == 200 and b"The e-mail address or password is not correct." in locked.data
    assert _post(first, user.email, PASSWORD).status_code == 200
    assert first.get("/families/").status_code == 302
    stored = _fresh(app, user)
    assert stored.failed_logins == limit and stored.locked_until > datetime.now(UTC)
    events = query(app, lambda: db.session.execute(select(AuditEvent.action, AuditEvent.detail)).all())
    assert sum(action == "lock_account" for action, _ in events) == 1
    assert ("login", "locked") in events


def test_one_below_the_limit_still_logs_in_and_success_resets_the_count(app, client, make):
    user = make.user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _post(client, user.email, WRONG)
    assert _post(client, user.email, PASSWORD).status_code == 302
    assert _fresh(app, user).failed_logins == 0


def test_the_lock_runs_out(app, client, make):  # and a successful login resets the count
    user = make.user(failed_logins=10, locked_until=datetime.now(UTC) - timedelta(seconds=1))
    assert _post(client, user.email, PASSWORD).status_code == 302
    stored = _fresh(app, user)
    assert stored.failed_logins == 0 and stored.locked_until is None


def test_a_locked_account_answers_like_an_unknown_address(app, make):
    user = make.user(failed_logins=10, locked_until=datetime.now(UTC) + timedelta(minutes=15))
    locked = _post(app.test_client(), user.email, PASSWORD)
    unknown = _post(app.test_client(), "nobody@example.org", PASSWORD)

    def normalised(response, email):
        html = response.get_data(as_text=True).replace(email, "X")
        return re.sub(r'name="csrf_token"( type="hidden")? value="[^"]+"', "csrf", html)

    assert normalised(locked, user.email) == normalised(unknown, "nobody@example.org")
    assert b"an account is locked for 15 minutes" in locked.data  # said to everyone, on every failure


def test_counting_is_atomic_with_stale_objects(app, second_app, make):
    """Two processes that both read failed_logins=0 still count two failures, not one."""
    user = make.user()

    def read_stale(instance):
        # Read, then end the read transaction (SQLite transactions take the write lock, and one
        # thread cannot hold two): the object keeps the count it saw.
        with instance.app_context():
            stale = db.session.get(User, user.id)
            assert stale.failed_logins == 0
            db.session.expunge(stale)
            db.session.rollback()
        return stale

    stale_a, stale_b = read_stale(app), read_stale(second_app)
    for instance, stale in ((second_app, stale_b), (app, stale_a)):
        with instance.app_context():
            db.session.add(stale)  # attached as it was read: failed_logins still says 0
            lockout.record_failure(stale)
            db.session.commit()
    assert _fresh(app, user).failed_logins == 2


def test_wrong_codes_count_towards_the_lockout(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 3)
    lead = make.user(Role.LEAD)
    _post(client, lead.email, PASSWORD)
    # A correct password does not reset the count: else the code could be guessed forever.
    assert client.post("/login/verify", data={"code": "000001"}).status_code == 200
    _post(client, lead.email, PASSWORD)
    assert client.post("/login/verify", data={"code": "000002"}).status_code == 200
    last = client.post("/login/verify", data={"code": "000003"}, follow_redirects=True)
    assert b"Too many failed attempts. Wait 15 minutes" in last.data
    assert _post(client, lead.email, PASSWORD).status_code == 200  # locked: the password step refuses now
    assert client.post("/login/verify", data={"code": fresh_code(app, lead)}).headers["Location"] == "/login"
    assert client.get("/families/").status_code == 302
    query(app, lambda: (db.session.execute(update(User).values(locked_until=None)), db.session.commit()))
    assert _post(client, lead.email, PASSWORD).headers["Location"] == "/login/verify"


MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _locked(app, user) -> bool:
    stored = _fresh(app, user)
    return stored.locked_until is not None and stored.locked_until > datetime.now(UTC)


def test_after_the_lock_runs_out_the_count_starts_over(app, client, make):
    user = make.user()
    limit = app.config["LOGIN_MAX_FAILURES"]
    with time_machine.travel(MORNING, tick=False) as clock:
        for _ in range(limit):
            _post(client, user.email, WRONG)
        assert _locked(app, user)
        clock.shift(timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"], seconds=1))
        _post(client, user.email, WRONG)  # the first failure after the lock: one, not eleven
        stored = _fresh(app, user)
        assert stored.failed_logins == 1 and stored.locked_until is None
        for _ in range(limit - 2):
            _post(client, user.email, WRONG)
        assert not _locked(app, user)  # nine since the lock: not locked again
        assert _post(client, user.email, PASSWORD).status_code == 302


def test_a_trickle_of_wrong_passwords_never_keeps_the_account_locked(app, make):
    """The review's case: one wrong password a quarter-hour used to keep an account locked for good."""
    user = make.user()
    with time_machine.travel(MORNING, tick=False) as clock:
        for _ in range(4 * 24):  # a whole day of it
            _post(app.test_client(), user.email, WRONG)
            assert not _locked(app, user)
            clock.shift(timedelta(minutes=15))
        assert _post(app.test_client(), user.email, PASSWORD).status_code == 302


def test_failures_far_apart_start_the_count_over_but_ten_within_the_window_lock(app, client, make):
    user = make.user()
    limit = app.config["LOGIN_MAX_FAILURES"]
    window = timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    with time_machine.travel(MORNING, tick=False) as clock:
        for _ in range(limit - 1):
            _post(client, user.email, WRONG)
        clock.shift(window)
        _post(client, user.email, WRONG)  # the first failure is a window old now: the count starts over
        assert _fresh(app, user).failed_logins == 1 and not _locked(app, user)
        clock.shift(window - timedelta(minutes=1))
        for _ in range(limit - 1):  # ten within the window of the new count's first failure
            _post(client, user.email, WRONG)
        assert _locked(app, user)
        assert _post(client, user.email, PASSWORD).status_code == 200


def test_a_failure_during_the_lock_does_not_extend_it(app, second_app, make):
    """Two processes racing: a failure counted while the lock holds leaves its end as it was."""
    until = datetime.now(UTC) + timedelta(minutes=5)
    user = make.user(failed_logins=10, locked_until=until, failures_since=datetime.now(UTC))
    with second_app.app_context():
        assert lockout.record_failure(db.session.get(User, user.id)) is False
        db.session.commit()
    stored = _fresh(app, user)
    assert stored.failed_logins == 11 and stored.locked_until == until
