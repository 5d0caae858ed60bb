"""The demo: leads and the administrator have a fixed key, and a development-only code command."""

import pyotp
from sqlalchemy import select

from app.cli.demo import demo_logins, demo_totp_secret
from app.extensions import db
from app.models import Role, User
from tests.helpers.db import query


def test_demo_keys_are_fixed_for_demo_accounts_only():
    secret = demo_totp_secret("sanne@attune.example")
    assert secret == demo_totp_secret(" Sanne@Attune.example ") and len(secret) == 32
    assert pyotp.TOTP(secret).now().isdigit()
    assert demo_totp_secret("admin@attune.example") not in (None, secret)
    assert demo_totp_secret("joris@attune.example") not in (None, secret)  # enrolled where workers need it
    assert demo_totp_secret("someone@example.org") is None
    assert any(secret in line for line in demo_logins())  # `make run` prints the keys


def test_seeded_demo_lead_logs_in_with_the_demo_password_and_code(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0

    def enrolled():
        rows = db.session.execute(select(User.email, User.role, User.totp_secret, User.totp_enabled_at)).all()
        return {email: (role, secret, since) for email, role, secret, since in rows}

    users = query(app, enrolled)
    for email, (role, secret, since) in users.items():
        if role in (Role.LEAD, Role.ADMIN):
            assert secret == demo_totp_secret(email) and since is not None
        else:
            assert secret is None

    result = runner.invoke(args=["demo-code", "ruben@attune.example"])
    assert result.exit_code == 0
    code = result.stdout.strip()
    assert pyotp.TOTP(demo_totp_secret("ruben@attune.example")).verify(code, valid_window=1)

    client = app.test_client()
    client.post("/login", data={"email": "ruben@attune.example", "password": app.config["DEMO_PASSWORD"]})
    assert client.post("/login/verify", data={"code": code}).headers["Location"] == "/"

    # In the demo care workers log in with a password only: not enrolled, so no code to print.
    refused = runner.invoke(args=["demo-code", "joris@attune.example"])
    assert refused.exit_code != 0 and "not a demo account" in refused.output


def test_demo_code_refuses_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["demo-code", "sanne@attune.example"])
    assert result.exit_code != 0 and "production" in result.output


def test_demo_enrols_care_workers_where_the_config_needs_a_second_factor_for_everyone(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("worker", "lead", "admin"))
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    rows = query(app, lambda: db.session.execute(select(User.email, User.totp_secret)).all())
    assert rows and all(secret == demo_totp_secret(email) for email, secret in rows)
