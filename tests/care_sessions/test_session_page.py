"""The session's own page shows everything it recorded, its scores per goal too; the conflict view shows the
scores of both versions."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from app.extensions import db
from app.models import CareSession, FamilyMember, GoalStatus
from tests.helpers.auth import login
from tests.helpers.db import query
from tests.helpers.form_data import session_form


def _rows(html: str) -> list[list[str]]:
    """The session-scores table's body rows, as the text of their cells."""
    table = html[html.index('class="table table-sm align-middle session-scores') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_session_page_shows_its_scores_duration_attendees_next_steps_and_appointment(
    app, world, make, worker_client
):
    plan = make.plan(world.family_a, goals=[("Calm bedtimes", 3, 8), ("Playing together", 4, 9)])
    child = make.member(world.family_a, first_name="Emma")
    day = date.today() - timedelta(days=2)
    care_session = make.care_session(
        world.family_a,
        held_on=day,
        duration_minutes=75,
        other_attendees="the grandmother",
        agreements="Mother tries the bedtime song every night.",
        next_appointment_on=date.today() + timedelta(days=5),
        next_appointment_at=time(10, 30),
    )

    def attend():
        db.session.get(CareSession, care_session.id).attendees = [db.session.get(FamilyMember, child.id)]
        db.session.commit()

    query(app, attend)
    make.score(world.family_a, plan.goals[0], day, 5, 6, session_id=care_session.id)
    make.score(world.family_a, plan.goals[1], day, 7, None, session_id=care_session.id)

    html = worker_client.get(f"/families/{world.family_a.id}/sessions/{care_session.id}").get_data(as_text=True)
    assert _rows(html) == [["Calm bedtimes", "5", "6", "8"], ["Playing together", "7", "not given", "9"]]
    assert "Care worker's score" in html and "The parent's own score" in html
    assert "75 minutes" in html
    assert "Emma, the grandmother" in html
    assert "Mother tries the bedtime song every night." in html
    assert "10:30" in html


def test_a_goal_achieved_since_keeps_its_title_and_a_session_without_scores_says_so(app, world, make, worker_client):
    plan = make.plan(world.family_a, goals=[("Calm bedtimes", 3, 8)])
    scored = make.care_session(world.family_a)
    make.score(world.family_a, plan.goals[0], scored.held_on, 8, 8, session_id=scored.id)

    def achieve():
        from app.models import Goal

        db.session.get(Goal, plan.goals[0].id).status = GoalStatus.ACHIEVED
        db.session.commit()

    query(app, achieve)
    html = worker_client.get(f"/families/{world.family_a.id}/sessions/{scored.id}").get_data(as_text=True)
    assert _rows(html) == [["Calm bedtimes", "8", "8", "8"]]
    unscored = make.care_session(world.family_a)
    html = worker_client.get(f"/families/{world.family_a.id}/sessions/{unscored.id}").get_data(as_text=True)
    assert "No goals were scored in this session." in html
    assert "session-scores" not in html


def test_the_conflict_view_shows_the_scores_of_both_versions(app, world, make):
    plan = make.plan(world.family_a, goals=[("Calm bedtimes", 3, 8), ("Playing together", 4, 9)])
    keys = [g.key for g in plan.goals]
    care_session = make.care_session(world.family_a, held_on=date.today(), summary="Original")
    url = f"/families/{world.family_a.id}/sessions/{care_session.id}/edit"
    first, second = app.test_client(), app.test_client()
    login(first, world.worker_a)
    login(second, world.lead_a)

    def scores(worker_0, parent_0, worker_1):
        return {
            "scores-0-goal_key": keys[0],
            "scores-0-worker_score": worker_0,
            "scores-0-parent_score": parent_0,
            "scores-1-goal_key": keys[1],
            "scores-1-worker_score": worker_1,
            "scores-1-parent_score": "",
        }

    assert first.post(url, data=session_form(version="1", **scores("5", "6", ""))).status_code == 302
    clash = second.post(url, data=session_form(version="1", **scores("4", "6", "7")))
    assert clash.status_code == 409
    html = clash.get_data(as_text=True)
    notice = html[html.index('id="conflict"') : html.index("Save again to replace it")]
    assert "Saved now" in notice and "Your version" in notice
    rows = _rows(notice)
    assert rows == [["Calm bedtimes differs", "5", "6", "4", "6"], ["Playing together differs", "–", "–", "7", "–"]]
