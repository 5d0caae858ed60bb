"""The main menu: every item of every role is marked as the current page on its own page."""

from __future__ import annotations

import re

import pytest

from app.models import Role
from tests.helpers.auth import login

# Per role, the menu's items in order: (link, label).
MENUS = {
    Role.WORKER: [("/families/", "My families"), ("/week", "My week")],
    Role.LEAD: [
        ("/families/", "Families"),
        ("/week", "The team's week"),
        ("/overview", "Team overview"),
        ("/account-changes/", "Account changes"),
    ],
    Role.ADMIN: [
        ("/admin/", "Users"),
        ("/admin/teams", "Teams"),
        ("/admin/settings", "Signals"),
        ("/admin/log", "Access log"),
        ("/account-changes/", "Account changes"),
    ],
}


def _menu(html: str) -> list[tuple[str, str, bool]]:
    """(link, label, marked as current) of each item of the main menu (the first list in the header)."""
    menu = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', html, re.S).group(1)
    items = re.findall(r'<a class="nav-link( active)?"( aria-current="page")?\s+href="([^"]+)">([^<]+)</a>', menu)
    for active, current, _href, label in items:
        assert bool(active) == bool(current), f"{label}: active and aria-current go together"
    return [(href, label, bool(current)) for _active, current, href, label in items]


@pytest.mark.parametrize("role", list(MENUS), ids=lambda role: role.value)
def test_each_menu_item_is_the_current_page_on_its_own_page(app, make, role):
    client = app.test_client()
    login(client, make.user(role))
    for link, label in MENUS[role]:
        response = client.get(link)
        assert response.status_code == 200, link
        expected = [(href, text, href == link) for href, text in MENUS[role]]
        assert _menu(response.get_data(as_text=True)) == expected, label


def test_an_item_stays_current_on_the_pages_below_it_and_none_is_current_elsewhere(app, make, world):
    lead = app.test_client()
    login(lead, world.lead_a)
    marked = _menu(lead.get(f"/families/{world.family_a.id}").get_data(as_text=True))
    assert [label for _, label, current in marked if current] == ["Families"]
    assert not any(current for _, _, current in _menu(lead.get("/account").get_data(as_text=True)))
    admin = app.test_client()
    login(admin, make.user(Role.ADMIN))
    for link, label in (("/admin/users/new", "Users"), (f"/admin/teams/{world.team_a.id}", "Teams")):
        marked = _menu(admin.get(link).get_data(as_text=True))
        assert [text for _, text, current in marked if current] == [label], link
