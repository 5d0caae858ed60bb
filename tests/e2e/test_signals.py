"""The goal signals in a real browser: the box at the top of a demo family's page says why, in both languages."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import TIMEOUT_MS, VIEWPORT
from tests.helpers.browser import log_in_as

pytestmark = pytest.mark.e2e

LEAD = "ruben@attune.example"  # Team Zuid; nobody changes his saved language


def test_a_reliably_worse_family_says_why_in_english_and_dutch(page, app, browser, live_server, log_in, axe):
    log_in(page, LEAD)
    page.goto("/overview?signal=reliably_worse")
    first = page.locator("table.family-list tbody tr").first
    assert "Reliably worse" in first.inner_text()
    first.locator("th a").click()
    page.wait_for_url("**/families/*")
    family_url = page.url
    box = page.locator("section.family-signals")
    assert box.get_by_role("heading", name="Needs attention").is_visible()
    text = box.inner_text()
    assert "Reliably worse" in text
    assert re.search(r"'[^']+' went from \d+ to \d+", text), text  # the goal and its numbers
    assert re.search(r"a change of \d+ or more is more than chance", text), text  # the rule
    assert page.locator(".goal-judgement").filter(has_text="Reliably worse").count() >= 1
    axe(page, "family page with goal signals")

    context = browser.new_context(base_url=live_server, viewport=VIEWPORT, locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    dutch = context.new_page()
    try:
        log_in_as(dutch, LEAD, app.config["DEMO_PASSWORD"], app)
        dutch.goto(family_url)
        box = dutch.locator("section.family-signals")
        assert box.get_by_role("heading", name="Vraagt aandacht").is_visible()
        text = box.inner_text()
        assert "Betrouwbaar slechter" in text
        assert re.search(r"'[^']+' ging van \d+ naar \d+", text), text
        assert re.search(r"een verandering van \d+ of meer is meer dan toeval", text), text
        assert dutch.locator(".goal-judgement").filter(has_text="Betrouwbaar slechter").count() >= 1
    finally:
        context.close()
