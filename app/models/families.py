from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dates import today
from app.db.base import IDS_NEVER_REUSED
from app.db.types import utcnow
from app.extensions import Model, db
from app.models.enums import LabelledEnum, enum_column
from app.models.users import Team, User


class FamilyStatus(LabelledEnum):
    INTAKE = "intake"
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


FamilyStatus.labels = {
    FamilyStatus.INTAKE: _l("Intake"),
    FamilyStatus.ACTIVE: _l("Active"),
    FamilyStatus.PAUSED: _l("Paused"),
    FamilyStatus.CLOSED: _l("Closed"),
}


class ClosureType(LabelledEnum):
    PLANNED = "planned"
    EARLY = "early"


ClosureType.labels = {
    ClosureType.PLANNED: _l("Ended as planned"),
    ClosureType.EARLY: _l("Ended early"),
}


class EarlyEndReason(LabelledEnum):
    """Why the help stopped before its goals were reached: a choice, plus the worker's own words."""

    MOVED = "moved"
    FAMILY_STOPPED = "family_stopped"
    OTHER_HELP = "other_help"
    UNREACHABLE = "unreachable"
    OTHER = "other"


EarlyEndReason.labels = {
    EarlyEndReason.MOVED: _l("The family moved"),
    EarlyEndReason.FAMILY_STOPPED: _l("The family chose to stop"),
    EarlyEndReason.OTHER_HELP: _l("Other help was needed"),
    EarlyEndReason.UNREACHABLE: _l("The family could not be reached"),
    EarlyEndReason.OTHER: _l("Another reason"),
}


class ContextFactor(LabelledEnum):
    """Circumstances that make attachment harder (DOMAIN.md); each is a column on Family."""

    MULTIPLE_PROBLEMS = "multiple_problems"
    EARLY_ADVERSITY = "early_adversity"
    PARENT_UNWELL = "parent_unwell"
    CHILD_DISABILITY = "child_disability"


ContextFactor.labels = {
    ContextFactor.MULTIPLE_PROBLEMS: _l("Several problems in the family at the same time"),
    ContextFactor.EARLY_ADVERSITY: _l("Many bad experiences early in the child's life"),
    ContextFactor.PARENT_UNWELL: _l("A parent who is not feeling well"),
    ContextFactor.CHILD_DISABILITY: _l(
        "A child who finds it hard to show what it needs (for example because of a disability)"
    ),
}


class MemberRole(LabelledEnum):
    PARENT = "parent"
    CAREGIVER = "caregiver"
    CHILD = "child"


MemberRole.labels = {
    MemberRole.PARENT: _l("Parent"),
    MemberRole.CAREGIVER: _l("Other caregiver"),
    MemberRole.CHILD: _l("Child"),
}


# Co-workers beside the primary worker. The primary worker is a column on Family.
family_workers = Table(
    "family_workers",
    db.metadata,
    Column("family_id", Integer, ForeignKey("families.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Family(Model):
    __tablename__ = "families"
    # Every list starts from a team (and most from its open families): one index for both.
    __table_args__ = (Index("ix_families_team_id_status", "team_id", "status"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[FamilyStatus] = mapped_column(enum_column(FamilyStatus), default=FamilyStatus.INTAKE)
    # The day the status last changed: "paused for 9 weeks" is counted from it (app.services.signals).
    status_since: Mapped[date] = mapped_column(default=today)
    start_date: Mapped[date] = mapped_column(index=True)
    end_date: Mapped[date | None]
    closure_type: Mapped[ClosureType | None] = mapped_column(enum_column(ClosureType, 10))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    primary_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    multiple_problems: Mapped[bool] = mapped_column(default=False)
    early_adversity: Mapped[bool] = mapped_column(default=False)
    parent_unwell: Mapped[bool] = mapped_column(default=False)
    child_disability: Mapped[bool] = mapped_column(default=False)
    context_notes: Mapped[str] = mapped_column(Text, default="")

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: a stale edit form cannot silently overwrite a newer save.
    version: Mapped[int] = mapped_column(default=1)

    # Team.families, the other side, is made here: app.models.users does not know about families.
    team: Mapped[Team] = relationship(backref="families")
    primary_worker: Mapped[User | None] = relationship(foreign_keys=[primary_worker_id])
    co_workers: Mapped[list[User]] = relationship(secondary=family_workers, order_by="User.name")
    members: Mapped[list[FamilyMember]] = relationship(
        back_populates="family",
        order_by="FamilyMember.id",
        cascade="all, delete-orphan",
    )
    periods: Mapped[list[HelpPeriod]] = relationship(
        back_populates="family",
        order_by="HelpPeriod.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def context_factors(self) -> list[ContextFactor]:
        return [factor for factor in ContextFactor if getattr(self, factor.value)]

    @property
    def current_members(self) -> list[FamilyMember]:
        """Parents and caregivers first, then children from oldest to youngest."""
        current = [m for m in self.members if m.removed_at is None]
        return sorted(current, key=lambda m: (m.is_child, m.birth_sort_key, m.first_name))

    @property
    def removed_members(self) -> list[FamilyMember]:
        return [m for m in self.members if m.removed_at is not None]

    @property
    def workers(self) -> list[User]:
        workers = [self.primary_worker] if self.primary_worker else []
        return workers + [u for u in self.co_workers if u.id != self.primary_worker_id]

    def __repr__(self) -> str:
        return f"<Family {self.case_number}>"


class FamilyMember(Model):
    __tablename__ = "family_members"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))
    # Either a full date or only a year: workers do not always know the date.
    birth_date: Mapped[date | None]
    birth_year: Mapped[int | None]
    notes: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Removing a member is reversible: the row stays, hidden, until restored.
    removed_at: Mapped[datetime | None]
    # Optimistic locking, as on Family: two colleagues editing one member never overwrite silently.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    family: Mapped[Family] = relationship(back_populates="members")

    __mapper_args__ = {"version_id_col": version}

    def age_on(self, day: date) -> int | None:
        if self.birth_date:
            before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
            return day.year - self.birth_date.year - before_birthday
        if self.birth_year:
            return day.year - self.birth_year
        return None

    @property
    def birth_sort_key(self) -> tuple[int, int, int]:
        if self.birth_date:
            return (self.birth_date.year, self.birth_date.month, self.birth_date.day)
        return (self.birth_year or 9999, 12, 31)

    @property
    def is_child(self) -> bool:
        return self.role == MemberRole.CHILD


class HelpPeriod(Model):
    """One period of help, from its start to its end; a reopened family has several.

    Family.start_date, end_date and closure_type repeat the current (last) period's, for the many
    queries that read them; app.services.periods keeps the two in step.
    """

    __tablename__ = "help_periods"
    __table_args__ = (UniqueConstraint("family_id", "number"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    closure_type: Mapped[ClosureType | None] = mapped_column(enum_column(ClosureType, 10))
    early_reason: Mapped[EarlyEndReason | None] = mapped_column(enum_column(EarlyEndReason, 16))
    early_reason_text: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    closed_at: Mapped[datetime | None]
    # Set on a period when a team lead reopens the help after it: the next period starts.
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reopened_at: Mapped[datetime | None]
    reopen_reason: Mapped[str] = mapped_column(Text, default="")

    family: Mapped[Family] = relationship(back_populates="periods")
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])

    @property
    def is_closed(self) -> bool:
        return self.end_date is not None
