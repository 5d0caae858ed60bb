"""axe-core on every GET page of the URL map, as each role, in both languages.

The journeys check the pages they pass through; this sweep makes sure no page is left out. It walks
`app.url_map`, fills each rule's arguments from the demo data (ARGUMENTS below: one resolver per
argument name) and opens the page as every role that may open it (the access rules of
tests/test_access_routes.py). A rule with an argument nobody knows how to fill fails the test, so a
new route is never skipped without anyone noticing: add its argument name to ARGUMENTS.

Each role also opens one page it may not see: the 404 page is a page too. Beside axe, the sweep checks
what axe leaves to best practice: one h1, headings that do not skip a level, one main landmark.

The Dutch sweep runs only on SQLite: what axe checks (markup, names, contrast) does not depend on
the database, and the PostgreSQL run stays short. Set AXE_SWEEP_ALL_LANGUAGES=1 to force it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AccountChange,
    CareSession,
    ChangeKind,
    DestructionRequest,
    Family,
    FamilyMember,
    FamilyStatus,
    Plan,
    Role,
    StressItem,
    User,
)
from tests.helpers.browser import check_accessibility, draw_charts
from tests.helpers.db import query
from tests.helpers.routes import ROUTES

pytestmark = pytest.mark.e2e

# Who may open a route, by the access rule of tests/test_access_routes.py ROUTES.
ROLES = {
    "care worker": ("joris@attune.example", {"public", "user", "case", "family"}),
    "team lead": ("sanne@attune.example", {"public", "user", "case", "family", "family_lead", "lead", "decider"}),
    "administrator": ("admin@attune.example", {"public", "user", "admin", "admin_2fa", "decider"}),
}
# Not pages: files, JSON and the logout/language posts (which have no GET anyway).
SKIPPED_ENDPOINTS = {
    "static",
    "bootstrap.static",
    "main.healthz",  # JSON for the load balancer
    "main.favicon",  # an icon
    "plans.print_pdf",  # a PDF download
    "overview.export",  # a CSV download
    "overview.export_xlsx",  # an Excel download
    "access_log.admin_log_export",  # a CSV download
    "access_log.admin_log_export_xlsx",  # an Excel download
    "exports.access_request_download",  # a PDF or JSON download
    "exports.analysis",  # a JSON download
    "auth.two_factor_qr",  # an SVG image, only while setting up
    "week.feed_file",  # an iCalendar file, for calendar apps
}
# Query strings a page needs to show its full content, per endpoint (values may depend on the language).
QUERY: dict[str, Callable[[str], str]] = {
    "plans.print_page": lambda lang: f"?lang={lang}",
}


@dataclass(frozen=True)
class Demo:
    """Ids from the demo organisation that fill the URL arguments."""

    family_id: int  # a family of the care worker (so also of the lead's team): plan, sessions, members, stress
    member_id: int
    session_id: int
    stress_id: int
    plan_number: int
    user_id: int
    team_id: int
    request_id: int  # an open destruction request on the family, received 9 weeks ago (the sweep adds it)
    other_family_id: int  # another team's family: a 404 for worker and lead
    change_id: int  # a new care worker in the family's team, asked by the administrator (the sweep adds it)


# URL argument name -> its value from the demo. New routes with new argument names: add a row.
ARGUMENTS: dict[str, Callable[[Demo], object]] = {
    "family_id": lambda d: d.family_id,
    "member_id": lambda d: d.member_id,
    "session_id": lambda d: d.session_id,
    "item_id": lambda d: d.stress_id,
    "number": lambda d: d.plan_number,
    "user_id": lambda d: d.user_id,
    "team_id": lambda d: d.team_id,
    "request_id": lambda d: d.request_id,
    "change_id": lambda d: d.change_id,
}


def demo_ids(app: Flask) -> Demo:
    def run() -> Demo:
        worker = db.session.execute(select(User).where(User.email == ROLES["care worker"][0])).scalar_one()
        # The worker's open family with the richest history: every page has something to show.
        sessions = (
            select(func.count(CareSession.id))
            .where(CareSession.family_id == Family.id, CareSession.deleted_at.is_(None))
            .scalar_subquery()
        )
        family = (
            db.session.execute(
                select(Family)
                .where(
                    Family.primary_worker_id == worker.id,
                    Family.status != FamilyStatus.CLOSED,
                    Family.id.in_(select(Plan.family_id)),
                    Family.id.in_(select(StressItem.family_id)),
                )
                .order_by(sessions.desc(), Family.id)
            )
            .scalars()
            .first()
        )
        assert family is not None, "the demo gives the care worker a family with a plan and stress items"

        def first(statement):
            value = db.session.execute(statement.limit(1)).scalar()
            assert value is not None, f"the demo family has no row for: {statement}"
            return value

        other_family = first(select(Family.id).where(Family.team_id != family.team_id).order_by(Family.id))
        # The demo holds no destruction request: add one, old enough for the overview to flag it.
        asker = first(select(FamilyMember.id).where(FamilyMember.family_id == family.id).order_by(FamilyMember.id))
        request = DestructionRequest(
            family_id=family.id, requested_by_id=asker, received_on=date.today() - timedelta(weeks=9)
        )
        db.session.add(request)
        # The demo has no account change waiting: add one for the lead of the family's team to confirm.
        admin = db.session.execute(select(User).where(User.email == ROLES["administrator"][0])).scalar_one()
        newcomer = User(
            email="newcomer@attune.example",
            name="Nieuwe Collega",
            password_hash="!",
            role=Role.WORKER,
            team_id=family.team_id,
            active=False,
        )
        db.session.add(newcomer)
        db.session.flush()
        change = AccountChange(
            kind=ChangeKind.CREATE,
            user_id=newcomer.id,
            team_id=family.team_id,
            new_role=Role.WORKER,
            new_team_id=family.team_id,
            requested_by_id=admin.id,
            expires_at=datetime.now(UTC) + timedelta(hours=24),
        )
        db.session.add(change)
        db.session.commit()
        return Demo(
            family_id=family.id,
            member_id=first(
                select(FamilyMember.id).where(FamilyMember.family_id == family.id).order_by(FamilyMember.id)
            ),
            session_id=first(
                select(CareSession.id)
                .where(CareSession.family_id == family.id, CareSession.deleted_at.is_(None))
                .order_by(CareSession.held_on.desc())
            ),
            stress_id=first(select(StressItem.id).where(StressItem.family_id == family.id).order_by(StressItem.id)),
            plan_number=first(select(Plan.number).where(Plan.family_id == family.id).order_by(Plan.number)),
            user_id=worker.id,
            team_id=family.team_id,
            request_id=request.id,
            other_family_id=other_family,
            change_id=change.id,
        )

    return query(app, run)


def get_pages(app: Flask, demo: Demo) -> list[tuple[str, str, str]]:
    """(endpoint, access rule, path) for every GET page of the URL map, arguments filled from the demo."""
    pages, unknown = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIPPED_ENDPOINTS or "GET" not in rule.methods:
            continue
        missing = sorted(rule.arguments - set(ARGUMENTS))
        if missing:
            unknown.append(f"{rule.rule} ({rule.endpoint}): {', '.join(missing)}")
            continue
        if rule.endpoint not in ROUTES:
            unknown.append(f"{rule.rule} ({rule.endpoint}): not in tests/test_access_routes.py ROUTES")
            continue
        values = {name: ARGUMENTS[name](demo) for name in rule.arguments}
        with app.test_request_context():
            path = app.url_for(rule.endpoint, **values)
        pages.append((rule.endpoint, ROUTES[rule.endpoint][2], path))
    assert not unknown, "the axe sweep cannot fill these routes; add their argument to ARGUMENTS:\n" + "\n".join(
        unknown
    )
    return pages


def structure_problems(page) -> list[str]:
    """What axe leaves to best practice: one h1, headings that do not skip a level, one main landmark."""
    found = page.evaluate(
        """() => ({
            levels: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1])),
            mains: document.querySelectorAll('main, [role=main]').length,
        })"""
    )
    problems, levels = [], found["levels"]
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 headings")
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"h{before} followed by h{after}")
    if found["mains"] != 1:
        problems.append(f"{found['mains']} main landmarks")
    return problems


def sweep_languages(app: Flask) -> list[str]:
    on_sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    if on_sqlite or os.environ.get("AXE_SWEEP_ALL_LANGUAGES") == "1":
        return ["en", "nl"]
    return ["en"]


def switch_language(page, lang: str) -> None:
    """Through the language buttons in the menu, like a user (the choice is saved with the account)."""
    name = {"en": "English", "nl": "Nederlands"}[lang]
    page.goto("/account")
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang


def test_every_page_passes_axe_for_every_role_and_language(browser, live_server, app, log_in, screenshot):
    demo = demo_ids(app)
    pages = get_pages(app, demo)
    rules_seen = {rule for _, rule, _ in pages}
    known_rules = set().union(*(allowed for _, allowed in ROLES.values()))
    assert rules_seen <= known_rules, f"access rules the sweep does not know: {rules_seen - known_rules}"

    answered_ok: set[str] = set()
    failures: list[str] = []
    for role, (email, allowed) in ROLES.items():
        context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800}, locale="en-GB")
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            log_in(page, email)
            for lang in sweep_languages(app):
                switch_language(page, lang)
                checked: set[str] = set()  # / and /login redirect to a page already checked
                for endpoint, rule, path in pages:
                    if rule not in allowed:
                        continue
                    url = path + QUERY.get(endpoint, lambda _lang: "")(lang)
                    response = page.goto(url)
                    if response.status == 200:
                        answered_ok.add(endpoint)
                    else:
                        failures.append(f"{role} ({lang}) {url}: HTTP {response.status}")
                    if page.url not in checked:
                        checked.add(page.url)
                        check_accessibility(page, f"{url} as {role} ({lang})")
                        failures.extend(f"{role} ({lang}) {url}: {p}" for p in structure_problems(page))
                # A page this role may not see: the 404 page answers, and passes axe too.
                forbidden = (
                    ("/admin/" if role != "administrator" else f"/families/{demo.family_id}")
                    if role != "care worker"
                    else f"/families/{demo.other_family_id}"
                )
                response = page.goto(forbidden)
                assert response.status == 404, f"{role} should get 404 on {forbidden}"
                check_accessibility(page, f"404 page for {role} ({lang})")
                if role == "care worker" and lang == "en":
                    # For the README: the family with the richest history shows every part of the page.
                    page.goto(f"/families/{demo.family_id}")
                    draw_charts(page)
                    screenshot(page, "family.png", max_height=3000)
                    page.goto(f"/families/{demo.family_id}/plan")  # the print with the moments ticked by default
                    page.select_option("#lang", "en")
                    page.locator("form:has(#lang) button:not([formaction])").first.click()
                    page.wait_for_url("**/plan/print?*")
                    screenshot(page, "print.png")
        finally:
            context.close()

    assert not failures, "pages that did not answer 200 or whose structure is off:\n" + "\n".join(failures)
    never = {endpoint for endpoint, _, _ in pages} - answered_ok
    assert not never, f"routes no role could open: {sorted(never)}"
