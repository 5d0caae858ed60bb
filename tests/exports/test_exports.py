"""The exports of a record: the access request (the whole record, for the family) and the pseudonymised
analysis: who may make them, what they hold, and that they are logged."""

from __future__ import annotations

import json
import re
from datetime import date

from sqlalchemy import select, update

from app.extensions import db
from app.models import Family, FamilyMember, MemberRole, MomentKind, MomentTag, Role, User
from tests.helpers.audit import audit_events
from tests.helpers.auth import login
from tests.helpers.db import query

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


# --- Pseudonymised export for analysis ------------------------------------------------------------

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def test_pseudonymised_export_has_no_names_case_numbers_exact_dates_or_free_text(app, client, world, make):
    family, mother, child, sister = _family_with_record(make, world)
    with app.app_context():  # a fixed start, so that the ages below are known
        db.session.execute(update(Family).where(Family.id == family.id).values(start_date=date(2025, 3, 1)))
        db.session.commit()
    login(client, world.lead_a)
    response = client.get("/overview/analysis.json")
    assert "pseudonymised" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    data = json.loads(text)
    for secret in (
        "Anouk",
        "Sem",
        "Lieke",
        "Family Alpha",
        world.family_a.case_number,
        world.family_a2.case_number,
        "Bedtime",
        "shouted",
        "Debts from",
        "Calm bedtimes",
        "Practises",
        world.worker_a.name,
    ):
        assert secret not in text, secret
    assert not ISO_DAY.search(text), ISO_DAY.search(text)
    assert len(data["families"]) == 2  # the team's two families, not team B's
    exported = next(f for f in data["families"] if f["start_month"] == "2025-03")
    ages = sorted((m["role"], m["age_at_start"]) for m in exported["members"])
    # The mother born in 1990, Sem on 4 May 2019 (his birthday still to come on 1 March), Lieke on 1 February 2015.
    assert ages == [("child", 5), ("child", 10), ("parent", 35)]
    session = next(s for s in exported["sessions"] if s["moments"])
    assert re.fullmatch(r"\d{4}-\d{2}", session["month"])
    assert {t for m in session["moments"] for t in m["tags"]} == {"responded_to_signal", "irritable"}
    # One age per member, at the start: ages per session would step up and give the birth month away.
    assert session["attendees"] and all(set(a) == {"ref", "role"} for a in session["attendees"])
    assert all("child_age" not in m for m in session["moments"])
    goal = exported["plans"][0]["goals"][0]
    assert goal["start_score"] == 3 and goal["goal"] == 1  # numbered within the family, not its stored key
    assert "Pseudonymised, not anonymised" in data["about"]


def test_the_page_before_the_download_says_what_the_file_is(client, world):
    login(client, world.lead_a)
    assert 'href="/overview/analysis"' in client.get("/overview").get_data(as_text=True)
    html = client.get("/overview/analysis").get_data(as_text=True)
    assert "Pseudonymised, not anonymised" in html and "still personal data" in html
    assert 'href="/overview/analysis.json"' in html
    dutch = client.get("/overview/analysis", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Gepseudonimiseerd, niet geanonimiseerd" in dutch


def test_each_export_gives_new_pseudonyms(app, client, world):
    login(client, world.lead_a)
    first = client.get("/overview/analysis.json").get_json()
    second = client.get("/overview/analysis.json").get_json()
    names = {f["pseudonym"] for f in first["families"]}
    assert len(names) == 2
    assert names.isdisjoint(f["pseudonym"] for f in second["families"])
    ids = {str(world.family_a.id), str(world.family_a2.id)}
    assert not any(name.removeprefix("F-") in ids for name in names)


def test_the_export_is_logged_with_every_family_it_holds(app, client, world):
    login(client, world.lead_a)
    data = client.get("/overview/analysis.json").get_json()
    (event,) = audit_events(app, action="export_analysis")
    assert event.detail == f"json, team {world.team_a.id}, 2 families"
    seen = audit_events(app, action="seen_in_export", detail="analysis json")
    assert {e.family_id for e in seen} == {world.family_a.id, world.family_a2.id}
    pseudonyms = {f["pseudonym"] for f in data["families"]}
    assert not any(p in (e.detail or "") for e in [event, *seen] for p in pseudonyms)  # the log never joins them


def test_the_demo_export_gives_nothing_away(app):
    """Over the demo organisation: no case number, no name, no exact date, no team count below 5."""
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0

    def secrets_of_the_demo():
        names = set(db.session.execute(select(FamilyMember.first_name)).scalars())
        names |= set(db.session.execute(select(Family.display_name)).scalars())
        names |= set(db.session.execute(select(User.name)).scalars())
        cases = set(db.session.execute(select(Family.case_number)).scalars())
        return names, cases, db.session.execute(select(User).where(User.role == Role.LEAD)).scalars().all()

    names, cases, leads = query(app, secrets_of_the_demo)
    assert len(leads) == 2 and names and cases
    for lead in leads:
        client = app.test_client()
        login(client, lead, password=app.config["DEMO_PASSWORD"])
        response = client.get("/overview/analysis.json")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        words = set(re.findall(r"[^\W\d_]+", text))
        for name in names:
            # A name is one or more words ("Family Bakker", "Sanne de Wit"): none of them may be in the file.
            assert not set(name.split()) - {"de", "van", "der", "den", "het"} <= words, name
        assert not any(case in text for case in cases)
        assert not ISO_DAY.search(text), ISO_DAY.search(text)
        figures = response.get_json()["team_figures"]
        assert _counts(figures) and all(n >= 5 for n in _counts(figures)), figures


def _counts(figures: dict) -> list[int]:
    """Every number in the team figures that is a count (the threshold itself aside)."""
    found = []
    for key, value in figures.items():
        if key == "threshold":
            continue
        if isinstance(value, dict):
            found += _counts(value)
        elif isinstance(value, int):
            found.append(value)
    return found
