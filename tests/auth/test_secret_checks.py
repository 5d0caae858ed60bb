"""Every password or code check on "My account" and before sensitive actions counts like the login's:
towards the account's lockout, and (tests/auth/test_rate_limit.py) the address's rate limit.

The issue: 30 wrong codes on each check must never reach the right code's effect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import LoginSession, RecoveryCode, Role, User
from app.security.passwords import verify_password
from app.services import logins
from tests.helpers.audit import audit_events
from tests.helpers.auth import PASSWORD, fresh_code, login
from tests.helpers.db import query

NEW = "a brand new and long password"
ATTEMPTS = 30


def _wrong_code(app, user: User) -> str:
    """A 6-digit code that is not valid for the user at any step of the accepted window."""
    totp = pyotp.TOTP(query(app, lambda: db.session.get(User, user.id).totp_secret))
    now = totp.timecode(datetime.now(UTC))
    valid = {totp.generate_otp(step) for step in range(now - 2, now + 3)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def _fresh(app, user):
    return query(app, lambda: db.session.get(User, user.id))


@dataclass(frozen=True)
class AccountCheck:
    url: str
    data: Callable[[str], dict]  # the post, given the password or code typed
    right: Callable[..., str]  # the right password or code, given (app, user)
    wrong: Callable[..., str]
    effect: Callable[..., bool]  # has the check's action happened? given (app, user)


def _recovery_codes(app, user):
    return query(
        app,
        lambda: db.session.execute(
            select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id)
        ).scalar_one(),
    )


CHECKS = {
    "turn off two-step verification": AccountCheck(
        url="/account/two-factor/disable",
        data=lambda code: {"off-code": code, "off-submit": "1"},
        right=fresh_code,
        wrong=_wrong_code,
        effect=lambda app, user: not _fresh(app, user).two_factor_enabled,
    ),
    "new recovery codes": AccountCheck(
        url="/account/two-factor/recovery-codes",
        data=lambda code: {"rc-fresh_code": code, "rc-submit": "1"},
        right=fresh_code,
        wrong=_wrong_code,
        effect=lambda app, user: _recovery_codes(app, user) > 0,
    ),
    "change password": AccountCheck(
        url="/account",
        data=lambda current: {
            "pw-current_password": current,
            "pw-new_password": NEW,
            "pw-confirm": NEW,
            "pw-submit": "1",
        },
        right=lambda app, user: PASSWORD,
        wrong=lambda app, user: "not the current password",
        effect=lambda app, user: verify_password(_fresh(app, user).password_hash, NEW),
    ),
}


@pytest.mark.parametrize("name", CHECKS)
def test_thirty_wrong_answers_never_reach_the_right_ones_effect(app, make, name):
    check = CHECKS[name]
    user = make.user(Role.WORKER, two_factor=True)
    attacker, owner = app.test_client(), app.test_client()
    login(attacker, user)
    login(owner, user)  # the owner's own login, on another device
    wrong = check.wrong(app, user)
    answers = [attacker.post(check.url, data=check.data(wrong)) for _ in range(ATTEMPTS)]
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert [a.status_code for a in answers[: limit - 1]] == [200] * (limit - 1)  # wrong, said next to the field
    # The failure that locks the account ends its logins and says why at the login page.
    locked = answers[limit - 1]
    assert locked.status_code == 302 and locked.headers["Location"] == "/login"
    page = attacker.get("/login").get_data(as_text=True)
    assert "your account is locked for 15 minutes, and every login of it has ended" in page
    assert all(a.status_code == 302 for a in answers[limit:])  # logged out: no more checks at all

    right = attacker.post(check.url, data=check.data(check.right(app, user)))
    assert right.status_code == 302 and right.headers["Location"].startswith("/login")
    assert not check.effect(app, user)
    assert owner.get("/account").status_code == 302  # every login of the account has ended
    assert owner.get("/login").status_code == 200
    assert "your account is locked" in owner.get("/families/", follow_redirects=True).get_data(as_text=True)

    stored = _fresh(app, user)
    assert stored.failed_logins == limit and stored.locked_until is not None
    assert login(attacker, user).status_code == 200  # the login page refuses too while locked
    locks = audit_events(app, action="lock_account")
    assert len(locks) == 1 and locks[0].user_id == user.id


@pytest.mark.parametrize("name", CHECKS)
def test_while_locked_the_right_answer_is_refused_and_says_why(app, make, name):
    """Locked from the login page while the owner is logged in: the owner's login stays, the check waits."""
    check = CHECKS[name]
    user = make.user(Role.WORKER, two_factor=True)
    owner = app.test_client()
    login(owner, user)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        app.test_client().post("/login", data={"email": user.email, "password": "someone guessing"})
    response = owner.post(check.url, data=check.data(check.right(app, user)))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Your account is locked after too many wrong passwords or codes. Try again in 15 minutes." in html
    assert not check.effect(app, user)
    assert owner.get("/account").status_code == 200  # not this login's doing: it stays


@pytest.mark.parametrize("name", CHECKS)
def test_the_right_answer_works_and_resets_the_count(app, client, make, name):
    check = CHECKS[name]
    user = make.user(Role.WORKER, two_factor=True)
    login(client, user)
    for _ in range(3):
        client.post(check.url, data=check.data(check.wrong(app, user)))
    assert _fresh(app, user).failed_logins == 3
    client.post(check.url, data=check.data(check.right(app, user)))
    assert check.effect(app, user)
    assert _fresh(app, user).failed_logins == 0


def _fresh_check(app, user: User, code: str) -> bool:
    """fresh_check() as a sensitive admin or lead page calls it, in its own request."""
    with app.test_request_context("/a/sensitive/page", method="POST"):
        ok = logins.fresh_check(db.session.get(User, user.id), code, "grant_access")
        db.session.commit()
    return ok


def test_thirty_wrong_fresh_checks_never_reach_the_right_codes_effect(app, client, make):
    lead = make.user(Role.LEAD)
    login(client, lead)
    wrong = _wrong_code(app, lead)
    assert [_fresh_check(app, lead, wrong) for _ in range(ATTEMPTS)] == [False] * ATTEMPTS
    stored = _fresh(app, lead)
    # Only the first ten were checked: from then on the account is locked, and every check refused.
    assert stored.failed_logins == app.config["LOGIN_MAX_FAILURES"] and stored.locked_until is not None
    assert _fresh_check(app, lead, fresh_code(app, lead)) is False  # the right code, refused while locked
    ended = query(app, lambda: db.session.execute(select(LoginSession.end_reason)).scalars().all())
    assert ended == ["locked"]
    page = client.get("/families/", follow_redirects=True).get_data(as_text=True)
    assert "your account is locked for 15 minutes, and every login of it has ended" in page


def test_a_passing_fresh_check_still_passes(app, make):
    lead = make.user(Role.LEAD)
    assert _fresh_check(app, lead, fresh_code(app, lead)) is True
    assert _fresh_check(app, lead, _wrong_code(app, lead)) is False
    assert _fresh(app, lead).failed_logins == 1
