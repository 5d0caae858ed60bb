"""Moving a session to the trash: asked first, undone by whoever did it, restored by the team lead, and the
lead's trash of the whole team."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, CareSession
from tests.helpers.auth import login
from tests.helpers.db import query


def _deleted_at(app, session_id: int):
    return query(app, lambda: db.session.get(CareSession, session_id).deleted_at)


def _actions(app, session_id: int) -> list[str]:
    return query(
        app,
        lambda: [
            a
            for a in db.session.execute(
                select(AuditEvent.action).where(AuditEvent.object_id == session_id).order_by(AuditEvent.id)
            ).scalars()
            if a != "view"
        ],
    )


def test_move_to_trash_asks_first(app, world, worker_client, make):
    family = world.family_a
    care_session = make.care_session(family, summary="Bedtime talk", held_on=date(2026, 11, 3))
    detail = worker_client.get(f"/families/{family.id}/sessions/{care_session.id}").get_data(as_text=True)
    confirm_url = f"/families/{family.id}/sessions/{care_session.id}/delete"
    assert f'href="{confirm_url}"' in detail  # a link to the question, not a button that deletes

    page = worker_client.get(confirm_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Move the session of Nov 3, 2026 to the trash?" in html
    assert "Bedtime talk" in html  # what would go is shown
    assert _deleted_at(app, care_session.id) is None  # opening the question changes nothing

    assert worker_client.post(confirm_url).status_code == 302
    assert _deleted_at(app, care_session.id) is not None


def test_the_worker_undoes_their_own_delete_from_the_message(app, world, worker_client, make):
    family = world.family_a
    care_session = make.care_session(family, summary="Undo me", held_on=date(2026, 11, 3))
    response = worker_client.post(f"/families/{family.id}/sessions/{care_session.id}/delete", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "The session of Nov 3, 2026 has been moved to the trash." in html
    restore_url = f"/families/{family.id}/sessions/{care_session.id}/restore"
    assert f'action="{restore_url}"' in html and ">Undo</button>" in html
    assert "Undo me" not in html  # gone from the timeline

    response = worker_client.post(restore_url, data={"back": "family"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/families/{family.id}#session-{care_session.id}")
    assert _deleted_at(app, care_session.id) is None
    assert "Undo me" in worker_client.get(f"/families/{family.id}").get_data(as_text=True)
    assert _actions(app, care_session.id) == ["delete_session", "restore_session"]


def test_a_double_click_moves_and_restores_once(app, world, worker_client, make):
    family = world.family_a
    care_session = make.care_session(family)
    url = f"/families/{family.id}/sessions/{care_session.id}"
    assert worker_client.post(f"{url}/delete").status_code == 302
    again = worker_client.post(f"{url}/delete", follow_redirects=True)
    assert again.status_code == 200 and ">Undo</button>" in again.get_data(as_text=True)
    assert worker_client.post(f"{url}/restore").status_code == 302
    assert worker_client.post(f"{url}/restore").status_code == 302
    assert _actions(app, care_session.id) == ["delete_session", "restore_session"]


def test_the_worker_restores_their_own_from_the_trash_but_not_anothers(app, world, worker_client, make):
    family = world.family_a
    own = make.care_session(family, held_on=date(2026, 11, 3))
    worker_client.post(f"/families/{family.id}/sessions/{own.id}/delete")
    by_lead = make.care_session(family, deleted_at=datetime.now(UTC), deleted_by_id=world.lead_a.id)

    trash = worker_client.get(f"/families/{family.id}/sessions/trash").get_data(as_text=True)
    assert f"/sessions/{own.id}/restore" in trash
    assert f"/sessions/{by_lead.id}/restore" not in trash
    refused = worker_client.post(f"/families/{family.id}/sessions/{by_lead.id}/restore")
    assert refused.status_code == 404
    assert _deleted_at(app, by_lead.id) is not None
    refusals = query(
        app,
        lambda: (
            db.session.execute(
                select(AuditEvent.action).where(AuditEvent.family_id == family.id, AuditEvent.outcome == "refused")
            )
            .scalars()
            .all()
        ),
    )
    assert "restore_session" in refusals

    response = worker_client.post(f"/families/{family.id}/sessions/{own.id}/restore", data={"back": "trash"})
    assert response.headers["Location"].endswith(f"/families/{family.id}/sessions/trash")
    assert _deleted_at(app, own.id) is None


def test_a_worker_who_no_longer_sees_the_family_cannot_restore(app, world, make):
    """The undo is for one's own families: a session moved by the colleague of family_a2 stays for the lead."""
    colleague = app.test_client()
    login(colleague, world.colleague_a)
    family = world.family_a2
    care_session = make.care_session(family)
    colleague.post(f"/families/{family.id}/sessions/{care_session.id}/delete")
    worker = app.test_client()
    login(worker, world.worker_a)
    assert worker.post(f"/families/{family.id}/sessions/{care_session.id}/restore").status_code == 404
    assert _deleted_at(app, care_session.id) is not None


def test_the_lead_sees_the_teams_trash_with_who_and_when(app, world, make):
    moved = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    own_team = make.care_session(
        world.family_a2, held_on=date(2026, 11, 2), deleted_at=moved, deleted_by_id=world.colleague_a.id
    )
    live = make.care_session(world.family_a, held_on=date(2026, 11, 4))
    other_team = make.care_session(world.family_b, deleted_at=moved, deleted_by_id=world.worker_b.id)
    lead = app.test_client()
    login(lead, world.lead_a)
    response = lead.get("/trash")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Family Colleague" in html and world.family_a2.case_number in html
    assert re.search(r"Nov 20, 2026[^<]* by Colleague A", html)
    assert f"/families/{world.family_a2.id}/sessions/{own_team.id}/restore" in html
    assert f"/sessions/{live.id}" not in html  # only what is in the trash
    assert "Family Bravo" not in html and f"/sessions/{other_team.id}" not in html

    response = lead.post(f"/families/{world.family_a2.id}/sessions/{own_team.id}/restore", data={"back": "team"})
    assert response.headers["Location"].endswith("/trash")
    assert _deleted_at(app, own_team.id) is None
    assert "The trash is empty." in lead.get("/trash").get_data(as_text=True)


def test_the_teams_trash_is_logged_per_family_shown(app, world, make):
    make.care_session(world.family_a2, deleted_at=datetime.now(UTC), deleted_by_id=world.colleague_a.id)
    lead = app.test_client()
    login(lead, world.lead_a)
    lead.get("/trash")
    rows = query(
        app,
        lambda: db.session.execute(select(AuditEvent.family_id, AuditEvent.action, AuditEvent.user_id)).all(),
    )
    assert (world.family_a2.id, "seen_in_trash", world.lead_a.id) in rows
    assert (None, "team_trash", world.lead_a.id) in rows
    assert not [r for r in rows if r[1] == "seen_in_trash" and r[0] != world.family_a2.id]


def test_workers_have_no_teams_trash(app, world, worker_client):
    assert worker_client.get("/trash").status_code == 404
