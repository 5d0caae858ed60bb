"""Writing care sessions through the service layer, as the app does, for the load tests."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import Family, HelpFocus, MomentKind, SessionKind, User
from app.services.care_sessions import MomentInput, SessionInput, save_session

MOMENTS_PER_SESSION = 3


def session_input(n: int) -> SessionInput:
    return SessionInput(
        held_on=date(2026, 1, 1),
        kind=SessionKind.HOME_VISIT,
        focuses=[HelpFocus.PARENT],
        summary=f"Load session {n}",
        moments=[
            MomentInput(kind=MomentKind.POSITIVE, description=f"moment {n}.{i}", tags=["enjoyed_together"])
            for i in range(MOMENTS_PER_SESSION)
        ],
    )


def save_one(app, family_id: int, user_id: int, n: int) -> None:
    """One request's worth of work: save a session with its moments, commit once."""
    with app.app_context():
        try:
            family = db.session.get(Family, family_id)
            save_session(family, session_input(n), db.session.get(User, user_id))
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
