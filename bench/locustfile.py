"""Load for `make bench`: care workers and team leads at once, logging in through the real form.

Environment: BENCH_TEAMS (how many teams the data has), BENCH_QUERIES_OUT (a JSON file for the
SQL statements per request, read from X-Query-Count), BENCH_PDF_ONLY=1 (only the plan PDF).
"""

# ruff: noqa: S311 (random choices of pages and scores, not secrets)
from __future__ import annotations

import itertools
import json
import os
import random
import re
from collections import defaultdict
from datetime import date
from html.parser import HTMLParser

import gevent
import gevent.lock
import pyotp
from locust import HttpUser, between, events, task

from app.bench import BENCH_PASSWORD, WORKERS_PER_TEAM, bench_totp_secret, lead_email, worker_email

TEAMS = int(os.environ.get("BENCH_TEAMS", "1"))
QUERIES: dict[str, list[int]] = defaultdict(list)
FAMILY_LINK = re.compile(r'href="/families/(\d+)"')
_workers = itertools.count()
_leads = itertools.count()
_shared_logins: dict[str, dict] = {}  # account -> the cookies of its one login (shares_login)
_login_locks: dict[str, gevent.lock.Semaphore] = defaultdict(gevent.lock.Semaphore)


class FormScraper(HTMLParser):
    """What a browser would submit: every field's current value (checked boxes, selected options)."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._select = None
        self._select_value = None
        self._textarea = None

    def handle_starttag(self, tag_name, attrs):
        a = dict(attrs)
        if tag_name == "form":
            self.forms.append([])
        elif not self.forms:
            return
        elif tag_name == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button"):
                return
            self.forms[-1].append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag_name == "select":
            self._select, self._select_value = a.get("name"), None
        elif tag_name == "option" and self._select:
            if self._select_value is None or "selected" in a:
                self._select_value = a.get("value", "")
        elif tag_name == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag_name):
        if tag_name == "select" and self._select:
            self.forms[-1].append((self._select, self._select_value or ""))
            self._select = None
        elif tag_name == "textarea" and self._textarea:
            self.forms[-1].append(tuple(self._textarea))
            self._textarea = None


def form_fields(html: str, containing: str) -> list[tuple[str, str]]:
    scraper = FormScraper()
    scraper.feed(html)
    return next(f for f in scraper.forms if any(name == containing for name, _ in f))


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


class AttuneUser(HttpUser):
    abstract = True
    # Production asks everyone for a second step (a TOTP code, accepted once per 30 s), so simulated
    # users of one account share its one login, as one person with several tabs.
    shares_login = True
    # Think time between clicks. Shorter, and 50 users ask more than two cores can serve: every
    # page then waits in gunicorn's queue and its time says little about the page itself.
    wait_time = between(2, 6)

    def email(self) -> str:
        """This user's account, chosen once per simulated user."""
        if not hasattr(self, "_email"):
            self._email = self.pick_account()
        return self._email

    def pick_account(self) -> str:
        raise NotImplementedError

    def _log_in(self) -> None:
        page = self.client.get("/login", name="login form")
        response = self.client.post(
            "/login",
            data={"email": self.email(), "password": BENCH_PASSWORD, "csrf_token": csrf(page.text), "next": ""},
            name="login",
        )
        if "/login/verify" in response.url:  # two-step login (everyone, as in production)
            code = pyotp.TOTP(bench_totp_secret(self.email())).now()
            self.client.post("/login/verify", data={"code": code, "csrf_token": csrf(response.text)}, name="login")

    def on_start(self):
        self.client.headers["Accept-Encoding"] = "br, gzip"
        self.client.headers["Accept-Language"] = "en"
        if self.shares_login:
            # A TOTP code is accepted once, so simulated users of one two-step account cannot each log in within
            # the same 30 s: the first logs in, the others use its login, as one team lead with several tabs.
            with _login_locks[self.email()]:
                if self.email() not in _shared_logins:
                    self._log_in()
                    _shared_logins[self.email()] = self.client.cookies.get_dict()
                self.client.cookies.update(_shared_logins[self.email()])
        else:
            self._log_in()
        listing = self.client.get("/families/?status=open", name="my families")
        if not listing.url.split("?")[0].endswith("/families/"):
            # Sent to the second-factor set-up or back to the login: every page after this would measure
            # that. Stop the whole run (make bench reports it) rather than wait for a login that never comes.
            self.environment.process_exit_code = 3
            gevent.spawn(self.environment.runner.quit)
            raise RuntimeError(f"{self.email()} did not log in: landed on {listing.url}")
        self.families = [int(i) for i in FAMILY_LINK.findall(listing.text)] or [0]
        _logged_in(self.environment)

    def get(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as response:
            self._count(name, response)

    def _count(self, name, response):
        if "X-Query-Count" in response.headers:
            QUERIES[name].append(int(response.headers["X-Query-Count"]))
        if response.status_code >= 400:
            response.failure(f"HTTP {response.status_code}")

    @task(3)
    def floor(self):
        self.get("/account", "floor")

    @task(3)
    def my_families(self):
        self.get("/families/", "my families")

    @task(4)
    def family_page(self):
        self.get(f"/families/{random.choice(self.families)}", "family page")


class CareWorker(AttuneUser):
    weight = 4

    def pick_account(self):
        n = next(_workers)
        return worker_email(n % TEAMS + 1, (n // TEAMS) % WORKERS_PER_TEAM + 1)

    @task(2)
    def save_session(self):
        """A session with two moments and a score for two goals: about 11% of all requests (and as many
        for the form before it); the report gives the share each run had."""
        family = random.choice(self.families)
        form = self.client.get(f"/families/{family}/sessions/new", name="session form")
        if form.status_code != 200:
            return
        replaced = ("moments-", "held_on")
        fields = [(k, v) for k, v in form_fields(form.text, "summary") if not k.startswith(replaced)]
        fields = [(k, v) for k, v in fields if not k.endswith("worker_score")]
        # A score for each of (at most) two goals the form offers: a family in intake has no plan.
        goals = [k[: -len("goal_key")] for k, _v in fields if k.startswith("scores-") and k.endswith("-goal_key")]
        fields += [(f"{prefix}worker_score", str(random.randint(3, 8))) for prefix in goals[:2]]
        if not any(k == "focuses" for k, _v in fields):  # the form repeats the last session's focus, if any
            fields.append(("focuses", random.choice(["parent", "child", "stress"])))
        fields += [
            ("held_on", date.today().isoformat()),
            ("moments-0-kind", "positive"),
            ("moments-0-description", "The parent saw the child was tired and held her."),
            ("moments-0-tags", "responded_to_signal"),
            ("moments-0-child_id", "0"),
            ("moments-1-kind", "difficult"),
            ("moments-1-description", "Dinner ended in tears."),
            ("moments-1-tags", "irritable"),
            ("moments-1-child_id", "0"),
            ("submit", "Save session"),
        ]
        # The save alone: the family page it redirects to is fetched next as a page of its own.
        with self.client.post(
            f"/families/{family}/sessions/new",
            data=fields,
            name="save session",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            self._count("save session", response)
            target = response.headers.get("Location", "")
            if response.status_code != 302 or "session-" not in target:
                response.failure(f"the session was not saved (HTTP {response.status_code}, form shown again)")
                return
        self.get(target, "family page")


class TeamLead(AttuneUser):
    weight = 1

    def pick_account(self):
        return lead_email(next(_leads) % TEAMS + 1)

    @task(3)
    def team_overview(self):
        self.get("/overview", "team overview")

    @task(1)
    def csv_export(self):
        self.get("/overview/export.csv", "CSV export")


def _print_plan(user):
    # Family 1 is generated with 5 goals and a year of scores (app/bench/data.py).
    user.get("/families/1/plan/print.pdf?lang=en", "plan PDF")


class PlanPrinter(AttuneUser):
    """One user downloading the plan PDF (BENCH_PDF_ONLY=1 runs only this one)."""

    weight = 0
    wait_time = between(0, 0)
    tasks = [_print_plan]

    def pick_account(self):
        return worker_email(1, 1)


if os.environ.get("BENCH_PDF_ONLY"):
    CareWorker.weight = TeamLead.weight = 0
    CareWorker.abstract = TeamLead.abstract = True
    PlanPrinter.weight = 1


_ready = 0


def _logged_in(environment):
    """Logins are slow on purpose (argon2): measure BENCH_SECONDS from when everyone is in."""
    global _ready
    _ready += 1
    if _ready == int(os.environ.get("BENCH_USERS", "0")):
        environment.runner.stats.reset_all()
        QUERIES.clear()
        gevent.spawn_later(float(os.environ.get("BENCH_SECONDS", "60")), environment.runner.quit)


@events.quitting.add_listener
def _write_queries(environment, **kwargs):
    target = os.environ.get("BENCH_QUERIES_OUT")
    if target:
        with open(target, "w") as f:
            json.dump(QUERIES, f)
