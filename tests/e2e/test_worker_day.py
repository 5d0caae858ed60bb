"""A care worker's session on a tablet (768 px), by keyboard, in English and Dutch (issue 19): two moments,
one wrong time read from the summary and mended there, a third moment removed, Enter saves; the session
page shows its scores, my week lists the appointment agreed, and the calendar feed names no family."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.extensions import db
from app.models import CareSession, ConsentKind, ConsentRecord, Family
from tests.e2e.test_tablet import BROWSER_LOCALES, TABLET, WORKERS, a_family_with_a_plan
from tests.helpers.browser import check_accessibility
from tests.helpers.db import query

pytestmark = pytest.mark.e2e


def _typed(page, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _moments_of(app, session_id: int) -> list[tuple[str, int | None]]:
    return query(
        app,
        lambda: [(m.description, m.video_seconds) for m in db.session.get(CareSession, session_id).moments],
    )


def _video_consent(family_id: int) -> None:
    db.session.add(
        ConsentRecord(
            family_id=family_id,
            kind=ConsentKind.VIDEO,
            given=True,
            given_by="Mother",
            decided_on=date.today() - timedelta(days=30),
        )
    )
    db.session.commit()


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_session_logged_by_keyboard_on_a_tablet(browser, live_server, app, log_in, lang):
    email = WORKERS[lang]
    family_id = a_family_with_a_plan(app, email)
    name, case_number = query(
        app,
        lambda: tuple(
            db.session.execute(select(Family.display_name, Family.case_number).where(Family.id == family_id)).one()
        ),
    )
    on = date.today() + timedelta(days=5)
    query(app, lambda: _video_consent(family_id))
    context = browser.new_context(base_url=live_server, viewport=TABLET, locale=BROWSER_LOCALES[lang], has_touch=True)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, email)
        page.goto(f"/families/{family_id}/sessions/new")
        assert page.locator("html").get_attribute("lang") == lang
        page.select_option("#kind", "video_review")
        _typed(page, "#summary", "We watched the bath-time clip together.")
        _typed(page, "#moments-0-description", "Mother saw that he was cold and wrapped him up.")
        _typed(page, "#moments-0-video_time", "01:05")
        _typed(page, "#moments-1-description", "He pushed the cup away.")
        _typed(page, "#moments-1-video_time", "3.12")  # wrong: minutes:seconds is 03:12
        page.locator("[data-add-moment]").press("Enter")
        _typed(page, "#moments-2-description", "Typed by mistake.")
        _typed(page, "#scores-0-worker_score", "6")
        _typed(page, "#scores-0-parent_score", "7")
        # A date and a time field take what the browser's picker writes; typed keys follow the locale's order.
        page.fill("#next_appointment_on", on.isoformat())
        page.fill("#next_appointment_at", "10:30")
        page.locator("#other_attendees").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")  # saves, as a form does: no moment is added

        # The summary says what is wrong in words, and its link leads into the field.
        summary = page.locator("#error-summary")
        assert page.evaluate("() => document.activeElement.id") == "error-summary"
        assert summary.locator("li").count() == 1, summary.inner_text()
        assert "03:12" in summary.inner_text() and not re.search(r"[\[\]{}]", summary.inner_text())
        summary.locator("a[href='#moments-1-video_time']").press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "moments-1-video_time"
        page.keyboard.press("Control+A")
        page.keyboard.type("03:12")
        # Nothing typed was lost; the third moment goes with its own button.
        assert page.locator("#moments-2-description").input_value() == "Typed by mistake."
        page.locator("[data-moment]").nth(2).locator("[data-remove-moment]").press("Enter")
        assert page.locator("[data-moment]").count() == 2
        check_accessibility(page, f"session form on a tablet, mended ({lang})")
        page.locator("#moments-1-video_time").press("Enter")
        page.wait_for_url(re.compile(rf".*/families/{family_id}#session-\d+$"))
        session_id = int(page.url.rsplit("-", 1)[1])
        assert sorted(_moments_of(app, session_id)) == [
            ("He pushed the cup away.", 192),
            ("Mother saw that he was cold and wrapped him up.", 65),
        ]

        # The session's own page shows the scores given in it.
        page.goto(f"/families/{family_id}/sessions/{session_id}")
        cells = page.locator("table.session-scores tbody tr").first.locator("td").all_inner_texts()
        assert [c.strip() for c in cells[:2]] == ["6", "7"]

        # My week lists the appointment the session agreed.
        page.goto("/week")
        day = page.locator(f"section.week-day:has(#day-{on.isoformat()})")
        assert day.locator(f'a[href="/families/{family_id}"]').inner_text() == name
        assert "10:30" in day.inner_text()

        # The calendar feed parses, holds the appointment and no family name or case number.
        page.goto("/account")
        page.locator('form[action="/account/calendar"] button').press("Enter")
        url = page.locator("#feed-url").input_value()
        calendar_app = browser.new_context()
        try:
            text = calendar_app.request.get(url).text()
        finally:
            calendar_app.close()
        assert name not in text and case_number not in text
        events = Calendar.from_ical(text).walk("VEVENT")
        assert any(
            e.decoded("DTSTART").date() == on if hasattr(e.decoded("DTSTART"), "date") else False for e in events
        )
    finally:
        context.close()
