"""A parent's or youth's request to destroy the family's record (Jeugdwet).

The record must be destroyed within three months of the request, unless another person's
substantial interest or a law stands in the way. A carried-out request goes with the record:
what remains is the stub in the access log. A refused or withdrawn one stays, with its reason.
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
from app.models.families import Family, FamilyMember
from app.models.users import User


class RequestStatus(LabelledEnum):
    OPEN = "open"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


RequestStatus.labels = {
    RequestStatus.OPEN: _l("Open"),
    RequestStatus.REFUSED: _l("Refused"),
    RequestStatus.WITHDRAWN: _l("Withdrawn"),
}


class DestructionRequest(Model):
    __tablename__ = "destruction_requests"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("family_members.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[date] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, 10), default=RequestStatus.OPEN, index=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str] = mapped_column(String(1000), default="")

    family: Mapped[Family] = relationship()
    requested_by: Mapped[FamilyMember] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN
