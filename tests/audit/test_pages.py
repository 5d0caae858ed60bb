"""The access log pages and the exports: who sees them, what they hold, and that they are logged."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, MemberRole, MomentKind, MomentTag, Role
from tests.conftest import login, query


def _events(app, **where):
    def run():
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, name) == value)
        rows = db.session.execute(stmt).scalars().all()
        db.session.expunge_all()
        return rows

    return query(app, run)


# --- Who has seen this family ---------------------------------------------------------------------


def test_lead_sees_who_looked_at_the_family_newest_first(app, client, world):
    worker = app.test_client()
    login(worker, world.worker_a)
    worker.get(f"/families/{world.family_a.id}")
    outsider = app.test_client()
    login(outsider, world.worker_b)
    outsider.get(f"/families/{world.family_a.id}")
    login(client, world.lead_a)
    response = client.get(f"/families/{world.family_a.id}/access-log")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert world.worker_a.email in html and world.worker_b.email in html
    assert "refused" in html and "Care worker" in html
    # Newest first: the lead's own opening of this page heads the list, and is logged itself.
    assert html.index("Opened the access log") < html.index(world.worker_b.email) < html.index(world.worker_a.email)
    assert _events(app, action="view_access_log", family_id=world.family_a.id)[0].outcome == "ok"
    assert f'href="/families/{world.family_a.id}/access-log"' in client.get(f"/families/{world.family_a.id}").get_data(
        as_text=True
    )


def test_the_access_log_is_for_the_lead_of_the_family_only(app, client, world):
    login(client, world.worker_a)
    assert client.get(f"/families/{world.family_a.id}/access-log").status_code == 404
    assert "access-log" not in client.get(f"/families/{world.family_a.id}").get_data(as_text=True)
    lead_b = app.test_client()
    login(lead_b, world.lead_b)
    assert lead_b.get(f"/families/{world.family_a.id}/access-log").status_code == 404
    assert _events(app, action="view_access_log", family_id=world.family_a.id)[0].outcome == "refused"


def test_the_access_log_is_paged(app, client, world):
    app.config["AUDIT_LOG_PER_PAGE"] = 3
    try:
        login(client, world.lead_a)
        for _ in range(4):
            client.get(f"/families/{world.family_a.id}")
        url = f"/families/{world.family_a.id}/access-log"
        html = client.get(f"{url}?page=2").get_data(as_text=True)
        assert f'<a class="page-link" aria-current="page" href="{url}?page=2">2</a>' in html
        assert f'<a class="page-link" href="{url}?page=1">Newer</a>' in html and "Older" not in html
        # A page past the end shows the last one, a page before the start the first.
        past_the_end = client.get(f"{url}?page=99").get_data(as_text=True)
        assert f'aria-current="page" href="{url}?page=2"' in past_the_end
        first = client.get(f"{url}?page=0").get_data(as_text=True)
        assert f'aria-current="page" href="{url}?page=1"' in first and f'href="{url}?page=2">Older</a>' in first
    finally:
        app.config["AUDIT_LOG_PER_PAGE"] = 50


# --- The administrator's search -------------------------------------------------------------------


def test_admin_searches_the_log_by_case_number_user_action_and_outcome(app, client, world):
    other = app.test_client()
    login(other, world.worker_a)
    other.get(f"/families/{world.family_a.id}")
    other.get(f"/families/{world.family_b.id}")  # refused
    login(client, world.admin)
    html = client.get(f"/admin/log?case={world.family_a.case_number}").get_data(as_text=True)
    assert world.family_a.case_number in html and world.family_b.case_number not in html
    assert "Family Alpha" not in html  # case numbers, never names
    html = client.get(f"/admin/log?outcome=refused&user={world.worker_a.email.upper()}").get_data(as_text=True)
    assert "1 entry" in html and world.family_b.case_number in html
    today = date.today().isoformat()
    assert "0 entries" in client.get("/admin/log?from=2001-01-01&to=2001-12-31").get_data(as_text=True)
    assert "0 entries" not in client.get(f"/admin/log?from={today}&to={today}").get_data(as_text=True)
    searches = _events(app, action="search_log")
    assert searches and searches[0].user_id == world.admin.id


def test_admin_exports_the_log_as_csv_with_formulas_neutralised(app, client, world, make):
    make.user(Role.WORKER, world.team_a, email="=cmd@example.org")
    evil = app.test_client()
    evil.post("/login", data={"email": "=cmd@example.org", "password": "wrong"})
    login(client, world.admin)
    response = client.get("/admin/log/export.csv?action=login")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Time (UTC)"
    assert [r[1] for r in rows[1:] if "cmd" in r[1]] == ["'=cmd@example.org"]
    export = _events(app, action="export_log")
    assert len(export) == 1 and "csv" in export[0].detail


def test_the_log_needs_a_second_factor(app, client, make, monkeypatch):
    # An administrator whose role does not require two-step (a configuration choice) and who
    # has not set it up logs in with the password alone: the log stays closed.
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("lead",))
    admin = make.user(Role.ADMIN, two_factor=False)
    login(client, admin)
    for url in ("/admin/log", "/admin/log/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/account/two-factor/setup" in response.headers["Location"]
    refused = _events(app, action="open_page", outcome="refused")
    assert refused and "second factor" in refused[-1].detail
    assert not _events(app, action="export_log")


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
    (event,) = _events(app, action="export_record")
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
    (event,) = _events(app, action="export_record")
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
    (event,) = _events(app, action="export_record")
    assert event.detail.startswith("pdf, en")


def test_access_request_is_for_the_lead_of_the_team_only(app, client, world):
    login(client, world.lead_b)
    assert client.get(f"/families/{world.family_a.id}/access-request").status_code == 404
    assert client.get(f"/families/{world.family_a.id}/access-request/export?format=json").status_code == 404
    worker = app.test_client()
    login(worker, world.worker_a)
    assert worker.get(f"/families/{world.family_a.id}/access-request/export?format=json").status_code == 404
    assert not _events(app, action="export_record", outcome="ok")


# --- De-identified export -------------------------------------------------------------------------


def test_deidentified_export_has_no_names_birth_dates_or_free_text(app, client, world, make):
    family, mother, child, sister = _family_with_record(make, world)
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
    ages = {m["role"]: m["age_at_start"] for m in exported["members"] if m["role"] == "parent"}
    assert ages == {"parent": mother.age_on(family.start_date)}
    session = next(s for s in exported["sessions"] if s["moments"])
    assert {t for m in session["moments"] for t in m["tags"]} == {"responded_to_signal", "irritable"}
    assert all(isinstance(a["age"], int) for a in session["attendees"])
    assert exported["plans"][0]["goals"][0]["start_score"] == 3
    (event,) = _events(app, action="export_analysis")
    assert "2 families" in event.detail
