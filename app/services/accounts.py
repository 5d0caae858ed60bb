"""Creating and changing accounts, shared by the admin pages and the CLI."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, Team, User
from app.security.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, personal_words, weakness


class AccountError(ValueError):
    """A refusal with a message meant for the person creating the account."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_taken(email: str, *, except_user_id: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == normalise_email(email))
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return db.session.execute(query).first() is not None


def password_problem(password: str, *personal: str) -> str | None:
    """The same rules as the forms, in plain English for the command line."""
    if len(password) < MIN_LENGTH:
        return f"the password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"the password may have at most {MAX_LENGTH} characters"
    reason = weakness(password, personal_words(*personal))
    if reason is not None:
        why = "it is built from the name or e-mail address" if reason == "personal" else reason.rstrip(".")
        return f"the password is too easy to guess{': ' + why if why else ''}; add a few uncommon words"
    return None


def get_or_create_team(name: str) -> Team:
    name = name.strip()
    team = db.session.execute(select(Team).where(Team.name == name)).scalar_one_or_none()
    if team is None:
        team = Team(name=name)
        db.session.add(team)
        db.session.flush()
    return team


def create_user(*, email: str, name: str, role: Role, password: str, team: Team | None) -> User:
    if email_taken(email):
        raise AccountError(f"a user with the e-mail address {normalise_email(email)} already exists")
    if role in (Role.WORKER, Role.LEAD) and team is None:
        raise AccountError("care workers and team leads need a team")
    problem = password_problem(password, email, name)
    if problem:
        raise AccountError(problem)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        team=team,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    return user
