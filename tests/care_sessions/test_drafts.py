"""What was typed into a session form when the login ran out comes back once, for that form only, while fresh."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from app.extensions import db
from app.models import FormDraft, LoginSession
from tests.helpers.auth import login
from tests.helpers.db import count_rows, query


def test_only_session_forms_keep_a_draft_and_other_posts_do_not_break(app, world, client, make):
    care_session = make.care_session(world.family_a)
    login(client, world.worker_a)

    def expire():
        old = datetime.now(UTC) - timedelta(hours=2)
        db.session.execute(update(LoginSession).values(last_seen_at=old))
        db.session.commit()

    query(app, expire)
    response = client.post(f"/families/{world.family_a.id}/sessions/{care_session.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    client.post(f"/families/{world.family_a.id}/edit", data={"display_name": "x"})
    assert count_rows(app, FormDraft) == 0


def test_old_drafts_are_not_offered(app, world, client):
    url = f"/families/{world.family_a.id}/sessions/new"

    def old_draft():
        db.session.add(
            FormDraft(
                user_id=world.worker_a.id,
                path=url,
                payload='[["summary", "from yesterday"]]',
                created_at=datetime.now(UTC) - timedelta(hours=30),
            )
        )
        db.session.commit()

    query(app, old_draft)
    login(client, world.worker_a)
    assert "from yesterday" not in client.get(url).get_data(as_text=True)
