"""Help where a new care worker would hesitate, next steps on empty pages, and dates and numbers in the
user's language."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from flask_babel import force_locale
from markupsafe import escape

from app.care_sessions.forms import TAG_MEANINGS
from app.models import MomentTag
from tests.helpers.auth import login


def test_session_form_explains_the_scale_and_every_tag(world, worker_client, make):
    make.plan(world.family_a, goals=[("Calm bedtimes", 3, 8)])
    page = worker_client.get(f"/families/{world.family_a.id}/sessions/new").get_data(as_text=True)

    assert "What do the tags mean?" in page
    for tag in MomentTag:
        assert str(escape(str(TAG_MEANINGS[tag]))) in page, f"no help for the tag {tag.value}"
    assert "The child keeps saying no or fights what the parent asks." in page  # the meaning of "resists"
    # The scale help is read with each score field, not only seen above it.
    assert "5: halfway; some things go well, others not yet." in page
    for name in ("scores-0-worker_score", "scores-0-parent_score"):
        field = re.search(rf'<input[^>]*id="{name}"[^>]*>', page).group(0)
        assert 'aria-describedby="scores-help' in field


def test_plan_form_ties_the_scale_help_to_the_scores(worker_client, world):
    page = worker_client.get(f"/families/{world.family_a.id}/plan/edit").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="goals-0-target_score"[^>]*>', page).group(0)
    assert 'aria-describedby="scale-help' in field


def test_a_plan_without_scores_says_what_to_do_next(world, worker_client, make):
    plan = make.plan(world.family_a, goals=[("Calm bedtimes", 3, 8)])
    url = f"/families/{world.family_a.id}/plan"
    page = worker_client.get(url).get_data(as_text=True)
    assert "No scores yet. After each session, score every goal" in page
    assert f'class="btn btn-primary" href="/families/{world.family_a.id}/sessions/new"' in page

    key = plan.goals[0].key
    worker_client.post(
        f"/families/{world.family_a.id}/sessions/new",
        data={
            "held_on": date.today().isoformat(),
            "kind": "home_visit",
            "focuses": ["parent"],
            "summary": "Scored.",
            "new_stress-kind": "",
            "scores-0-goal_key": key,
            "scores-0-worker_score": "5",
            "submit": "1",
        },
    )
    assert "No scores yet. After each session" not in worker_client.get(url).get_data(as_text=True)


def test_an_empty_caseload_and_an_empty_family_offer_the_next_step(app, make, world):
    newcomer = make.user(team=world.team_a, email="new@example.org")
    client = app.test_client()
    login(client, newcomer)
    page = client.get("/families/").get_data(as_text=True)
    assert "Your caseload is empty" in page
    assert 'class="btn btn-primary" href="/families/new"' in page

    empty = make.family(world.team_a, newcomer, display_name="Family Empty")
    page = client.get(f"/families/{empty.id}").get_data(as_text=True)
    assert f'class="btn btn-primary" href="/families/{empty.id}/members/new"' in page
    assert f'class="btn btn-primary" href="/families/{empty.id}/sessions/new"' in page


@pytest.mark.parametrize(
    ("lang", "weekday", "number", "clock"),
    [("en", "Wed", "5.5", "2:30\u202fPM"), ("nl", "wo", "5,5", "14:30")],
)
def test_dates_numbers_and_weekdays_follow_the_language(app, lang, weekday, number, clock):
    day = app.jinja_env.filters["day"]
    with app.test_request_context(), force_locale(lang):
        shown = day(date(2026, 11, 25), "weekday")
        assert shown.startswith(weekday) and "2026" in shown
        assert app.jinja_env.filters["number"](5.5) == number
        assert app.jinja_env.filters["clock"](time(14, 30)) == clock
        assert day(date(2026, 11, 25), "long") == ("November 25, 2026" if lang == "en" else "25 november 2026")


def test_next_appointment_shows_its_weekday_in_dutch(app, world, make):
    from app.extensions import db
    from app.models import CareSession, SessionKind

    with app.app_context():
        db.session.add(
            CareSession(
                family_id=world.family_a.id,
                held_on=date.today(),
                kind=SessionKind.HOME_VISIT,
                focus_parent=True,
                next_appointment_on=date(2030, 1, 2),  # a Wednesday
                next_appointment_at=time(9, 15),
            )
        )
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    login(client, world.worker_a)
    assert "wo 2 jan 2030" in client.get("/families/").get_data(as_text=True)
