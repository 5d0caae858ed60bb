"""A form being sent, in a real browser: its buttons wait for the answer, and a double click saves once."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CareSession
from tests.e2e.test_sessions import WORKER, a_family_of
from tests.helpers.db import query

pytestmark = pytest.mark.e2e


def _sessions(app, family_id: int) -> int:
    return query(
        app, lambda: db.session.scalar(select(func.count(CareSession.id)).where(CareSession.family_id == family_id))
    )


def test_a_double_clicked_save_is_sent_once_and_the_buttons_wait_for_the_answer(page, app, log_in):
    family_id, _ = a_family_of(app, WORKER)
    before = _sessions(app, family_id)
    log_in(page, WORKER)
    page.goto(f"/families/{family_id}/sessions/new")
    page.fill("#summary", "Sent with a double click.")
    # What the page looked like just after the first click, kept in sessionStorage across the navigation (a
    # request held back to look at the page meanwhile would hold Playwright's own calls too).
    page.evaluate(
        """() => document.addEventListener("submit", (event) => setTimeout(() => {
            const button = event.target.querySelector("button[name=submit]");
            sessionStorage.sent = JSON.stringify({disabled: button.disabled, busy: event.target.getAttribute("aria-busy")});
        }, 20))"""
    )
    page.locator("button[name=submit]").dblclick()
    page.wait_for_url(f"**/families/{family_id}#session-*")
    assert json.loads(page.evaluate("sessionStorage.sent")) == {"disabled": True, "busy": "true"}
    assert _sessions(app, family_id) == before + 1
