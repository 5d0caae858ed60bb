"""Separation of duties in tests: an administrator asks, someone confirms, the person sets up the account."""

from __future__ import annotations

import re

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AccountChange, User
from tests.helpers.auth import fresh_code
from tests.helpers.db import query

NEW_PASSWORD = "a fresh password chosen by the person"


def new_account_form(app: Flask, admin: User, **overrides) -> dict:
    data = {
        "name": "Noor Bakker",
        "email": "noor.bakker@example.org",
        "role": "lead",
        "team_id": "0",
        "fresh_code": fresh_code(app, admin),
        "submit": "1",
    }
    data.update(overrides)
    return data


def setup_code_from(html: str) -> str:
    match = re.search(r'id="setup-code">([0-9a-z-]+)<', html)
    assert match, "no set-up code on the page"
    return match.group(1)


def changes(app: Flask) -> list[AccountChange]:
    def run():
        rows = db.session.execute(select(AccountChange).order_by(AccountChange.id)).scalars().all()
        db.session.expunge_all()
        return rows

    return query(app, run)


def last_change(app: Flask) -> AccountChange:
    return changes(app)[-1]


def confirm(client: FlaskClient, decider: User, change_id: int):
    return client.post(
        f"/account-changes/{change_id}/confirm",
        data={"confirm-fresh_code": fresh_code(client.application, decider)},
    )


# A second half nobody was given: what someone holding only the first half would have to guess.
NO_SECOND_HALF = "zzzz-zzzz-zzzz-zzzz"


def second_half(confirmed) -> str:
    """The set-up code's second half, shown once to whoever confirmed (the answer to their confirm)."""
    assert confirmed.status_code == 200, "the confirm did not show a second half"
    return setup_code_from(confirmed.get_data(as_text=True))


def redeem(client: FlaskClient, email: str, code: str | tuple[str, str], password: str = NEW_PASSWORD):
    """code: both halves (first, second), or the first alone (then a made-up second half)."""
    first, second = code if isinstance(code, tuple) else (code, NO_SECOND_HALF)
    return client.post(
        "/setup",
        data={"email": email, "code": first, "second_code": second, "new_password": password, "confirm": password},
    )


def enrol_totp(client: FlaskClient) -> str:
    """Set up two-step verification in this login, as the person would with their phone; the secret."""
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    client.post("/account/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    return secret
