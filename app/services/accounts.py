"""Creating and changing accounts, shared by the admin pages and the CLI. Flushes, never commits.

The admin pages' one way down: user_or_404() loads the account, user_form_data() reads what its
page shows, and submit_new_user() / submit_user() check what only the data can decide (an e-mail
address already in use, administrators taking away their own access), save, log themselves
(app.audit) and answer with errors by field name as data. Nothing is saved on an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import audit
from app.extensions import db
from app.models import Role, Team, User
from app.security.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, personal_words, weakness
from app.services import login_sessions, passkeys, teams, two_factor


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
        why = _BUILT_FROM.get(reason) or reason.rstrip(".")
        return f"the password is too easy to guess{': ' + why if why else ''}; add a few uncommon words"
    return None


_BUILT_FROM = {
    "personal": "it is built from the name or e-mail address",
    "personal:name": "it is built from the person's name (digits, a year or punctuation added do not help)",
    "personal:email": "it is built from the e-mail address (digits, a year or punctuation added do not help)",
    "personal:organisation": (
        "it is built from the organisation's name, ORGANISATION_NAME (digits, a year or punctuation added do not help)"
    ),
    "personal:app": "it is built from the app's name, Attune (digits, a year or punctuation added do not help)",
}


def get_or_create_team(name: str) -> Team:
    name = name.strip()
    team = db.session.execute(select(Team).where(Team.name == name)).scalar_one_or_none()
    if team is None:
        team = Team(name=name)
        db.session.add(team)
        db.session.flush()
    return team


def create_user(
    *, email: str, name: str, role: Role, password: str, team: Team | None, public_password: bool = False
) -> User:
    """public_password: the demo's, published in the README, which the rules would refuse for leaning on
    the app's name ("attune-demo-2026"); no rule protects a password everyone knows. Never in production."""
    if email_taken(email):
        raise AccountError(f"a user with the e-mail address {normalise_email(email)} already exists")
    if role in (Role.WORKER, Role.LEAD) and team is None:
        raise AccountError("care workers and team leads need a team")
    problem = None if public_password else password_problem(password, email, name)
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


# --- The administrator's pages --------------------------------------------------------------------


def user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def all_users() -> list[User]:
    """Every account, the active ones first, by name, with its team."""
    return list(
        db.session.execute(
            select(User).options(selectinload(User.team)).order_by(User.active.desc(), User.name)
        ).scalars()
    )


@dataclass(frozen=True)
class UserFormData:
    """What an account's page shows besides the account, read once per request."""

    teams: list[tuple[int, str]]  # (id, name) of every team, for the team field
    active_logins: int = 0
    two_factor_required: bool = False
    passkeys: int = 0  # how many passkeys the account has (a second factor like the app)


def user_form_data(user: User | None) -> UserFormData:
    """user=None for the page of a new account."""
    if user is None:
        return UserFormData(teams=teams.choices())
    return UserFormData(
        teams=teams.choices(),
        active_logins=login_sessions.count_active(user),
        two_factor_required=two_factor.required_for(user),
        passkeys=len(user.passkeys),
    )


@dataclass
class AccountInput:
    name: str
    email: str
    role: Role
    team_id: int | None
    active: bool


@dataclass(frozen=True)
class AccountSaved:
    """The answer to an account form or button: the account, or errors by field name ("" for the whole)."""

    user: User | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def _email_errors(email: str, except_user_id: int | None = None) -> dict[str, list[str]]:
    if email_taken(email, except_user_id=except_user_id):
        return {"email": [str(_l("Another account already uses this e-mail address."))]}
    return {}


def submit_new_user(data: AccountInput, password: str) -> AccountSaved:
    errors = _email_errors(data.email)
    if errors:
        return AccountSaved(errors=errors)
    team = db.session.get(Team, data.team_id) if data.team_id else None
    user = create_user(email=data.email, name=data.name, role=data.role, password=password, team=team)
    user.active = data.active
    audit.record("create_user", obj=user, detail=user.email)
    return AccountSaved(user=user)


def submit_user(user: User, data: AccountInput, actor: User) -> AccountSaved:
    """Save an account's changes; a deactivated account is logged out everywhere."""
    errors = _email_errors(data.email, except_user_id=user.id)
    if user.id == actor.id and (not data.active or data.role != Role.ADMIN):
        errors["role"] = [str(_l("You cannot take away your own administrator access."))]
    if errors:
        return AccountSaved(errors=errors)
    was_active = user.active
    user.name = data.name
    user.email = normalise_email(data.email)
    user.role = data.role
    user.team_id = data.team_id or None
    user.active = data.active
    if was_active and not user.active:
        login_sessions.end_all(user, reason="deactivated")
    audit.record("update_user", obj=user, detail=user.email)
    return AccountSaved(user=user)


def reset_password(user: User, password: str) -> None:
    """A new password, set by an administrator: every login of the account ends."""
    user.password_hash = hash_password(password)
    login_sessions.end_all(user, reason="password_reset")
    audit.record("reset_password", obj=user, detail=user.email)


def reset_two_factor(user: User, actor: User) -> AccountSaved:
    """For a user who lost their phone and recovery codes: they set it up again at the next login."""
    if user.id == actor.id:
        # Otherwise a stolen admin login could swap the admin's own second factor.
        return AccountSaved(
            errors={"": [str(_l("Another administrator has to reset your own two-step verification."))]}
        )
    removed = passkeys.remove_all(user)
    two_factor.disable(user)
    login_sessions.end_all(user, reason="second_factor")
    audit.record("reset_two_factor", obj=user, detail=f"{user.email}; passkeys removed: {removed}")
    return AccountSaved(user=user)


def end_logins(user: User, actor: User) -> None:
    """End every login of the account; the actor's own current login stays (ending it would lock them out)."""
    keep = actor.login_token if user.id == actor.id else None
    login_sessions.end_all(user, reason="ended_by_admin", keep_token=keep)
    audit.record("end_sessions", obj=user, detail=user.email)
