"""Forms in flight: what a user typed when their login timed out in the middle of a form, and the
one-time keys of create forms already sent (app.web.form_pages)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from app import dates
from app.extensions import db
from app.models import FormDraft, SubmittedForm, User

SKIPPED_FIELDS = {"csrf_token", "add_moment", "submit"}
LIFETIME = timedelta(hours=24)  # of a draft, and of a sent form's key


def keep(user: User, path: str, form: MultiDict) -> None:
    """Only for the pages that read a draft back (app.web.form_pages): never a password or a code."""
    payload = [(k, v) for k, v in form.items(multi=True) if k not in SKIPPED_FIELDS]
    discard(user, path)
    db.session.add(FormDraft(user_id=user.id, path=path, payload=json.dumps(payload)))


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


def claim_key(user: User, key: str) -> str | None:
    """None when this form's key is new: it is taken, in the request's transaction. Otherwise where the
    first send of the same form led ("" while it is still being saved).

    A double click on PostgreSQL: the second insert waits for the first send's transaction and fails
    once it commits (or goes ahead if it was rolled back). On SQLite writers take turns, so the second
    send already finds the key."""
    db.session.execute(
        delete(SubmittedForm).where(SubmittedForm.user_id == user.id, SubmittedForm.created_at < dates.now() - LIFETIME)
    )
    earlier = _sent(user, key)
    if earlier is not None:
        return earlier
    try:
        with db.session.begin_nested():
            db.session.add(SubmittedForm(user_id=user.id, key=key))
            db.session.flush()
    except IntegrityError:
        return _sent(user, key) or ""
    return None


def settle_key(user: User, key: str, result_path: str) -> None:
    db.session.execute(
        update(SubmittedForm)
        .where(SubmittedForm.user_id == user.id, SubmittedForm.key == key)
        .values(result_path=result_path[:300])
    )


def release_key(user: User, key: str) -> None:
    """The send saved nothing (its errors are shown): the same form may be sent again."""
    db.session.execute(delete(SubmittedForm).where(SubmittedForm.user_id == user.id, SubmittedForm.key == key))


def _sent(user: User, key: str) -> str | None:
    return db.session.execute(
        select(SubmittedForm.result_path).where(SubmittedForm.user_id == user.id, SubmittedForm.key == key)
    ).scalar_one_or_none()
