from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.types import utcnow
from app.extensions import Model


class FormDraft(Model):
    """What a user typed into a form when their login had timed out.

    Given back once they log in again; removed when the form is saved and at logout.
    """

    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubmittedForm(Model):
    """A create form's one-time key, once the form has been sent: a second send of the same form (a
    double click, a reload, the back button) is shown what the first one saved instead of saving again.

    Written in the save's own transaction, so a save that failed leaves no key behind; kept a day.
    """

    __tablename__ = "submitted_forms"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    # Where the first send led (the saved session, the new family): the second is sent there too.
    result_path: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
