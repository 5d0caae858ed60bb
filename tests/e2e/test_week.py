"""A session's page shows its scores, and "my week" and the calendar feed list the appointment it agreed: on a
tablet (768 px), in English and Dutch."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.extensions import db
from app.models import Family, Plan
from tests.e2e.test_tablet import BROWSER_LOCALES, TABLET, a_family_with_a_plan
from tests.helpers.browser import check_accessibility
from tests.helpers.db import query

pytestmark = pytest.mark.e2e

WORKERS = {"en": "joris@attune.example", "nl": "noor@attune.example"}


def _family(app, family_id: int) -> tuple[str, str, str]:
    """The family's name and case number, and the title of its plan's first active goal."""

    def run():
        family = db.session.get(Family, family_id)
        plan = db.session.execute(
            select(Plan).where(Plan.family_id == family_id, Plan.superseded_at.is_(None))
        ).scalar_one()
        return family.display_name, family.case_number, plan.active_goals[0].title

    return query(app, run)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_session_page_shows_its_scores_and_my_week_lists_the_new_appointment(
    browser, live_server, app, log_in, screenshot, lang
):
    email = WORKERS[lang]
    family_id = a_family_with_a_plan(app, email)
    name, case_number, goal = _family(app, family_id)
    on = date.today() + timedelta(days=3)
    context = browser.new_context(base_url=live_server, viewport=TABLET, locale=BROWSER_LOCALES[lang], has_touch=True)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, email)
        assert page.locator("html").get_attribute("lang") == lang

        page.goto(f"/families/{family_id}/sessions/new")
        page.fill("#summary", "Bedtime went calmer.")
        page.fill("#scores-0-worker_score", "6")
        page.fill("#scores-0-parent_score", "7")
        page.fill("#next_appointment_on", on.isoformat())
        page.fill("#next_appointment_at", "10:30")
        page.locator("button[name=submit]").click()
        page.wait_for_url(re.compile(rf".*/families/{family_id}#session-\d+$"))
        session_id = int(page.url.rsplit("-", 1)[1])

        # The family page's summary names the appointment agreed.
        assert page.locator("#next-appointment-heading").is_visible()

        # The session's own page: its scores per goal.
        page.goto(f"/families/{family_id}/sessions/{session_id}")
        row = page.locator("table.session-scores tbody tr").filter(has_text=goal)
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        assert cells[:2] == ["6", "7"]
        check_accessibility(page, f"session page ({lang})")
        screenshot(page, f"session-page-tablet-{lang}.png", viewport=TABLET)

        # My week, from the main menu (behind the menu button at 768 px).
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
        page.locator('#main-nav a[href="/week"]').click()
        page.wait_for_url("**/week")
        day = page.locator(f"section.week-day:has(#day-{on.isoformat()})")
        assert day.locator(f'a[href="/families/{family_id}"]').inner_text() == name
        assert "10:30" in day.inner_text()
        check_accessibility(page, f"my week ({lang})")
        screenshot(page, f"my-week-tablet-{lang}.png", viewport=TABLET)

        # The calendar feed: made on the account page, read without a login, no name in it.
        page.goto("/account")
        page.locator('form[action="/account/calendar"] button').click()
        url = page.locator("#feed-url").input_value()
        feed = browser.new_context()  # a calendar app: no cookies
        try:
            response = feed.request.get(url)
            assert response.status == 200
            text = response.text()
        finally:
            feed.close()
        assert name not in text and case_number not in text
        events = Calendar.from_ical(text).walk("VEVENT")
        assert any(str(e["UID"]).startswith(f"appointment-{session_id}@") for e in events)
    finally:
        context.close()
