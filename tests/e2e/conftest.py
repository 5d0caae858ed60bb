"""Browser journeys: the real app on a real port, driven by headless Chromium through Playwright.

The server runs the same database as the `app` fixture, with CSRF protection switched ON, and holds
the demo organisation for the tests of a module. Debian's Chromium is used (Playwright never
downloads a browser here). Without it, or without the playwright package, the tests are skipped;
with REQUIRE_E2E=1 they fail instead, so CI cannot pass without running them.

Fixtures: `live_server` (base URL), `page` (a fresh browser context per test), `log_in`,
`axe` (accessibility check with the vendored axe-core) and `screenshot` (only with SCREENSHOTS=1).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.cli.demo import seed_demo
from app.extensions import db
from tests.helpers.browser import check_accessibility, log_in_as
from tests.helpers.db import empty_tables

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000


def _missing_requirement() -> str | None:
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _missing_requirement()
    if reason:
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(f"browser tests required (REQUIRE_E2E=1), but {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="module")
def live_server(browser, app: Flask) -> Iterator[str]:
    """Serve the demo organisation on 127.0.0.1 with CSRF on; yields the base URL.

    Depends on `browser` so that nothing is seeded when the browser tests are skipped. The name
    matters: tests/conftest.py leaves the database alone between tests that use `live_server`.
    """
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url in ("sqlite://", "sqlite:///:memory:"):
        pytest.skip("the live server needs a database it can share with the tests (not in-memory SQLite)")
    live_app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=True)
    empty_tables(app)
    with live_app.app_context():
        seed_demo()
        db.session.commit()

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with live_app.app_context():
            db.session.remove()
            db.engine.dispose()
        empty_tables(app)


@pytest.fixture
def page(browser, live_server: str):
    """A fresh context per test (no cookies carried over), 1280 wide, asking for English."""
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(app: Flask, live_server: str) -> Callable:
    password = app.config["DEMO_PASSWORD"]
    return lambda page, email: log_in_as(page, email, password, app)


@pytest.fixture
def axe() -> Callable:
    return check_accessibility


@pytest.fixture
def screenshot() -> Callable:
    """screenshot(page, "families.png") saves into docs/screenshots/, only when SCREENSHOTS=1.

    The page is shot whole at 1280 px wide; `viewport` shoots it at another size (a tablet), and
    `max_height` keeps only the top of a long page.
    """

    def save(page, name: str, viewport: dict | None = None, max_height: int | None = None) -> None:
        if os.environ.get("SCREENSHOTS") != "1":
            return
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        size = viewport or VIEWPORT
        page.set_viewport_size(size)
        page.wait_for_timeout(300)  # charts redraw on the resize event
        clip = None
        if max_height:
            height = min(max_height, page.evaluate("() => document.documentElement.scrollHeight"))
            clip = {"x": 0, "y": 0, "width": size["width"], "height": height}
        page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=True, clip=clip)

    return save
