"""Editing a session: two saves of the same session conflict, and what the old session holds is kept."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import CareSession, FamilyMember, Moment, MomentKind
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import session_form


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


def test_same_worker_in_two_tabs_gets_a_conflict_even_if_only_moments_changed(app, world, make):
    # Exactly what the form will send, so only the moments differ between the two saves.
    care_session = make.care_session(
        world.family_a,
        summary="Same summary",
        held_on=date.today(),
        duration_minutes=60,
        agreements="Mother tries the bedtime song every night.",
        updated_by_id=world.worker_a.id,
    )
    url = f"/families/{world.family_a.id}/sessions/{care_session.id}/edit"
    tab1, tab2 = app.test_client(), app.test_client()
    login(tab1, world.worker_a)
    login(tab2, world.worker_a)
    data = session_form(version="1", summary="Same summary")
    assert tab1.post(url, data=data).status_code == 302
    other = session_form(version="1", summary="Same summary", **{"moments-0-description": "Typed in tab two"})
    response = tab2.post(url, data=other)
    assert response.status_code == 409
    assert "Typed in tab two" in response.get_data(as_text=True)


def test_removed_member_stays_on_an_old_session_when_it_is_edited(app, world, client, make):
    child = make.member(world.family_a, first_name="Sem")
    care_session = make.care_session(world.family_a, moments=[(MomentKind.POSITIVE, "Sem laughed", [])])

    def link():
        s = db.session.get(CareSession, care_session.id)
        s.moments[0].child_id = child.id
        s.attendees = [db.session.get(FamilyMember, child.id)]
        db.session.get(FamilyMember, child.id).removed_at = datetime.now(UTC)
        db.session.commit()

    query(app, link)
    login(client, world.worker_a)
    url = f"/families/{world.family_a.id}/sessions/{care_session.id}/edit"
    html = client.get(url).get_data(as_text=True)
    assert "Sem (removed)" in html
    data = session_form(version="1", attendee_ids=[str(child.id)], **{"moments-0-child_id": str(child.id)})
    assert client.post(url, data=data).status_code == 302
    assert (
        query(app, lambda: db.session.execute(select(Moment.child_id).where(Moment.position == 0)).scalar_one())
        == child.id
    )


def test_a_session_with_the_most_moments_can_be_edited(world, client, make):
    moments = [(MomentKind.POSITIVE, f"moment {n}", []) for n in range(30)]
    care_session = make.care_session(world.family_a, moments=moments)
    login(client, world.worker_a)
    response = client.get(f"/families/{world.family_a.id}/sessions/{care_session.id}/edit")
    assert response.status_code == 200
    assert "Add another moment" not in response.get_data(as_text=True)
