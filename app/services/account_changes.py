"""Separation of duties: account changes that give case access wait for a second person. Flushes, never commits.

An administrator asks (request()); an active lead of the team concerned who is neither the asker nor
the account itself confirms or refuses; where the team has no such lead, a second active administrator
does. The asker may cancel. A change and its set-up code expire ACCOUNT_CHANGE_HOURS after the request.
Every decision is one conditional UPDATE ... WHERE outcome = 'pending', so two people deciding at the
same moment get one outcome, and the loser is told what happened.

A new account and a password reset give the person a one-time set-up code in two halves: the first
shown once to the administrator who asks, the second shown once to the person who confirms (each
stored as a SHA-256 hash). Both together set the person's password on /setup, so neither of the two
can take the account alone. The administrator never chooses or sees the password.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from app import audit, dates
from app.db.updates import update_if
from app.extensions import db
from app.models import AccountChange, ChangeKind, ChangeOutcome, Role, User
from app.security.passwords import hash_password, personal_words, weakness
from app.services import lockout, login_sessions, passkeys, two_factor

# Crockford's base32 (no i, l, o, u to misread): 16 characters carry 80 random bits per half, out of
# reach of guessing behind the rate limit and the lockout even for someone who holds the other half.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_CODE_LENGTH = 16
_MISREAD = str.maketrans({"i": "1", "l": "1", "o": "0"})
CASE_ROLES = (Role.WORKER, Role.LEAD)


# --- The set-up code ------------------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))


def _normalised(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "").lower()).translate(_MISREAD)


def _hash(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def grouped(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- What needs a second person --------------------------------------------------------------------


def needs_confirmation(user: User | None, role: Role, team_id: int | None, active: bool) -> bool:
    """Whether saving this role, team and active flag would give access the account does not have yet.

    Only less access takes effect at once: deactivation, or a lead becoming a worker in the same team.
    """
    if user is None:
        return True
    if active and not user.active:
        return True
    if role == user.role and (team_id or None) == user.team_id:
        return False
    return not (user.role == Role.LEAD and role == Role.WORKER and team_id == user.team_id)


def _team_concerned(role: Role, team_id: int | None) -> int | None:
    """The team whose case files the account would reach; None for an administrator (admins confirm)."""
    return team_id if role in CASE_ROLES else None


@dataclass(frozen=True)
class Deciders:
    """Who may confirm a change: the team's leads, or else (the team has none) the other administrators."""

    people: list[User]
    by_leads: bool

    @property
    def names(self) -> str:
        return ", ".join(u.name for u in self.people)


def deciders(change: AccountChange) -> Deciders:
    """Active, not the asker, not the account itself, and not a new account nobody has set up yet."""
    excluded = [i for i in (change.requested_by_id, change.user_id) if i is not None]
    base = (
        select(User)
        .where(User.active.is_(True), User.id.not_in(excluded), User.id.not_in(_never_set_up_ids()))
        .order_by(User.name)
    )
    if change.team_id is not None:
        leads = list(db.session.execute(base.where(User.role == Role.LEAD, User.team_id == change.team_id)).scalars())
        if leads:
            return Deciders(leads, by_leads=True)
    admins = list(db.session.execute(base.where(User.role == Role.ADMIN)).scalars())
    return Deciders(admins, by_leads=False)


def state(change: AccountChange, now: datetime | None = None) -> ChangeOutcome:
    """The outcome as it stands: a pending change past its time is expired, never 'pending'."""
    if change.outcome == ChangeOutcome.PENDING and change.expires_at <= (now or dates.now()):
        return ChangeOutcome.EXPIRED
    return change.outcome


def may_renew(change: AccountChange, user: User, now: datetime | None = None) -> bool:
    """A confirmed change whose code is unused and valid: its confirmer may make a new second half
    (a double click on Confirm, or a closed tab, lost the one shown)."""
    return (
        change.has_code
        and change.outcome == ChangeOutcome.CONFIRMED
        and change.decided_by_id == user.id
        and change.code_used_at is None
        and change.expires_at > (now or dates.now())
    )


def may_decide(change: AccountChange, user: User) -> bool:
    return state(change) == ChangeOutcome.PENDING and any(p.id == user.id for p in deciders(change).people)


def may_cancel(change: AccountChange, user: User) -> bool:
    return state(change) == ChangeOutcome.PENDING and change.requested_by_id == user.id


# --- Asking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requested:
    """A change on file, and for a new account or a password reset the set-up code, to show once."""

    change: AccountChange
    code: str | None
    deciders: Deciders


def open_change(user: User, *, for_update: bool = False) -> AccountChange | None:
    """The account's pending change (not expired), if any: one at a time.

    for_update (before asking for a new one): the account's row is locked first, so two administrators
    asking at the same moment on PostgreSQL take turns and the second sees the first's change (SQLite's
    writers take turns anyway)."""
    if for_update:
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    return (
        db.session.execute(
            select(AccountChange)
            .where(
                AccountChange.user_id == user.id,
                AccountChange.outcome == ChangeOutcome.PENDING,
                AccountChange.expires_at > dates.now(),
            )
            .order_by(AccountChange.id)
        )
        .scalars()
        .first()
    )


def waiting_message() -> str:
    return str(_l("A change of this account is waiting for confirmation. Cancel it first to ask for another."))


def request(
    kind: ChangeKind, user: User, actor: User, *, role: Role | None = None, team_id: int | None = None
) -> Requested:
    """Put a change on file (pending) and log it. The caller checked that none is open for the account."""
    if kind in (ChangeKind.PASSWORD_RESET, ChangeKind.TWO_FACTOR) or role is None:
        role, team_id = user.role, user.team_id
    team_id = team_id if role in CASE_ROLES else None
    code = _new_code() if kind in (ChangeKind.CREATE, ChangeKind.PASSWORD_RESET) else None
    now = dates.now()
    change = AccountChange(
        kind=kind,
        user_id=user.id,
        team_id=_team_concerned(role, team_id),
        from_role=None if kind == ChangeKind.CREATE else user.role,
        from_team_id=None if kind == ChangeKind.CREATE else user.team_id,
        new_role=role,
        new_team_id=team_id,
        requested_by_id=actor.id,
        requested_at=now,
        expires_at=now + timedelta(hours=current_app.config["ACCOUNT_CHANGE_HOURS"]),
        code_hash=_hash(code) if code else None,
    )
    db.session.add(change)
    db.session.flush()
    audit.record("request_account_change", obj=user, detail=f"{kind.value} #{change.id}: {user.email}")
    return Requested(change, grouped(code) if code else None, deciders(change))


def unusable_password() -> str:
    """A hash of a random secret nobody knows: a new account opens nothing until its code is redeemed."""
    return hash_password(secrets.token_urlsafe(32))


# --- Deciding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    """done: this person's decision took effect; else `message` says what happened instead."""

    done: bool
    message: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    code: str | None = None  # the set-up code's second half, made by this confirmation: shown once


def _update_if(change_id: int, *conditions: Any, **values: Any) -> bool:
    """One conditional UPDATE of a change: True when this call changed it. Two people acting on the
    same change at once get one winner, because only the first finds the row still as it expected."""
    return update_if(AccountChange, change_id, *conditions, **values)


def _conditional(change: AccountChange, outcome: ChangeOutcome, actor: User) -> bool:
    """One UPDATE that only a still-pending, unexpired change passes: the first decision wins."""
    now = dates.now()
    decided = _update_if(
        change.id,
        AccountChange.outcome == ChangeOutcome.PENDING,
        AccountChange.expires_at > now,
        outcome=outcome,
        decided_by_id=actor.id,
        decided_at=now,
    )
    db.session.expire(change)
    return decided


def mark_expired(change: AccountChange) -> bool:
    """Write down that a pending change ran out of time (once, logged); True when this call did."""
    expired = _update_if(
        change.id,
        AccountChange.outcome == ChangeOutcome.PENDING,
        AccountChange.expires_at <= dates.now(),
        outcome=ChangeOutcome.EXPIRED,
        decided_at=dates.now(),
    )
    db.session.expire(change)
    if expired:
        audit.record(
            "expire_account_change", obj=change.user, detail=f"{change.kind.value} #{change.id}: {change.user.email}"
        )
        return True
    return False


def no_longer_pending(change: AccountChange) -> Decided:
    """The message for the second of two people deciding the same change (or for one that expired)."""
    mark_expired(change)
    current = state(change)
    if current == ChangeOutcome.EXPIRED:
        return Decided(False, str(_l("This change has expired; nothing was changed.")))
    who = change.decided_by.name if change.decided_by else "?"
    return Decided(
        False,
        str(_l("This change was already decided (%(outcome)s, by %(name)s).", outcome=current.label.lower(), name=who)),
    )


def _apply(change: AccountChange) -> None:
    user = change.user
    if change.kind == ChangeKind.CREATE:
        user.active = True  # still no password: the set-up code sets it
    elif change.kind in (ChangeKind.ACCESS, ChangeKind.REACTIVATE):
        moved = user.team_id != change.new_team_id or user.role != change.new_role
        user.role = change.new_role
        user.team_id = change.new_team_id
        if change.kind == ChangeKind.REACTIVATE:
            user.active = True
        if moved:
            # Open logins carry the old role's pages; a fresh login gets the new ones.
            login_sessions.end_all(user, reason="role_changed")
    elif change.kind == ChangeKind.TWO_FACTOR:
        passkeys.remove_all(user)  # every factor: the app and each passkey
        two_factor.disable(user)
        login_sessions.end_all(user, reason="second_factor")
    # PASSWORD: nothing yet; the old password works until the person redeems the code.


def _detail(change: AccountChange) -> str:
    return f"{change.kind.value} #{change.id}: {change.user.email}"


def confirm(change: AccountChange, actor: User) -> Decided:
    """The route checked may_decide() and the fresh code; the UPDATE decides between two at once.

    For a change with a set-up code, the answer carries its second half, to show the confirmer once."""
    if not _conditional(change, ChangeOutcome.CONFIRMED, actor):
        return no_longer_pending(change)
    _apply(change)
    second = None
    if change.has_code:
        second = _new_code()
        change.confirm_code_hash = _hash(second)
    audit.record("confirm_account_change", obj=change.user, detail=_detail(change))
    return Decided(True, code=grouped(second) if second else None)


def renew_second_half(change: AccountChange, actor: User) -> str | None:
    """A new second half replaces the one shown at the confirmation (which stops working); None when
    the code was used or expired meanwhile (one conditional UPDATE decides)."""
    second = _new_code()
    renewed = _update_if(
        change.id,
        AccountChange.outcome == ChangeOutcome.CONFIRMED,
        AccountChange.decided_by_id == actor.id,
        AccountChange.code_used_at.is_(None),
        AccountChange.expires_at > dates.now(),
        confirm_code_hash=_hash(second),
    )
    if not renewed:
        return None
    db.session.expire(change, ["confirm_code_hash"])
    audit.record("renew_setup_code", obj=change.user, detail=_detail(change))
    return grouped(second)


def refuse(change: AccountChange, actor: User) -> Decided:
    if not _conditional(change, ChangeOutcome.REFUSED, actor):
        return no_longer_pending(change)
    audit.record("refuse_account_change", obj=change.user, detail=_detail(change))
    return Decided(True)


def cancel(change: AccountChange, actor: User) -> Decided:
    if not _conditional(change, ChangeOutcome.CANCELLED, actor):
        return no_longer_pending(change)
    audit.record("cancel_account_change", obj=change.user, detail=_detail(change))
    return Decided(True)


# --- Who sees what ----------------------------------------------------------------------------


def visible_changes(user: User) -> Select[AccountChange]:
    """Administrators see every change; a team lead those of their own team; nobody else any."""
    query = select(AccountChange)
    if not user.is_authenticated or not user.active:
        return query.where(false())
    if user.role == Role.ADMIN:
        return query
    if user.role == Role.LEAD and user.team_id is not None:
        return query.where(AccountChange.team_id == user.team_id)
    return query.where(false())


def change_or_404(change_id: int, user: User) -> AccountChange:
    """The one way to load a change for a page: one the user may not see answers 404, as if absent."""
    change = db.session.execute(visible_changes(user).where(AccountChange.id == change_id)).scalar_one_or_none()
    if change is None:
        audit.record_refused("open_account_change", detail=f"#{change_id}")
        abort(404)
    return change


@dataclass(frozen=True)
class ChangeRow:
    change: AccountChange
    state: ChangeOutcome
    deciders: Deciders
    may_decide: bool
    may_cancel: bool
    may_renew: bool = False  # the confirmer may make a new second half (the first was lost)
    code_expired: bool = False  # confirmed, never used, and past its time


def _row(change: AccountChange, user: User, now: datetime) -> ChangeRow:
    who = deciders(change)
    current = state(change, now)
    pending = current == ChangeOutcome.PENDING
    return ChangeRow(
        change=change,
        state=current,
        deciders=who,
        may_decide=pending and any(p.id == user.id for p in who.people),
        may_cancel=pending and change.requested_by_id == user.id,
        may_renew=may_renew(change, user, now),
        code_expired=change.has_code and change.code_used_at is None and change.expires_at <= now,
    )


def row(change: AccountChange, user: User) -> ChangeRow:
    return _row(change, user, dates.now())


_LOADS = (
    selectinload(AccountChange.user),
    selectinload(AccountChange.team),
    selectinload(AccountChange.from_team),
    selectinload(AccountChange.new_team),
    selectinload(AccountChange.requested_by),
    selectinload(AccountChange.decided_by),
)


@dataclass(frozen=True)
class ChangeLists:
    pending: list[ChangeRow]
    recent: list[ChangeRow]  # decided or expired, newest first


def expire_overdue() -> int:
    """Write down every pending change past its time as expired (each once, in the access log)."""
    overdue = db.session.execute(
        select(AccountChange)
        .options(selectinload(AccountChange.user))
        .where(AccountChange.outcome == ChangeOutcome.PENDING, AccountChange.expires_at <= dates.now())
    ).scalars()
    return sum(1 for change in list(overdue) if mark_expired(change))


def lists(user: User, recent: int = 30) -> ChangeLists:
    """The changes this user sees, pending first; opening the list writes down what expired meanwhile."""
    expire_overdue()
    now = dates.now()
    base = visible_changes(user).options(*_LOADS)
    open_rows = db.session.execute(
        base.where(AccountChange.outcome == ChangeOutcome.PENDING, AccountChange.expires_at > now).order_by(
            AccountChange.requested_at
        )
    ).scalars()
    closed = db.session.execute(
        base.where(or_(AccountChange.outcome != ChangeOutcome.PENDING, AccountChange.expires_at <= now))
        .order_by(AccountChange.requested_at.desc(), AccountChange.id.desc())
        .limit(recent)
    ).scalars()
    return ChangeLists([_row(c, user, now) for c in open_rows], [_row(c, user, now) for c in closed])


def waiting_for(user: User) -> int:
    """How many pending changes this user may decide: the count in the navigation."""
    if not user.is_authenticated or user.role not in (Role.LEAD, Role.ADMIN):
        return 0
    now = dates.now()
    candidates = db.session.execute(
        visible_changes(user).where(
            AccountChange.outcome == ChangeOutcome.PENDING,
            AccountChange.expires_at > now,
            or_(AccountChange.requested_by_id.is_(None), AccountChange.requested_by_id != user.id),
            AccountChange.user_id != user.id,
        )
    ).scalars()
    return sum(1 for change in candidates if _row(change, user, now).may_decide)


def _open_query():
    now = dates.now()
    return (
        select(AccountChange)
        .options(*_LOADS)
        .where(
            AccountChange.expires_at > now,
            or_(
                AccountChange.outcome == ChangeOutcome.PENDING,
                and_(
                    AccountChange.outcome == ChangeOutcome.CONFIRMED,
                    AccountChange.code_hash.is_not(None),
                    AccountChange.code_used_at.is_(None),
                ),
            ),
        )
        .order_by(AccountChange.requested_at)
    )


def open_row(user: User, viewer: User) -> ChangeRow | None:
    """The account's open change for its page, with who may confirm it (and whether the viewer may)."""
    change = db.session.execute(_open_query().where(AccountChange.user_id == user.id)).scalars().first()
    return _row(change, viewer, dates.now()) if change is not None else None


def open_by_user() -> dict[int, ChangeRow]:
    """Per account, what its status really is while a change is open: pending, or confirmed with a set-up
    code not yet used (such an account cannot log in yet). For the administrator's list."""
    now = dates.now()
    changes = db.session.execute(_open_query()).scalars()
    return {c.user_id: ChangeRow(c, state(c, now), Deciders([], False), False, False) for c in changes}


def _never_set_up_ids():
    """Accounts made on the admin pages that never redeemed any set-up code (theirs expired, was
    refused or cancelled, or waits): nobody knows their password. One definition for the confirmers
    and the admin's list; a later password reset that was redeemed counts as set up."""
    redeemed = select(AccountChange.user_id).where(AccountChange.code_used_at.is_not(None))
    return select(AccountChange.user_id).where(
        AccountChange.kind == ChangeKind.CREATE, AccountChange.user_id.not_in(redeemed)
    )


def never_set_up() -> set[int]:
    """Accounts made on the admin pages whose set-up code was never used (expired, refused, cancelled):
    they have no password anyone knows, so "active" would be a false status."""
    return set(db.session.execute(_never_set_up_ids()).scalars())


# --- Redeeming the set-up code ---------------------------------------------------------------


@dataclass(frozen=True)
class Redeemed:
    """The account whose password is now set; or `refused` (one answer for every failure), or `weak`: the
    code was right but the password is built from the person's name or address (zxcvbn's reason)."""

    user: User | None = None
    refused: bool = False
    weak: str | None = None


def _refused(user: User | None, why: str) -> Redeemed:
    """One answer for every failure (wrong, expired, unconfirmed, unknown address, locked)."""
    audit.record_refused("redeem_setup_code", user=user, detail=why, outcome="failed")
    if user is not None and why != "locked" and lockout.record_failure(user):
        audit.record("lock_account", obj=user, user=user, detail=f"{user.email}: too many failed set-up codes")
    return Redeemed(refused=True)


def redeem(email: str, code: str, second_code: str, password: str) -> Redeemed:
    """Set the password of the account both halves of the code belong to, once; every login of the
    account ends."""
    user = db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()
    if user is None:
        return _refused(None, f"unknown e-mail {email.strip().lower()[:80]}")
    if lockout.is_locked(user):
        return _refused(user, "locked")
    now = dates.now()
    change = db.session.execute(
        select(AccountChange).where(
            AccountChange.user_id == user.id,
            AccountChange.code_hash == _hash(code),
        )
    ).scalar_one_or_none()
    if change is None:
        return _refused(user, "wrong code")
    if change.outcome != ChangeOutcome.CONFIRMED:
        return _refused(user, f"change #{change.id} {state(change, now).value}")
    if change.confirm_code_hash is None or not hmac.compare_digest(change.confirm_code_hash, _hash(second_code)):
        return _refused(user, f"change #{change.id}: wrong second half")
    if change.code_used_at is not None:
        return _refused(user, f"change #{change.id}: code used before")
    if change.expires_at <= now:
        return _refused(user, f"change #{change.id}: code expired")
    if not user.active:
        return _refused(user, f"change #{change.id}: account inactive")
    # The code is right: now the password may be judged by the person's own name, beside its field.
    reason = weakness(password, personal_words(user.email, user.name))
    if reason is not None:
        return Redeemed(weak=reason)
    # The same code redeemed twice at once: the first one counts.
    if not _update_if(change.id, AccountChange.code_used_at.is_(None), code_used_at=now):
        return _refused(user, f"change #{change.id}: code used before")
    user.password_hash = hash_password(password)
    lockout.reset(user)
    login_sessions.end_all(user, reason="password_reset")
    audit.record("redeem_setup_code", obj=user, user=user, detail=f"{change.kind.value} #{change.id}: {user.email}")
    return Redeemed(user=user)
