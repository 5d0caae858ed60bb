from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Role, Team, User
from app.security.passwords import verify_password
from tests.helpers.auth import PASSWORD, fresh_code, login
from tests.helpers.db import query
from tests.helpers.form_data import opened

NEW_PASSWORD = "a fresh password for the new user"


def _user_form(**overrides):
    data = {"name": "New Worker", "email": "new.worker@example.org", "role": "worker", "team_id": "0", "active": "y"}
    data.update(overrides)
    return data


def test_admin_asks_for_an_account_that_opens_nothing_until_confirmed(app, client, make):
    admin, team = make.user(Role.ADMIN), make.team("Team West")
    lead = make.user(Role.LEAD, team, name="Lead West")
    login(client, admin)
    form = _user_form(team_id=team.id, fresh_code=fresh_code(app, admin), submit="1")
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "First half of the set-up code for New Worker" in html and "Lead West" in html
    assert "password" not in client.get("/admin/users/new").get_data(as_text=True).lower().split("<form")[1]
    created = query(
        app, lambda: db.session.execute(select(User).where(User.email == "new.worker@example.org")).scalar_one()
    )
    assert created.team_id == team.id and created.role == Role.WORKER and not created.active
    assert lead.id != created.id


def test_user_form_validation(client, make):
    admin, existing = make.user(Role.ADMIN), make.user(Role.WORKER)
    login(client, admin)
    html = client.post("/admin/users/new", data=_user_form(email=existing.email, team_id="0", submit="1")).get_data(
        as_text=True
    )
    assert "Another account already uses this e-mail address." in html
    assert "Choose a team: care workers and team leads belong to one." in html
    assert 'id="fresh_code-error"' in html  # the fresh code is asked for
    assert 'value="New Worker"' in html


def test_deactivating_a_user_ends_their_logins(app, make):
    admin, worker = make.user(Role.ADMIN), make.user(Role.WORKER)
    worker_client, admin_client = app.test_client(), app.test_client()
    login(worker_client, worker)
    login(admin_client, admin)
    assert worker_client.get("/families/").status_code == 200
    form = _user_form(name=worker.name, email=worker.email, team_id=worker.team_id, submit="1")
    del form["active"]
    refused = admin_client.post(f"/admin/users/{worker.id}", data=form)  # a stolen cookie alone: no
    assert refused.status_code == 200 and worker_client.get("/families/").status_code == 200
    form["fresh_code"] = fresh_code(app, admin)
    assert admin_client.post(f"/admin/users/{worker.id}", data=form).status_code == 302
    assert worker_client.get("/families/").status_code == 302
    assert login(app.test_client(), worker).status_code == 200  # refused


def test_admin_password_reset_takes_no_password_and_changes_nothing_yet(app, make):
    admin, worker = make.user(Role.ADMIN), make.user(Role.WORKER)
    worker_client, admin_client = app.test_client(), app.test_client()
    login(worker_client, worker)
    login(admin_client, admin)
    response = admin_client.post(
        f"/admin/users/{worker.id}/password",
        data={"reset-password": NEW_PASSWORD, "reset-fresh_code": fresh_code(app, admin)},
    )
    assert response.status_code == 200 and b"First half of the set-up code" in response.data
    assert worker_client.get("/families/").status_code == 200
    stored = query(app, lambda: db.session.get(User, worker.id).password_hash)
    assert verify_password(stored, PASSWORD) and not verify_password(stored, NEW_PASSWORD)
    assert query(
        app,
        lambda: db.session.execute(select(AuditEvent.action).where(AuditEvent.object_id == worker.id)).scalars().all(),
    ) == ["request_account_change", "reset_password"]


def test_admin_cannot_lock_themselves_out(app, client, make):
    admin = make.user(Role.ADMIN)
    login(client, admin)
    form = _user_form(name=admin.name, email=admin.email, role="admin", submit="1")
    del form["active"]
    html = client.post(f"/admin/users/{admin.id}", data=form).get_data(as_text=True)
    assert "You cannot take away your own administrator access." in html
    assert query(app, lambda: db.session.get(User, admin.id).active)


def test_teams_create_and_rename_without_duplicates(app, client, make):
    login(client, make.user(Role.ADMIN))
    assert client.post("/admin/teams", data={"name": "Team Oost"}).status_code == 302
    assert "A team with this name already exists." in client.post("/admin/teams", data={"name": "team oost"}).get_data(
        as_text=True
    )
    team = query(app, lambda: db.session.execute(select(Team).where(Team.name == "Team Oost")).scalar_one())
    assert client.post(f"/admin/teams/{team.id}", data={"name": "Team Oost-Brabant"}).status_code == 302
    assert query(app, lambda: db.session.get(Team, team.id).name) == "Team Oost-Brabant"


def test_admin_sees_no_family_content(client, world):
    login(client, world.admin)
    for url in ("/families/", f"/families/{world.family_a.id}", "/overview"):
        assert client.get(url).status_code == 404
    assert client.get("/").headers["Location"].endswith("/admin/")


def test_admin_changes_a_signal_threshold_and_the_dashboards_follow(app, world, make):
    from datetime import date, timedelta

    make.plan(world.family_a)
    make.care_session(world.family_a, held_on=date.today() - timedelta(days=10))
    lead = app.test_client()
    login(lead, world.lead_a)
    assert "Not seen" not in lead.get("/overview?signal=not_seen").get_data(as_text=True).split("families-heading")[1]
    admin = app.test_client()
    login(admin, world.admin)
    values = {
        "not_seen_days": "7",
        "review_within_days": "7",
        "no_plan_after_days": "42",
        "difficult_window_days": "30",
        "stress_open_days": "30",
        "intake_days": "42",
        "paused_weeks": "8",
        "version": opened(admin, "/admin/settings"),
    }
    assert admin.post("/admin/settings", data=values).status_code == 302
    assert "last session 10 days ago" in lead.get("/overview?signal=not_seen").get_data(as_text=True)
    html = admin.post("/admin/settings", data={**values, "not_seen_days": "0"}).get_data(as_text=True)
    assert "Number must be between 1 and 365." in html


def test_the_settings_page_says_what_the_goal_signals_rest_on(app, world, make):
    from datetime import date, timedelta

    plan = make.plan(world.family_a, goals=[("Calm bedtimes", 4, 8)])
    for n in range(4):
        session = make.care_session(world.family_a, held_on=date.today() - timedelta(days=14 * (4 - n)))
        make.score(world.family_a, plan.goals[0], session.held_on, 4 + n % 2, session_id=session.id)
    admin = app.test_client()
    login(admin, world.admin)
    html = admin.get("/admin/settings").get_data(as_text=True)
    assert "The error of one score is assumed to be 1.00 points until 50 goals have at least 4 scores (now 1)." in html
    assert "A change of 3 points or more is more than chance" in html
    assert "There is no expected course yet: too few goals." in html
    assert "Calm bedtimes" not in html and world.family_a.display_name not in html  # numbers only
    dutch = admin.get("/admin/settings", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "1,00" in dutch
