"""The team lead's overview shows where the help goes: four charts, each with its numbers in a table."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date

from app.dates import months_between
from app.models import FamilyStatus, MomentKind, StressKind
from app.services.progress import focus_by_month
from app.services.team_progress import last_months
from tests.helpers.auth import login
from tests.helpers.charts import series

SECTIONS = ("team-focus", "team-moments", "team-stress", "team-goals")


def chart_json(html: str, name: str) -> dict:
    match = re.search(rf'<script type="application/json" id="chart-{name}">(.*?)</script>', html, re.S)
    assert match, f"no chart {name}"
    return json.loads(match.group(1))


def test_the_four_charts_with_their_numbers(app, world, make):
    held_on = date.today() - timedelta(days=3)
    make.care_session(
        world.family_a,
        held_on=held_on,
        focus_stress=True,
        moments=[(MomentKind.POSITIVE, "Hug", []), (MomentKind.DIFFICULT, "No", [])],
    )
    make.stress_item(world.family_a, kind=StressKind.DEBTS)
    plan = make.plan(world.family_a2, goals=(("Calm bedtimes", 3, 8),))
    make.score(world.family_a2, plan.goals[0], held_on, 5)
    # Team B's data never shows: its debts would make two families.
    make.stress_item(world.family_b, kind=StressKind.DEBTS)

    client = app.test_client()
    login(client, world.lead_a)
    html = client.get("/overview").get_data(as_text=True)

    assert "Where the help goes" in html
    for name in SECTIONS:
        assert f'data-chart="chart-{name}"' in html
        assert set(chart_json(html, name)) == {"data", "layout", "config"}
    assert html.count("Show the numbers") == 4
    assert "vendor/plotly/plotly-basic.min.js" in html and "vendor/plotly/plotly.css" in html
    stress = chart_json(html, "team-stress")["data"][0]
    assert stress["y"][0] == "Debts" and stress["x"][0] == 1
    goals = chart_json(html, "team-goals")["data"]
    assert goals[1]["text"] == ["+2.0"]
    assert "<td>3.0</td><td>5.0</td><td>+2.0</td>" in html

    dutch = client.get("/overview", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "<td>3,0</td><td>5,0</td><td>+2,0</td>" in dutch


def test_empty_states_beside_the_charts_that_have_data(app, world, make):
    make.care_session(world.family_a, held_on=date.today() - timedelta(days=3))
    client = app.test_client()
    login(client, world.lead_a)
    html = client.get("/overview").get_data(as_text=True)
    assert 'data-chart="chart-team-focus"' in html
    for name in ("team-moments", "team-stress", "team-goals"):
        assert f'data-chart="chart-{name}"' not in html
    assert "No moments in the last 12 months." in html
    assert "No family has stress that is not resolved" in html
    assert "No goals in the current plans yet." in html


def test_no_section_without_any_data(app, world):
    client = app.test_client()
    login(client, world.lead_a)
    html = client.get("/overview").get_data(as_text=True)
    assert "Where the help goes" not in html and "plotly" not in html


# -- the charts follow the filter ---------------------------------------------------------------------------------


def table_family_ids(html: str) -> list[int]:
    table = html[html.index('<table class="table family-list') : html.index("</table>", html.index("family-list"))]
    return [int(i) for i in re.findall(r'<th scope="row"><a href="/families/(\d+)"', table)]


def expected_focus(app, family_ids: list[int]) -> dict[str, list[int]]:
    """What the focus chart should count, added up from each family's own progress (the family page's service)."""
    months = last_months(date.today())
    totals = {"parent": [0] * len(months), "child": [0] * len(months), "stress": [0] * len(months)}
    with app.app_context():
        for family_id in family_ids:
            focus = focus_by_month(family_id)
            for month, parent, child, stress in zip(focus.months, focus.parent, focus.child, focus.stress, strict=True):
                if month in months:
                    for name, count in (("parent", parent), ("child", child), ("stress", stress)):
                        totals[name][months.index(month)] += count
    return totals


@pytest.fixture
def two_caseloads(world, make):
    today = date.today()
    make.care_session(world.family_a, held_on=today - timedelta(days=70), moments=[(MomentKind.POSITIVE, "Hug", [])])
    make.care_session(world.family_a, held_on=today - timedelta(days=100), focus_child=True)
    make.care_session(
        world.family_a2,
        held_on=today - timedelta(days=2),
        focus_parent=False,
        focus_stress=True,
        moments=[(MomentKind.DIFFICULT, "Shouting", [])],
    )
    make.stress_item(world.family_a, kind=StressKind.DEBTS)
    make.stress_item(world.family_a2, kind=StressKind.HOUSING)
    plan = make.plan(world.family_a, goals=(("Calm bedtimes", 3, 8),))
    make.score(world.family_a, plan.goals[0], today - timedelta(days=70), 5)
    plan = make.plan(world.family_a2, goals=(("Calm mornings", 2, 8),))
    make.score(world.family_a2, plan.goals[0], today - timedelta(days=2), 6)
    closed = make.family(world.team_a, world.colleague_a, display_name="Family Closed", status=FamilyStatus.CLOSED)
    make.care_session(closed, held_on=today - timedelta(days=20), focus_child=True)


@pytest.mark.parametrize("args", ["", "worker={colleague}", "status=all", "focus=stress", "signal=not_seen"])
def test_the_charts_count_the_families_of_the_table(app, world, two_caseloads, args):
    client = app.test_client()
    login(client, world.lead_a)
    html = client.get("/overview?" + args.format(colleague=world.colleague_a.id)).get_data(as_text=True)
    ids = table_family_ids(html)
    assert ids, "the filter leaves families"
    focus = series(chart_json(html, "team-focus"))
    expected = expected_focus(app, ids)
    assert [focus["Parent"], focus["Child"], focus["Family stress"]] == list(expected.values())


def test_one_workers_charts_are_that_workers_families(app, world, two_caseloads):
    client = app.test_client()
    login(client, world.lead_a)
    html = client.get(f"/overview?worker={world.colleague_a.id}").get_data(as_text=True)
    assert table_family_ids(html) == [world.family_a2.id]  # the closed one is not in the (open) table
    focus = chart_json(html, "team-focus")
    assert focus["layout"]["title"]["text"].endswith("Colleague A's open families")
    assert [sum(counts) for counts in series(focus).values()] == [0, 0, 1]
    moments = chart_json(html, "team-moments")["data"]
    assert [sum(t["y"]) for t in moments] == [0, 1]
    stress = chart_json(html, "team-stress")["data"][0]
    assert dict(zip(stress["y"], stress["x"], strict=True))["Housing"] == 1 and sum(stress["x"]) == 1
    assert chart_json(html, "team-goals")["data"][1]["text"] == ["+4.0"]
    assert "The charts count Colleague A&#39;s open families: the family in the table above." in html

    everyone = client.get("/overview?status=all").get_data(as_text=True)
    assert sum(series(chart_json(everyone, "team-focus"))["Child"]) == 2  # the closed family's session too
    assert "all the team&#39;s families, closed ones included" in everyone
    dutch = client.get(f"/overview?worker={world.colleague_a.id}", headers={"Accept-Language": "nl"})
    title = chart_json(dutch.get_data(as_text=True), "team-focus")["layout"]["title"]["text"]
    assert title.replace("<br>", " ").endswith("de open gezinnen van Colleague A")


def test_the_current_month_is_drawn_as_partial(app, world, make):
    today = date.today()
    make.care_session(world.family_a, held_on=today, moments=[(MomentKind.POSITIVE, "Hug", [])])
    last_month = today.replace(day=1) - timedelta(days=1)
    make.care_session(world.family_a, held_on=last_month, moments=[(MomentKind.POSITIVE, "Hug", [])])
    client = app.test_client()
    login(client, world.lead_a)
    html = client.get("/overview").get_data(as_text=True)
    for name in ("team-focus", "team-moments"):
        figure = chart_json(html, name)
        first = figure["data"][0]
        assert first["x"][-1].endswith(" so far") and not first["x"][-2].endswith(" so far")
        (band,) = figure["layout"]["shapes"]
        assert (band["x0"], band["x1"]) == (10.5, 11.5)  # behind the twelfth month, the current one
        assert figure["layout"]["annotations"][0]["text"].startswith("until ")
    bars = chart_json(html, "team-moments")["data"][0]
    assert bars["marker"]["opacity"][-1] < 1 == bars["marker"]["opacity"][-2]  # lighter
    parent, segment, point = chart_json(html, "team-focus")["data"][:3]
    assert parent["y"][-1] is None and parent["y"][-2] == 1  # the series' own line stops before it
    assert segment["line"]["dash"] == "dot" and segment["x"] == parent["x"][-2:] and segment["y"] == [1, 1]
    assert point["y"] == [1] and point["marker"]["opacity"] < 1 and point["showlegend"] is False

    month = format_date(today, "LLLL y", locale="en")
    assert f"{month} so far (until {format_date(today, 'medium', locale='en')})" in html

    dutch = client.get("/overview", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert chart_json(dutch, "team-focus")["data"][0]["x"][-1].endswith(" tot nu toe")
    assert f"{format_date(today, 'LLLL y', locale='nl')} tot nu toe" in dutch


def test_a_date_filter_sets_the_months_the_charts_count(app, world, two_caseloads):
    """From 120 to 60 days ago: family A's sessions of 100 and 70 days ago, not family A2's of 2 days ago."""
    today = date.today()
    first, last = today - timedelta(days=120), today - timedelta(days=60)
    client = app.test_client()
    login(client, world.lead_a)
    html = client.get(f"/overview?from={first.isoformat()}&to={last.isoformat()}").get_data(as_text=True)
    assert table_family_ids(html) == [world.family_a.id]
    focus = series(chart_json(html, "team-focus"))
    assert sum(focus["Parent"]) == 2 and sum(focus["Child"]) == 1 and sum(focus["Family stress"]) == 0
    months = chart_json(html, "team-focus")["data"][0]["x"]
    assert len(months) == len(months_between(first, last))
    when = f"from {format_date(first, 'medium', locale='en')} to {format_date(last, 'medium', locale='en')}"
    assert f"Sessions and moments: those held {when}, the dates of the filter." in html
    if last.month == (last + timedelta(days=1)).month:  # the filter ends within a month
        assert f"The last month is counted until {format_date(last, 'medium', locale='en')}" in html


@pytest.mark.parametrize(
    "args", ["from=0001-01-01", "from=9999-01-01", "to=0001-01-31", "from=2026-05-01&to=2026-01-01"]
)
def test_extreme_date_filters_still_draw_a_page(app, world, two_caseloads, args):
    """Years of months draw the last 24 of them; dates no session has leave no families, and so no charts."""
    client = app.test_client()
    login(client, world.lead_a)
    response = client.get("/overview?" + args)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if args == "from=0001-01-01":
        assert len(chart_json(html, "team-focus")["data"][0]["x"]) == 24
        assert "the dates of the filter" in html
    else:
        assert "family-list" not in html and 'id="chart-team-focus"' not in html  # no table, no charts
