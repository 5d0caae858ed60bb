"""The access log pages: who sees them, what they hold, and that reading them is logged."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook

from app.models import Role
from tests.helpers.audit import audit_events
from tests.helpers.auth import login
from tests.helpers.form_data import opened

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
    assert audit_events(app, action="view_access_log", family_id=world.family_a.id)[0].outcome == "ok"
    assert f'href="/families/{world.family_a.id}/access-log"' in client.get(f"/families/{world.family_a.id}").get_data(
        as_text=True
    )


def test_a_care_worker_trying_a_lead_page_is_in_the_family_log(app, client, world):
    """A page of the record's lead (assigning workers) refused to a care worker still names the family."""
    worker = app.test_client()
    login(worker, world.worker_a)
    assert worker.get(f"/families/{world.family_a.id}/workers").status_code == 404
    refused = [e for e in audit_events(app, family_id=world.family_a.id) if e.outcome == "refused"]
    assert [(e.action, e.user_id, e.detail) for e in refused] == [("open_page", world.worker_a.id, "assign_workers")]
    login(client, world.lead_a)
    html = client.get(f"/families/{world.family_a.id}/access-log").get_data(as_text=True)
    assert world.worker_a.email in html


def test_every_refusal_at_the_door_of_a_family_page_names_the_family(app, client, world, make, monkeypatch):
    """Wrong role (an administrator, a care worker on a lead's page), no second factor, another team's
    family: each refusal carries the family id from the URL, so the family's own log shows the attempt."""
    family = world.family_a
    admin = app.test_client()
    login(admin, world.admin)
    assert admin.get(f"/families/{family.id}").status_code == 404
    assert admin.get(f"/families/{family.id}/access-request/export").status_code == 404
    worker = app.test_client()
    login(worker, world.worker_a)
    assert worker.get(f"/families/{family.id}/access-log").status_code == 404
    outsider = app.test_client()
    login(outsider, world.lead_b)
    assert outsider.get(f"/families/{family.id}/workers").status_code == 404
    # The confirmation of a destruction needs a second factor: a lead who logged in without one is refused.
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("admin",))
    lead = make.user(Role.LEAD, world.team_a, two_factor=False)
    request = make.destruction_request(family, make.member(family))
    no_code = app.test_client()
    login(no_code, lead)
    assert no_code.post(f"/families/{family.id}/destruction/{request.id}/confirm").status_code == 302

    refusals = {(e.user_id, e.action, e.detail) for e in audit_events(app, family_id=family.id, outcome="refused")}
    assert refusals == {
        (world.admin.id, "open_page", "detail"),
        (world.admin.id, "open_page", "access_request_download"),
        (world.worker_a.id, "open_page", "family_log"),
        (world.lead_b.id, "view", None),
        (lead.id, "open_page", "confirm: no second factor"),
    }
    login(client, world.lead_a)
    html = client.get(f"/families/{family.id}/access-log").get_data(as_text=True)
    assert all(user.email in html for user in (world.admin, world.worker_a, world.lead_b, lead))


def test_the_access_log_is_for_the_lead_of_the_family_only(app, client, world):
    login(client, world.worker_a)
    assert client.get(f"/families/{world.family_a.id}/access-log").status_code == 404
    assert "access-log" not in client.get(f"/families/{world.family_a.id}").get_data(as_text=True)
    lead_b = app.test_client()
    login(lead_b, world.lead_b)
    assert lead_b.get(f"/families/{world.family_a.id}/access-log").status_code == 404
    assert audit_events(app, action="view_access_log", family_id=world.family_a.id)[0].outcome == "refused"


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
    searches = audit_events(app, action="search_log")
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
    export = audit_events(app, action="export_log")
    assert len(export) == 1 and "csv" in export[0].detail


def test_admin_exports_the_log_as_excel_with_times_as_times(app, client, world, make):
    make.user(Role.WORKER, world.team_a, email="=cmd@example.org")
    app.test_client().post("/login", data={"email": "=cmd@example.org", "password": "wrong"})
    login(client, world.admin)
    response = client.get("/admin/log/export.xlsx?action=login", headers={"Accept-Language": "nl"})
    assert response.headers["Content-Disposition"].endswith(f'attune-access-log-{date.today().isoformat()}.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 11 and rows[0][0] != "Time (UTC)"  # the header in the user's language
    evil = [row for row in rows[1:] if row[1] == "=cmd@example.org"]
    assert len(evil) == 1 and isinstance(evil[0][0], datetime)
    assert sheet.cell(2, 1).number_format == "yyyy-mm-dd hh:mm:ss"
    export = audit_events(app, action="export_log")
    assert len(export) == 1 and export[0].detail.startswith("xlsx")


def test_the_log_needs_a_second_factor(app, client, make, monkeypatch):
    # An administrator whose role does not require two-step (a configuration choice) and who
    # has not set it up logs in with the password alone: the log stays closed.
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("lead",))
    admin = make.user(Role.ADMIN, two_factor=False)
    login(client, admin)
    for url in ("/admin/log", "/admin/log/export.csv", "/admin/log/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and "/account/two-factor/setup" in response.headers["Location"]
    refused = audit_events(app, action="open_page", outcome="refused")
    assert refused and "second factor" in refused[-1].detail
    assert not audit_events(app, action="export_log")


def test_the_admin_sees_events_actors_and_references_but_no_case_facts(app, client, world, make):
    """Consent given, members withheld from an export, the closure type: in the family's own log for its
    lead, never in the administrator's log view or its CSV."""
    family = world.family_a
    sibling = make.member(family, first_name="Sibling")
    worker = app.test_client()
    login(worker, world.worker_a)
    today = date.today().isoformat()
    consent = {"kind": "video", "given": "yes", "given_by": "Mother", "decided_on": today}
    consent["version"] = opened(worker, f"/families/{family.id}/consent")
    assert worker.post(f"/families/{family.id}/consent", data=consent).status_code == 302
    lead = app.test_client()
    login(lead, world.lead_a)
    assert lead.get(f"/families/{family.id}/access-request/export?format=json&withhold={sibling.id}").status_code == 200
    closing = {"closure_type": "early", "early_reason": "moved", "early_reason_text": "Moved away."}
    closing |= {"end_date": today, "period": "1"}
    assert worker.post(f"/families/{family.id}/close", data=closing).status_code == 302
    case_facts = ("given=True", "withheld members", "early")

    own_log = lead.get(f"/families/{family.id}/access-log").get_data(as_text=True)
    assert all(fact in own_log for fact in case_facts)

    login(client, world.admin)
    html = client.get(f"/admin/log?case={family.case_number}").get_data(as_text=True)
    for event in ("Recorded consent", "Exported the record (access request)", "Closed the help"):
        assert event in html, event
    assert world.worker_a.email in html and world.lead_a.email in html and family.case_number in html
    assert not any(fact in html for fact in case_facts)
    exported = client.get(f"/admin/log/export.csv?case={family.case_number}").get_data(as_text=True)
    assert "record_consent" in exported and not any(fact in exported for fact in case_facts)
    # What is not about a family keeps its detail: here the administrator's own search of the log.
    searches = client.get("/admin/log?action=search_log").get_data(as_text=True)
    assert f"case={family.case_number}" in searches
