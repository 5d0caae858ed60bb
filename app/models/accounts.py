"""A change to an account that gives case access, waiting for a second person (separation of duties).

An administrator asks (a new account, a role or team change, re-activation, a password or second-factor
reset); an active lead of the team concerned, or a second administrator, confirms or refuses; the asking
administrator may cancel; after ACCOUNT_CHANGE_HOURS it expires. Decisions are new facts written once on
the row (outcome pending -> one of the others, with who and when): nothing is deleted.

A new account and a password reset carry a one-time set-up code for the person, stored only as a hash.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import IDS_NEVER_REUSED
from app.db.types import utcnow
from app.extensions import Model
from app.models.enums import LabelledEnum, enum_column
from app.models.users import Role, Team, User


class ChangeKind(LabelledEnum):
    CREATE = "create"
    ACCESS = "access"  # role or team
    REACTIVATE = "reactivate"
    PASSWORD_RESET = "password"  # noqa: S105 - a kind of change, not a password
    TWO_FACTOR = "two_factor"


ChangeKind.labels = {
    ChangeKind.CREATE: _l("New account"),
    ChangeKind.ACCESS: _l("Change of role or team"),
    ChangeKind.REACTIVATE: _l("Re-activation"),
    ChangeKind.PASSWORD_RESET: _l("Password reset"),
    ChangeKind.TWO_FACTOR: _l("Reset of two-step verification"),
}


class ChangeOutcome(LabelledEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


ChangeOutcome.labels = {
    ChangeOutcome.PENDING: _l("Waiting for confirmation"),
    ChangeOutcome.CONFIRMED: _l("Confirmed"),
    ChangeOutcome.REFUSED: _l("Refused"),
    ChangeOutcome.CANCELLED: _l("Cancelled by the administrator"),
    ChangeOutcome.EXPIRED: _l("Expired"),
}


class AccountChange(Model):
    __tablename__ = "account_changes"
    __table_args__ = IDS_NEVER_REUSED  # named in links and the log: never handed out twice

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind, 12))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The team the account gets (or keeps) access to: its leads confirm. None for an administrator.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    # What changes: the role and team before and after (the same for a reset).
    from_role: Mapped[Role | None] = mapped_column(enum_column(Role, 10))
    from_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    new_role: Mapped[Role] = mapped_column(enum_column(Role, 10))
    new_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The change, and its set-up code, are void after this moment.
    expires_at: Mapped[datetime]
    outcome: Mapped[ChangeOutcome] = mapped_column(
        enum_column(ChangeOutcome, 10), default=ChangeOutcome.PENDING, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    decided_at: Mapped[datetime | None]
    # SHA-256 of the first half, 80 random bits (create and password reset only): a hash cannot be guessed back.
    code_hash: Mapped[str | None] = mapped_column(String(64))
    # The second half, made when a second person confirms and shown only to them: the person needs
    # both, so neither the administrator who asked nor the one who confirmed can set the password alone.
    confirm_code_hash: Mapped[str | None] = mapped_column(String(64))
    code_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    from_team: Mapped[Team | None] = relationship(foreign_keys=[from_team_id])
    new_team: Mapped[Team | None] = relationship(foreign_keys=[new_team_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def has_code(self) -> bool:
        return self.code_hash is not None
