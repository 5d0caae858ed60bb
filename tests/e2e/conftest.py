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
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from sqlalchemy import update
from werkzeug.serving import make_server

from app import create_app
from app.cli.demo import demo_totp_secret, seed_demo
from app.extensions import db
from app.models import User
from tests.conftest import empty_tables

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
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
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


def demo_code(app: Flask, email: str) -> str:
    """The current code of a demo lead or administrator, usable again within the same 30 s.

    The app accepts a code once (it stores the last time step used); journeys log the same
    lead in several times a minute. Forgetting the last step is what a login half a minute
    later would see, so the app keeps its production rule and the tests do not wait.
    """
    with app.app_context():
        db.session.execute(update(User).where(User.email == email).values(totp_last_counter=None))
        db.session.commit()
    return pyotp.TOTP(demo_totp_secret(email)).now()


def log_in_as(page, email: str, password: str, app: Flask | None = None) -> None:
    """Log in through the real form (with its CSRF token) and wait until the app lets us in.

    When the app asks for the two-step code (demo leads and the administrator), type it.
    """
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("form:has(#email) [type=submit]").click()
    page.wait_for_load_state()
    if "/login/verify" in page.url and app is not None and demo_totp_secret(email):
        page.fill("#code", demo_code(app, email))
        page.locator("form:has(#code) [type=submit]").click()
        page.wait_for_load_state()
    if "/login" in page.url:
        errors = page.locator(".invalid-feedback, .alert").all_inner_texts()
        pytest.fail(f"login as {email} failed: {errors or page.title()}", pytrace=False)


@pytest.fixture
def log_in(app: Flask, live_server: str) -> Callable:
    password = app.config["DEMO_PASSWORD"]
    return lambda page, email: log_in_as(page, email, password, app)


def check_accessibility(page, label: str | None = None) -> None:
    """Run axe-core on the current page; fail on serious or critical WCAG 2.x A/AA violations.

    The script is evaluated, not added as a <script> tag, so a Content-Security-Policy that
    forbids inline scripts cannot block it. Minor and moderate findings are reported as warnings.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async (tags) => {
            const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
            const results = await axe.run(document, options);
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        AXE_TAGS,
    )
    where = label or page.url

    def describe(found) -> str:
        return "\n".join(
            f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})\n"
            + "\n".join(f"      {target}" for target in v["targets"])
            for v in found
        )

    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    other = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    if other:
        warnings.warn(f"axe findings on {where}:\n{describe(other)}", stacklevel=2)
    if blocking:
        pytest.fail(f"accessibility violations on {where}:\n{describe(blocking)}", pytrace=False)


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
