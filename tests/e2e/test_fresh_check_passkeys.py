"""Fresh checks by passkey in a real browser (Chromium's virtual authenticator): an administrator with
the app and a passkey asks for a new account with the passkey, a lead with only a passkey confirms it
and makes new recovery codes, on a 768 px tablet, in English and Dutch."""

from __future__ import annotations

import re

import pytest

from app.cli.demo import ADMIN
from app.extensions import db
from app.models import Role, Team, User
from app.services.accounts import create_user
from tests.helpers.browser import add_virtual_authenticator, check_accessibility, demo_code, virtual_credentials

pytestmark = pytest.mark.e2e

TABLET = {"width": 768, "height": 1024}
LEAD_PASSWORD = "a lead who only ever uses her tablet's fingerprint"


@pytest.fixture
def tablet(browser, live_server):
    """open(locale): a page on http://localhost (a domain, as WebAuthn wants) with its own virtual
    authenticator, like a second tablet."""
    contexts = []

    def open_tablet(locale: str):
        context = browser.new_context(
            base_url=live_server.replace("127.0.0.1", "localhost"), viewport=TABLET, locale=locale
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        cdp, authenticator = add_virtual_authenticator(page)
        return page, cdp, authenticator

    yield open_tablet
    for context in contexts:
        context.close()


def _passkey_only_lead(app, suffix: str) -> tuple[str, int]:
    """A lead of a demo team who never set up the app: her e-mail address and the team's id."""
    with app.app_context():
        team = db.session.execute(db.select(Team).order_by(Team.id)).scalars().first()
        lead = create_user(
            email=f"pien.{suffix}@attune.example",
            name=f"Pien {suffix}",
            role=Role.LEAD,
            password=LEAD_PASSWORD,
            team=team,
        )
        db.session.commit()
        return lead.email, team.id


def _password(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("form:has(#email) [type=submit]").click()
    page.wait_for_load_state()


def _passkey(page, form: str) -> None:
    """Press the passkey button of a fresh-check form; the script posts the form once it answered."""
    with page.expect_navigation():
        page.locator(f"{form} button[data-passkey='get']").click()


@pytest.mark.parametrize("locale", ["en-GB", "nl-NL"])
def test_a_new_account_asked_and_confirmed_with_passkeys(tablet, app, screenshot, locale):
    language = locale[:2]
    lead_email, team_id = _passkey_only_lead(app, language)

    # The lead sets up her only second factor: a passkey on her tablet.
    lead_page, lead_cdp, lead_key = tablet(locale)
    _password(lead_page, lead_email, LEAD_PASSWORD)
    assert lead_page.url.endswith("/account/two-factor/setup")
    lead_page.locator("button[data-passkey='create']").click()
    lead_page.wait_for_selector("ol.recovery-codes")
    assert len(virtual_credentials(lead_cdp, lead_key)) == 1

    # The administrator has the app; with a fresh check by code, adds a passkey too.
    admin_page, _, _ = tablet(locale)
    _password(admin_page, ADMIN[1], app.config["DEMO_PASSWORD"])
    admin_page.fill("#code", demo_code(app, ADMIN[1]))
    admin_page.locator("form:has(#code) [type=submit]").click()
    admin_page.wait_for_load_state()
    admin_page.goto("/account/two-factor/setup")
    admin_page.fill("#chk-fresh_code", demo_code(app, ADMIN[1]))
    admin_page.locator("form:has(#chk-fresh_code) [type=submit]").click()
    admin_page.wait_for_load_state()
    with admin_page.expect_navigation():
        admin_page.locator("button[data-passkey='create']").click()

    # Both ways offered; the passkey answers.
    admin_page.goto("/admin/users/new")
    form = "form[action='/admin/users/new']"
    assert admin_page.locator(f"{form} #fresh_code").count() == 1
    assert admin_page.locator(f"{form} button[data-passkey='get']").count() == 1
    admin_page.fill("#name", "Noor Bakker")
    admin_page.fill("#email", f"noor.{language}@attune.example")
    admin_page.select_option("#role", "lead")
    admin_page.select_option("#team_id", str(team_id))
    check_accessibility(admin_page, f"new account, code or passkey ({language})")
    screenshot(admin_page, f"freshpk-admin-new-{language}.png", viewport=TABLET)
    _passkey(admin_page, form)
    assert admin_page.locator("#setup-code").count() == 1, admin_page.inner_text("main")
    screenshot(admin_page, f"freshpk-admin-requested-{language}.png", viewport=TABLET)

    # The lead, with only her passkey, confirms: no code field she could not fill.
    lead_page.goto("/account-changes/")
    lead_page.locator("main a[href^='/account-changes/']", has_text="Noor Bakker").first.click()
    lead_page.wait_for_load_state()
    change_id = re.search(r"/account-changes/(\d+)", lead_page.url).group(1)
    confirm = f"form[action='/account-changes/{change_id}/confirm']"
    assert lead_page.locator(f"{confirm} input[name='confirm-fresh_code']").count() == 0
    assert lead_page.locator(f"{confirm} [type=submit]").count() == 0
    check_accessibility(lead_page, f"confirm with a passkey only ({language})")
    screenshot(lead_page, f"freshpk-lead-confirm-{language}.png", viewport=TABLET)
    _passkey(lead_page, confirm)
    assert lead_page.locator("#setup-code").count() == 1, lead_page.inner_text("main")

    # And makes new recovery codes with it.
    lead_page.goto("/account")
    recovery = "form[action='/account/two-factor/recovery-codes']"
    assert lead_page.locator(f"{recovery} input[name='rc-fresh_code']").count() == 0
    check_accessibility(lead_page, f"account page, passkey only ({language})")
    screenshot(lead_page, f"freshpk-lead-account-{language}.png", viewport=TABLET)
    _passkey(lead_page, recovery)
    assert lead_page.locator("ol.recovery-codes li").count() == 10

    with app.app_context():
        lead = db.session.execute(db.select(User).where(User.email == lead_email)).scalar_one()
        assert not lead.two_factor_enabled and len(lead.passkeys) == 1
