"""Keeping what a user typed when their login timed out in the middle of a form."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from app import dates
from app.extensions import db
from app.models import FormDraft, User

# Only the forms that read a draft back: logging and editing a session, where long notes are typed.
KEEP_PATHS = re.compile(r"^/families/\d+/sessions/(new|\d+/edit)$")
SKIPPED_FIELDS = {"csrf_token", "add_moment", "submit"}
LIFETIME = timedelta(hours=24)


def keep(user: User, path: str, form: MultiDict) -> bool:
    if not KEEP_PATHS.match(path):
        return False
    payload = [(k, v) for k, v in form.items(multi=True) if k not in SKIPPED_FIELDS]
    discard(user, path)
    db.session.add(FormDraft(user_id=user.id, path=path, payload=json.dumps(payload)))
    return True


def take(user: User, path: str) -> MultiDict | None:
    """The kept form for this page, if any. It stays until the form is saved or at logout."""
    row = (
        db.session.execute(
            select(FormDraft).where(FormDraft.user_id == user.id, FormDraft.path == path).order_by(FormDraft.id.desc())
        )
        .scalars()
        .first()
    )
    if row is None:
        return None
    if dates.now() - row.created_at > LIFETIME:
        discard(user, path)  # a draft from yesterday would surprise more than help
        return None
    return MultiDict(json.loads(row.payload))


def discard(user: User, path: str) -> None:
    db.session.execute(delete(FormDraft).where(FormDraft.user_id == user.id, FormDraft.path == path))


def discard_all(user: User) -> None:
    db.session.execute(delete(FormDraft).where(FormDraft.user_id == user.id))
