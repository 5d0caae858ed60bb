"""Every read, change, print and export of family data leaves one access-log row (NEN 7513).

Walks every family-scoped GET route of the access table, and a representative set of changes:
the right family, action and outcome, in the same transaction as the change.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Family
from app.web.xlsx import MIMETYPE as XLSX
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import hidden_value
from tests.helpers.routes import ROUTES, url_for_family
from tests.helpers.routes import access_world as access_world  # noqa: F401 (a fixture)

# The action a route logs besides (or instead of) the plain "view" of the family.
EXPECTED_ACTION = {
    "plans.print_page": "print_plan",
    "plans.print_pdf": "download_plan",
    "access_log.family_log": "view_access_log",
    "exports.access_request_download": "export_record",
    "destruction.new": "destruction_request",
    "destruction.show": "view_destruction_request",
}
FAMILY_GETS = sorted(e for e, (method, _, rule) in ROUTES.items() if rule.startswith("family") and method == "GET")


def _last_id(app) -> int:
    return query(app, lambda: db.session.execute(select(func.max(AuditEvent.id))).scalar() or 0)


def _rows_since(app, since: int) -> list[tuple]:
    return query(
        app,
        lambda: db.session.execute(
            select(AuditEvent.family_id, AuditEvent.action, AuditEvent.outcome, AuditEvent.user_id)
            .where(AuditEvent.id > since)
            .order_by(AuditEvent.id)
        ).all(),
    )


def test_every_family_page_logs_the_read_and_the_refusal(app, access_world):
    w = access_world
    family = w.family_a.id
    lead, outsider = app.test_client(), app.test_client()
    login(lead, w.lead_a)
    login(outsider, w.lead_b)
    for endpoint in FAMILY_GETS:
        url = url_for_family(ROUTES[endpoint][1], w, "family_a")
        since = _last_id(app)
        assert lead.get(url).status_code in (200, 302), endpoint
        action = EXPECTED_ACTION.get(endpoint, "view")
        assert (family, action, "ok", w.lead_a.id) in _rows_since(app, since), endpoint

        since = _last_id(app)
        assert outsider.get(url).status_code == 404, endpoint
        rows = _rows_since(app, since)
        assert [r[2] for r in rows] == ["refused"] and rows[0][0] == family and rows[0][3] == w.lead_b.id, endpoint


def _post(app, client, url, data, expected_action, family_id, user_id):
    since = _last_id(app)
    page = client.get(url).get_data(as_text=True) if "version" not in data else ""
    if 'name="version"' in page:  # as a user would: the form carries the version it was opened at
        data = {**data, "version": hidden_value(page, "version")}
    response = client.post(url, data=data)
    assert response.status_code == 302, (url, response.status_code)
    rows = _rows_since(app, since)
    assert (family_id, expected_action, "ok", user_id) in rows, (url, rows)
    return rows


def test_changes_are_logged_with_their_family_and_action(app, access_world):
    w = access_world
    f = w.family_a
    worker = app.test_client()
    login(worker, w.worker_a)
    today = date.today().isoformat()
    base = f"/families/{f.id}"
    member = w.member_of_family_a.id
    _post(app, worker, f"{base}/members/{member}/remove", {}, "remove_member", f.id, w.worker_a.id)
    _post(app, worker, f"{base}/members/{member}/restore", {}, "restore_member", f.id, w.worker_a.id)
    _post(
        app,
        worker,
        f"{base}/members/new",
        {"first_name": "Mila", "role": "parent", "birth_year": "1990"},
        "add_member",
        f.id,
        w.worker_a.id,
    )
    _post(
        app,
        worker,
        f"{base}/edit",
        {"display_name": "Family Alpha", "status": "active", "start_date": str(f.start_date), "version": "1"},
        "update",
        f.id,
        w.worker_a.id,
    )
    _post(
        app,
        worker,
        f"{base}/consent",
        {"kind": "video", "given": "yes", "given_by": "Mother", "decided_on": today},
        "record_consent",
        f.id,
        w.worker_a.id,
    )
    _post(
        app,
        worker,
        f"{base}/stress/new",
        {"kind": "debts", "severity": "mild", "status": "open", "changed_on": today},
        "add_stress",
        f.id,
        w.worker_a.id,
    )
    _post(app, worker, f"{base}/sessions/{w.session_of_family_a.id}/delete", {}, "delete_session", f.id, w.worker_a.id)
    lead = app.test_client()
    login(lead, w.lead_a)
    trashed = w.trashed_of_family_a.id
    _post(app, lead, f"{base}/sessions/{trashed}/restore", {}, "restore_session", f.id, w.lead_a.id)
    _post(app, lead, f"{base}/workers", {"primary_worker_id": str(w.colleague_a.id)}, "reassign", f.id, w.lead_a.id)


def test_a_refused_change_is_logged_as_refused(app, access_world):
    w = access_world
    worker = app.test_client()
    login(worker, w.worker_a)
    since = _last_id(app)
    target = w.family_b
    response = worker.post(f"/families/{target.id}/members/{w.member_of_family_b.id}/remove")
    assert response.status_code == 404
    assert _rows_since(app, since) == [(target.id, "view", "refused", w.worker_a.id)]


def test_a_change_that_fails_leaves_no_success_row_only_the_failure(app, access_world, monkeypatch):
    """The change and its log row share one transaction: a crash after the change rolls back both."""
    import app.families.routes as family_routes

    def crash(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(family_routes, "flash", crash)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    w = access_world
    worker = app.test_client()
    login(worker, w.worker_a)
    since = _last_id(app)
    response = worker.post(
        f"/families/{w.family_a.id}/edit",
        data={"display_name": "Renamed", "status": "active", "start_date": str(w.family_a.start_date), "version": "1"},
    )
    assert response.status_code == 500
    rows = _rows_since(app, since)
    assert (w.family_a.id, "update", "failed 500", w.worker_a.id) in rows
    assert not [r for r in rows if r[2] == "ok"]
    assert query(app, lambda: db.session.get(Family, w.family_a.id).display_name) == "Family Alpha"


@pytest.mark.parametrize("url", ["/families/?q=Alpha", "/overview?q=Alpha"])
def test_searches_log_the_number_of_results_not_the_text(app, access_world, url):
    lead = app.test_client()
    login(lead, access_world.lead_a)
    since = _last_id(app)
    lead.get(url)
    details = query(
        app,
        lambda: db.session.execute(select(AuditEvent.detail).where(AuditEvent.id > since)).scalars().all(),
    )
    assert details and all("Alpha" not in (d or "") for d in details)
    assert any("1 famil" in (d or "") for d in details)


def test_a_read_of_part_of_the_record_names_that_part(app, access_world):
    w = access_world
    lead = app.test_client()
    login(lead, w.lead_a)
    since = _last_id(app)
    lead.get(f"/families/{w.family_a.id}/sessions/{w.session_of_family_a.id}")
    lead.get(f"/families/{w.family_a.id}/stress/{w.stress_of_family_a.id}")
    objects = query(
        app,
        lambda: db.session.execute(
            select(AuditEvent.object_type, AuditEvent.object_id).where(AuditEvent.id > since).order_by(AuditEvent.id)
        ).all(),
    )
    assert objects == [("CareSession", w.session_of_family_a.id), ("StressItem", w.stress_of_family_a.id)]
    html = lead.get(f"/families/{w.family_a.id}/access-log").get_data(as_text=True)
    assert f"session #{w.session_of_family_a.id}" in html


# Pages and files that show families beside each other (lists, overview, exports): not family routes.
LISTING_GETS = sorted(
    e for e, (method, _, rule) in ROUTES.items() if rule in ("case", "lead", "user") and method == "GET"
)

# Files that show families under a pseudonym only (app.services.record_export): a case number cannot tell.
PSEUDONYMISED = {"exports.analysis"}


def _text_of(response) -> str:
    """What a page or file shows, as text: an Excel file's cells, joined."""
    if response.mimetype == XLSX:
        sheet = load_workbook(io.BytesIO(response.data)).active
        return "\n".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None)
    return response.get_data(as_text=True)


def test_every_page_or_file_that_shows_a_family_names_it_in_that_familys_log(app, access_world):
    """A family whose case number a list, overview or export shows has a 'seen' row of its own, for the
    user who saw it, so the family's access log shows the read; a family not shown has none."""
    w = access_world
    families = (w.family_a, w.family_a2, w.family_b)
    checked = set()
    for user in (w.lead_a, w.worker_a):
        client = app.test_client()
        login(client, user)
        for endpoint in LISTING_GETS:
            since = _last_id(app)
            response = client.get(url_for_family(ROUTES[endpoint][1], w, "family_a"))
            body = _text_of(response)
            seen = {
                (family_id, action)
                for family_id, action, outcome, user_id in _rows_since(app, since)
                if action.startswith("seen_in_") and outcome == "ok" and user_id == user.id
            }
            for family in families:
                if endpoint in PSEUDONYMISED:  # no case numbers in it: it holds every family of the lead's team
                    shown = response.status_code == 200 and family.team_id == user.team_id
                else:
                    shown = family.case_number in body
                assert shown == any(family_id == family.id for family_id, _ in seen), (endpoint, user.email, family)
                if shown:
                    checked.add(endpoint)
    # The walk means something: the list, the overview and every export did show families.
    assert {
        "families.index",
        "overview.index",
        "overview.export",
        "overview.export_xlsx",
        "exports.analysis",
    } <= checked


def test_a_family_log_shows_where_it_was_seen(app, access_world):
    w = access_world
    lead = app.test_client()
    login(lead, w.lead_a)
    for url in ("/families/", "/overview", "/overview/export.csv", "/overview/analysis.json"):
        assert lead.get(url).status_code == 200
    html = lead.get(f"/families/{w.family_a.id}/access-log").get_data(as_text=True)
    for label in ("Seen in the family list", "Seen in the team overview", "Included in an export"):
        assert label in html, label
