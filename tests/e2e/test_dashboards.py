"""The two overviews in a real browser: the team lead's filter and reassignment, the worker's home page."""

from __future__ import annotations

import json

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app import dates
from app.extensions import db
from app.models import Family, StressItem, StressKind, StressStatus
from app.services.progress import focus_by_month
from app.services.team_progress import last_months
from tests.helpers.browser import draw_charts
from tests.helpers.charts import series
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


def test_lead_filters_one_worker_and_the_charts_count_that_workers_families(page, app, log_in):
    """The charts follow the filter: the focus and stress charts add up the families of the table, nobody else's."""
    log_in(page, LEAD)
    page.goto("/overview")
    page.select_option("#worker", label="Joris Bakker")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/overview?*worker=*")
    draw_charts(page)  # drawn by plotly, so the page is read

    links = page.locator("table.family-list tbody th a")
    ids = [int(links.nth(i).get_attribute("href").rstrip("/").split("/")[-1]) for i in range(links.count())]
    assert ids and page.locator(".pagination").count() == 0  # every family of the filter is on this page
    assert query(app, lambda: {db.session.get(Family, i).primary_worker.name for i in ids}) == {"Joris Bakker"}

    def chart(name):
        return json.loads(page.locator(f"#chart-{name}").text_content())

    focus = chart("team-focus")
    assert "Joris Bakker" in focus["layout"]["title"]["text"].replace("<br>", " ")
    assert focus["data"][0]["x"][-1].endswith(" so far")
    expected = query(app, lambda: _focus_per_month(ids))
    assert series(focus) == expected

    # The stress chart and its "Show the numbers" table: the families with open stress, per kind, of the table.
    rows = page.locator('[aria-labelledby="team-stress-heading"] details tbody tr')
    numbers = {
        rows.nth(i).locator("th").text_content().strip(): int(rows.nth(i).locator("td").first.text_content())
        for i in range(rows.count())
    }
    assert chart("team-stress")["data"][0]["x"] == list(numbers.values())
    per_kind = query(app, lambda: _open_stress_families(ids))
    with app.test_request_context(), force_locale("en"):
        assert numbers == {str(kind.label): families for kind, families in per_kind.items()}


def _focus_per_month(family_ids: list[int]) -> dict[str, list[int]]:
    """Each family's sessions per month by focus, from its own progress (the family page's), added up."""
    months = last_months(dates.today())
    totals = {name: [0] * len(months) for name in ("Parent", "Child", "Family stress")}
    for family_id in family_ids:
        focus = focus_by_month(family_id)
        for at, month in enumerate(focus.months):
            if month in months:
                for name, counts in (("Parent", focus.parent), ("Child", focus.child), ("Family stress", focus.stress)):
                    totals[name][months.index(month)] += counts[at]
    return totals


def _open_stress_families(family_ids: list[int]) -> dict[StressKind, int]:
    items = db.session.execute(
        select(StressItem.kind, StressItem.family_id).where(
            StressItem.family_id.in_(family_ids), StressItem.status != StressStatus.RESOLVED
        )
    ).all()
    return {kind: len({fid for k, fid in items if k == kind}) for kind in StressKind}


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
