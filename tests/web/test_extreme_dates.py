"""No stored date can break a page (issue 18): the first and last day a date can hold, planted straight in
the database where no form would let them in, and every page of the URL map opened over them."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import CareSession, ConsentRecord, DestructionRequest, Family, FamilyMember, Plan, StressItem
from app.services import goal_progress
from tests.helpers.auth import login
from tests.helpers.routes import ROUTES, url_for_family
from tests.helpers.routes import access_world as access_world  # noqa: F401 (a fixture)

FIRST, LAST = date(1, 1, 1), date(9999, 12, 31)
WHO = {"public": "worker_a", "user": "worker_a", "case": "worker_a", "family": "worker_a"}
WHO |= {"family_lead": "lead_a", "lead": "lead_a", "admin": "admin", "admin_2fa": "admin"}


def _plant(app, world, make, early: date, late: date) -> None:
    family = world.family_a
    with app.app_context():
        plan = db.session.execute(db.select(Plan).where(Plan.family_id == family.id)).scalars().first()
        goal = SimpleNamespace(key=plan.goals[0].key)  # all make.score needs of it
        db.session.execute(
            update(Family).where(Family.id == family.id).values(start_date=early, status_since=early, end_date=late)
        )
        db.session.execute(update(FamilyMember).where(FamilyMember.family_id == family.id).values(birth_date=early))
        db.session.execute(update(Plan).where(Plan.family_id == family.id).values(review_on=late, discussed_on=early))
        db.session.execute(
            update(StressItem).where(StressItem.family_id == family.id).values(opened_on=early, status_since=early)
        )
        db.session.execute(
            update(DestructionRequest).where(DestructionRequest.family_id == family.id).values(received_on=early)
        )
        db.session.execute(update(ConsentRecord).where(ConsentRecord.family_id == family.id).values(decided_on=early))
        db.session.execute(
            update(CareSession)
            .where(CareSession.id == world.session_of_family_a.id)
            .values(held_on=early, next_appointment_on=late)
        )
        db.session.commit()
    make.score(family, goal, early, 3, 4, session_id=world.session_of_family_a.id)
    late_session = make.care_session(family, held_on=late, next_appointment_on=late)
    make.score(family, goal, late, 7, 2, session_id=late_session.id)
    with app.app_context():
        goal_progress.refresh(family.id)
        db.session.commit()


@pytest.mark.parametrize(("early", "late"), [(FIRST, LAST), (FIRST, FIRST), (LAST, LAST)], ids=["both", "1", "9999"])
def test_every_page_opens_over_the_extreme_dates(app, access_world, make, early, late):  # noqa: F811
    make.consent(access_world.family_a)
    _plant(app, access_world, make, early, late)
    clients = {}
    failures = []
    for endpoint, (method, template, rule) in sorted(ROUTES.items()):
        if method != "GET" or rule not in WHO:
            continue
        who = WHO[rule]
        if who not in clients:
            clients[who] = app.test_client()
            login(clients[who], getattr(access_world, who))
        url = url_for_family(template, access_world, "family_a")
        response = clients[who].get(url)
        if response.status_code >= 500:
            failures.append(f"{url} ({endpoint}): {response.status_code}")
        elif len(response.data) > 1_500_000:
            failures.append(f"{url} ({endpoint}): {len(response.data)} bytes")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/log?to=9999-12-31",
        "/admin/log?from=0001-01-01&to=9999-12-31",
        "/admin/log/export.csv?to=9999-12-31",
        "/admin/log/export.csv?from=0001-01-01",
    ],
)
def test_the_access_logs_date_filter_takes_any_date(app, access_world, url):  # noqa: F811
    client = app.test_client()
    login(client, access_world.admin)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "query", ["to=9999-12-31", "from=0001-01-01", "from=0001-01-01&to=9999-12-31", "from=9999-12-31"]
)
def test_the_overviews_date_filter_takes_any_date(app, access_world, query):  # noqa: F811
    client = app.test_client()
    login(client, access_world.lead_a)
    assert client.get(f"/overview?{query}").status_code == 200
    assert client.get(f"/overview/export.csv?{query}").status_code == 200
