"""A user's calendar feed: a secret address that calendar apps read the coming appointments from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.types import utcnow
from app.extensions import Model


class CalendarFeed(Model):
    """One feed address of one user. Only the token's SHA-256 is stored: a copy of the database gives nobody
    a working address. A new address revokes the one before; a revoked one answers 404 from then on."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<CalendarFeed {self.id} of user {self.user_id}>"
