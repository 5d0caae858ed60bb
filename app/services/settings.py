from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.db.updates import fingerprint
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


def thresholds_version(values: dict[str, int]) -> str:
    return fingerprint(sorted(values.items()))


def save_signal_thresholds(values: dict[str, int], user: User, version: str) -> bool:
    """Store each threshold and log the change once, with every value in the order given. False, with
    nothing changed, when someone saved the settings since the form showed them at `version`.

    The stored rows are held first; two first saves at once both insert a row, and the second insert
    fails on the key (PostgreSQL waits for the first): a conflict too."""
    db.session.execute(select(Setting.key).where(Setting.key.like("signal.%")).with_for_update())
    if thresholds_version(signal_thresholds()) != version:
        return False
    try:
        with db.session.begin_nested():
            for name, value in values.items():
                set_signal_threshold(name, value, user)
    except IntegrityError:
        return False
    audit.record("update_settings", detail=", ".join(f"{name}={value}" for name, value in values.items()))
    return True
