"""Edge cases found in review: each once caused lost data or a server error."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import CareSession, FamilyMember, FormDraft, LoginSession, Moment, MomentKind
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import session_form


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


def test_a_worker_moved_to_another_team_no_longer_sees_the_old_teams_families(app, world, client):
    login(client, world.worker_a)
    assert client.get(f"/families/{world.family_a.id}").status_code == 200

    def move():
        from app.models import User

        db.session.get(User, world.worker_a.id).team_id = world.team_b.id
        db.session.commit()

    query(app, move)
    assert client.get(f"/families/{world.family_a.id}").status_code == 404


def test_more_moments_than_allowed_are_refused_not_dropped(app, world, client):
    login(client, world.worker_a)
    data = session_form()
    for index in range(2, 32):
        data[f"moments-{index}-kind"] = "positive"
        data[f"moments-{index}-description"] = f"moment {index}"
        data[f"moments-{index}-child_id"] = "0"
    html = client.post(f"/families/{world.family_a.id}/sessions/new", data=data).get_data(as_text=True)
    assert "A session can have at most 30 moments." in html
    assert query(app, lambda: db.session.execute(select(func.count(CareSession.id))).scalar_one()) == 0


def test_a_session_with_the_most_moments_can_be_edited(world, client, make):
    moments = [(MomentKind.POSITIVE, f"moment {n}", []) for n in range(30)]
    care_session = make.care_session(world.family_a, moments=moments)
    login(client, world.worker_a)
    response = client.get(f"/families/{world.family_a.id}/sessions/{care_session.id}/edit")
    assert response.status_code == 200
    assert "Add another moment" not in response.get_data(as_text=True)


def test_odd_stress_ids_and_huge_urls_do_not_break_the_page(world, client):
    login(client, world.worker_a)
    data = session_form(
        **{"stress_changes-0-item_id": "²", "stress_changes-0-status": "open", "stress_changes-0-severity": "mild"}
    )
    assert client.post(f"/families/{world.family_a.id}/sessions/new", data=data).status_code == 302
    assert client.get("/families/99999999999999999999").status_code == 404
    assert client.get(f"/families/{world.family_a.id}/sessions/99999999999999999999").status_code == 404


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
    assert query(app, lambda: db.session.execute(select(func.count(FormDraft.id))).scalar_one()) == 0


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


def test_search_finds_names_with_accents_and_treats_wildcards_literally(world, client, make):
    make.family(world.team_a, world.worker_a, display_name="Familie Öztürk")
    login(client, world.worker_a)
    assert "Familie Öztürk" in client.get("/families/?q=öztürk").get_data(as_text=True)
    assert "Familie Öztürk" in client.get("/families/?q=ÖZTÜRK").get_data(as_text=True)
    assert "No families match this search." in client.get("/families/?q=%25").get_data(as_text=True)
