"""No state change through GET (ASVS V3.5.3, V4): every page that a GET opens leaves the data as it
was, for every role; changes only go through POST with a CSRF token."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from tests.helpers.auth import login
from tests.helpers.routes import ROUTES, url_for_family
from tests.helpers.routes import access_world as access_world  # noqa: F401 (a fixture)

# Written by GET requests by design: the access log, the login's last-seen time, and the TOTP
# secret a login is setting up (kept on its login_sessions row, not in the cookie), and the outcome
# model: numbers pooled over the whole history, worked out again by the first request of the day.
BOOKKEEPING = {"audit_events", "login_sessions", "outcome_models"}
MUTATING_WORDS = ("delete", "remove", "restore", "reset", "logout", "set_", "save", "close", "assign", "create")


def snapshot(app: Flask) -> dict[str, list]:
    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if t.name not in BOOKKEEPING]
        return {t.name: sorted(map(tuple, db.session.execute(select(t)).all()), key=repr) for t in tables}


def _get_urls(app: Flask, world) -> list[tuple[str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint not in ROUTES:
            continue
        template = ROUTES[rule.endpoint][1]
        for family in ("family_a", "family_b"):
            urls.append((rule.endpoint, url_for_family(template, world, family)))
    return sorted(set(urls))


@pytest.mark.parametrize("who", ["anonymous", "worker_a", "lead_a", "admin"])
def test_no_get_request_changes_data(app, access_world, make, who):  # noqa: F811
    make.consent(access_world.family_a)
    client = app.test_client()
    if who != "anonymous":
        login(client, getattr(access_world, who))
    urls = _get_urls(app, access_world)
    assert len(urls) > 40
    before = snapshot(app)
    for _endpoint, url in urls:
        response = client.get(url)
        assert response.status_code < 500, f"{who}: GET {url} answered {response.status_code}"
    if snapshot(app) == before:
        return
    # Something changed: walk again, one snapshot per request, to name the culprit.
    for endpoint, url in urls:
        earlier = snapshot(app)
        client.get(url)
        later = snapshot(app)
        changed = [name for name in earlier if earlier[name] != later[name]]
        assert not changed, f"{who}: GET {url} ({endpoint}) changed {changed}"
    pytest.fail(f"{who}: the GET requests changed data")


def test_endpoints_that_change_data_refuse_get(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "bootstrap.static"):
            continue
        view = rule.endpoint.split(".")[-1]
        if "GET" in rule.methods and view.startswith(MUTATING_WORDS):
            # A GET on a create/edit page only shows the form; it must also take POST to save.
            assert "POST" in rule.methods, f"{rule.endpoint} looks like it changes data but takes only GET"
        if "GET" not in rule.methods:
            assert rule.methods & {"POST", "PUT", "PATCH", "DELETE"}, rule.endpoint


def test_post_only_actions_answer_405_to_get(app, access_world):  # noqa: F811
    client = app.test_client()
    login(client, access_world.lead_a)
    before = snapshot(app)
    post_only = sorted(e for e, (method, _, _) in ROUTES.items() if method == "POST")
    assert "care_sessions.restore" in post_only  # delete asks first: its GET is the question
    for endpoint in post_only:
        response = client.get(url_for_family(ROUTES[endpoint][1], access_world, "family_a"))
        assert response.status_code == 405, endpoint
    assert snapshot(app) == before
