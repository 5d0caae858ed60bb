"""Page weight: compressed pages, static files versioned and cached for a year."""

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import brotli

from app.models import MomentKind
from app.web.static_assets import MIN_SIZE
from tests.helpers.auth import login

ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/[^"]+)"')
# plotly.js and its style rules, which charts.js fetches when a chart comes near the screen.
LAZY_ASSET = re.compile(r'data-plotly(?:-css)?="(/[^"]+)"')
BROWSER = {"Accept-Encoding": "br, gzip", "Accept-Language": "en"}


def _chart_page(client, make, world):
    family = world.family_a
    goal = make.plan(family).goals[0]
    for weeks in range(30):
        day = date.today() - timedelta(weeks=weeks)
        session = make.care_session(family, held_on=day, moments=[(MomentKind.POSITIVE, "Played together", [])])
        make.score(family, goal, day, 4 + weeks % 4, session_id=session.id)
    login(client, world.worker_a)
    return f"/families/{family.id}"


def _assets(html: str) -> list[str]:
    return [url.replace("&amp;", "&") for url in ASSET.findall(html) + LAZY_ASSET.findall(html)]


def test_a_chart_page_and_its_assets_weigh_at_most_700_kb_compressed(client, make, world):
    page = client.get(_chart_page(client, make, world), headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == "br"
    html = brotli.decompress(page.data).decode()
    assets = _assets(html)
    assert any("plotly-basic.min.js" in url for url in assets)
    assert any("bootstrap" in url and url.endswith(".css") or ".css?" in url for url in assets)
    total = len(page.data)
    for url in assets:
        response = client.get(url, headers=BROWSER)
        assert response.status_code == 200, url
        if len(response.data) >= MIN_SIZE:  # the icon is smaller than any compression would save
            assert response.headers.get("Content-Encoding") in ("br", "gzip"), url
        total += len(response.data)
    assert total <= 700 * 1024, f"first load transfers {total // 1024} KB"
    # A repeat visit finds every asset in the browser cache: only the page travels.
    assert len(page.data) < 50 * 1024


def test_static_urls_carry_a_version_and_are_cached_for_a_year(client, make, world):
    html = client.get(_chart_page(client, make, world)).get_data(as_text=True)
    assets = _assets(html)
    assert assets and all(re.search(r"[?&]v=[0-9a-f]{12}\b", url) for url in assets), assets
    for url in assets:
        response = client.get(url)
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", url


def test_a_stale_or_missing_version_is_not_cached_for_a_year(client, make, world):
    html = client.get(_chart_page(client, make, world)).get_data(as_text=True)
    url = next(u for u in _assets(html) if "attune.css" in u)
    path = urlsplit(url).path
    for stale in (path, f"{path}?v=000000000000"):
        response = client.get(stale)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")


def test_pages_with_family_data_are_compressed_but_never_cached(client, make, world):
    response = client.get(_chart_page(client, make, world), headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Accept-Encoding" in response.headers["Vary"]


def test_a_compressed_static_file_is_the_file(client, app):
    plain = client.get("/static/css/attune.css")
    squeezed = client.get("/static/css/attune.css", headers={"Accept-Encoding": "br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.data) == plain.data
    # The validator names the encoding, and a browser that has it gets a 304.
    again = client.get(
        "/static/css/attune.css", headers={"Accept-Encoding": "br", "If-None-Match": squeezed.headers["ETag"]}
    )
    assert again.status_code == 304
