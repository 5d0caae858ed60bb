"""Logging in through the form, with the test password and a fresh two-step code."""

from __future__ import annotations

import re

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from app.extensions import db
from app.models import User

PASSWORD = "a long enough test password"


def login(client: FlaskClient, user: User, password: str = PASSWORD):
    """Log in through the form; for a user with two-step verification, also type the code."""
    response = client.post("/login", data={"email": user.email, "password": password})
    if response.status_code == 302 and response.headers["Location"] == "/login/verify":
        return client.post("/login/verify", data={"code": fresh_code(client.application, user)})
    return response


def fresh_code(app: Flask, user: User) -> str:
    """The current code for a user, usable even when this test used it already.

    A code is accepted once per 30-second step; tests log the same user in many times within
    one step. Forgetting the last step used is what a login half a minute later would see.
    The once-only rule itself is tested in tests/auth/test_two_factor.py without this.
    """
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(totp_last_counter=None))
        db.session.commit()
        secret = db.session.get(User, user.id).totp_secret
    return pyotp.TOTP(secret).now()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)
