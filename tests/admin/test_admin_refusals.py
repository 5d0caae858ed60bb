"""What only the data can decide comes back from the services as errors by field, shown beside the field.

A refused post saves nothing and writes no access-log row of a change.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Role, Team, User
from tests.conftest import login, query


def _actions(app) -> list[str]:
    return query(app, lambda: db.session.execute(select(AuditEvent.action)).scalars().all())


def _teams(app) -> list[str]:
    return query(app, lambda: db.session.execute(select(Team.name).order_by(Team.name)).scalars().all())


def _beside(field_id: str, message: str) -> str:
    return f'<div id="{field_id}-error" class="invalid-feedback">{message}</div>'


def test_a_new_team_with_a_taken_name_shows_the_message_beside_the_name_and_saves_nothing(app, client, make):
    make.team("Team Oost")
    login(client, make.user(Role.ADMIN))
    response = client.post("/admin/teams", data={"name": "TEAM OOST"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _beside("name", "A team with this name already exists.") in html
    assert 'value="TEAM OOST"' in html  # what was typed stays in the field
    assert _teams(app) == ["Team Oost"]
    assert "create_team" not in _actions(app)


def test_renaming_a_team_to_a_taken_name_shows_the_message_beside_the_name_and_saves_nothing(app, client, make):
    make.team("Team Oost")
    west = make.team("Team West")
    login(client, make.user(Role.ADMIN))
    response = client.post(f"/admin/teams/{west.id}", data={"name": "team oost"})
    assert response.status_code == 200
    assert _beside("name", "A team with this name already exists.") in response.get_data(as_text=True)
    assert _teams(app) == ["Team Oost", "Team West"]
    assert "update_team" not in _actions(app)


def test_a_team_keeps_its_own_name_in_another_case(app, client, make):
    west = make.team("Team West")
    login(client, make.user(Role.ADMIN))
    assert client.post(f"/admin/teams/{west.id}", data={"name": "Team WEST"}).status_code == 302
    assert _teams(app) == ["Team WEST"]
    assert "update_team" in _actions(app)


def test_the_team_message_is_in_dutch_for_a_dutch_browser(client, make):
    make.team("Team Oost")
    login(client, make.user(Role.ADMIN))
    html = client.post("/admin/teams", data={"name": "Team Oost"}, headers={"Accept-Language": "nl"}).get_data(
        as_text=True
    )
    assert _beside("name", "Er is al een team met deze naam.") in html


def _own_form(admin: User, **overrides) -> dict:
    data = {"name": admin.name, "email": admin.email, "role": "admin", "team_id": "0", "active": "y", "submit": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_administrator_cannot_make_themselves_a_lead_and_nothing_is_saved(app, client, make):
    admin, team = make.user(Role.ADMIN), make.team()
    login(client, admin)
    response = client.post(
        f"/admin/users/{admin.id}", data=_own_form(admin, role="lead", team_id=str(team.id), name="Renamed")
    )
    assert response.status_code == 200
    assert _beside("role", "You cannot take away your own administrator access.") in response.get_data(as_text=True)
    stored = query(app, lambda: db.session.get(User, admin.id))
    assert (stored.role, stored.name, stored.team_id, stored.active) == (Role.ADMIN, admin.name, None, True)
    assert "update_user" not in _actions(app)


def test_an_administrator_cannot_deactivate_themselves_and_stays_logged_in(app, client, make):
    admin = make.user(Role.ADMIN)
    login(client, admin)
    response = client.post(f"/admin/users/{admin.id}", data=_own_form(admin, active=None))
    assert _beside("role", "You cannot take away your own administrator access.") in response.get_data(as_text=True)
    assert query(app, lambda: db.session.get(User, admin.id).active)
    assert client.get("/admin/").status_code == 200
    assert "update_user" not in _actions(app)


def test_an_administrator_may_change_their_own_name(app, client, make):
    admin = make.user(Role.ADMIN)
    login(client, admin)
    assert client.post(f"/admin/users/{admin.id}", data=_own_form(admin, name="New Name")).status_code == 302
    assert query(app, lambda: db.session.get(User, admin.id).name) == "New Name"
    assert "update_user" in _actions(app)


def test_resetting_ones_own_second_factor_is_refused_as_a_message_and_logged_nowhere(app, client, make):
    admin = make.user(Role.ADMIN)
    login(client, admin)
    response = client.post(f"/admin/users/{admin.id}/two-factor/reset", data={"tf-fresh_code": "123456"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Another administrator has to reset your own two-step verification." in html
    assert "alert-danger" in html
    assert query(app, lambda: db.session.get(User, admin.id).two_factor_enabled)
    assert "reset_two_factor" not in _actions(app)


def test_an_unknown_user_or_team_is_not_found(client, make):
    login(client, make.user(Role.ADMIN))
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999/password", data={"reset-password": "x" * 20}).status_code == 404
    assert client.post("/admin/users/999999/sessions/end").status_code == 404
    assert client.post("/admin/users/999999/two-factor/reset").status_code == 404
    assert client.get("/admin/teams/999999").status_code == 404
