"""Separation of duties as the people meet it: the administrator asks for a new team lead, the team's
lead confirms, and the new lead sets a password from the two halves of the set-up code, makes a
passkey on the tablet (Chromium's virtual authenticator) and opens the team's families.

Without the confirmation the new account opens nothing, and neither half of the code works alone.
Pages are served on http://localhost: WebAuthn wants a domain as relying party, not an IP address.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers.browser import add_virtual_authenticator, check_accessibility, demo_code, virtual_credentials

pytestmark = pytest.mark.e2e

ADMIN = "admin@attune.example"
LEAD = "sanne@attune.example"  # leads Team Noord
NEW_LEAD = ("Mila Verbeek", "mila.verbeek@attune.example")
NEW_PASSWORD = "kites over the river dyke at dawn"
REFUSED = "This e-mail address and these codes do not fit together"


@pytest.fixture
def open_context(browser, live_server):
    """new(viewport) opens a fresh browser context (its own cookies) on http://localhost."""
    contexts = []

    def new(width: int = 1280, height: int = 900):
        context = browser.new_context(
            base_url=live_server.replace("127.0.0.1", "localhost"),
            viewport={"width": width, "height": height},
            locale="en-GB",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield new
    for context in contexts:
        context.close()


def _log_in(page, app, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", app.config["DEMO_PASSWORD"])
    page.locator("form:has(#email) [type=submit]").click()
    page.wait_for_load_state()
    page.fill("#code", demo_code(app, email))
    page.locator("form:has(#code) [type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator(".invalid-feedback, .alert").all_inner_texts()


def _set_up(page, email: str, first: str, second: str) -> None:
    page.goto("/setup")
    page.fill("#email", email)
    page.fill("#code", first)
    page.fill("#second_code", second)
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_load_state()


def _shown_code(page) -> str:
    code = page.locator("#setup-code").inner_text().strip()
    assert re.fullmatch(r"[0-9a-z]{4}(-[0-9a-z]{4}){3}", code), code
    return code


def test_a_new_lead_needs_a_second_person_then_sets_up_with_a_passkey(app, open_context):
    name, email = NEW_LEAD

    # The administrator asks for the account: no password field, a fresh code, the first half shown once.
    admin = open_context()
    _log_in(admin, app, ADMIN)
    admin.goto("/admin/users/new")
    assert admin.locator("input[type=password]").count() == 0
    admin.fill("#name", name)
    admin.fill("#email", email)
    admin.select_option("#role", "lead")
    admin.select_option("#team_id", label="Team Noord")
    admin.fill("#fresh_code", demo_code(app, ADMIN))
    admin.get_by_role("button", name="Ask for the account").click()
    admin.wait_for_load_state()
    main = admin.inner_text("main")
    assert "Waiting for confirmation" in main and "Can be confirmed by the team lead: Sanne de Wit." in main
    first = _shown_code(admin)
    check_accessibility(admin, "the administrator's request, with the first half")
    admin.goto("/admin/")
    row = admin.locator("tr", has_text=name).inner_text()
    assert "waiting for confirmation" in row.lower()

    # Before the lead confirms, the account opens nothing: no login, and the code does not work.
    person = open_context(768, 1024)
    cdp, authenticator = add_virtual_authenticator(person)
    _set_up(person, email, first, "zzzz-zzzz-zzzz-zzzz")
    assert REFUSED in person.inner_text("main") and person.url.endswith("/setup")
    person.goto("/login")
    person.fill("#email", email)
    person.fill("#password", NEW_PASSWORD)
    person.locator("form:has(#email) [type=submit]").click()
    person.wait_for_load_state()
    assert "The e-mail address or password is not correct." in person.inner_text("main")

    # The team lead sees it waiting, confirms with a fresh code and gets the second half.
    lead = open_context()
    _log_in(lead, app, LEAD)
    assert "1 account change waits for your confirmation." in lead.inner_text("main")
    lead.get_by_role("link", name=re.compile("Account changes")).first.click()
    lead.get_by_role("link", name=re.compile(name)).first.click()
    change_url = lead.url
    main = lead.inner_text("main")
    assert "Asked by" in main and "Beheer Attune" in main
    check_accessibility(lead, "an account change waiting for the lead")
    lead.fill("#confirm-fresh_code", demo_code(app, LEAD))
    lead.get_by_role("button", name="Confirm").click()
    lead.wait_for_load_state()
    main = lead.inner_text("main")
    assert "It takes effect when Mila Verbeek sets a password with both halves of the set-up code." in main
    second = _shown_code(lead)
    assert second != first
    check_accessibility(lead, "the confirmation, with the second half")

    # Neither half alone, even now: the administrator's half with a guess is refused.
    _set_up(person, email, first, first)
    assert REFUSED in person.inner_text("main")

    # With both halves the new lead chooses a password, and must set up a second factor first.
    _set_up(person, email, first, second)
    person.wait_for_url("**/account/two-factor/setup")
    person.goto("/families/")
    assert person.url.endswith("/account/two-factor/setup")  # nothing opens before it
    check_accessibility(person, "setting up a second factor on a tablet")
    person.fill("#name", "Work tablet")
    with person.expect_navigation():  # the script posts the form once the authenticator answered
        person.get_by_role("button", name="Make a passkey").click()
    assert "recovery" in person.inner_text("main").lower()
    assert len(virtual_credentials(cdp, authenticator)) == 1

    person.goto("/families/")
    assert person.url.endswith("/families/")
    assert person.locator("table.family-list tbody tr").count() > 0  # Team Noord's families

    # Next time: the password, then one touch on the passkey.
    person.locator("form[action='/logout'] [type=submit]").first.click()
    person.wait_for_load_state()
    person.fill("#email", email)
    person.fill("#password", NEW_PASSWORD)
    person.locator("form:has(#email) [type=submit]").click()
    person.wait_for_url("**/login/verify")
    person.get_by_role("button", name="Use your passkey").click()
    person.wait_for_url(lambda url: "/login" not in url)
    person.goto("/families/")
    assert person.url.endswith("/families/")

    # The lead's page shows the code was used; the administrator's list no longer says waiting.
    lead.goto(change_url)
    assert "Used on" in lead.inner_text("main")
    admin.goto("/admin/")
    assert "waiting for confirmation" not in admin.locator("tr", has_text=name).inner_text().lower()
