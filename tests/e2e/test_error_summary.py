"""The session form sent with several mistakes on a tablet, in English and Dutch: one summary names them
all in words, the consent among them with a link to the consent page, and each link puts the worker in
its field (issue 19)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_tablet import BROWSER_LOCALES, TABLET, WORKERS, a_family_with_a_plan
from tests.helpers.browser import check_accessibility

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_one_summary_names_every_mistake_and_leads_to_each_field(browser, live_server, app, log_in, lang):
    email = WORKERS[lang]
    family_id = a_family_with_a_plan(app, email)
    context = browser.new_context(base_url=live_server, viewport=TABLET, locale=BROWSER_LOCALES[lang], has_touch=True)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, email)
        page.goto(f"/families/{family_id}/sessions/new")
        page.fill("#held_on", "1990-01-02")  # before the family's help began: no consent for video on file then
        page.select_option("#kind", "video_recording")
        page.evaluate("document.querySelectorAll('input[name=focuses]').forEach(box => { box.checked = false; })")
        page.fill("#moments-1-description", "Emma threw her plate.")
        page.fill("#moments-1-video_time", "3.12")
        page.fill("#summary", "Typed with care.")
        page.locator("button[name=submit]").click()
        page.wait_for_load_state()

        assert page.locator("html").get_attribute("lang") == lang
        summary = page.locator("#error-summary")
        assert page.evaluate("() => document.activeElement.id") == "error-summary"
        items = summary.locator("li")
        assert items.count() == 3  # the consent, the help focus and the moment's time: all in one round
        assert not re.search(r"[\[\]{}]", summary.inner_text())
        consent = summary.locator(f"a[href='/families/{family_id}/consent']")
        assert consent.get_attribute("target") == "_blank"  # the form stays open with what was typed
        assert page.locator("#summary").input_value() == "Typed with care."

        for target in ("kind", "focuses", "moments-1-video_time"):
            summary.locator(f"a[href='#{target}']").click()
            focused = page.evaluate("() => document.activeElement.id")
            assert focused == target or focused.startswith(f"{target}-"), f"{target}: the focus is on {focused}"
            assert page.locator(f"#{focused}").is_visible()
            summary.focus()
        check_accessibility(page, f"session form with errors on a tablet ({lang})")
    finally:
        context.close()
