"""Security in a real browser: the Content-Security-Policy breaks nothing (plotly charts included),
and text typed into every form comes back as text, never as markup (stored XSS)."""

from __future__ import annotations

import re

import pytest

from tests.helpers.browser import draw_charts

pytestmark = pytest.mark.e2e

ADMIN = "admin@attune.example"
LEAD = "sanne@attune.example"
WORKER = "joris@attune.example"

# At most 60 characters: it must fit the shortest text field it goes into (a first name).
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'>"
LONG_PAYLOAD = PAYLOAD + "<svg onload=alert(3)><a href=javascript:alert(4)>x</a>"

CSP_WORDS = ("Content Security Policy", "Content-Security-Policy")


class Watch:
    """Collects CSP violations (console and securitypolicyviolation events) and dialogs."""

    def __init__(self, page):
        self.page = page
        self.violations: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._console)
        page.on("dialog", self._dialog)
        page.context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )

    def _console(self, message):
        if any(word in message.text for word in CSP_WORDS):
            self.violations.append(f"{self.page.url}: {message.text}")

    def _dialog(self, dialog):
        self.dialogs.append(f"{self.page.url}: {dialog.message}")
        dialog.dismiss()

    def check(self):
        assert not self.violations, "CSP violations:\n" + "\n".join(self.violations)
        assert not self.dialogs, "a script ran:\n" + "\n".join(self.dialogs)


def assert_no_injected_markup(page, label: str) -> None:
    """The payload is text on the page, and nothing of it became an element or an attribute."""
    injected = page.evaluate(
        """() => [...document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onload], a[href^="javascript"]')]
                 .map(e => e.outerHTML)
                 .concat([...document.scripts].filter(s => s.type !== 'application/json' && s.textContent.includes('alert('))
                         .map(s => s.outerHTML))"""
    )
    assert injected == [], f"markup injected on {label}: {injected}"
    assert PAYLOAD in page.locator("body").inner_text(), f"the payload is not shown as text on {label}"


def test_pages_with_charts_run_under_the_policy_without_violations(page, log_in):
    watch = Watch(page)
    page.goto("/login")
    assert page.locator("#email").is_visible()

    log_in(page, WORKER)
    page.goto("/families/")
    page.locator("table.family-list tbody tr th a").first.click()
    draw_charts(page)
    page.locator(".progress-chart").first.hover()  # plotly's hover layer and modebar
    page.goto(page.url.split("#")[0] + "/plan/print?lang=nl")
    assert page.locator("[data-print]").is_visible()  # print.js ran

    page.context.clear_cookies()
    log_in(page, LEAD)
    page.goto("/overview")
    assert draw_charts(page) >= 2
    watch.check()

    # The watch does see a violation: an inline <style>, as plotly.js would insert without its file.
    page.evaluate(
        "() => { const s = document.createElement('style'); s.textContent = 'body{}'; document.head.append(s); }"
    )
    page.wait_for_timeout(200)
    assert any("style-src" in v for v in watch.violations), watch.violations


def _fill_text_fields(page, payload: str, skip: tuple[str, ...] = ()) -> int:
    """Type the payload into every visible text input and textarea of the main form."""
    fields = page.locator(
        "main form input[type=text]:visible, main form textarea:visible, main form input:not([type]):visible"
    )
    filled = 0
    for i in range(fields.count()):
        field = fields.nth(i)
        name = field.get_attribute("name") or ""
        if any(re.search(pattern, name) for pattern in skip):
            continue
        field.fill(payload)
        filled += 1
    return filled


def _submit(page, name: str) -> None:
    page.locator("main form").get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()
    errors = page.locator(".invalid-feedback:visible").all_inner_texts()
    assert not errors, f"the form did not save: {errors}"


def test_script_typed_into_every_form_comes_back_as_text(page, log_in):
    watch = Watch(page)

    # The administrator names a user and a team.
    log_in(page, ADMIN)
    page.goto("/admin/")
    page.get_by_role("link", name="Joris Bakker").click()
    # The name; the e-mail address is not free text, and the fresh-check code fields are codes.
    assert _fill_text_fields(page, PAYLOAD, skip=("fresh_code",)) == 1
    _submit(page, "Save")
    page.goto("/admin/teams")
    page.get_by_role("link", name="Team Noord").click()
    _fill_text_fields(page, PAYLOAD)
    _submit(page, "Save")
    for path in ("/admin/", "/admin/teams"):
        page.goto(path)
        assert_no_injected_markup(page, path)
    page.context.clear_cookies()

    # The care worker registers a family and fills every form of it.
    log_in(page, WORKER)
    assert_no_injected_markup(page, "the worker's home (their name in the menu)")
    page.goto("/families/new")
    _fill_text_fields(page, LONG_PAYLOAD)
    _submit(page, "Save")
    found = re.search(r"^(.*/families/\d+)(/|$|\?|#)", page.url)  # the family page, or its first member
    assert found, page.url
    family_url = found.group(1)

    page.goto(family_url + "/members/new")
    _fill_text_fields(page, PAYLOAD)
    page.fill("#birth_year", "2021")
    _submit(page, "Save")

    page.goto(family_url + "/consent")
    _fill_text_fields(page, PAYLOAD)
    page.locator("input[name=given][value=yes]").check()
    _submit(page, "Record consent")

    page.goto(family_url + "/stress/new")
    _fill_text_fields(page, LONG_PAYLOAD)
    _submit(page, "Save")

    page.goto(family_url + "/plan/edit")
    page.fill("#goals-0-start_score", "3")
    page.fill("#goals-0-target_score", "8")
    _fill_text_fields(page, LONG_PAYLOAD, skip=(r"^goals-1-",))
    _submit(page, "Save plan")

    page.goto(family_url + "/sessions/new")
    page.locator("input[name=focuses][value=parent]").check()
    page.select_option("#moments-0-child_id", index=1)  # the child with the payload as name
    page.fill("#scores-0-worker_score", "5")
    _fill_text_fields(page, LONG_PAYLOAD, skip=(r"video_time$", r"^new_stress-", r"^stress_changes-"))
    _submit(page, "Save session")
    hrefs = page.locator("a[href*='/sessions/']").evaluate_all("links => links.map(a => a.href)")
    session_url = next(h for h in hrefs if re.search(r"/sessions/\d+$", h))

    for url in (
        family_url,
        session_url,
        family_url + "?moments=difficult#sessions",
        family_url + "/plan",
        family_url + "/plan/print?lang=en",
        "/families/",
    ):
        page.goto(url)
        assert_no_injected_markup(page, url)
    page.goto(family_url + "/plan/print?lang=en")
    assert LONG_PAYLOAD in page.locator("body").inner_text()
    page.context.clear_cookies()

    # The team lead edits the family too and sees it all on the overview.
    log_in(page, LEAD)
    page.goto(family_url + "/edit")
    _fill_text_fields(page, PAYLOAD)
    _submit(page, "Save")
    for url in (family_url, "/overview", f"/overview?q={PAYLOAD}"):
        page.goto(url)
        assert_no_injected_markup(page, url)
    watch.check()
