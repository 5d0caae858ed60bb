"""A request to destroy the record: recorded by the team lead, carried out after a second step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, DestructionRequest, Family, MemberRole, RequestStatus
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.destruction import fill_family


@pytest.fixture
def lead(app, world):
    client = app.test_client()
    login(client, world.lead_a)
    return client


def _new(client, family, member, received_on=None, note=""):
    return client.post(
        f"/families/{family.id}/destruction/new",
        data={
            "requested_by_id": member.id,
            "received_on": (received_on or date.today()).isoformat(),
            "note": note,
        },
    )


def _requests(app):
    return query(app, lambda: db.session.execute(select(DestructionRequest)).scalars().all())


def test_a_parent_asks_and_the_lead_destroys_after_retyping_the_case_number(app, world, make, lead):
    family = world.family_a
    parent, _child, session = fill_family(app, make, family, world.worker_a)
    with app.app_context():  # fill_family leaves an open request behind: start without one
        db.session.execute(DestructionRequest.__table__.delete())
        db.session.commit()

    page = lead.get(f"/families/{family.id}/destruction/new").get_data(as_text=True)
    assert "Anouk (Parent)" in page and "Destroying the record is a separate step" in page
    response = _new(lead, family, parent, note="Letter of 3 March")
    assert response.status_code == 302
    request = _requests(app)[0]
    assert request.status == RequestStatus.OPEN and request.requested_by_id == parent.id
    assert response.headers["Location"].endswith(f"/families/{family.id}/destruction/{request.id}")

    # Everyone on the family sees the request; only the lead can act on it.
    worker = app.test_client()
    login(worker, world.worker_a)
    worker_page = worker.get(f"/families/{family.id}").get_data(as_text=True)
    assert "asked to destroy this record" in worker_page and "The team lead handles it." in worker_page

    show = lead.get(f"/families/{family.id}/destruction/{request.id}").get_data(as_text=True)
    assert "1 session" in show and "2 moments" in show and "Letter of 3 March" in show

    wrong = lead.post(f"/families/{family.id}/destruction/{request.id}/confirm", data={"case_number": "T-99999"})
    assert "This is not the case number of this family. Nothing was destroyed." in wrong.get_data(as_text=True)
    assert query(app, lambda: db.session.get(Family, family.id)) is not None

    done = lead.post(
        f"/families/{family.id}/destruction/{request.id}/confirm",
        data={"case_number": f"  {family.case_number.lower()} "},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert f"The record {family.case_number} has been destroyed." in done.get_data(as_text=True)
    assert lead.get(f"/families/{family.id}").status_code == 404
    assert lead.get(f"/families/{family.id}/sessions/{session.id}").status_code == 404
    assert _requests(app) == []
    events = query(
        app,
        lambda: (
            db.session.execute(select(AuditEvent).where(AuditEvent.family_id == family.id).order_by(AuditEvent.id))
            .scalars()
            .all()
        ),
    )
    # Only the stub: every earlier trace of the family is gone.
    assert [e.action for e in events] == ["purge_family"]
    stub = events[0]
    assert stub.user_id == world.lead_a.id and stub.outcome == "ok"
    assert stub.record_ref == family.case_number and "from parent" in stub.detail
    assert "Anouk" not in stub.detail and "Alpha" not in stub.detail
    # The refused looks afterwards are on file, without the destroyed record's id.
    looks = query(
        app,
        lambda: db.session.scalars(
            select(AuditEvent.outcome).where(AuditEvent.detail == f"family {family.id}: no such record")
        ).all(),
    )
    assert looks == ["refused", "refused"]


@pytest.mark.parametrize(
    ("birth", "allowed", "message"),
    [
        ({"birth_date": date.today().replace(year=date.today().year - 12)}, True, None),
        (
            {"birth_date": date.today().replace(year=date.today().year - 12) + timedelta(days=1)},
            False,
            "younger than 12",
        ),
        ({"birth_year": date.today().year - 13}, True, None),
        ({"birth_year": date.today().year - 12}, False, "date of birth first"),
        ({"birth_year": date.today().year - 11}, False, "younger than 12"),
    ],
)
def test_a_youth_may_ask_from_twelve(app, world, make, lead, birth, allowed, message):
    youth = make.member(world.family_a, first_name="Jesse", role=MemberRole.CHILD, **{"birth_year": None, **birth})
    response = _new(lead, world.family_a, youth)
    if allowed:
        assert response.status_code == 302
        assert len(_requests(app)) == 1
    else:
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
        assert _requests(app) == []


def test_the_age_counts_on_the_day_the_request_came_in(app, world, make, lead):
    twelfth = date.today() - timedelta(days=10)
    youth = make.member(world.family_a, first_name="Jesse", birth_date=twelfth.replace(year=twelfth.year - 12))
    assert "younger than 12" in _new(lead, world.family_a, youth, received_on=twelfth - timedelta(days=1)).get_data(
        as_text=True
    )
    assert _new(lead, world.family_a, youth, received_on=twelfth).status_code == 302


def test_a_request_can_be_refused_with_a_reason(app, world, make, lead):
    parent = make.member(world.family_a, first_name="Anouk", role=MemberRole.PARENT, birth_year=1990)
    _new(lead, world.family_a, parent)
    request = _requests(app)[0]
    url = f"/families/{world.family_a.id}/destruction/{request.id}"
    missing = lead.post(f"{url}/close", data={"outcome": "refused", "reason": ""})
    assert missing.status_code == 200 and _requests(app)[0].status == RequestStatus.OPEN
    lead.post(f"{url}/close", data={"outcome": "refused", "reason": "A court case about the child is running."})
    closed = _requests(app)[0]
    assert closed.status == RequestStatus.REFUSED and closed.closed_by_id == world.lead_a.id
    assert "A court case" in closed.close_reason
    page = lead.get(f"/families/{world.family_a.id}").get_data(as_text=True)
    assert "from Anouk: refused" in page
    # A closed request cannot be carried out any more.
    assert lead.post(f"{url}/confirm", data={"case_number": world.family_a.case_number}).status_code == 404
    actions = query(app, lambda: db.session.execute(select(AuditEvent.action)).scalars().all())
    assert "destruction_request" in actions and "destruction_request_refused" in actions


def test_the_overview_shows_requests_waiting_two_months(app, world, make, lead):
    parent = make.member(world.family_a, first_name="Anouk", role=MemberRole.PARENT, birth_year=1990)
    other = make.member(world.family_a2, first_name="Bas", role=MemberRole.PARENT, birth_year=1985)
    foreign = make.member(world.family_b, first_name="Cor", role=MemberRole.PARENT, birth_year=1985)
    today = date.today()
    two_months_ago = date(today.year - (today.month <= 2), (today.month - 3) % 12 + 1, min(today.day, 28))
    with app.app_context():
        db.session.add_all(
            [
                DestructionRequest(family_id=world.family_a.id, requested_by_id=parent.id, received_on=two_months_ago),
                DestructionRequest(
                    family_id=world.family_a2.id, requested_by_id=other.id, received_on=today - timedelta(days=20)
                ),
                DestructionRequest(
                    family_id=world.family_b.id, requested_by_id=foreign.id, received_on=date(2020, 1, 1)
                ),
            ]
        )
        db.session.commit()
    html = lead.get("/overview").get_data(as_text=True)
    assert "Requests to destroy a record, waiting two months or longer" in html
    section = html[html.index("destruction-heading") : html.index("caseload-heading")]
    assert "Family Alpha" in section and "Family Colleague" not in section and "Family Bravo" not in section
    assert f"/families/{world.family_a.id}/destruction/" in section
