"""Rate limit per address on the login forms: off in tests, proven here on its own apps."""

import uuid

import pytest
from flask_limiter.errors import RateLimitExceeded

from app import create_app
from app.extensions import db
from app.models import Role, User
from app.services import logins
from tests.helpers.auth import login


@pytest.fixture
def limited_app(app):
    """A second app on the test database with the rate limit on (3 posts a minute)."""
    apps = []

    def build(**config):
        limited = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            RATELIMIT_ENABLED=True,
            LOGIN_RATE_LIMIT="3 per minute",
            **config,
        )
        limited.test_client_class = app.test_client_class
        apps.append(limited)
        return limited

    yield build
    for limited in apps:
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()


def _attempt(client, address="192.0.2.1"):
    return client.post(
        "/login",
        data={"email": "someone@example.org", "password": "not the right password"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_too_many_login_posts_from_one_address_get_a_429_page(limited_app):
    client = limited_app(RATELIMIT_STORAGE_URI="memory://").test_client()
    assert [_attempt(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = _attempt(client)
    assert refused.status_code == 429
    assert b"Too many attempts" in refused.data
    assert b"too many password or code attempts from your address" in refused.data
    assert int(refused.headers["Retry-After"]) > 0
    assert _attempt(client, address="192.0.2.99").status_code == 200  # another address is not held up
    assert client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200  # only posts count
    verify = client.post("/login/verify", data={"code": "123456"}, environ_base={"REMOTE_ADDR": "192.0.2.5"})
    assert verify.status_code == 302  # the code step has its own limit, and no pending login here


def test_the_code_step_is_limited_too(limited_app):
    client = limited_app(RATELIMIT_STORAGE_URI="memory://").test_client()
    codes = [client.post("/login/verify", data={"code": "123456"}).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]


def test_the_passkey_step_is_limited_too(limited_app):
    client = limited_app().test_client()
    answers = [client.post("/login/verify/passkey", data={"credential": "{}"}).status_code for _ in range(4)]
    assert answers[:3] == [302, 302, 302] and answers[3] == 429


def test_the_set_up_page_is_limited_too(limited_app):
    """Guessing set-up codes from one address meets the same limit as guessing passwords."""
    client = limited_app(RATELIMIT_STORAGE_URI="memory://").test_client()
    data = {"email": "someone@example.org", "code": "aaaa-bbbb", "new_password": "x", "confirm": "x"}
    codes = [client.post("/setup", data=data).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_tests_run_without_the_limit(client):
    # An empty password fails the form before any hashing: quick, and it counts all the same.
    attempts = [client.post("/login", data={"email": "someone@example.org"}).status_code for _ in range(12)]
    assert attempts == [200] * 12


def test_limit_counts_in_redis_when_configured(limited_app):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379", socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    # Two apps (think: two gunicorn workers) share the count through Redis.
    config = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4()}"}
    first, second = limited_app(**config).test_client(), limited_app(**config).test_client()
    assert [_attempt(first).status_code for _ in range(2)] == [200, 200]
    assert _attempt(second).status_code == 200
    assert _attempt(second).status_code == 429
    assert _attempt(first).status_code == 429


NEW = "a brand new and long password"
# Wrong answers to each check on "My account" ("not-a-code" is no code at all, so never right).
MY_ACCOUNT_CHECKS = {
    "/account": {
        "pw-current_password": "not the password",
        "pw-new_password": NEW,
        "pw-confirm": NEW,
        "pw-submit": "1",
    },
    "/account/two-factor/disable": {"off-code": "not-a-code", "off-submit": "1"},
    "/account/two-factor/recovery-codes": {"rc-fresh_code": "not-a-code", "rc-submit": "1"},
}


def _logged_in(limited, user, checks_from="192.0.2.7"):
    """A login from one address, then every request from `checks_from`: the login's posts count elsewhere."""
    client = limited.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.1"
    login(client, user)
    client.environ_base["REMOTE_ADDR"] = checks_from
    return client


@pytest.mark.parametrize("url", MY_ACCOUNT_CHECKS)
def test_each_check_on_my_account_is_limited_per_address(limited_app, make, url):
    limited = limited_app(RATELIMIT_STORAGE_URI="memory://")
    client = _logged_in(limited, make.user(Role.WORKER, two_factor=True))
    statuses = [client.post(url, data=MY_ACCOUNT_CHECKS[url]).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.post(url, data=MY_ACCOUNT_CHECKS[url])
    assert refused.status_code == 429 and b"too many password or code attempts from your address" in refused.data
    client.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    assert client.post(url, data=MY_ACCOUNT_CHECKS[url]).status_code == 200  # another address is not held up


def test_the_login_and_the_checks_share_one_budget_per_address(limited_app, make):
    limited = limited_app(RATELIMIT_STORAGE_URI="memory://")
    client = _logged_in(limited, make.user(Role.WORKER, two_factor=True))
    stranger = limited.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "192.0.2.7"  # someone else at the same address
    assert _attempt(stranger, address="192.0.2.7").status_code == 200
    assert (
        client.post("/account/two-factor/disable", data=MY_ACCOUNT_CHECKS["/account/two-factor/disable"]).status_code
        == 200
    )
    assert stranger.post("/login/verify", data={"code": "123456"}).status_code == 302
    assert client.post("/account", data=MY_ACCOUNT_CHECKS["/account"]).status_code == 429
    assert _attempt(stranger, address="192.0.2.7").status_code == 429


def test_saving_preferences_is_no_secret_check(limited_app, make):
    client = _logged_in(limited_app(RATELIMIT_STORAGE_URI="memory://"), make.user())
    # One password check first: the limit it counts in stays with the check, not the page's other form.
    assert client.post("/account", data=MY_ACCOUNT_CHECKS["/account"]).status_code == 200
    saves = [client.post("/account", data={"pref-language": "en", "pref-submit": "1"}).status_code for _ in range(5)]
    assert saves == [302] * 5


def test_the_fresh_check_is_limited_per_address(limited_app, make):
    limited = limited_app(RATELIMIT_STORAGE_URI="memory://")
    lead = make.user(Role.LEAD)

    def fresh_check():
        with limited.test_request_context("/account", method="POST", environ_base={"REMOTE_ADDR": "192.0.2.9"}):
            return logins.fresh_check(db.session.get(User, lead.id), "not-a-code", "grant_access")

    assert [fresh_check() for _ in range(3)] == [False] * 3
    with pytest.raises(RateLimitExceeded):
        fresh_check()
