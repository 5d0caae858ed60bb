"""The exports of a record: the access request (the whole record, for the family) and the de-identified
analysis: who may make them, what they hold, and that they are logged."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select, update

from app.extensions import db
from app.models import Family, MemberRole, MomentKind, MomentTag
from tests.helpers.audit import audit_events
from tests.helpers.auth import login

# --- Access request ------------------------------------------------------------------------------


def _family_with_record(make, world):
    family = world.family_a
    mother = make.member(family, first_name="Anouk", role=MemberRole.PARENT, birth_year=1990)
    child = make.member(family, first_name="Sem", birth_date=date(2019, 5, 4), birth_year=2019)
    sister = make.member(family, first_name="Lieke", birth_date=date(2015, 2, 1), birth_year=2015)
    shared = make.care_session(
        family,
        summary="Bedtime went better; Lieke helped with the story.",
        moments=[
            (MomentKind.POSITIVE, "Anouk comforted Sem after the fall", [MomentTag.RESPONDED_TO_SIGNAL]),
            (MomentKind.DIFFICULT, "Lieke shouted at the table", [MomentTag.IRRITABLE]),
        ],
    )
    only_sister = make.care_session(family, summary="Talk with the big sister alone about school.")
    with make.app.app_context():
        from app.models import CareSession, FamilyMember, Moment

        s = db.session.get(CareSession, shared.id)
        s.attendees = [db.session.get(FamilyMember, i) for i in (mother.id, child.id, sister.id)]
        s.moments[1].child_id = sister.id
        s.moments[0].child_id = child.id
        db.session.get(CareSession, only_sister.id).attendees = [db.session.get(FamilyMember, sister.id)]
        db.session.commit()
        assert db.session.execute(select(Moment.id)).all()
    make.stress_item(family, notes="Debts from the old house")
    make.consent(family)
    make.plan(family, goals=(("Calm bedtimes", 3, 8),))
    return family, mother, child, sister


def test_access_request_json_holds_the_whole_record(app, client, world, make):
    family, mother, child, sister = _family_with_record(make, world)
    login(client, world.lead_a)
    page = client.get(f"/families/{family.id}/access-request").get_data(as_text=True)
    assert "Withhold what concerns this person" in page and "Lieke" in page
    response = client.get(f"/families/{family.id}/access-request/export?format=json")
    record = json.loads(response.get_data(as_text=True))
    assert record["family"]["case_number"] == family.case_number
    assert {m["first_name"] for m in record["members"]} == {"Anouk", "Sem", "Lieke"}
    assert len(record["sessions"]) == 2 and record["information_withheld"] is False
    notes = [m["description"] for s in record["sessions"] for m in s["moments"]]
    assert "Lieke shouted at the table" in notes
    assert record["family_stress"][0]["notes"] == "Debts from the old house"
    assert record["consent"][0]["given"] is True
    assert record["plans"][0]["goals"][0]["title"] == "Calm bedtimes"
    assert record["plans"][0]["goals"][0]["agreements"][0]["what"]
    (event,) = audit_events(app, action="export_record")
    assert event.family_id == family.id and event.detail.startswith("json") and "withheld members: none" in event.detail


def test_access_request_withholds_a_sibling(app, client, world, make):
    family, mother, child, sister = _family_with_record(make, world)
    login(client, world.lead_a)
    response = client.get(f"/families/{family.id}/access-request/export?format=json&withhold={sister.id}")
    text = response.get_data(as_text=True)
    record = json.loads(text)
    assert "Lieke" not in text and "shouted" not in text and "big sister alone" not in text
    assert {m["first_name"] for m in record["members"]} == {"Anouk", "Sem"}
    assert len(record["sessions"]) == 1  # the session with only the sister is left out
    assert record["sessions"][0]["summary"] == "Bedtime went better; […] helped with the story."
    assert record["information_withheld"] is True
    (event,) = audit_events(app, action="export_record")
    assert f"withheld members: {sister.id}" in event.detail


def test_access_request_pdf(app, client, world, make, monkeypatch):
    from app.plans import printing

    family, mother, child, sister = _family_with_record(make, world)
    pages = []
    real_render = printing.render_pdf
    monkeypatch.setattr(printing, "render_pdf", lambda html: pages.append(html) or real_render(html))
    login(client, world.lead_a)
    response = client.get(f"/families/{family.id}/access-request/export?format=pdf&lang=en&withhold={sister.id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    (html,) = pages
    assert "Anouk comforted Sem after the fall" in html and "Calm bedtimes" in html and "Debts from" in html
    assert "Lieke" not in html and "shouted" not in html
    assert "Some information has been left out." in html
    (event,) = audit_events(app, action="export_record")
    assert event.detail.startswith("pdf, en")


def test_access_request_is_for_the_lead_of_the_team_only(app, client, world):
    login(client, world.lead_b)
    assert client.get(f"/families/{world.family_a.id}/access-request").status_code == 404
    assert client.get(f"/families/{world.family_a.id}/access-request/export?format=json").status_code == 404
    worker = app.test_client()
    login(worker, world.worker_a)
    assert worker.get(f"/families/{world.family_a.id}/access-request/export?format=json").status_code == 404
    assert not audit_events(app, action="export_record", outcome="ok")


# --- De-identified export -------------------------------------------------------------------------


def test_deidentified_export_has_no_names_birth_dates_or_free_text(app, client, world, make):
    family, mother, child, sister = _family_with_record(make, world)
    with app.app_context():  # a fixed start, so that the ages below are known
        db.session.execute(update(Family).where(Family.id == family.id).values(start_date=date(2025, 3, 1)))
        db.session.commit()
    login(client, world.lead_a)
    text = client.get("/overview/analysis.json").get_data(as_text=True)
    data = json.loads(text)
    for secret in (
        "Anouk",
        "Sem",
        "Lieke",
        "Family Alpha",
        "2019-05-04",
        "2015-02-01",
        "Bedtime",
        "shouted",
        "Debts from",
        "Calm bedtimes",
        "Practises",
        world.worker_a.name,
    ):
        assert secret not in text, secret
    cases = {f["case_number"]: f for f in data["families"]}
    assert set(cases) == {world.family_a.case_number, world.family_a2.case_number}  # the team, not team B
    exported = cases[family.case_number]
    ages = sorted((m["role"], m["age_at_start"]) for m in exported["members"])
    # The mother born in 1990, Sem on 4 May 2019 (his birthday still to come on 1 March), Lieke on 1 February 2015.
    assert ages == [("child", 5), ("child", 10), ("parent", 35)]
    session = next(s for s in exported["sessions"] if s["moments"])
    assert {t for m in session["moments"] for t in m["tags"]} == {"responded_to_signal", "irritable"}
    assert all(isinstance(a["age"], int) for a in session["attendees"])
    assert exported["plans"][0]["goals"][0]["start_score"] == 3
    (event,) = audit_events(app, action="export_analysis")
    assert "2 families" in event.detail


def test_the_analysis_export_logs_each_family_it_holds(app, client, world):
    login(client, world.lead_a)
    assert client.get("/overview/analysis.json").status_code == 200
    seen = {e.family_id for e in audit_events(app, action="seen_in_export", detail="analysis json")}
    assert seen == {world.family_a.id, world.family_a2.id}
