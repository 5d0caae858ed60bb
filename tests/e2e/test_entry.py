"""The session form in a real browser: Enter saves, a moment goes with its own button without a reload, and
a long text counts its characters."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import CareSession
from tests.e2e.test_sessions import WORKER, a_family_of
from tests.helpers.db import query

pytestmark = pytest.mark.e2e


def _newest_session(app, family_id: int) -> tuple[int, str, list[str]]:
    def run():
        care_session = db.session.execute(
            select(CareSession).where(CareSession.family_id == family_id).order_by(CareSession.id.desc()).limit(1)
        ).scalar_one()
        return care_session.id, care_session.other_attendees, [m.description for m in care_session.moments]

    return query(app, run)


def _sessions(app, family_id: int) -> int:
    return query(
        app,
        lambda: db.session.execute(
            select(func.count(CareSession.id)).where(CareSession.family_id == family_id)
        ).scalar_one(),
    )


def _open_form(page, app, log_in) -> int:
    family_id, _ = a_family_of(app, WORKER)
    log_in(page, WORKER)
    page.goto(f"/families/{family_id}/sessions/new")
    if not page.locator("#focuses-0").is_checked():
        page.locator("#focuses-0").check()
    return family_id


def test_enter_in_a_one_line_field_saves_the_session(page, app, log_in):
    family_id = _open_form(page, app, log_in)
    before = _sessions(app, family_id)
    page.fill("#moments-0-description", "Mother named what the child felt.")
    page.locator("#other_attendees").focus()
    page.keyboard.type("The GP")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/families/{family_id}#session-*")
    assert page.get_by_text("The session has been saved.").is_visible()
    assert _sessions(app, family_id) == before + 1
    _, others, moments = _newest_session(app, family_id)
    assert others == "The GP"
    assert moments == ["Mother named what the child felt."]  # no empty moment added on the way


def test_remove_a_moment_in_place_and_add_another(page, app, log_in, axe):
    family_id = _open_form(page, app, log_in)
    page.evaluate("window.__notReloaded = true")
    page.locator("[data-add-moment]").click()
    page.fill("#moments-0-description", "First, kept.")
    page.fill("#moments-1-description", "Second, removed.")
    page.fill("#moments-2-description", "Third, kept.")
    page.locator("[data-moment]").nth(1).get_by_role("button", name="Remove this moment").click()

    assert page.evaluate("window.__notReloaded") is True
    expect(page.locator("[data-moment]")).to_have_count(2)
    expect(page.locator("#moments-1-description")).to_have_count(0)
    expect(page.locator("[data-moment-number]")).to_have_text(["1", "2"])  # numbered again
    assert page.evaluate("document.activeElement.id") == "moments-2-kind"  # on where the row was
    axe(page, "session form after removing a moment")

    page.locator("[data-add-moment]").click()  # a new row takes a free index, not the one still in use
    expect(page.locator("#moments-3-description")).to_be_visible()
    page.fill("#moments-3-description", "Fourth, added after.")
    page.locator("button[name=submit]").click()
    page.wait_for_url(f"**/families/{family_id}#session-*")
    _, _, moments = _newest_session(app, family_id)
    assert moments == ["First, kept.", "Third, kept.", "Fourth, added after."]


def test_a_long_field_counts_its_characters(page, app, log_in):
    _open_form(page, app, log_in)
    counter = page.locator("#summary-count")
    expect(counter).to_have_attribute("aria-live", "polite")
    page.fill("#summary", "")
    page.locator("#summary").focus()
    page.keyboard.type("Twelve chars")
    expect(counter).to_have_text("12 of 4,000 characters")
    page.fill("#summary", "x" * 4003)  # a paste over the limit is not cut: the counter says by how much
    expect(counter).to_have_text("4,003 of 4,000 characters: 3 too many")
    assert len(page.locator("#summary").input_value()) == 4003
    expect(counter).to_have_class(re.compile(r"\btext-danger\b"))
    page.locator("button[name=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert len(page.locator("#summary").input_value()) == 4003  # kept whole, to shorten
