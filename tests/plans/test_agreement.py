"""The parents' agreement to a plan version: recorded per version and per goal, append-only, never inherited."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AgreementKind,
    AgreementParty,
    AuditEvent,
    Family,
    FamilyStatus,
    MemberRole,
    Plan,
    PlanAgreement,
    PlanStatus,
)
from app.models.plans import AppendOnlyError
from app.services.destruction import destroy_family
from app.services.plans import agreement_token, derive_status
from app.services.record_export import access_request_record
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import agreement_form, plan_form
from tests.helpers.routes import ROUTES


def agreement_url(family_id, kind=""):
    return f"/families/{family_id}/plan/agreement" + (f"?kind={kind}" if kind else "")


def open_form(client, family_id, kind=""):
    """The form as the browser gets it: its token and the version's goal ids."""
    html = client.get(agreement_url(family_id, kind)).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]*)"', html) or re.search(
        r'name="token"[^>]*value="([^"]*)"', html
    )
    goal_ids = re.findall(r'name="goals-\d+-goal_id" type="hidden" value="(\d+)"', html)
    return html, token.group(1).replace("&#43;", "+") if token else "", goal_ids


def record(client, family_id, kind="", **overrides):
    _, token, goal_ids = open_form(client, family_id, kind)
    data = agreement_form(goal_ids, token, **overrides)
    if kind:
        data["kind"] = kind
    return client.post(agreement_url(family_id, kind), data=data)


def plans_of(app, family_id):
    def read():
        return [
            (p.number, p.status, [(e.kind, e.name, e.agrees) for e in p.agreement_entries])
            for p in db.session.execute(select(Plan).where(Plan.family_id == family_id).order_by(Plan.number)).scalars()
        ]

    return query(app, read)


def entries_of(app, family_id):
    return query(
        app,
        lambda: (
            db.session.execute(select(PlanAgreement.id).where(PlanAgreement.family_id == family_id)).scalars().all()
        ),
    )


@pytest.fixture
def drafted(app, world, worker_client):
    """Family Alpha with version 1 of a plan, not yet discussed."""
    assert worker_client.post(f"/families/{world.family_a.id}/plan/edit", data=plan_form()).status_code == 302
    return world.family_a


def test_a_new_plan_is_not_yet_discussed_and_the_form_has_no_status_to_choose(app, drafted, worker_client):
    assert plans_of(app, drafted.id) == [(1, PlanStatus.DRAFT, [])]
    page = worker_client.get(f"/families/{drafted.id}/plan").get_data(as_text=True)
    assert "Not yet discussed" in page and "Record agreement" in page
    form = worker_client.get(f"/families/{drafted.id}/plan/edit").get_data(as_text=True)
    assert 'name="status"' not in form and 'name="discussed_on"' not in form


def test_a_parents_agreement_makes_the_version_agreed_and_is_shown(app, drafted, worker_client):
    response = record(worker_client, drafted.id, name="Maria")
    assert response.status_code == 302
    assert plans_of(app, drafted.id) == [(1, PlanStatus.AGREED, [(AgreementKind.RESPONSE, "Maria", True)])]
    page = worker_client.get(f"/families/{drafted.id}/plan").get_data(as_text=True)
    assert "Agreed with the parents" in page
    assert "A parent with parental authority agrees with this version." in page
    assert "Maria" in page and "parent with parental authority" in page and "In person" in page
    assert "recorded by Worker A" in page


def test_a_new_version_never_inherits_the_agreement(app, drafted, worker_client):
    record(worker_client, drafted.id, name="Maria")
    keys = query(app, lambda: [g.key for g in db.session.execute(select(Plan)).scalar_one().goals])
    edit = worker_client.get(f"/families/{drafted.id}/plan/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([\d.]+)"', edit).group(1)
    saved = worker_client.post(
        f"/families/{drafted.id}/plan/edit",
        data=plan_form(version=version, **{"goals-0-key": keys[0], "goals-1-key": keys[1], "goals-0-title": "New"}),
    )
    assert saved.status_code == 302
    [first, second] = plans_of(app, drafted.id)
    assert first == (1, PlanStatus.AGREED, [(AgreementKind.RESPONSE, "Maria", True)])  # kept as history
    assert second == (2, PlanStatus.DRAFT, [])
    page = worker_client.get(f"/families/{drafted.id}/plan").get_data(as_text=True)
    assert "Not yet discussed" in page and "Maria" not in page.split("All versions")[0]
    old = worker_client.get(f"/families/{drafted.id}/plan/versions/1").get_data(as_text=True)
    assert "Maria" in old and "Record agreement" not in old  # read-only history


def test_a_version_with_any_entry_is_never_edited_in_place(app, drafted, worker_client):
    record(worker_client, drafted.id, name="Jan", response="disagrees", words="Not like this")
    assert plans_of(app, drafted.id)[0][1] == PlanStatus.DISCUSSED
    edit = worker_client.get(f"/families/{drafted.id}/plan/edit").get_data(as_text=True)
    assert "Saving makes version 2" in edit
    version = re.search(r'name="version" type="hidden" value="([\d.]+)"', edit).group(1)
    worker_client.post(f"/families/{drafted.id}/plan/edit", data=plan_form(version=version))
    assert [(n, s) for n, s, _ in plans_of(app, drafted.id)] == [(1, PlanStatus.DISCUSSED), (2, PlanStatus.DRAFT)]


def test_recording_an_agreement_gives_a_stale_edit_form_the_conflict_page(app, drafted, worker_client):
    edit = worker_client.get(f"/families/{drafted.id}/plan/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([\d.]+)"', edit).group(1)
    record(worker_client, drafted.id)  # while the edit form is open
    stale = worker_client.post(f"/families/{drafted.id}/plan/edit", data=plan_form(version=version))
    assert stale.status_code == 409
    assert [(n, s) for n, s, _ in plans_of(app, drafted.id)] == [(1, PlanStatus.AGREED)]


def test_an_agreement_form_opened_before_the_plan_changed_is_refused(app, drafted, worker_client):
    _, token, goal_ids = open_form(worker_client, drafted.id)
    edit = worker_client.get(f"/families/{drafted.id}/plan/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([\d.]+)"', edit).group(1)
    worker_client.post(f"/families/{drafted.id}/plan/edit", data=plan_form(version=version, **{"goals-0-title": "X"}))
    stale = worker_client.post(agreement_url(drafted.id), data=agreement_form(goal_ids, token))
    assert stale.status_code == 409
    assert "Nothing has been recorded: the plan or its agreement changed while this form was open" in stale.get_data(
        as_text=True
    )
    assert entries_of(app, drafted.id) == []


@pytest.mark.parametrize(
    ("entries", "status"),
    [
        ([], PlanStatus.DRAFT),
        ([("response", "parent", False)], PlanStatus.DISCUSSED),
        ([("response", "youth", True)], PlanStatus.DISCUSSED),
        ([("response", "foster", True)], PlanStatus.DISCUSSED),
        ([("response", "parent", False), ("response", "parent", True)], PlanStatus.AGREED),
        ([("no_parent", None, None)], PlanStatus.NO_PARENT),
        ([("no_parent", None, None), ("response", "parent", True)], PlanStatus.AGREED),
        ([("legacy", None, None)], PlanStatus.AGREED),
    ],
)
def test_status_is_derived_from_the_entries(entries, status):
    made = [
        PlanAgreement(kind=AgreementKind(kind), party=AgreementParty(party) if party else None, agrees=agrees)
        for kind, party, agrees in entries
    ]
    assert derive_status(made) == status


def test_a_disagreement_on_a_goal_needs_their_words_and_is_shown(app, drafted, worker_client):
    missing = record(worker_client, drafted.id, name="Jan", way="phone", **{"goals-1-response": "disagrees"})
    assert missing.status_code == 200
    assert "Write down, in their own words, what they disagree with." in missing.get_data(as_text=True)
    assert entries_of(app, drafted.id) == []
    saved = record(
        worker_client,
        drafted.id,
        name="Jan",
        way="phone",
        **{"goals-1-response": "disagrees", "goals-1-words": "The debts are my business."},
    )
    assert saved.status_code == 302
    page = worker_client.get(f"/families/{drafted.id}/plan").get_data(as_text=True)
    assert "Disagrees with goal 2, A plan for the debts" in page and "The debts are my business." in page
    assert "By phone" in page


def test_agreed_without_a_parent_needs_a_reason_and_says_so(app, drafted, worker_client):
    html = record(worker_client, drafted.id, kind="no_parent").get_data(as_text=True)
    assert "Choose why." in html
    assert (
        record(
            worker_client, drafted.id, kind="no_parent", reason="unreachable", reason_text="Three calls, no answer."
        ).status_code
        == 302
    )
    assert plans_of(app, drafted.id)[0][1] == PlanStatus.NO_PARENT
    page = worker_client.get(f"/families/{drafted.id}/plan").get_data(as_text=True)
    assert "Agreed without a parent&#39;s agreement" in page
    assert "a parent could not be reached" in page and "Three calls, no answer." in page
    assert query(app, lambda: db.session.execute(select(Plan.discussed_on)).scalar_one()) is None  # nobody discussed


def test_the_date_is_not_in_the_future_nor_before_the_version(app, drafted, worker_client):
    tomorrow = record(worker_client, drafted.id, agreed_on=(date.today() + timedelta(days=1)).isoformat())
    assert "This date lies in the future." in tomorrow.get_data(as_text=True)
    before = record(worker_client, drafted.id, agreed_on=(date.today() - timedelta(days=3)).isoformat())
    assert "the date cannot be before that" in before.get_data(as_text=True)
    assert entries_of(app, drafted.id) == []


def test_a_chosen_member_is_linked_and_named(app, drafted, worker_client, make):
    mother = make.member(drafted, first_name="Maria", role=MemberRole.PARENT, birth_year=1990)
    html, _, _ = open_form(worker_client, drafted.id)
    assert "Maria (parent)" in html
    record(worker_client, drafted.id, member=str(mother.id), name="")
    assert query(app, lambda: db.session.execute(select(PlanAgreement.member_id, PlanAgreement.name)).one()) == (
        mother.id,
        "Maria",
    )


def test_youth_of_12_not_asked_is_named_and_from_16_the_form_warns(app, drafted, worker_client, make):
    today = date.today()
    make.member(drafted, first_name="Sem", birth_date=today.replace(year=today.year - 13) - timedelta(days=1))
    finn = make.member(drafted, first_name="Finn", birth_date=today.replace(year=today.year - 17) - timedelta(days=1))
    make.member(drafted, first_name="Lotte", birth_year=today.year - 8)
    page = worker_client.get(f"/families/{drafted.id}/plan").get_data(as_text=True)
    assert "Sem is 12 or older and has not been asked." in page
    assert "Finn is 12 or older and has not been asked." in page
    assert "Lotte is 12" not in page
    form, _, _ = open_form(worker_client, drafted.id)
    assert "Finn is 16 or older and has not been asked about this plan." in form and "Sem is 16" not in form
    saved = record(worker_client, drafted.id, name="Maria")  # a warning, not a block
    assert saved.status_code == 302
    assert "Finn is 16 or older" in worker_client.get(saved.location).get_data(as_text=True)
    record(worker_client, drafted.id, member=str(finn.id), name="", party="youth")
    page = worker_client.get(f"/families/{drafted.id}/plan").get_data(as_text=True)
    assert "Finn is 12 or older" not in page and "Sem is 12 or older and has not been asked." in page


def test_a_closed_family_takes_no_agreement(app, drafted, worker_client):
    with app.app_context():
        db.session.get(Family, drafted.id).status = FamilyStatus.CLOSED
        db.session.commit()
    assert worker_client.get(agreement_url(drafted.id)).status_code == 302  # the form does not open
    plan = query(app, lambda: db.session.execute(select(Plan)).scalar_one())
    token = query(app, lambda: agreement_token(db.session.get(Plan, plan.id)))
    goal_ids = query(app, lambda: [str(g.id) for g in db.session.get(Plan, plan.id).goals])
    # One opened before the close and sent after it: nothing recorded, what was typed shown again.
    response = worker_client.post(agreement_url(drafted.id), data=agreement_form(goal_ids, token, name="Maria"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The help for this family has ended. A team lead can reopen it." in page and 'value="Maria"' in page
    assert entries_of(app, drafted.id) == []
    assert "Record agreement" not in worker_client.get(f"/families/{drafted.id}/plan").get_data(as_text=True)


def test_every_entry_is_in_the_access_log_naming_the_family(app, drafted, worker_client):
    record(worker_client, drafted.id)
    [entry_id] = entries_of(app, drafted.id)
    [event] = query(
        app,
        lambda: db.session.execute(
            select(AuditEvent.family_id, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.detail).where(
                AuditEvent.action == "record_plan_agreement"
            )
        ).all(),
    )
    assert event == (drafted.id, "PlanAgreement", entry_id, "version 1, response, agrees")


def test_entries_are_append_only(app, drafted, worker_client):
    """No route changes or deletes an entry: the one route takes new entries only."""
    agreement_rules = [r for r in app.url_map.iter_rules() if "agreement" in r.rule]
    assert [(r.rule, sorted(r.methods - {"HEAD", "OPTIONS"})) for r in agreement_rules] == [
        ("/families/<int:family_id>/plan/agreement", ["GET", "POST"])
    ]
    record(worker_client, drafted.id, name="Maria")
    record(worker_client, drafted.id, name="Jan", response="disagrees", words="No")
    assert [e[1] for e in plans_of(app, drafted.id)[0][2]] == ["Maria", "Jan"]  # the first stays as it was
    assert "plans.agreement" in ROUTES


def test_entries_are_destroyed_with_the_family(app, drafted, worker_client, world):
    record(worker_client, drafted.id, **{"goals-0-response": "disagrees", "goals-0-words": "No"})
    assert entries_of(app, drafted.id)
    with app.app_context():
        destroy_family(db.session.get(Family, drafted.id), actor="ops@example.org", reason="test")
        db.session.commit()
    assert entries_of(app, drafted.id) == []
    assert query(app, lambda: db.session.execute(select(PlanAgreement)).all()) == []


def test_another_teams_worker_gets_404_on_the_agreement_form(app, drafted, world):
    other = app.test_client()
    login(other, world.worker_b)
    assert other.get(agreement_url(drafted.id)).status_code == 404
    assert other.post(agreement_url(drafted.id), data=agreement_form()).status_code == 404
    assert entries_of(app, drafted.id) == []


def test_the_access_request_record_holds_the_agreement(app, drafted, worker_client):
    record(worker_client, drafted.id, name="Jan", **{"goals-1-response": "disagrees", "goals-1-words": "Not now."})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        exported = access_request_record(db.session.get(Family, drafted.id), set(), "test")
    [entry] = exported["plans"][0]["agreement"]
    assert (entry["name"], entry["party"], entry["way"], entry["agrees"]) == ("Jan", "parent", "in_person", True)
    assert [(g["goal_title"], g["agrees"], g["words"]) for g in entry["goals"]] == [
        ("Bedtime is calm", True, ""),
        ("A plan for the debts", False, "Not now."),
    ]


def test_opening_the_agreement_form_is_in_the_access_log(app, drafted, worker_client):
    def views():
        return db.session.execute(
            select(AuditEvent.detail).where(AuditEvent.family_id == drafted.id, AuditEvent.action == "view")
        ).all()

    before = len(query(app, views))
    worker_client.get(agreement_url(drafted.id))
    after = query(app, views)
    assert len(after) == before + 1, after


def test_the_app_cannot_change_or_delete_an_entry(app, drafted, worker_client):
    record(worker_client, drafted.id, name="Maria")
    with app.app_context():
        entry = db.session.execute(select(PlanAgreement)).scalar_one()
        entry.name = "Someone else"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.execute(select(PlanAgreement)).scalar_one())
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
    assert plans_of(app, drafted.id)[0][2] == [(AgreementKind.RESPONSE, "Maria", True)]


def test_a_member_of_another_family_cannot_be_named(app, drafted, worker_client, make, world):
    stranger = make.member(world.family_b, first_name="Stranger", role=MemberRole.PARENT, birth_year=1980)
    html = record(worker_client, drafted.id, member=str(stranger.id), name="").get_data(as_text=True)
    assert "Choose who it is, or type their name." in html
    assert entries_of(app, drafted.id) == []


def test_a_form_sent_twice_records_one_entry(app, drafted, worker_client):
    """A double click or a reload: entries cannot be taken back, so the second send is shown, not stored."""
    _, token, goal_ids = open_form(worker_client, drafted.id)
    first = worker_client.post(agreement_url(drafted.id), data=agreement_form(goal_ids, token))
    again = worker_client.post(agreement_url(drafted.id), data=agreement_form(goal_ids, token))
    assert (first.status_code, again.status_code) == (302, 409)
    page = again.get_data(as_text=True)
    assert "Nothing has been recorded" in page and "Recorded now for version 1:" in page and "Anouk (agrees" in page
    assert len(entries_of(app, drafted.id)) == 1


def test_two_colleagues_recording_at_once_store_one_and_show_the_other_again(app, drafted, world, monkeypatch):
    """PostgreSQL: both pass the token check, the second waits for the first's hold on the family row and then
    finds the plan moved.
    SQLite: writers take turns, so the second already sees the first's entry. Either way no 500, one entry
    stored and one form shown again with what was typed."""
    import threading

    from app.services import plans as plans_service

    postgres = not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    barrier = threading.Barrier(2, timeout=10)
    record_agreement = plans_service.record_agreement

    def both_checked(*args):
        if postgres:
            barrier.wait()  # both have passed the token check: now both write
        return record_agreement(*args)

    monkeypatch.setattr(plans_service, "record_agreement", both_checked)
    clients = []
    for user in (world.worker_a, world.lead_a):
        client = app.test_client()
        login(client, user)
        clients.append(client)
    forms = [open_form(client, drafted.id) for client in clients]
    results: list = [None, None]

    def send(n):
        _, token, goal_ids = forms[n]
        name = ("Maria", "Jan")[n]
        results[n] = clients[n].post(agreement_url(drafted.id), data=agreement_form(goal_ids, token, name=name))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r.status_code for r in results) == [302, 409]
    shown_again = next(r for r in results if r.status_code == 409).get_data(as_text=True)
    assert "Nothing has been recorded" in shown_again
    assert len(entries_of(app, drafted.id)) == 1
    actions = query(
        app,
        lambda: (
            db.session.execute(select(AuditEvent.action).where(AuditEvent.action == "record_plan_agreement"))
            .scalars()
            .all()
        ),
    )
    assert actions == ["record_plan_agreement"]


def test_a_parent_who_agreed_and_then_disagreed_disagrees_now(app, drafted, worker_client):
    assert record(worker_client, drafted.id, name="Anouk").status_code == 302
    assert plans_of(app, drafted.id)[0][1] == PlanStatus.AGREED
    later = record(worker_client, drafted.id, name="Anouk", response="disagrees", words="Ik wil het toch anders.")
    assert later.status_code == 302
    [(_, status, entries)] = plans_of(app, drafted.id)
    assert status == PlanStatus.DISCUSSED  # her latest word counts; the earlier one stays as history
    assert [agrees for _, _, agrees in entries] == [True, False]


@pytest.mark.parametrize(
    ("role", "birth_year", "party", "message"),
    [
        (MemberRole.CHILD, 2022, "parent", "This is a child of the family"),
        (MemberRole.CHILD, date.today().year - 8, "youth", "This child is younger than 12"),
        (MemberRole.PARENT, 1990, "youth", "This is a parent or caregiver, not a child of the family."),
    ],
)
def test_the_part_chosen_must_fit_the_person(app, drafted, worker_client, make, role, birth_year, party, message):
    person = make.member(drafted, first_name="Sam", role=role, birth_year=birth_year)
    response = record(worker_client, drafted.id, member=str(person.id), name="", party=party)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert entries_of(app, drafted.id) == []


def test_a_form_shown_again_keeps_what_was_typed_for_each_goal(app, drafted, worker_client):
    _, token, goal_ids = open_form(worker_client, drafted.id)
    record(worker_client, drafted.id, name="Maria")  # a colleague, meanwhile
    typed = agreement_form(
        goal_ids, token, name="Jan", **{"goals-1-response": "disagrees", "goals-1-words": "Te veel na het werk."}
    )
    again = worker_client.post(agreement_url(drafted.id), data=typed)
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "Te veel na het werk." in html and 'value="Jan"' in html
    assert re.search(
        r'name="goals-1-response"[^>]*value="disagrees"[^>]*checked|checked[^>]*name="goals-1-response"[^>]*value="disagrees"',
        html,
    )


def test_a_plan_without_goals_takes_no_agreement(app, world, worker_client, make):
    make.plan(world.family_a, goals=(), status=PlanStatus.DRAFT)
    response = worker_client.get(agreement_url(world.family_a.id))
    assert response.status_code == 302
    assert "Add at least one goal" in worker_client.get(response.location).get_data(as_text=True)
