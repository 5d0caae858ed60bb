from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.types import utcnow
from app.extensions import Model


class OutcomeModelRow(Model):
    """What the organisation's score history says about one 0-10 score (app.services.outcome_model): its error of
    measurement, the change that is more than chance, and the expected course of goals like it.

    Worked out from a sample of the history at most once a day and kept here, so no list or page pays for it; the
    latest row is in force. It holds no family's data, only numbers pooled over many goals.
    """

    __tablename__ = "outcome_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sem: Mapped[float]
    estimated: Mapped[bool]  # False: the configured prior (too few scored goals yet)
    goals: Mapped[int]  # goals with enough scores behind the estimate
    needed: Mapped[int]
    trend_sem: Mapped[float | None]
    pair_sem: Mapped[float | None]
    threshold: Mapped[int]
    course: Mapped[str | None] = mapped_column(Text)  # JSON (app.outcomes.course.Course); None: no course yet
