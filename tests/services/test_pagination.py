"""Every paged page pages the same way (app.services.pagination, macros/pagination.html): the page
size and URLs of each page, the current page marked, a page out of range shown as the nearest."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from app.models import Family, FamilyStatus, Role
from app.services.pagination import paginate, paginate_list
from tests.helpers.auth import login


def _links(html: str) -> list[tuple[str, str, bool]]:
    """(href, text, current) of each page link."""
    return [
        (href, text, bool(current))
        for current, href, text in re.findall(
            r'<a class="page-link"( aria-current="page")? href="([^"]+)">([^<]+)</a>', html
        )
    ]


def test_a_page_out_of_range_is_the_nearest_page(app, make):
    team = make.team()
    for n in range(5):
        make.family(team, None, display_name=f"Family {n}")
    with app.app_context():
        query = select(Family).order_by(Family.display_name)
        for asked, shown in ((-3, 1), (0, 1), (2, 2), (3, 3), (99999999999999999999, 3)):
            result = paginate(query, asked, 2)
            assert (result.page, result.pages, result.total) == (shown, 3, 5), asked
        assert [f.display_name for f in paginate(query, 3, 2).items] == ["Family 4"]
        empty = paginate(query.where(Family.id < 0), 5, 2)
        assert (empty.page, empty.pages, empty.total, empty.items) == (1, 0, 0, [])
    listed = paginate_list(list("abcde"), 99, 2)
    assert (listed.page, listed.pages, listed.total, listed.items) == (3, 3, 5, ["e"])
    assert paginate_list([], 2, 2).items == []


def test_the_family_list_pages_keep_the_search_and_status(app, make):
    app.config["FAMILIES_PER_PAGE"] = 2
    try:
        team = make.team()
        worker = make.user(Role.WORKER, team)
        for n in range(5):
            make.family(team, worker, display_name=f"Jansen {n}", status=FamilyStatus.ACTIVE)
        client = app.test_client()
        login(client, worker)
        html = client.get("/families/?q=jansen&status=active&page=2").get_data(as_text=True)
        assert _links(html) == [
            ("/families/?q=jansen&amp;status=active&amp;page=1", "1", False),
            ("/families/?q=jansen&amp;status=active&amp;page=2", "2", True),
            ("/families/?q=jansen&amp;status=active&amp;page=3", "3", False),
        ]
    finally:
        app.config["FAMILIES_PER_PAGE"] = 25


def test_the_overview_pages_keep_the_filter(app, make):
    app.config["FAMILIES_PER_PAGE"] = 2
    try:
        team = make.team()
        lead = make.user(Role.LEAD, team)
        worker = make.user(Role.WORKER, team)
        for n in range(3):
            make.family(team, worker, display_name=f"Family {n}")
        client = app.test_client()
        login(client, lead)
        html = client.get(f"/overview?worker={worker.id}").get_data(as_text=True)
        assert _links(html) == [
            (f"/overview?worker={worker.id}&amp;page=1", "1", True),
            (f"/overview?worker={worker.id}&amp;page=2", "2", False),
        ]
    finally:
        app.config["FAMILIES_PER_PAGE"] = 25


def test_the_timeline_pages_land_on_the_sessions(app, make):
    team = make.team()
    worker = make.user(Role.WORKER, team)
    family = make.family(team, worker)
    for days in range(1, 12):
        make.care_session(family, held_on=date.today() - timedelta(days=days))
    client = app.test_client()
    login(client, worker)
    html = client.get(f"/families/{family.id}?focus=parent&page=2").get_data(as_text=True)
    assert _links(html) == [
        (f"/families/{family.id}?focus=parent&amp;page=1#sessions", "1", False),
        (f"/families/{family.id}?focus=parent&amp;page=2#sessions", "2", True),
    ]
    assert 'aria-label="Pages of sessions" class="mt-2"><ul class="pagination flex-wrap pagination-sm">' in html


def test_a_long_run_of_pages_is_shortened(app, make):
    app.config["FAMILIES_PER_PAGE"] = 1
    try:
        team = make.team()
        worker = make.user(Role.WORKER, team)
        for n in range(20):
            make.family(team, worker, display_name=f"Family {n:02d}")
        client = app.test_client()
        login(client, worker)
        html = client.get("/families/?page=10").get_data(as_text=True)
        numbers = [text for _, text, _ in _links(html)]
        assert numbers == ["1", "2", "8", "9", "10", "11", "12", "13", "14", "19", "20"]
        assert html.count('<span class="page-link">…</span>') == 2
    finally:
        app.config["FAMILIES_PER_PAGE"] = 25
