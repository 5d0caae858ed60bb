"""One date and time style per language on every page (app.dates): screens write "1 dec 2026" (with the
weekday or the time where they matter), never "01-12-2026" or "12/1/26, 10:11 PM" beside "dinsdag 1 december
2026"; the printed plan writes every date out in full."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from app import dates
from tests.helpers.auth import login
from tests.helpers.routes import ROUTES, url_for_family
from tests.helpers.routes import access_world as access_world  # noqa: F401 (a fixture)

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"

# Numbers-only dates, as Babel's short formats write them: 12/1/26 in English, 01-12-2026 in Dutch.
NUMERIC = {"en": re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"), "nl": re.compile(r"\b\d{1,2}-\d{1,2}-\d{2,4}\b")}
# Month names written out next to a day (May and mei read the same in both styles: left out).
LONG_MONTHS = {
    "en": "January|February|March|April|June|July|August|September|October|November|December",
    "nl": "januari|februari|maart|april|juni|juli|augustus|september|oktober|november|december",
}
SHORT_MONTHS = {
    "en": "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec",
    "nl": "jan|feb|mrt|apr|jun|jul|aug|sep|okt|nov|dec",
}
WEEKDAYS = {
    "en": "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday",
    "nl": "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag",
}


def _day_with_month(lang: str, months: str) -> re.Pattern:
    if lang == "en":
        return re.compile(rf"\b({months}) \d{{1,2}}, \d{{4}}")
    return re.compile(rf"\b\d{{1,2}} ({months}) \d{{4}}")


def _visible(html: str) -> str:
    """The text a reader sees: no scripts, attributes (ISO dates of date fields and <time>) or tags."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _pages(app, world, lang):
    """Every HTML page of the route table, opened by someone who may see it."""
    clients = {}
    for name, user in (("lead", world.lead_a), ("worker", world.worker_a), ("admin", world.admin)):
        clients[name] = app.test_client()
        clients[name].environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
        login(clients[name], user)
    who = {"user": "lead", "case": "lead", "family": "lead", "family_lead": "lead", "lead": "lead"}
    who |= {"admin": "admin", "admin_2fa": "admin", "decider": "lead"}
    for endpoint, (method, template, rule) in ROUTES.items():
        if method != "GET" or rule not in who:
            continue
        url = url_for_family(template, world, "family_a")
        response = clients[who[rule]].get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            yield endpoint, _visible(response.get_data(as_text=True))


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_page_writes_its_dates_in_one_style(app, access_world, make, lang):
    world = access_world
    # Dates of every kind on the pages: a session with its next appointment, a trashed one, times of changes.
    make.care_session(
        world.family_a,
        held_on=date(2026, 12, 1),
        next_appointment_on=dates.today() + timedelta(days=9),
        next_appointment_at=time(9, 15),
        created_at=datetime(2026, 12, 1, 21, 11, tzinfo=UTC),
    )
    numeric = NUMERIC[lang]
    long_day = _day_with_month(lang, LONG_MONTHS[lang])
    weekday = re.compile(rf"\b({WEEKDAYS[lang]})\b")
    medium_day = _day_with_month(lang, SHORT_MONTHS[lang])
    checked, with_dates = set(), set()
    for endpoint, text in _pages(app, world, lang):
        checked.add(endpoint)
        if endpoint == "plans.print_page":  # paper: every date written out
            assert not medium_day.search(text), (endpoint, medium_day.search(text))
            continue
        for pattern in (numeric, long_day, weekday):
            found = pattern.search(text)
            assert not found, (endpoint, found.group(0))
        if medium_day.search(text):
            with_dates.add(endpoint)
    # The walk means something: the pages with the most dates were seen, and showed dates.
    assert {"families.index", "families.detail", "care_sessions.detail", "care_sessions.trash"} <= with_dates
    assert {"overview.index", "access_log.admin_log", "account_changes.index", "plans.print_page"} <= checked


def test_templates_use_only_the_named_date_styles():
    """A template that asks for another format ("short", "full", a pattern) would bring a second style."""
    used = set()
    for path in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"\|day\('([^']*)'\)", path.read_text()))
    assert used and used <= dates.STYLES, used - dates.STYLES


def test_an_unknown_style_is_refused(app):
    with app.test_request_context(), pytest.raises(ValueError):
        dates.show_day(date(2026, 12, 1), "short")


@pytest.mark.parametrize(
    ("lang", "day", "weekday", "moment"),
    [
        ("en", "Dec 1, 2026", "Tue, Dec 1, 2026", "Dec 1, 2026, 10:11\u202fPM"),
        ("nl", "1 dec 2026", "di 1 dec 2026", "1 dec 2026, 22:11"),
    ],
)
def test_a_day_its_weekday_and_a_moment_read_alike(app, lang, day, weekday, moment):
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert dates.show_day(date(2026, 12, 1)) == day
        assert dates.show_day(date(2026, 12, 1), dates.WEEKDAY) == weekday
        assert dates.show_day(datetime(2026, 12, 1, 21, 11, tzinfo=UTC)) == moment
