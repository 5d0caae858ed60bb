"""Two people save the same session or plan: the database keeps the first, the second gets
409 with both versions on the page (theirs as saved, their own still in the form)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import CareSession, Moment, MomentKind
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import session_form
from tests.plans.test_plans import plan_form, plans_of


def test_plan_conflict_shows_the_saved_plan_and_keeps_the_second_text(app, world):
    url = f"/families/{world.family_a.id}/plan/edit"
    first, second = app.test_client(), app.test_client()
    login(first, world.worker_a)
    login(second, world.lead_a)
    first.post(url, data=plan_form())
    assert first.post(url, data=plan_form(version="1", **{"goals-0-title": "Saved by the worker"})).status_code == 302
    clash = second.post(url, data=plan_form(version="1", **{"goals-0-title": "Typed by the lead"}))
    assert clash.status_code == 409
    html = clash.get_data(as_text=True)
    start, end = html.index('id="conflict"'), html.index("Save again to replace it with your version.")
    saved_part, form_part = html[start:end], html[end:]
    assert "Saved by the worker" in saved_part  # what is in the database now
    assert 'value="Typed by the lead"' in form_part  # the second user's text, not lost
    assert plans_of(app, world.family_a.id)[-1][3][0] == "Saved by the worker"


def test_session_conflict_keeps_the_first_moments(app, world, make):
    care_session = make.care_session(
        world.family_a, summary="Original", moments=[(MomentKind.POSITIVE, "Original moment", [])]
    )
    url = f"/families/{world.family_a.id}/sessions/{care_session.id}/edit"
    first, second = app.test_client(), app.test_client()
    login(first, world.worker_a)
    login(second, world.lead_a)
    data = {"moments-0-description": "Moment by the worker"}
    assert first.post(url, data=session_form(version="1", summary="Original", **data)).status_code == 302
    clash = second.post(
        url, data=session_form(version="1", summary="Original", **{"moments-0-description": "Moment by the lead"})
    )
    assert clash.status_code == 409
    html = clash.get_data(as_text=True)
    assert "Moment by the worker" in html and "Moment by the lead" in html
    moments = query(
        app,
        lambda: (
            db.session.execute(select(Moment.description).where(Moment.session_id == care_session.id)).scalars().all()
        ),
    )
    assert "Moment by the worker" in moments and "Moment by the lead" not in moments
    assert query(app, lambda: db.session.get(CareSession, care_session.id).version) == 2
