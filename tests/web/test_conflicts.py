"""Two people saving the same shared data: the first save stays, the second is shown both versions with
what it typed still in the form (409), for a stale form and for two saves at the same moment, on SQLite
and PostgreSQL. Sessions and plans have their own tests (tests/care_sessions, tests/plans)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ConsentRecord, Family, FamilyMember, MemberRole, Setting, StressItem, Team
from app.services import care_sessions as sessions_service
from app.services import consent as consent_service
from app.services import families as families_service
from app.services import settings as settings_service
from app.services import teams as teams_service
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import hidden_value


@dataclass
class Edit:
    """One kind of edit: who edits, where, what each of the two posts, and what is saved afterwards."""

    users: tuple[Any, Any]
    url: str
    post: Any  # (name) -> form data that carries `name` in its text
    saved: Any  # (app) -> the saved text
    service: tuple[Any, str]  # the service call a simultaneous save waits in (PostgreSQL)
    heading: str


def _family(world, make) -> Edit:
    family = world.family_a
    return Edit(
        (world.worker_a, world.lead_a),
        f"/families/{family.id}/edit",
        lambda name: {
            "display_name": f"Family {name}",
            "status": "active",
            "start_date": family.start_date.isoformat(),
            "context_notes": f"Notes by {name}",
        },
        lambda app: query(app, lambda: db.session.get(Family, family.id).context_notes),
        (families_service, "update_family"),
        "Someone else changed this family while you were editing",
    )


def _member(world, make) -> Edit:
    member = make.member(world.family_a, first_name="Anouk", role=MemberRole.PARENT, birth_year=1990)
    return Edit(
        (world.worker_a, world.lead_a),
        f"/families/{world.family_a.id}/members/{member.id}/edit",
        lambda name: {"first_name": "Anouk", "role": "parent", "birth_year": "1990", "notes": f"Notes by {name}"},
        lambda app: query(app, lambda: db.session.get(FamilyMember, member.id).notes),
        (families_service, "update_member"),
        "Someone else changed Anouk while you were editing",
    )


def _stress(world, make) -> Edit:
    item = make.stress_item(world.family_a)
    return Edit(
        (world.worker_a, world.lead_a),
        f"/families/{world.family_a.id}/stress/{item.id}",
        lambda name: {
            "kind": "debts",
            "severity": "severe",
            "status": "open",
            "changed_on": date.today().isoformat(),
            "notes": f"Notes by {name}",
        },
        lambda app: query(app, lambda: db.session.get(StressItem, item.id).notes),
        (sessions_service, "update_stress_item"),
        "Someone else changed this source of stress while you were editing",
    )


def _consent(world, make) -> Edit:
    def saved(app):
        def read():
            rows = db.session.execute(select(ConsentRecord.given_by)).scalars().all()
            return rows[0] if len(rows) == 1 else rows

        return query(app, read)

    return Edit(
        (world.worker_a, world.lead_a),
        f"/families/{world.family_a.id}/consent",
        lambda name: {
            "kind": "video",
            "given": "no",
            "given_by": f"Notes by {name}",
            "decided_on": date.today().isoformat(),
        },
        saved,
        (consent_service, "record_decision"),
        "Someone else recorded a consent decision for this family while you were typing",
    )


def _workers(world, make) -> Edit:
    names = {"first": world.colleague_a, "second": world.worker_a}

    def saved(app):
        primary = query(app, lambda: db.session.get(Family, world.family_a.id).primary_worker_id)
        return f"Notes by {next(n for n, u in names.items() if u.id == primary)}"

    return Edit(
        (world.lead_a, world.lead_a),
        f"/families/{world.family_a.id}/workers",
        # Both differ from what is saved (Worker A alone), so neither save is a no-op the other may follow.
        lambda name: {"primary_worker_id": str(names[name].id), "co_worker_ids": [str(world.colleague_a.id)]},
        saved,
        (families_service, "assign_workers"),
        "Someone else changed who works with this family while you were choosing",
    )


def _team(world, make) -> Edit:
    team = world.team_b
    return Edit(
        (world.admin, world.admin),
        f"/admin/teams/{team.id}",
        lambda name: {"name": f"Notes by {name}"},
        lambda app: query(app, lambda: db.session.get(Team, team.id).name),
        (teams_service, "rename_team"),
        "Someone else renamed this team while you were editing",
    )


NOT_SEEN = {"first": "11", "second": "22"}


def _settings(world, make) -> Edit:
    def post(name):
        values = {"review_within_days": "7", "no_plan_after_days": "42", "difficult_window_days": "30"}
        values |= {"stress_open_days": "30", "intake_days": "42", "paused_weeks": "8"}
        return {**values, "not_seen_days": NOT_SEEN[name]}

    def saved(app):
        value = query(
            app, lambda: db.session.execute(select(Setting.value).where(Setting.key == "signal.not_seen_days")).scalar()
        )
        return f"Notes by {next(n for n, v in NOT_SEEN.items() if v == value)}"

    return Edit(
        (world.admin, world.admin),
        "/admin/settings",
        post,
        saved,
        (settings_service, "save_signal_thresholds"),
        "Someone else changed these settings while you were editing",
    )


EDITS = [_family, _member, _stress, _consent, _workers, _team, _settings]


def _typed(edit: Edit, name: str, html: str) -> bool:
    """What the loser typed is still in the form it is shown."""
    data = edit.post(name)
    if "primary_worker_id" in data:
        return (
            f'value="{data["primary_worker_id"]}" selected' in html
            or f'selected value="{data["primary_worker_id"]}"' in html
        )
    if "not_seen_days" in data:
        return f'value="{data["not_seen_days"]}"' in html
    return f"Notes by {name}" in html


def _open(app, edit: Edit):
    clients, versions = [], []
    for user in edit.users:
        client = app.test_client()
        login(client, user)
        versions.append(hidden_value(client.get(edit.url).get_data(as_text=True), "version"))
        clients.append(client)
    return clients, versions


@pytest.mark.parametrize("kind", EDITS, ids=lambda kind: kind.__name__.strip("_"))
def test_a_stale_save_is_shown_both_versions_and_keeps_what_was_typed(app, world, make, kind):
    edit = kind(world, make)
    (first, second), (v1, v2) = _open(app, edit)
    assert first.post(edit.url, data={**edit.post("first"), "version": v1}).status_code == 302
    clash = second.post(edit.url, data={**edit.post("second"), "version": v2})
    html = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert edit.heading in html
    assert _typed(edit, "second", html)  # nothing typed is lost
    assert edit.saved(app) == "Notes by first"  # nothing saved is overwritten
    # Saving again, knowingly, with the version the conflict page carries, is the user's choice.
    again = second.post(edit.url, data={**edit.post("second"), "version": hidden_value(html, "version")})
    assert again.status_code == 302


@pytest.mark.parametrize("kind", EDITS, ids=lambda kind: kind.__name__.strip("_"))
def test_two_saves_at_the_same_moment_keep_one_and_show_the_other_both(app, world, make, kind, monkeypatch):
    """PostgreSQL: both pass the form's checks and enter the save together; the second waits for the first's
    row lock and then finds the version moved. SQLite: writers take turns, so the second reads the first's
    save. Either way: no 500, one save, and the other shown its text beside what is saved."""
    edit = kind(world, make)
    postgres = not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    barrier = threading.Barrier(2, timeout=10)
    module, name = edit.service
    original = getattr(module, name)

    def together(*args, **kwargs):
        if postgres:
            barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, together)
    clients, versions = _open(app, edit)
    results: list = [None, None]

    def send(n):
        label = ("first", "second")[n]
        results[n] = clients[n].post(edit.url, data={**edit.post(label), "version": versions[n]})

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    codes = [r.status_code for r in results]
    assert sorted(codes) == [302, 409], codes
    winner = ("first", "second")[codes.index(302)]
    loser = ("first", "second")[codes.index(409)]
    html = results[codes.index(409)].get_data(as_text=True)
    assert edit.heading in html and _typed(edit, loser, html)
    assert edit.saved(app) == f"Notes by {winner}"


def test_a_conflict_lists_what_is_saved_now_in_the_users_words(app, world, make):
    edit = _member(world, make)
    (first, second), (v1, v2) = _open(app, edit)
    first.post(edit.url, data={**edit.post("first"), "version": v1})
    html = second.post(edit.url, data={**edit.post("second"), "version": v2}).get_data(as_text=True)
    notice = html.split('id="conflict"')[1].split("</div>")[0]
    assert "Notes by first" in notice and "Parent" in notice  # the role's label, not its code
    assert "Notes by second" not in notice
