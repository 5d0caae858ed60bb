"""The family page on a tablet (issue 19): it opens without plotly.js, draws a chart only when the reader scrolls
to it, and without JavaScript every chart's numbers are still in a table."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CareSession, Family, User
from tests.helpers.browser import draw_charts
from tests.helpers.db import query

pytestmark = pytest.mark.e2e

TABLET = {"width": 768, "height": 1024}
WORKER = "noor@attune.example"


def _busiest_family(app) -> int:
    """Noor's family with the most sessions: the one with the most to show."""

    def run():
        return db.session.execute(
            select(Family.id)
            .join(User, Family.primary_worker_id == User.id)
            .join(CareSession, CareSession.family_id == Family.id)
            .where(User.email == WORKER)
            .group_by(Family.id)
            .order_by(func.count(CareSession.id).desc(), Family.id)
        ).scalar()

    return query(app, run)


def test_charts_are_drawn_only_when_scrolled_to(page, app, log_in):
    page.set_viewport_size(TABLET)
    log_in(page, WORKER)
    page.goto(f"/families/{_busiest_family(app)}")
    page.wait_for_load_state("networkidle")
    charts = page.locator("[data-chart]")
    assert charts.count() >= 5
    # Opened at the top: the summary and the list of parts are on screen, no chart is drawn, and plotly.js is not
    # even fetched.
    assert page.locator("#signals-heading, #plan-heading").first.is_visible()
    assert page.get_by_role("navigation", name="On this page").is_visible()
    assert page.locator(".chart-drawn").count() == 0
    assert page.evaluate("() => typeof window.Plotly") == "undefined"
    assert not page.evaluate("() => performance.getEntriesByType('resource').some(r => r.name.includes('plotly'))")

    # The list of parts jumps to the progress; the first chart is drawn, the last (far below) not yet.
    page.get_by_role("navigation", name="On this page").get_by_role("link", name="Progress").click()
    page.wait_for_url("**#progress")
    page.wait_for_selector("[data-chart].chart-drawn .main-svg")
    assert charts.first.evaluate("el => el.classList.contains('chart-drawn')")
    assert not charts.last.evaluate("el => el.classList.contains('chart-drawn')")

    # Scrolled to each, every chart is drawn.
    assert draw_charts(page) == charts.count()


def test_without_javascript_the_numbers_of_every_chart_are_in_tables(browser, live_server, app, log_in):
    context = browser.new_context(base_url=live_server, viewport=TABLET, locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, WORKER)
        page.goto(f"/families/{_busiest_family(app)}")
        charts = page.locator("[data-chart]")
        assert charts.count() >= 5
        assert page.locator(".chart-drawn, .main-svg").count() == 0
        for i in range(charts.count()):
            # The table that follows each chart, with a caption and numbers, opened from its summary.
            numbers = charts.nth(i).locator("xpath=following-sibling::details[1]")
            numbers.locator("summary").click()
            table = numbers.locator("table")
            assert table.is_visible()
            assert table.locator("caption").inner_text().strip()
            assert table.locator("tbody tr").count() >= 1
    finally:
        context.close()
