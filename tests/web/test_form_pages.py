"""Form pages lose nothing: every form with free text keeps what was typed into a login that timed out,
and a create form sent twice saves once (app/web/form_pages.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from wtforms import TextAreaField

from app.extensions import db
from app.models import (
    CareSession,
    ConsentRecord,
    Family,
    FamilyMember,
    FamilyStatus,
    FormDraft,
    LoginSession,
    StressItem,
    SubmittedForm,
    Team,
)
from app.web.forms import KeptForm
from tests.helpers.auth import login
from tests.helpers.db import count_rows, query
from tests.helpers.form_classes import all_form_classes, unbound_fields
from tests.helpers.form_data import hidden_value, plan_form, session_form

TYPED = "Typed slowly over twenty minutes, with care."


def _expire_logins(app) -> None:
    def run():
        old = datetime.now(UTC) - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=5)
        db.session.execute(update(LoginSession).values(last_seen_at=old))
        db.session.commit()

    query(app, run)


# Each free-text form: who fills it in, its page, and what they post (TYPED in its free text).
def _family_edit(world, make):
    family = world.family_a
    data = {"display_name": "Family Alpha", "status": "active", "start_date": family.start_date.isoformat()}
    return world.worker_a, f"/families/{family.id}/edit", {**data, "context_notes": TYPED, "version": "1"}


def _family_new(world, make):
    data = {"display_name": "Family New", "status": "intake", "start_date": date.today().isoformat()}
    return world.worker_a, "/families/new", {**data, "context_notes": TYPED}


def _member_new(world, make):
    data = {"first_name": "Noor", "role": "parent", "birth_year": "1990", "notes": TYPED}
    return world.worker_a, f"/families/{world.family_a.id}/members/new", data


def _member_edit(world, make):
    member = make.member(world.family_a, first_name="Noor", birth_year=1990)
    data = {"first_name": "Noor", "role": "parent", "birth_year": "1990", "notes": TYPED, "version": "1"}
    return world.worker_a, f"/families/{world.family_a.id}/members/{member.id}/edit", data


def _stress_new(world, make):
    data = {"kind": "debts", "severity": "severe", "status": "open", "changed_on": date.today().isoformat()}
    return world.worker_a, f"/families/{world.family_a.id}/stress/new", {**data, "notes": TYPED}


def _stress_edit(world, make):
    item = make.stress_item(world.family_a)
    data = {"kind": "debts", "severity": "severe", "status": "open", "changed_on": date.today().isoformat()}
    return world.worker_a, f"/families/{world.family_a.id}/stress/{item.id}", {**data, "notes": TYPED, "version": "1"}


def _consent(world, make):
    data = {"kind": "video", "given": "yes", "given_by": "Anouk", "decided_on": date.today().isoformat()}
    return world.worker_a, f"/families/{world.family_a.id}/consent", {**data, "note": TYPED}


def _session_new(world, make):
    return world.worker_a, f"/families/{world.family_a.id}/sessions/new", session_form(summary=TYPED)


def _plan_edit(world, make):
    return world.worker_a, f"/families/{world.family_a.id}/plan/edit", plan_form(**{"goals-0-looks_like": TYPED})


def _destruction_new(world, make):
    member = make.member(world.family_a, first_name="Anouk", birth_year=1990, role="parent")
    data = {"requested_by_id": str(member.id), "received_on": date.today().isoformat(), "note": TYPED}
    return world.lead_a, f"/families/{world.family_a.id}/destruction/new", data


def _reopen(world, make):
    family = make.family(
        world.team_a, world.worker_a, status=FamilyStatus.CLOSED, end_date=date.today() - timedelta(days=30)
    )
    data = {"reason": TYPED, "start_date": date.today().isoformat(), "status": "active"}
    return world.lead_a, f"/families/{family.id}/reopen", data


FREE_TEXT_PAGES = [
    _family_edit,
    _family_new,
    _member_new,
    _member_edit,
    _stress_new,
    _stress_edit,
    _consent,
    _session_new,
    _plan_edit,
    _destruction_new,
    _reopen,
]


@pytest.mark.parametrize("page", FREE_TEXT_PAGES, ids=lambda page: page.__name__.strip("_"))
def test_what_was_typed_into_an_expired_login_comes_back_and_goes_once_saved(app, world, make, page):
    user, url, data = page(world, make)
    client = app.test_client()
    login(client, user)
    opened = client.get(url).get_data(as_text=True)
    if 'name="version"' in opened:
        data = {**data, "version": hidden_value(opened, "version")}
    _expire_logins(app)

    sent = client.post(url, data=data)
    assert sent.status_code == 302 and sent.headers["Location"].startswith("/login")
    assert count_rows(app, FormDraft) == 1

    login(client, user)
    form = client.get(url).get_data(as_text=True)
    assert TYPED in form  # in the form, to check and save
    assert "What you typed has been kept" in form
    assert TYPED in client.get(url).get_data(as_text=True)  # still there until it is saved

    saved = client.post(url, data=data)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert count_rows(app, FormDraft) == 0
    assert "What you typed has been kept" not in client.get(url).get_data(as_text=True)


def test_a_draft_older_than_a_day_is_not_offered(app, world, make):
    user, url, data = _family_edit(world, make)
    client = app.test_client()
    login(client, user)
    _expire_logins(app)
    client.post(url, data=data)
    query(
        app,
        lambda: (
            db.session.execute(update(FormDraft).values(created_at=datetime.now(UTC) - timedelta(hours=25))),
            db.session.commit(),
        ),
    )
    login(client, user)
    assert TYPED not in client.get(url).get_data(as_text=True)
    assert count_rows(app, FormDraft) == 0


def test_forms_without_free_text_and_password_forms_keep_nothing(app, world, make):
    care_session = make.care_session(world.family_a)
    client = app.test_client()
    login(client, world.worker_a)
    _expire_logins(app)
    client.post(f"/families/{world.family_a.id}/sessions/{care_session.id}/delete")
    client.post(
        "/account",
        data={"pw-current_password": "secret", "pw-new_password": "an0ther secret", "pw-submit": "1"},
    )
    assert count_rows(app, FormDraft) == 0


def test_every_form_with_a_text_area_gives_a_draft_back():
    """A form class with a long text field must be a KeptForm, or a timed-out login loses what was typed."""
    nested_only = {"GoalForm", "MomentForm", "NewStressForm", "GoalResponseForm", "PrintForm", "FinalScoreForm"}
    for form_class in all_form_classes():
        if not any(field.field_class is TextAreaField for _, field in unbound_fields(form_class)):
            continue
        if form_class.__name__ in nested_only:
            continue  # a row of a bigger form, which keeps the whole
        if form_class.__name__ == "CloseRequestForm":
            continue  # posted from the request's own page, not a form page of its own: see docs/reliability.md
        assert issubclass(form_class, KeptForm), form_class.__name__


# Once-only create forms: the same form (its one-time key) sent twice saves once.
def _one_time_key(client, url: str) -> str:
    return hidden_value(client.get(url).get_data(as_text=True), "once_key")


CREATE_FORMS = [
    (_session_new, CareSession),
    (_family_new, Family),
    (_member_new, FamilyMember),
    (_stress_new, StressItem),
    (_consent, ConsentRecord),
]


@pytest.mark.parametrize(("page", "model"), CREATE_FORMS, ids=lambda p: getattr(p, "__name__", "").strip("_"))
def test_a_create_form_sent_twice_saves_once_and_shows_what_was_saved(app, world, make, page, model):
    user, url, data = page(world, make)
    client = app.test_client()
    login(client, user)
    before = count_rows(app, model)
    form = client.get(url).get_data(as_text=True)
    data = {**data, "once_key": hidden_value(form, "once_key")}
    if "version" in form:
        data["version"] = hidden_value(form, "version")
    first = client.post(url, data=data)
    again = client.post(url, data=data)  # the back button and Send again, or a double click
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]  # led to what the first one saved
    assert count_rows(app, model) == before + 1
    shown = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "This form had already been sent, and it was saved once." in shown


def test_a_form_sent_with_errors_can_be_sent_again_once_corrected(app, world, worker_client):
    url = f"/families/{world.family_a.id}/sessions/new"
    key = _one_time_key(worker_client, url)
    wrong = worker_client.post(url, data=session_form(once_key=key, focuses=[]))
    assert wrong.status_code == 200 and "Choose at least one help focus." in wrong.get_data(as_text=True)
    assert count_rows(app, SubmittedForm) == 0
    assert worker_client.post(url, data=session_form(once_key=key)).status_code == 302
    assert count_rows(app, CareSession) == 1


def test_two_forms_opened_apart_save_two(app, world, worker_client):
    """Two visits logged one after the other each get their own key: nothing is refused that was meant."""
    url = f"/families/{world.family_a.id}/sessions/new"
    for _ in range(2):
        assert worker_client.post(url, data=session_form(once_key=_one_time_key(worker_client, url))).status_code == 302
    assert count_rows(app, CareSession) == 2


def test_a_double_click_at_the_same_moment_saves_once(app, world):
    """Two sends of one form at once, on two connections: on PostgreSQL the second waits for the first's key
    and then finds it; on SQLite they take turns. Never two teams, never a 500."""
    import threading

    clients = []
    for _ in range(2):
        client = app.test_client()
        login(client, world.admin)
        clients.append(client)
    key = _one_time_key(clients[0], "/admin/teams")
    results: list = [None, None]
    barrier = threading.Barrier(2, timeout=10)

    def send(n):
        barrier.wait()
        results[n] = clients[n].post("/admin/teams", data={"name": "Team Double", "once_key": key})

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [r.status_code for r in results] == [302, 302]
    names = query(app, lambda: db.session.execute(select(Team.name).where(Team.name == "Team Double")).scalars().all())
    assert names == ["Team Double"]


def test_a_create_form_carries_its_key_and_the_script_that_holds_its_buttons_while_sending(app, world, worker_client):
    html = worker_client.get(f"/families/{world.family_a.id}/sessions/new").get_data(as_text=True)
    assert 'name="once_key"' in html
    assert "js/forms.js" in html
