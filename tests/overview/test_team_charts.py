"""The team lead's overview shows where the help goes: four charts, each with its numbers in a table."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from app.models import MomentKind, StressKind
from tests.helpers.auth import login

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
