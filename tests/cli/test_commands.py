"""flask create-user: an account from the command line, with its password never echoed."""

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Role,
    Team,
    User,
)
from app.security.passwords import verify_password
from tests.helpers.audit import audit_events
from tests.helpers.db import count_rows, query

GOOD = "a long enough password for cli"


def test_create_user_creates_team_and_hashes_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "Lead@Example.org", "--name", "Lea Lead", "--role", "lead", "--team", "Team Noord"],
        env={"NEW_USER_PASSWORD": GOOD},
    )
    assert result.exit_code == 0, result.output
    user = query(app, lambda: db.session.execute(select(User)).scalar_one())
    assert user.email == "lead@example.org" and user.role == Role.LEAD
    assert query(app, lambda: db.session.get(Team, user.team_id).name) == "Team Noord"
    assert verify_password(user.password_hash, GOOD)
    assert GOOD not in result.output
    # It goes around the second person, so the access log says who made it, and how.
    [made] = audit_events(app, action="create_user")
    assert made.object_id == user.id and made.user_id is None and "flask create-user" in made.detail


def test_create_user_refuses_clearly(app, make):
    existing = make.user()
    runner = app.test_cli_runner()
    cases = [
        (["create-user", existing.email, "--name", "X", "--role", "worker", "--team", "T"], GOOD, "already exists"),
        (["create-user", "a@example.org", "--name", "X", "--role", "worker"], GOOD, "need a team"),
        (["create-user", "b@example.org", "--name", "X", "--role", "admin"], "short", "at least 15 characters"),
        (["create-user", "c@example.org", "--name", "X", "--role", "boss"], GOOD, "Invalid value for '--role'"),
    ]
    for args, password, message in cases:
        result = runner.invoke(args=args, env={"NEW_USER_PASSWORD": password})
        assert result.exit_code != 0, args
        assert message in result.output, result.output
    assert count_rows(app, User) == 1


def test_create_user_without_password_and_terminal_refuses(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "d@example.org", "--name", "X", "--role", "admin"], env={"NEW_USER_PASSWORD": ""}
    )
    assert result.exit_code != 0 and "NEW_USER_PASSWORD" in result.output
