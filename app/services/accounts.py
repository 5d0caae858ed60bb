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
from app.models import ChangeKind, Role, Team, User
from app.security.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, personal_words, weakness
from app.services import account_changes, login_sessions, logins, passkeys, teams, two_factor


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
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None,
    team: Team | None,
    public_password: bool = False,
) -> User:
    """password=None: a random one nobody knows (an account made on the admin pages, set up by its code).

    public_password: the demo's, published in the README, which the rules would refuse for leaning on
    the app's name ("attune-demo-2026"); no rule protects a password everyone knows. Never in production."""
    if email_taken(email):
        raise AccountError(f"a user with the e-mail address {normalise_email(email)} already exists")
    if role in (Role.WORKER, Role.LEAD) and team is None:
        raise AccountError("care workers and team leads need a team")
    problem = None if public_password or password is None else password_problem(password, email, name)
    if problem:
        raise AccountError(problem)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        team=team,
        password_hash=hash_password(password) if password is not None else account_changes.unusable_password(),
    )
    db.session.add(user)
    db.session.flush()
    return user


# --- The administrator's pages --------------------------------------------------------------------


def user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@dataclass(frozen=True)
class UserRow:
    user: User
    # What keeps the account from its status: a change waiting for confirmation, or a set-up code
    # not used yet (a new account cannot log in until then).
    open_change: account_changes.ChangeRow | None
    never_set_up: bool = False  # a new account whose set-up code was never used: no password yet


def all_users() -> list[UserRow]:
    """Every account, the active ones first, by name, with its team and its open change."""
    users = db.session.execute(
        select(User).options(selectinload(User.team)).order_by(User.active.desc(), User.name)
    ).scalars()
    open_changes = account_changes.open_by_user()
    not_set_up = account_changes.never_set_up()
    return [UserRow(user, open_changes.get(user.id), user.id in not_set_up) for user in users]


@dataclass(frozen=True)
class UserFormData:
    """What an account's page shows besides the account, read once per request."""

    teams: list[tuple[int, str]]  # (id, name) of every team, for the team field
    active_logins: int = 0
    two_factor_required: bool = False
    passkeys: int = 0  # how many passkeys the account has (a second factor like the app)
    open_change: account_changes.ChangeRow | None = None  # pending, or confirmed with its code unused


def user_form_data(user: User | None, viewer: User | None = None) -> UserFormData:
    """user=None for the page of a new account; viewer: the administrator looking at it."""
    if user is None:
        return UserFormData(teams=teams.choices())
    return UserFormData(
        teams=teams.choices(),
        active_logins=login_sessions.count_active(user),
        two_factor_required=two_factor.required_for(user),
        passkeys=len(user.passkeys),
        open_change=account_changes.open_row(user, viewer or user),
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
    """The answer to an account form or button: the account, or errors by field name ("" for the whole).

    `requested` is the change put on file for a second person to confirm (with the set-up code to show
    once), when the save asked for one.
    """

    user: User | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    requested: account_changes.Requested | None = None


def _email_errors(email: str, except_user_id: int | None = None) -> dict[str, list[str]]:
    if email_taken(email, except_user_id=except_user_id):
        return {"email": [str(_l("Another account already uses this e-mail address."))]}
    return {}


def _fresh_errors(actor: User, code: str | None, action: str, passkey: passkeys.Proof | None) -> dict[str, list[str]]:
    """Checked last, once every other rule passed: a code from the app is accepted only once, and a
    passkey's challenge answers one check."""
    answered = bool((code or "").strip()) or bool(passkey is not None and passkey.response)
    if not answered:
        return {"fresh_code": [logins.fresh_check_asked(actor)]}
    if logins.fresh_check(actor, code, action, passkey):
        return {}
    return {"fresh_code": [logins.fresh_check_refused(actor, passkey)]}


def _waiting(user: User) -> dict[str, list[str]]:
    return {"": [account_changes.waiting_message()]} if account_changes.open_change(user, for_update=True) else {}


def submit_new_user(
    data: AccountInput, actor: User, fresh_code: str | None, passkey: passkeys.Proof | None = None
) -> AccountSaved:
    """A new account opens nothing until a second person confirms it and the person redeems the set-up code:
    it is inactive, and its password is a random one nobody knows (the administrator never sets one)."""
    errors = _email_errors(data.email) or _fresh_errors(actor, fresh_code, "create_user", passkey)
    if errors:
        return AccountSaved(errors=errors)
    team = db.session.get(Team, data.team_id) if data.team_id else None
    user = create_user(
        email=data.email,
        name=data.name,
        role=data.role,
        password=None,
        team=team if data.role in (Role.WORKER, Role.LEAD) else None,
    )
    user.active = False
    audit.record("create_user", obj=user, detail=user.email)
    requested = account_changes.request(ChangeKind.CREATE, user, actor, role=data.role, team_id=user.team_id)
    return AccountSaved(user=user, requested=requested)


def submit_user(
    user: User,
    data: AccountInput,
    actor: User,
    fresh_code: str | None = None,
    passkey: passkeys.Proof | None = None,
) -> AccountSaved:
    """Save an account's changes. Name and e-mail address, and less access (deactivation, a lead becoming a
    worker in the same team), take effect at once; more access (a role or team change, re-activation) is
    put on file for a second person to confirm, after a fresh code. A deactivated account is logged out.

    An e-mail address change takes effect at once: it is only the name to log in with. The app sends no
    mail, so a changed address receives nothing (no reset link, no code); without the password and the
    second factor it opens nothing, and a set-up code still only works once a second person confirmed it.
    """
    errors = _email_errors(data.email, except_user_id=user.id)
    if user.id == actor.id and (not data.active or data.role != Role.ADMIN):
        errors["role"] = [str(_l("You cannot take away your own administrator access."))]
    team_id = (data.team_id or None) if data.role in (Role.WORKER, Role.LEAD) else None
    more_access = account_changes.needs_confirmation(user, data.role, team_id, data.active)
    # Everything but the name asks for a fresh check: less access at once (deactivating or demoting a
    # lead moves who confirms) and a new login name are no job for a stolen session cookie alone.
    sensitive = more_access or (
        normalise_email(data.email),
        data.role,
        team_id,
        data.active,
    ) != (user.email, user.role, user.team_id, user.active)
    if not errors and (more_access or data.name != user.name or normalise_email(data.email) != user.email):
        # While a change waits, the account must stay what the confirmer was shown.
        errors = _waiting(user)
    if sensitive and not errors:
        errors = _fresh_errors(actor, fresh_code, "update_user", passkey)
    if errors:
        return AccountSaved(errors=errors)
    was_active = user.active
    before = {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "team": user.team_id,
        "active": was_active,
    }
    user.name = data.name
    user.email = normalise_email(data.email)
    requested = None
    if more_access:
        if not data.active:
            user.active = False
        requested = account_changes.request(
            ChangeKind.REACTIVATE if data.active and not was_active else ChangeKind.ACCESS,
            user,
            actor,
            role=data.role,
            team_id=team_id,
        )
    else:
        user.role = data.role
        user.team_id = team_id
        user.active = data.active
    if was_active and not user.active:
        login_sessions.end_all(user, reason="deactivated")
    after = {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "team": user.team_id,
        "active": user.active,
    }
    # What changed, before -> after: a lead deactivated or demoted, or an address changed, must be on file.
    changed = "; ".join(f"{key} {before[key]} -> {after[key]}" for key in before if before[key] != after[key])
    audit.record("update_user", obj=user, detail=f"{user.email}: {changed or 'nothing changed'}"[:255])
    return AccountSaved(user=user, requested=requested)


def reset_password(
    user: User, actor: User, fresh_code: str | None, passkey: passkeys.Proof | None = None
) -> AccountSaved:
    """Asks for a one-time set-up code for the person; their old password works until they redeem it."""
    errors = _waiting(user) or _fresh_errors(actor, fresh_code, "reset_password", passkey)
    if errors:
        return AccountSaved(errors=errors)
    requested = account_changes.request(ChangeKind.PASSWORD_RESET, user, actor)
    audit.record("reset_password", obj=user, detail=f"{user.email}: set-up code asked")
    return AccountSaved(user=user, requested=requested)


def reset_two_factor(
    user: User, actor: User, fresh_code: str | None = None, passkey: passkeys.Proof | None = None
) -> AccountSaved:
    """For a user who lost their phone and recovery codes: once confirmed, they set it up again at the
    next login."""
    if user.id == actor.id:
        # Otherwise a stolen admin login could swap the admin's own second factor.
        return AccountSaved(
            errors={"": [str(_l("Another administrator has to reset your own two-step verification."))]}
        )
    if not user.has_second_factor:
        return AccountSaved(errors={"": [str(_l("This account has no two-step verification to reset."))]})
    errors = _waiting(user) or _fresh_errors(actor, fresh_code, "reset_two_factor", passkey)
    if errors:
        return AccountSaved(errors=errors)
    requested = account_changes.request(ChangeKind.TWO_FACTOR, user, actor)
    audit.record("reset_two_factor", obj=user, detail=f"{user.email}: asked")
    return AccountSaved(user=user, requested=requested)


def end_logins(
    user: User, actor: User, fresh_code: str | None = None, passkey: passkeys.Proof | None = None
) -> AccountSaved:
    """End every login of the account; the actor's own current login stays (ending it would lock them out)."""
    errors = _fresh_errors(actor, fresh_code, "end_sessions", passkey)
    if errors:
        return AccountSaved(errors=errors)
    keep = actor.login_token if user.id == actor.id else None
    login_sessions.end_all(user, reason="ended_by_admin", keep_token=keep)
    audit.record("end_sessions", obj=user, detail=user.email)
    return AccountSaved(user=user)
