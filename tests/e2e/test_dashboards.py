"""The two overviews in a real browser: the team lead's filter and reassignment, the worker's home page."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Family
from tests.helpers.db import query

pytestmark = pytest.mark.e2e

LEAD = "sanne@attune.example"
WORKER = "joris@attune.example"


def test_lead_filters_not_seen_opens_a_family_and_reassigns_it(page, app, log_in, axe):
    log_in(page, LEAD)
    page.goto("/overview")
    axe(page, "team overview")
    page.select_option("#signal", "not_seen")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/overview?*signal=not_seen*")
    rows = page.locator("table.family-list tbody tr")
    assert rows.count() >= 1
    first = rows.first
    assert "Not seen" in first.inner_text()
    family_name = first.locator("th a").inner_text()
    axe(page, "team overview filtered to not seen")

    first.locator("th a").click()
    page.wait_for_url("**/families/*")
    assert page.locator("h1").inner_text() == family_name
    family_id = int(page.url.rstrip("/").split("/")[-1].split("#")[0])
    current = query(app, lambda: db.session.get(Family, family_id).primary_worker_id)

    page.get_by_role("link", name="Assign care workers").click()
    axe(page, "assign care workers")
    options = page.locator("#primary_worker_id option")
    other = next(
        options.nth(i).get_attribute("value")
        for i in range(options.count())
        if options.nth(i).get_attribute("value") != str(current)
    )
    page.select_option("#primary_worker_id", other)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/families/{family_id}")
    assert page.get_by_text("The care workers for this family have been saved.").is_visible()
    assert query(app, lambda: db.session.get(Family, family_id).primary_worker_id) == int(other)


def test_worker_sees_the_family_that_needs_attention_on_top(page, app, log_in, axe):
    log_in(page, WORKER)
    page.goto("/families/")
    axe(page, "my families")
    first = page.locator("table.family-list tbody tr").first
    assert "needs-attention" in (first.get_attribute("class") or "")
    assert first.locator(".signal-badge").count() >= 1
    rows = page.locator("table.family-list tbody tr")
    flags = ["needs-attention" in (rows.nth(i).get_attribute("class") or "") for i in range(rows.count())]
    assert flags == sorted(flags, reverse=True)  # every flagged family comes before every calm one


def test_a_long_paused_family_says_why_at_the_top_of_its_page(page, log_in, axe):
    log_in(page, LEAD)
    page.goto("/overview?signal=paused_long")
    first = page.locator("table.family-list tbody tr").first
    assert "Paused a long time" in first.inner_text()
    first.locator("th a").click()
    page.wait_for_url("**/families/*")
    box = page.locator("section.family-signals")
    assert box.get_by_role("heading", name="Needs attention").is_visible()
    assert "Paused a long time" in box.inner_text() and "paused for 10 weeks" in box.inner_text()
    axe(page, "family page with its signals")
