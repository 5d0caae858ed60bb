"""The browser finds an icon for every page: no request of a page load ends in a 404.

Headless Chromium asks for no icon by itself, so the test asks for both addresses a browser uses: the
page's <link rel=icon> and /favicon.ico (browsers without SVG icons, bookmarks, tabs opened from a link)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_pages_load_without_a_missing_file(page, log_in):
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto("/login")
    log_in(page, "joris@attune.example")
    page.goto("/families/")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon and page.request.get(icon).headers["content-type"].startswith("image/svg+xml")
    assert page.request.get("/favicon.ico").headers["content-type"] == "image/x-icon"
    page.wait_for_load_state("networkidle")
    assert failed == []
