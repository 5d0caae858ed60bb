from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class Counter(Model):
    """Named sequences (case numbers per year) that work the same on SQLite and PostgreSQL."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
