"""Every route, every role, against own, same-team and other-team families.

Two nets. By construction: every rule with a family or child id must be a family view
(app.security.access.family_view), which loads the family and its children itself, whatever
the table below says of it. By behaviour: the table names every endpoint of the URL map with
its access rule, and each is tried for every role against own, same-team and other-team
families; a new route without an entry fails test_every_route_is_in_the_table.
"""

from __future__ import annotations

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from app.models import CareSession, Family
from app.security.access import DESTRUCTION_REQUEST, MEMBER, SESSION, STRESS_ITEM, family_scope_of, family_view
from app.security.roles import case_roles_required
from tests.helpers.auth import login
from tests.helpers.routes import ROUTES, url_for_family
from tests.helpers.routes import access_world as access_world  # noqa: F401 (a fixture)

CHILD_ARGS = {child.url_arg for child in (SESSION, MEMBER, STRESS_ITEM, DESTRUCTION_REQUEST)}


# URL arguments of family views that are not objects loaded by id: a plan's version number is looked up
# within the family by the view's one read (plans.plan_version(family.id, number)).
NOT_CHILDREN = {"number"}


def family_route_problems(app: Flask) -> list[str]:
    """Rules with a family or child id that do not go through family_view, or take an argument it does not load."""
    problems = []
    for rule in app.url_map.iter_rules():
        ids = {arg for arg in rule.arguments if arg.endswith("_id")}
        if "family_id" not in ids and not ids & CHILD_ARGS:
            continue
        scope = family_scope_of(app.view_functions[rule.endpoint])
        if scope is None:
            problems.append(f"{rule.endpoint} ({rule.rule}) is not a family view")
        elif "family_id" not in ids:
            problems.append(f"{rule.endpoint} ({rule.rule}) has a child id without its family")
        elif undeclared := set(rule.arguments) - {"family_id"} - scope.child_args - NOT_CHILDREN:
            problems.append(f"{rule.endpoint} ({rule.rule}) loads {sorted(undeclared)} outside child_or_404")
    return problems


def test_every_family_route_goes_through_the_family_scope(app):
    assert family_route_problems(app) == []


def test_a_family_route_that_loads_the_family_itself_is_caught():
    """What the net is for: a view with a correct role check and its own family lookup still fails."""
    throwaway = create_app("testing")

    @throwaway.get("/families/<int:family_id>/notes")
    @case_roles_required
    def notes(family_id: int):
        return str(db.session.get(Family, family_id))

    @throwaway.get("/families/<int:family_id>/sessions/<int:session_id>/notes")
    @family_view()  # the family is checked, but the session is loaded by the view, from any family
    def session_notes(family: Family, session_id: int):
        return str(db.session.get(CareSession, session_id))

    @throwaway.get("/families/<int:family_id>/moments/<int:position>")
    @family_view()  # a new kind of argument must be loaded through the scope, or named in NOT_CHILDREN
    def moment_at(family: Family, position: int):
        return ""

    assert family_route_problems(throwaway) == [
        "notes (/families/<int:family_id>/notes) is not a family view",
        "session_notes (/families/<int:family_id>/sessions/<int:session_id>/notes) loads ['session_id'] "
        "outside child_or_404",
        "moment_at (/families/<int:family_id>/moments/<int:position>) loads ['position'] outside child_or_404",
    ]


IGNORED = {"static", "bootstrap.static"}

# (who is logged in, which family they try) -> may they, for a "family" route?
FAMILY_CASES = {
    ("worker_a", "family_a"): True,  # their own family
    ("worker_a", "family_a2"): False,  # a colleague's family in the same team
    ("worker_a", "family_b"): False,  # another team's family
    ("lead_a", "family_a"): True,  # their team's family
    ("lead_a", "family_a2"): True,
    ("lead_a", "family_b"): False,  # another team's family
    ("admin", "family_a"): False,  # administrators see no case content
    ("colleague_a", "family_a"): False,
}

ROLE_RULES = {
    "public": {"anonymous", "worker_a", "lead_a", "admin"},
    "user": {"worker_a", "lead_a", "admin"},
    "case": {"worker_a", "lead_a"},
    "lead": {"lead_a"},
    "admin": {"admin"},
    "setting_up": set(),  # only while the user sets up a second factor (no one here): 404 otherwise
    "admin_2fa": {"admin"},
    "decider": {"lead_a", "admin"},
    # Only the one who confirmed a change with an unused code (the world's change is pending): 404
    # for everyone here; tests/account_changes tests who may.
    "its_confirmer": set(),
}


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - IGNORED
    missing = endpoints - set(ROUTES)
    assert not missing, f"add these endpoints to ROUTES with their access rule: {sorted(missing)}"
    stale = set(ROUTES) - endpoints
    assert not stale, f"ROUTES names endpoints that no longer exist: {sorted(stale)}"


def test_table_uses_the_declared_methods(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ROUTES:
            method = ROUTES[rule.endpoint][0]
            assert method in rule.methods, f"{rule.endpoint} does not accept {method}"


def _request(client, method: str, url: str):
    return client.get(url) if method == "GET" else client.post(url, data={})


@pytest.mark.parametrize("endpoint", [e for e, (_, _, rule) in ROUTES.items() if rule.startswith("family")])
@pytest.mark.parametrize(("who", "target"), list(FAMILY_CASES))
def test_family_routes(app, access_world, endpoint, who, target):
    method, template, rule = ROUTES[endpoint]
    allowed = FAMILY_CASES[(who, target)]
    if rule == "family_lead":
        allowed = allowed and who.startswith("lead")
    client = app.test_client()
    login(client, getattr(access_world, who))
    response = _request(client, method, url_for_family(template, access_world, target))
    family_name = getattr(access_world, target).display_name
    if allowed:
        assert response.status_code in (200, 302), f"{who} should reach {endpoint} for {target}"
    else:
        assert response.status_code == 404, f"{who} must get 404 on {endpoint} for {target}"
        assert family_name.encode() not in response.data


@pytest.mark.parametrize("endpoint", [e for e, (_, _, rule) in ROUTES.items() if not rule.startswith("family")])
@pytest.mark.parametrize("who", ["anonymous", "worker_a", "lead_a", "admin"])
def test_role_routes(app, access_world, endpoint, who):
    method, template, rule = ROUTES[endpoint]
    client = app.test_client()
    if who != "anonymous":
        login(client, getattr(access_world, who))
    response = _request(client, method, url_for_family(template, access_world, "family_a"))
    if who in ROLE_RULES[rule]:
        assert response.status_code in (200, 302), f"{who} should reach {endpoint}"
    elif who == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 404, f"{who} must get 404 on {endpoint}"


def test_anonymous_is_sent_to_login_for_family_pages(client, access_world):
    response = client.get(f"/families/{access_world.family_a.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_member_of_another_family_is_not_reachable_through_own_family(client, access_world):
    login(client, access_world.worker_a)
    foreign_member = access_world.member_of_family_b
    url = f"/families/{access_world.family_a.id}/members/{foreign_member.id}/edit"
    assert client.get(url).status_code == 404
    url = f"/families/{access_world.family_a.id}/members/{foreign_member.id}/remove"
    assert client.post(url).status_code == 404


def test_sessions_and_stress_of_another_family_are_not_reachable_through_own_family(client, access_world):
    login(client, access_world.worker_a)
    own = access_world.family_a.id
    assert client.get(f"/families/{own}/sessions/{access_world.session_of_family_b.id}").status_code == 404
    assert client.get(f"/families/{own}/sessions/{access_world.session_of_family_b.id}/edit").status_code == 404
    assert client.post(f"/families/{own}/sessions/{access_world.session_of_family_b.id}/delete").status_code == 404
    assert client.get(f"/families/{own}/stress/{access_world.stress_of_family_b.id}").status_code == 404


def test_co_worker_sees_the_family(app, make):
    team = make.team()
    primary = make.user(team=team)
    helper = make.user(team=team)
    family = make.family(team, primary, co_workers=[helper])
    client = app.test_client()
    login(client, helper)
    assert client.get(f"/families/{family.id}").status_code == 200
