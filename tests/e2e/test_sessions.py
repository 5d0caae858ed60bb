"""Logging sessions in a real browser: by keyboard, adding moments without a reload, and a conflict."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CareSession, Family, User
from tests.helpers.db import query

pytestmark = pytest.mark.e2e

WORKER = "joris@attune.example"
LEAD = "sanne@attune.example"


def a_family_of(app, email: str) -> tuple[int, str]:
    def run():
        row = db.session.execute(
            select(Family.id, Family.display_name)
            .join(User, Family.primary_worker_id == User.id)
            .where(User.email == email, Family.status == "active")
            .order_by(Family.id)
        ).first()
        return tuple(row)

    return query(app, run)


def type_into(page, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.type(text)


def tick(page, selector: str) -> None:
    page.locator(selector).focus()
    page.keyboard.press("Space")


def test_log_a_session_with_two_moments_by_keyboard(page, app, log_in, axe):
    family_id, name = a_family_of(app, WORKER)
    log_in(page, WORKER)
    page.goto(f"/families/{family_id}")
    page.get_by_role("link", name="Log a session").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/families/{family_id}/sessions/new")
    axe(page, "session form")

    # Whatever the last session had, aim this one at the parent and the child only.
    for index, wanted in enumerate((True, True, False)):
        box = page.locator(f"#focuses-{index}")
        if box.is_checked() != wanted:
            tick(page, f"#focuses-{index}")
    type_into(page, "#summary", "Evening routine at home; bedtime went calmer.")
    type_into(page, "#moments-0-description", "Parent noticed the child was tired and read a story together.")
    tick(page, "#moments-0-tags-8")  # responded to the child's signal (first positive tag)
    assert page.locator("[data-tag-group=difficult]").first.is_hidden()  # only positive tags for a positive moment
    type_into(page, "#moments-1-description", "The child refused to brush teeth and shouted.")
    tick(page, "#moments-1-tags-3")  # resists
    page.locator("button[name=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/families/{family_id}#session-*")

    assert page.get_by_text("The session has been saved.").is_visible()
    newest = page.locator("article.timeline-session").first
    assert "Parent noticed the child was tired" in newest.inner_text()
    assert "The child refused to brush teeth" in newest.inner_text()
    assert "Child resists" in newest.inner_text()
    axe(page, f"family page of {name}")


def test_add_moment_without_reload_and_tags_follow_the_kind(page, app, log_in, axe):
    family_id, _ = a_family_of(app, WORKER)
    log_in(page, WORKER)
    page.goto(f"/families/{family_id}/sessions/new")
    page.evaluate("window.__notReloaded = true")
    page.locator("[data-add-moment]").click()
    assert page.evaluate("window.__notReloaded") is True
    assert page.locator("[data-moment]").count() == 3
    assert page.evaluate("document.activeElement.id") == "moments-2-kind"
    page.select_option("#moments-2-kind", "difficult")
    assert page.locator("#moments-2-tags-0").is_visible()  # a difficult tag
    assert page.locator("#moments-2-tags-8").is_hidden()  # a positive one
    axe(page, "session form with a third moment")


def test_editing_with_a_conflict_loses_nothing(browser, live_server, app, log_in, axe):
    family_id, _ = a_family_of(app, WORKER)
    session_id = query(
        app,
        lambda: (
            db.session.execute(
                select(CareSession.id).where(CareSession.family_id == family_id).order_by(CareSession.held_on.desc())
            )
            .scalars()
            .first()
        ),
    )
    url = f"/families/{family_id}/sessions/{session_id}/edit"
    contexts = [browser.new_context(base_url=live_server, locale="en-GB") for _ in range(2)]
    try:
        worker, lead = (context.new_page() for context in contexts)
        log_in(worker, WORKER)
        log_in(lead, LEAD)
        worker.goto(url)
        lead.goto(url)
        worker.fill("#summary", "Saved first, by the worker.")
        worker.locator("button[name=submit]").click()
        worker.wait_for_url(f"**/sessions/{session_id}")

        lead.fill("#summary", "Typed second, by the team lead.")
        lead.locator("button[name=submit]").click()
        lead.wait_for_load_state()
        conflict = lead.locator("#conflict")
        assert conflict.is_visible()
        assert "Saved first, by the worker." in conflict.inner_text()
        assert lead.locator("#summary").input_value() == "Typed second, by the team lead."
        axe(lead, "conflict page")
        saved = query(app, lambda: db.session.get(CareSession, session_id).summary)
        assert saved == "Saved first, by the worker."
    finally:
        for context in contexts:
            context.close()
