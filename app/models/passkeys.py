"""Passkeys (WebAuthn credentials): a second factor beside the authenticator app."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import IDS_NEVER_REUSED
from app.db.types import utcnow
from app.extensions import Model

NAME_LENGTH = 60


class Passkey(Model):
    """One registered authenticator of one user. Only the public key is stored: a copy of the
    database lets nobody sign in with it."""

    __tablename__ = "passkeys"
    __table_args__ = IDS_NEVER_REUSED  # its id is named in the access log

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # base64url, as the browser names it; WebAuthn allows up to 1023 bytes (1364 characters).
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE key
    # The authenticator's counter: a lower one than stored hints at a cloned key (0: it keeps none).
    sign_count: Mapped[int] = mapped_column(default=0)
    transports: Mapped[str] = mapped_column(String(100), default="")  # comma-separated hints
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    # Reached from User.passkeys; no way back, so this module needs nothing from users.py.

    def __repr__(self) -> str:
        return f"<Passkey {self.id} of user {self.user_id}>"
