"""Two-step login in a real browser: a lead types the code, a care worker sets it up."""

from __future__ import annotations

import re

import pyotp
import pytest

from tests.helpers.browser import demo_code

pytestmark = pytest.mark.e2e

LEAD = "ruben@attune.example"
WORKER = "daan@attune.example"  # turns two-step verification on in this module


def _password(page, app, email):
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", app.config["DEMO_PASSWORD"])
    page.locator("form:has(#email) [type=submit]").click()
    page.wait_for_load_state()


def test_lead_types_a_wrong_then_the_right_code(page, app, axe):
    _password(page, app, LEAD)
    assert page.url.endswith("/login/verify")
    axe(page, "code step")
    page.fill("#code", "000000" if demo_code(app, LEAD) != "000000" else "111111")
    page.locator("form:has(#code) [type=submit]").click()
    error = page.locator("#code-error")
    assert "not correct" in error.inner_text() or "niet goed" in error.inner_text()
    assert page.locator("#code").get_attribute("aria-describedby") == "code-error"
    page.fill("#code", demo_code(app, LEAD))
    page.locator("form:has(#code) [type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/families/")


def test_worker_sets_it_up_with_the_qr_code_and_gets_recovery_codes(page, app, log_in, axe):
    log_in(page, WORKER)
    page.goto("/account")
    axe(page, "account page")
    page.locator('a[href="/account/two-factor/setup"]').click()
    page.wait_for_load_state()
    qr = page.locator('img[src="/account/two-factor/qr.svg"]')
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    axe(page, "set-up page")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.locator("form:has(#code) [type=submit]").click()
    page.wait_for_load_state()
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[0-9a-z]{4}(-[0-9a-z]{4}){5}", code) for code in codes)
    axe(page, "recovery codes page")
    page.goto("/account")
    assert page.locator("#off-code").is_visible()
