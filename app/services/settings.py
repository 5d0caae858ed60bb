from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import Setting, User


def signal_thresholds() -> dict[str, int]:
    """The defaults from config.py with the administrator's changes on top (one query)."""
    values = dict(current_app.config["SIGNAL_DEFAULTS"])
    stored = db.session.execute(select(Setting.key, Setting.value).where(Setting.key.like("signal.%"))).all()
    for key, value in stored:
        name = key.removeprefix("signal.")
        if name in values and value.isdigit():
            values[name] = int(value)
    return values


def set_signal_threshold(name: str, value: int, user: User) -> None:
    key = f"signal.{name}"
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=str(value), updated_by_id=user.id))
    else:
        row.value = str(value)
        row.updated_by_id = user.id
    db.session.flush()


def save_signal_thresholds(values: dict[str, int], user: User) -> None:
    """Store each threshold and log the change once, with every value in the order given."""
    for name, value in values.items():
        set_signal_threshold(name, value, user)
    audit.record("update_settings", detail=", ".join(f"{name}={value}" for name, value in values.items()))
