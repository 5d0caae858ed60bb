"""Passkeys in a real browser, with Chromium's virtual authenticator (DevTools protocol):
set up from the set-up page, the second login step in one touch, a page that needs the second
factor, and removal with a fresh check by passkey."""

from __future__ import annotations

import pytest

from tests.helpers.browser import add_virtual_authenticator, check_accessibility, demo_code, virtual_credentials

pytestmark = pytest.mark.e2e

ADMIN = "admin@attune.example"  # has the app already: adding a passkey asks for a fresh check
WORKER = "joris@attune.example"  # password only in the demo: the passkey is the first factor


@pytest.fixture
def tablet(browser, live_server):
    """A page on http://localhost (a domain, as WebAuthn wants) with a virtual authenticator."""
    context = browser.new_context(
        base_url=live_server.replace("127.0.0.1", "localhost"), viewport={"width": 768, "height": 1024}, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    cdp, authenticator = add_virtual_authenticator(page)
    yield page, cdp, authenticator
    context.close()


def _password(page, app, email):
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", app.config["DEMO_PASSWORD"])
    page.locator("form:has(#email) [type=submit]").click()
    page.wait_for_load_state()


def _log_out(page):
    page.locator("form[action='/logout'] [type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/login")


def test_admin_adds_a_passkey_logs_in_with_it_and_removes_it_with_a_passkey_check(tablet, app):
    page, cdp, authenticator = tablet
    _password(page, app, ADMIN)
    page.fill("#code", demo_code(app, ADMIN))
    page.locator("form:has(#code) [type=submit]").click()
    page.wait_for_load_state()

    page.goto("/account/two-factor/setup")
    assert "Confirm it is you" in page.inner_text("main")  # another factor: a fresh check first
    check_accessibility(page, "fresh check before another factor")
    page.fill("#chk-fresh_code", demo_code(app, ADMIN))
    page.locator("form:has(#chk-fresh_code) [type=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page, "set-up page with a passkey")
    page.fill("#name", "Office tablet")
    page.get_by_role("button", name="Make a passkey").click()
    page.wait_for_url("**/account")
    assert "Passkey “Office tablet” added." in page.inner_text("main")
    assert len(virtual_credentials(cdp, authenticator)) == 1
    check_accessibility(page, "account page with a passkey")

    _log_out(page)
    _password(page, app, ADMIN)
    assert page.url.endswith("/login/verify")
    check_accessibility(page, "code step with a passkey")
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_load_state()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/admin/log")  # needs a login with a second factor
    assert page.url.endswith("/admin/log") and "Used a passkey" in page.inner_text("main")

    page.goto("/account")
    with page.expect_navigation():  # the script posts the form once the passkey answered
        page.get_by_role("button", name="Remove: check with passkey").click()
    assert "The passkey has been removed." in page.inner_text("main")
    assert "No passkeys yet." in page.inner_text("main")


def test_care_worker_makes_a_passkey_as_first_factor_and_a_cancelled_check_says_so(tablet, app):
    page, cdp, authenticator = tablet
    _password(page, app, WORKER)
    page.goto("/account/two-factor/setup")
    assert page.locator("#name").input_value()  # a default name from the device
    page.get_by_role("button", name="Make a passkey").click()
    page.wait_for_load_state()
    page.locator("ol.recovery-codes").wait_for()
    assert len(page.locator("ol.recovery-codes code").all_inner_texts()) == 10
    check_accessibility(page, "recovery codes after a passkey")

    _log_out(page)
    # The device lost its passkey (another tablet): the browser finds none, and the page says what to do.
    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator})
    _password(page, app, WORKER)
    page.get_by_role("button", name="Use your passkey").click()
    status = page.locator("#passkey-status")
    status.wait_for(state="visible", timeout=20_000)
    assert "no passkey for your account" in status.inner_text()


def test_a_browser_without_passkeys_says_so_and_keeps_the_app(browser, live_server, app):
    context = browser.new_context(base_url=live_server.replace("127.0.0.1", "localhost"), locale="en-GB")
    context.add_init_script("delete window.PublicKeyCredential;")
    page = context.new_page()
    _password(page, app, "lotte@attune.example")
    page.goto("/account/two-factor/setup")
    status = page.locator("#passkey-status")
    assert "This browser cannot use passkeys" in status.inner_text() and status.is_visible()
    assert page.get_by_role("button", name="Make a passkey").is_disabled()
    assert page.locator("#totp-secret").is_visible()  # the authenticator app still works
    context.close()
