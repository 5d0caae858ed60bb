"""Journeys through the demo organisation in a real browser, with an axe check on every page."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.extensions import db
from app.models import Family, FamilyStatus, Team, User
from tests.helpers.db import query

pytestmark = pytest.mark.e2e

WORKER = "joris@attune.example"  # Team Noord
LANGUAGE_WORKER = "fatima@attune.example"  # Team Noord; the language test changes her saved language
LEAD = "sanne@attune.example"  # lead of Team Noord


def families_of(app, team_name: str, email: str | None = None) -> list[tuple[int, str, str]]:
    """(id, display name, case number) of a team's open families, optionally only those `email` carries."""

    def run():
        statement = (
            select(Family.id, Family.display_name, Family.case_number)
            .join(Team)
            .where(Team.name == team_name, Family.status != FamilyStatus.CLOSED)
        )
        if email:
            statement = statement.join(User, Family.primary_worker_id == User.id).where(User.email == email)
        return [tuple(row) for row in db.session.execute(statement.order_by(Family.id))]

    return query(app, run)


def dutch(app, msgid: str) -> str:
    """What the nl catalogue the server uses makes of msgid (msgid itself while untranslated)."""
    with app.test_request_context(), force_locale("nl"):
        return gettext(msgid)


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def families_link(page):
    return page.locator('nav a.nav-link[href="/families/"]')


def test_worker_sees_own_families_and_opens_one(page, app, log_in, axe, screenshot):
    page.goto("/login")
    axe(page, "login page")
    screenshot(page, "login.png")

    log_in(page, WORKER)
    assert page.url.endswith("/families/")
    heading = page.locator("h1")
    assert heading.inner_text() in ("My families", "Mijn gezinnen")
    axe(page, "families list")
    screenshot(page, "families.png")

    own = families_of(app, "Team Noord", WORKER)
    assert own, "the demo gives Joris families of his own"
    listed = page.locator("table.family-list tbody th a").all_inner_texts()
    assert {name for _, name, _ in own} <= set(listed)
    others = {name for _, name, _ in families_of(app, "Team Zuid")}
    assert not others & set(listed), "a worker's list shows no other team's families"

    family_id, name, case_number = own[0]
    page.get_by_role("link", name=name, exact=True).click()
    assert page.url.endswith(f"/families/{family_id}")
    assert page.locator("h1").inner_text() == name
    assert case_number in page.locator("main").inner_text()
    members = page.locator("section[aria-labelledby=members-heading] tbody th").all_inner_texts()
    assert members, "the demo family has members"
    axe(page, "family page")  # the screenshot of a family is made by test_axe_sweep, of the richest demo family


def test_other_teams_family_is_not_found(page, app, log_in, axe):
    family_id, name, case_number = families_of(app, "Team Zuid")[0]
    log_in(page, WORKER)
    response = page.goto(f"/families/{family_id}")
    assert response.status == 404
    assert "This page does not exist, or you have no access to it" in page.locator("h1").inner_text()
    content = page.content()
    assert name not in content
    assert case_number not in content
    axe(page, "404 page")


def test_language_switch_before_and_after_login(page, app, live_server, log_in, axe):
    login_heading_nl = dutch(app, "Log in to Attune")
    families_nl = dutch(app, "My families")
    for english, translated in (("Log in to Attune", login_heading_nl), ("My families", families_nl)):
        assert translated != english, f"no Dutch for {english!r}: run `pybabel compile -d app/translations`"

    page.goto("/login")
    assert html_lang(page) == "en"
    assert page.locator("h1").inner_text() == "Log in to Attune"
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()
    assert page.url.endswith("/login")
    assert html_lang(page) == "nl"
    assert page.get_by_role("button", name="Nederlands").get_attribute("aria-pressed") == "true"
    assert page.locator("h1").inner_text() == login_heading_nl
    axe(page, "login page in Dutch")

    log_in(page, LANGUAGE_WORKER)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert html_lang(page) == "en"
    assert families_link(page).inner_text() == "My families"
    axe(page, "families list in English")

    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()
    assert page.url.endswith("/families/"), "switching language keeps you on the same page"
    assert html_lang(page) == "nl"
    assert families_link(page).inner_text() == families_nl
    axe(page, "families list in Dutch")

    # The choice is saved with the account: a new login (new browser context) keeps it.
    fresh = page.context.browser.new_context(base_url=live_server, locale="en-GB")
    try:
        other = fresh.new_page()
        log_in(other, LANGUAGE_WORKER)
        assert html_lang(other) == "nl"
    finally:
        fresh.close()


def test_language_chosen_on_login_page_is_kept_after_login(page, log_in, axe):
    page.goto("/login")
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()
    assert html_lang(page) == "nl"
    log_in(page, "lotte@attune.example")  # a user who has never saved a language
    assert html_lang(page) == "nl", "login must not drop the language picked on the login page"
    axe(page, "families list after a Dutch login")


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page, log_in, axe):
    log_in(page, WORKER)
    axe(page, "families list")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, href: document.activeElement.getAttribute('href')})"
    )
    assert "skip-link" in focused["cls"] and focused["href"] == "#main"
    skip = page.locator("a.skip-link")
    assert skip.is_visible(), "the skip link shows itself when it has focus"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    in_main = page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
    assert in_main, "the next Tab continues inside the main content"


def test_team_lead_sees_overview_and_assigns_workers(page, app, log_in, axe, screenshot):
    log_in(page, LEAD)
    families_link(page).wait_for()
    page.locator('nav a.nav-link[href="/overview"]').click()
    assert page.url.endswith("/overview")
    assert page.locator("h1").inner_text() == "Team overview: Team Noord"
    workers = page.locator("section[aria-labelledby=caseload-heading] tbody th").all_inner_texts()
    assert any(name.startswith("Joris Bakker") for name in workers)
    axe(page, "team overview")
    screenshot(page, "overview.png")

    family_id, name, _ = families_of(app, "Team Noord")[0]
    page.goto(f"/families/{family_id}")
    axe(page, "family page for a lead")
    page.get_by_role("link", name="Assign care workers").click()
    assert page.url.endswith(f"/families/{family_id}/workers")
    assert page.locator("h1").inner_text() == f"Care workers for {name}"
    assert page.locator("#primary_worker_id").is_visible()
    assert re.search(r"Joris Bakker", page.locator("#primary_worker_id").inner_text())
    axe(page, "assign care workers page")
