"""Family stress (debts, housing, ...) tracked per family, and its history."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import IDS_NEVER_REUSED
from app.db.types import utcnow
from app.extensions import Model
from app.models.enums import LabelledEnum, enum_column
from app.models.families import Family
from app.models.users import User


class StressKind(LabelledEnum):
    DEBTS = "debts"
    HOUSING = "housing"
    WORK_INCOME = "work_income"
    PARENT_HEALTH = "parent_health"
    RELATIONSHIP = "relationship"
    ISOLATION = "isolation"
    OTHER = "other"


StressKind.labels = {
    StressKind.DEBTS: _l("Debts"),
    StressKind.HOUSING: _l("Housing"),
    StressKind.WORK_INCOME: _l("Work or income"),
    StressKind.PARENT_HEALTH: _l("Health of a parent"),
    StressKind.RELATIONSHIP: _l("The parents' relationship"),
    StressKind.ISOLATION: _l("Social isolation"),
    StressKind.OTHER: _l("Other"),
}


class Severity(LabelledEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


Severity.labels = {
    Severity.MILD: _l("Mild"),
    Severity.MODERATE: _l("Moderate"),
    Severity.SEVERE: _l("Severe"),
}


class StressStatus(LabelledEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


StressStatus.labels = {
    StressStatus.OPEN: _l("Open"),
    StressStatus.IN_PROGRESS: _l("Being dealt with"),
    StressStatus.RESOLVED: _l("Resolved"),
}


class StressItem(Model):
    __tablename__ = "stress_items"
    __table_args__ = (Index("ix_stress_items_family_id_status", "family_id", "status"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    kind: Mapped[StressKind] = mapped_column(enum_column(StressKind, 20))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, 10))
    status: Mapped[StressStatus] = mapped_column(enum_column(StressStatus, 12))
    opened_on: Mapped[date]
    status_since: Mapped[date]
    resolved_on: Mapped[date | None]
    helper: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking, as on Family: a stale edit form cannot overwrite a newer save.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    family: Mapped[Family] = relationship()
    updates: Mapped[list[StressUpdate]] = relationship(
        back_populates="item", order_by=lambda: [StressUpdate.changed_on, StressUpdate.id], cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status != StressStatus.RESOLVED


class StressUpdate(Model):
    """Each change of status or severity, so the history can be drawn over time."""

    __tablename__ = "stress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("stress_items.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("care_sessions.id", ondelete="SET NULL"), index=True)
    changed_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[StressStatus] = mapped_column(enum_column(StressStatus, 12))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, 10))
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[StressItem] = relationship(back_populates="updates")
    recorded_by: Mapped[User | None] = relationship()
