"""In the browser tests: logging in through the real form, and axe-core on the current page."""

from __future__ import annotations

import warnings
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from sqlalchemy import update

from app.cli.demo import demo_totp_secret
from app.extensions import db
from app.models import User

AXE_JS = Path(__file__).resolve().parents[1] / "e2e" / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


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


def draw_charts(page, within: str = "main") -> int:
    """Scroll every chart under `within` into view and wait until each is drawn; the number of charts.

    static/js/charts.js draws a chart (and fetches plotly.js) only when it comes near the screen.
    """
    charts = page.locator(f"{within} [data-chart]")
    count = charts.count()
    for i in range(count):
        charts.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "([within, n]) => document.querySelectorAll(within + ' [data-chart].chart-drawn .main-svg').length >= n",
        arg=[within, count],
    )
    return count


def check_accessibility(page, label: str | None = None) -> None:
    """Run axe-core on the current page; fail on serious or critical WCAG 2.x A/AA violations.

    The script is evaluated, not added as a <script> tag, so a Content-Security-Policy that
    forbids inline scripts cannot block it. Minor and moderate findings are reported as warnings.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    # Colour transitions (a button's focus or hover, 0.15 s) run to their end first: halfway through,
    # axe measures a contrast that no one sees for longer than an instant.
    page.evaluate("() => document.getAnimations().forEach(a => { try { a.finish(); } catch (endless) {} })")
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


def add_virtual_authenticator(page, *, user_verified: bool = True) -> tuple[object, str]:
    """A platform authenticator with a fingerprint sensor in this page's browser context, through
    Chromium's DevTools protocol: navigator.credentials.create/get then answer at once, as a
    tablet would after one touch. Returns (the CDP session, the authenticator id).

    WebAuthn wants a domain as relying party id, not an IP address: serve the pages from
    http://localhost:PORT (a secure context, like 127.0.0.1).
    """
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": user_verified,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def virtual_credentials(cdp, authenticator_id: str) -> list[dict]:
    """The credentials the virtual authenticator holds (what the device would have stored)."""
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
