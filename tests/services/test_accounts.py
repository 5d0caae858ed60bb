"""The account and team services answer a refusal with errors by field name, and then change nothing.

The forms check an address in use before the service runs; the service checks it again (another
administrator may have taken it in the meantime), so it is right on its own.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Role, User
from app.services import accounts, settings, teams
from app.services.accounts import AccountInput

TAKEN = "Another account already uses this e-mail address."
OWN_ACCESS = "You cannot take away your own administrator access."


@pytest.fixture
def in_request(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
        db.session.rollback()


def _logged() -> list[str]:
    return list(db.session.execute(select(AuditEvent.action)).scalars())


def _input(user: User, **changes) -> AccountInput:
    values = {"name": user.name, "email": user.email, "role": user.role, "team_id": user.team_id, "active": True}
    values.update(changes)
    return AccountInput(**values)


def test_a_new_account_with_an_address_in_use_is_refused_on_the_email_field(app, make, in_request):
    existing, admin = make.user(Role.WORKER), make.user(Role.ADMIN)
    team_id = existing.team_id
    data = AccountInput(name="Someone", email=existing.email.upper(), role=Role.WORKER, team_id=team_id, active=True)
    saved = accounts.submit_new_user(data, accounts.user_or_404(admin.id), "000000")
    assert saved.user is None and saved.errors == {"email": [TAKEN]}  # the code is not even tried
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 2
    assert _logged() == []


def test_a_change_to_an_address_in_use_is_refused_on_the_email_field(app, make, in_request):
    admin, worker, other = make.user(Role.ADMIN), make.user(Role.WORKER), make.user(Role.WORKER)
    user = accounts.user_or_404(worker.id)
    saved = accounts.submit_user(user, _input(worker, email=f" {other.email} ", name="Changed"), admin)
    assert saved.user is None and saved.errors == {"email": [TAKEN]}
    assert (user.email, user.name) == (worker.email, worker.name)
    assert _logged() == []


def test_own_access_and_a_taken_address_come_back_together(app, make, in_request):
    admin, other = make.user(Role.ADMIN), make.user(Role.ADMIN)
    user = accounts.user_or_404(admin.id)
    saved = accounts.submit_user(user, _input(admin, email=other.email, active=False), user)
    assert saved.errors == {"email": [TAKEN], "role": [OWN_ACCESS]}
    assert user.active and user.email == admin.email
    assert _logged() == []


def test_an_account_keeps_its_own_address(app, make, in_request):
    admin, worker = make.user(Role.ADMIN), make.user(Role.WORKER)
    user = accounts.user_or_404(worker.id)
    saved = accounts.submit_user(user, _input(worker, email=worker.email.upper(), name="Changed"), admin)
    assert saved.errors == {} and saved.user is user
    assert (user.email, user.name) == (worker.email, "Changed")
    assert _logged() == ["update_user"]
    # The log says what changed, before and after (the address stayed: it was only written in capitals).
    detail = db.session.execute(select(AuditEvent.detail).where(AuditEvent.action == "update_user")).scalar_one()
    assert f"name {worker.name} -> Changed" in detail and "email" not in detail.split(":", 1)[1]


def test_a_taken_team_name_is_refused_on_the_name_field(app, make, in_request):
    make.team("Team Oost")
    west = teams.team_or_404(make.team("Team West").id)
    assert teams.create_team("team oost").errors == {"name": ["A team with this name already exists."]}
    saved = teams.rename_team(west, "TEAM OOST", str(west.version))
    assert saved.team is None and saved.errors == {"name": ["A team with this name already exists."]}
    assert west.name == "Team West"
    assert _logged() == []


def test_the_teams_with_their_active_members(app, make, in_request):
    oost, west = make.team("Team Oost"), make.team("Team West")
    make.user(Role.WORKER, oost)
    make.user(Role.WORKER, oost, active=False)
    make.user(Role.LEAD, oost)
    assert [(t.name, t.active_members) for t in teams.summaries()] == [("Team Oost", 2), ("Team West", 0)]
    assert teams.choices() == [(oost.id, "Team Oost"), (west.id, "Team West")]


def test_resetting_ones_own_second_factor_is_an_error_for_the_whole_form(app, make, in_request):
    admin = accounts.user_or_404(make.user(Role.ADMIN).id)
    saved = accounts.reset_two_factor(admin, admin)
    assert saved.user is None and list(saved.errors) == [""]
    assert admin.two_factor_enabled
    assert _logged() == []


def test_saving_the_signal_thresholds_logs_them_once_in_order(app, make, in_request):
    admin = make.user(Role.ADMIN)
    in_force = settings.thresholds_version(settings.signal_thresholds())
    settings.save_signal_thresholds({"review_within_days": 9, "not_seen_days": 7}, admin, in_force)
    assert settings.signal_thresholds()["not_seen_days"] == 7
    (detail,) = db.session.execute(select(AuditEvent.detail).where(AuditEvent.action == "update_settings")).scalars()
    assert detail == "review_within_days=9, not_seen_days=7"
