"""The family page on a tablet (issue 19): the summary first, a list of the page's parts, and charts that cost
nothing until they are wanted, with their numbers in tables that need no JavaScript."""

import re
from datetime import date, timedelta

from app.models import MomentKind
from tests.helpers.auth import login


def _rich_family(make, world):
    family = world.family_a
    goal = make.plan(family).goals[0]
    for weeks in range(6):
        day = date.today() - timedelta(weeks=weeks)
        moments = [(MomentKind.POSITIVE, f"Played together {weeks}", [])]
        if weeks % 2:
            moments.append((MomentKind.DIFFICULT, f"Shouted {weeks}", []))
        session = make.care_session(family, held_on=day, summary=f"Visit {weeks}", moments=moments)
        make.score(family, goal, day, 4 + weeks % 3, session_id=session.id)
    return family


def _page(client, family, query=""):
    return client.get(f"/families/{family.id}{query}", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_summary_comes_first_then_the_parts_and_the_charts_after_the_sessions_and_lists(client, make, world):
    family = _rich_family(make, world)
    login(client, world.worker_a)
    html = _page(client, family)
    order = [
        html.index('id="signals-heading"'),
        html.index('id="plan-heading"'),
        html.index('id="latest-heading"'),
        html.index('aria-label="On this page"'),
        html.index('id="sessions-heading"'),
        html.index('id="stress-heading"'),
        html.index('id="members-heading"'),
        html.index('id="progress-heading"'),
        html.index('id="facts-heading"'),
    ]
    assert order == sorted(order)
    # Every link of the page's list of parts leads to a part of this page.
    nav = html.split('aria-label="On this page"')[1].split("</nav>")[0]
    targets = re.findall(r'href="#([\w-]+)"', nav)
    assert {"sessions", "progress", "stress", "consent", "members", "about"} <= set(targets)
    for target in targets:
        assert f'id="{target}"' in html, target


def test_the_latest_sessions_are_the_newest_whatever_the_timeline_shows(client, make, world):
    family = _rich_family(make, world)
    login(client, world.worker_a)
    # A filter and a later page change the timeline, never the summary.
    html = _page(client, family, "?moments=difficult&page=1")
    latest = html.split('id="latest-heading"')[1].split("</section>")[0]
    assert latest.count("<li>") == 3
    assert "1 positive moment" in latest  # this week's session: one positive moment, no difficult one
    assert "1 difficult moment" in latest  # last week's
    assert "/sessions/" in latest and 'href="#sessions"' in latest
    assert "Visit 0" not in latest  # dates and counts, not the notes


def test_charts_wait_for_the_reader_and_their_numbers_need_no_javascript(client, make, world):
    family = _rich_family(make, world)
    login(client, world.worker_a)
    html = _page(client, family)
    charts = re.findall(r'data-chart="(chart-[\w-]+)"', html)
    assert "chart-moments" in charts and any(name.startswith("chart-goal-") for name in charts)
    # plotly.js is no <script> of the page: charts.js fetches it when a chart comes near the screen.
    assert not re.search(r"<script[^>]*\bsrc=\"[^\"]*plotly", html)
    assert re.search(r'<script src="/static/js/charts.js\?v=\w+" defer\s+data-plotly="/static/vendor/plotly/', html)
    assert '<link rel="stylesheet" id="plotly.js-style-global"' not in html
    # Each chart has its numbers in a table in the page, under its own caption.
    tables = html.count('<details class="progress-numbers')
    assert tables == len(charts)
    assert "Played together" not in html.split('id="progress-heading"')[1].split("</section>")[0]


def test_a_family_without_sessions_says_so_in_its_summary(client, make, world):
    family = make.family(world.team_a, world.worker_a)
    login(client, world.worker_a)
    html = _page(client, family)
    latest = html.split('id="latest-heading"')[1].split("</section>")[0]
    assert "No sessions logged yet." in latest
    assert "data-chart=" not in html and "charts.js" not in html
