from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import IDS_NEVER_REUSED
from app.db.types import utcnow
from app.extensions import Model
from app.models.enums import LabelledEnum, enum_column
from app.models.passkeys import Passkey


class Role(LabelledEnum):
    WORKER = "worker"
    LEAD = "lead"
    ADMIN = "admin"


Role.labels = {
    Role.WORKER: _l("Care worker"),
    Role.LEAD: _l("Team lead"),
    Role.ADMIN: _l("Administrator"),
}


class Team(Model):
    __tablename__ = "teams"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Optimistic locking: two administrators renaming one team never overwrite each other silently.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    members: Mapped[list[User]] = relationship(back_populates="team", order_by="User.name")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, 10))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    # Lockout lives in the database, so every app process counts the same failures.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    # When the current count began: failures older than LOGIN_FAILURE_WINDOW_MINUTES start it over.
    failures_since: Mapped[datetime | None]

    # TOTP second factor. The secret is stored as base32 text: it must be readable to check a
    # code. It is pending (being set up) while totp_enabled_at is empty.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    # The time step of the last accepted code: a code is accepted once, never again.
    totp_last_counter: Mapped[int | None]

    team: Mapped[Team | None] = relationship(back_populates="members")
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    passkeys: Mapped[list[Passkey]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by=Passkey.id
    )

    # Set per request by app.services.login_sessions: the cookie names a login session,
    # never the user id, so ending that session on the server makes the cookie worthless.
    # Not columns: plain attributes, so they carry no annotation the ORM would read as a
    # mapping; type checkers get theirs here.
    if TYPE_CHECKING:
        login_token: str | None
    login_token = None
    # Whether the current login passed a second factor (set with login_token).
    login_second_factor = False

    @property
    def two_factor_enabled(self) -> bool:
        """The authenticator app (TOTP) is set up. Whether a second step is needed: has_second_factor."""
        return self.totp_enabled_at is not None and self.totp_secret is not None

    @property
    def has_second_factor(self) -> bool:
        """The one answer to "does this login need a second step": the app, or at least one passkey."""
        return self.two_factor_enabled or bool(self.passkeys)

    def get_id(self) -> str | None:
        return self.login_token

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_worker(self) -> bool:
        return self.role == Role.WORKER

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginSession(Model):
    """One login on one device. Logging out, a new password or deactivation ends it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only a hash is stored: a copy of the database does not hand out working cookies.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # logout, timeout, password, deactivated: a form typed into a timed-out login may be kept
    end_reason: Mapped[str | None] = mapped_column(String(20))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    # This login passed a second factor (TOTP or recovery code) after the password.
    second_factor: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A TOTP secret being set up in this login, until a code confirms it (then it moves to the
    # user). Kept here, not in the cookie: Flask's session cookie is signed, not encrypted.
    totp_setup_secret: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class RecoveryCode(Model):
    """A single-use code to log in without the authenticator app. Only a hash is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 suffices: the codes carry 120 random bits, so a hash cannot be guessed back.
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")
