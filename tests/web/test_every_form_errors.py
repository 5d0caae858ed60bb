"""Every form of the app, sent with wrong input in every field (nested rows included), answers with an error
summary a person can read: each problem in words, never a Python list or dict, each link to a field that is
in the page (issue 19).

The forms are found as a user finds them: every page of the URL map (tests/helpers/routes.py) is opened, and
each of its forms with a field to fill in is sent back with every field filled wrongly."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.helpers.auth import login
from tests.helpers.routes import ROUTES, url_for_family
from tests.helpers.routes import access_world as access_world  # noqa: F401 (a fixture)

WHO = {"user": "worker_a", "case": "worker_a", "family": "worker_a"}
WHO |= {"family_lead": "lead_a", "lead": "lead_a", "admin": "admin", "admin_2fa": "admin"}

# Wrong for every field of its kind: longer than any text may be, a day that does not exist, no number.
WRONG = {
    "text": "x" * 5001,
    "textarea": "x" * 5001,
    "date": "2026-13-45",
    "time": "25:99",
    "number": "not a number",
    "select": "not-a-choice",
    "radio": "not-a-choice",
    "checkbox": "not-a-choice",
}
NOT_FILLED = {"hidden", "submit", "button", "reset", "image", "file"}

# The forms whose nested rows (moments, goals, agreements, scores) the walk must have reached.
MUST_SUMMARISE = {
    "care_sessions.create": "moments-0-",
    "care_sessions.edit": "moments-0-",
    "plans.edit": "goals-0-agreements-0-",
    "plans.close": "scores-0-",
    "plans.agreement": "",
    "families.create": "",
    "families.edit": "",
    "families.add_member": "",
    "families.edit_member": "",
    "care_sessions.add_stress": "",
    "care_sessions.edit_stress": "",
    "care_sessions.consent": "",
    "admin.create_user_page": "",
    "admin.edit_user": "",
    "admin.teams": "",
    "admin.edit_team": "",
    "admin.signal_settings": "",
}


class _Forms(HTMLParser):
    """The page's POST forms: action, the fields to fill and the hidden ones, and the submit buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "hidden": [], "fill": [], "submits": []}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "hidden":
                self._form["hidden"].append((name, a.get("value") or ""))
            elif kind == "submit":
                self._form["submits"].append((name, a.get("value") or ""))
            elif kind not in NOT_FILLED:
                self._form["fill"].append((name, kind if kind in WRONG else "text"))
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            self._form["submits"].append((name, a.get("value") or ""))
        elif tag in ("textarea", "select"):
            self._form["fill"].append((name, tag))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _wrong_body(form: dict) -> dict[str, list[str]]:
    body: dict[str, list[str]] = {}
    for name, value in form["hidden"]:
        body.setdefault(name, []).append(value)
    for name, kind in form["fill"]:
        body[name] = [WRONG[kind]]  # a group of checkboxes or radios once, wrongly
    submits = dict(form["submits"])
    name = "submit" if "submit" in submits else next(iter(submits), None)
    if name is not None:
        body[name] = [submits[name]]
    return body


def _problems(page: str, where: str) -> list[str]:
    problems = []
    summary = page.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    words = re.sub(r"<[^>]+>", " ", summary)
    if re.search(r"[\[\]{}]", words):
        problems.append(f"{where}: the summary shows program internals: {' '.join(words.split())[:300]}")
    for target in re.findall(r'href="#([^"]*)"', summary):
        if not re.search(rf'\sid="{re.escape(target)}"', page):
            problems.append(f"{where}: the summary links to #{target}, which is not in the page")
    for message in re.findall(r'class="invalid-feedback">(.*?)</div>', page, re.S):
        if re.search(r"[\[\]{}]", re.sub(r"<[^>]+>", " ", message)):
            problems.append(f"{where}: a field's error shows program internals: {message[:200]}")
    return problems


def test_every_form_sent_wrong_explains_itself_in_words(app, access_world, make):  # noqa: F811
    make.consent(access_world.family_a)
    clients = {}
    problems: list[str] = []
    summarised: dict[str, str] = {}
    # Administrators last: nothing an administrator's wrong send could change touches the other pages.
    pages = sorted(
        ((endpoint, template, rule) for endpoint, (method, template, rule) in ROUTES.items() if method == "GET"),
        key=lambda page: (WHO.get(page[2]) == "admin", page[0]),
    )
    for endpoint, template, rule in pages:
        if rule not in WHO or endpoint.startswith(("plans.print", "exports.", "access_log.")):
            continue
        who = WHO[rule]
        if who not in clients:
            clients[who] = app.test_client()
            login(clients[who], getattr(access_world, who))
        client = clients[who]
        url = url_for_family(template, access_world, "family_a")
        page = client.get(url)
        if page.status_code != 200 or "text/html" not in page.content_type:
            continue
        parser = _Forms()
        parser.feed(page.get_data(as_text=True))
        for form in parser.forms:
            if not form["fill"] or form["action"].startswith("/language"):
                continue  # a button (log out, remove), or the language switch
            target = form["action"] or url.split("?")[0]
            sent = client.post(target, data=_wrong_body(form))
            answer = sent.get_data(as_text=True)
            if sent.status_code >= 500:
                problems.append(f"{endpoint} {target}: {sent.status_code}")
            if 'id="error-summary"' not in answer:
                continue
            problems += _problems(answer, f"{endpoint} ({target})")
            summarised[endpoint] = (
                summarised.get(endpoint, "") + answer.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
            )
    assert not problems, "\n".join(problems)
    missing = [e for e, nested in MUST_SUMMARISE.items() if e not in summarised or nested not in summarised[e]]
    assert not missing, f"the walk did not get an error summary (with its nested rows) from: {missing}"


def test_every_form_page_of_the_url_map_is_walked(app):
    """A new page that takes a form (GET and POST) must be in ROUTES, so the walk above sends it wrong too."""
    form_pages = {r.endpoint for r in app.url_map.iter_rules() if {"GET", "POST"} <= (r.methods or set())}
    walked = {e for e, (method, _t, rule) in ROUTES.items() if method == "GET" and rule in WHO}
    public = {"auth.login", "auth.verify", "auth.setup"}  # before a login: other tests send them wrong
    assert form_pages - walked - public == set()
