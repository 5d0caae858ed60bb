"""The parents' consent for video recordings and for sharing information.

Append-only: giving and withdrawing are separate records, so the history is never
overwritten. The consent in force on a day is the latest record on or before it.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import IDS_NEVER_REUSED
from app.db.types import utcnow
from app.extensions import Model
from app.models.enums import LabelledEnum, enum_column
from app.models.users import User


class ConsentKind(LabelledEnum):
    VIDEO = "video"
    SHARING = "sharing"


ConsentKind.labels = {
    ConsentKind.VIDEO: _l("Video recordings"),
    ConsentKind.SHARING: _l("Sharing information with other organisations"),
}


class ConsentRecord(Model):
    __tablename__ = "consent_records"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ConsentKind] = mapped_column(enum_column(ConsentKind, 10))
    given: Mapped[bool]
    given_by: Mapped[str] = mapped_column(String(100))
    decided_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User | None] = relationship()
