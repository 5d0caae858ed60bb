"""The family page says at the top whether the family needs attention, and why: the lists' signals."""

from datetime import date, timedelta

from app.extensions import db
from app.models import Family, FamilyStatus, Setting
from tests.helpers.auth import login
from tests.helpers.db import query


def _page(client, family, language="en"):
    return client.get(f"/families/{family.id}", headers={"Accept-Language": language}).get_data(as_text=True)


def _box(html):
    """The box's text, or None when the page has none."""
    if 'id="signals-heading"' not in html:
        return None
    return html.split('id="signals-heading"')[1].split("</section>")[0]


def test_a_long_intake_shows_its_reason_in_english_and_dutch(client, world, make):
    family = make.family(
        world.team_a, world.worker_a, status=FamilyStatus.INTAKE, start_date=date.today() - timedelta(days=91)
    )
    login(client, world.worker_a)
    english = _box(_page(client, family))
    assert "Needs attention" in english
    assert "Long in intake" in english
    assert "in intake for 91 days; no session and no agreed plan yet" in english
    dutch = _box(_page(client, family, "nl"))
    assert "Vraagt aandacht" in dutch
    assert "Lang in intake" in dutch
    assert "91 dagen in intake; nog geen contactmoment en geen afgesproken plan" in dutch


def test_a_paused_family_past_its_review_date(client, world, make):
    family = make.family(
        world.team_a, world.worker_a, status=FamilyStatus.PAUSED, status_since=date.today() - timedelta(weeks=10)
    )
    make.plan(family, review_on=date.today() - timedelta(days=5))
    login(client, world.lead_a)
    box = _box(_page(client, family))
    assert "paused for 10 weeks" in box
    assert "review date passed 5 days ago" in box
    dutch = _box(_page(client, family, "nl"))
    assert "10 weken gepauzeerd" in dutch
    assert "Lang gepauzeerd" in dutch


def test_a_calm_family_says_so_and_a_closed_one_shows_no_box(client, world, make):
    calm = world.family_a
    make.plan(calm)
    make.care_session(calm, held_on=date.today() - timedelta(days=3))
    closed = make.family(
        world.team_a, world.worker_a, status=FamilyStatus.CLOSED, start_date=date.today() - timedelta(days=400)
    )
    login(client, world.worker_a)
    assert "None of the signals applies to this family now." in _box(_page(client, calm))
    assert "Geen van de signalen geldt nu voor dit gezin." in _box(_page(client, calm, "nl"))
    assert _box(_page(client, closed)) is None


def test_the_box_follows_the_administrators_thresholds(app, client, world, make):
    family = make.family(
        world.team_a, world.worker_a, status=FamilyStatus.INTAKE, start_date=date.today() - timedelta(days=50)
    )
    login(client, world.worker_a)
    assert "in intake for 50 days" in _box(_page(client, family))

    def stricter():
        db.session.add(Setting(key="signal.intake_days", value="60"))
        db.session.commit()

    query(app, stricter)
    assert "None of the signals applies to this family now." in _box(_page(client, family))


def test_changing_the_status_starts_its_count_again(app, client, world, make):
    long_ago = date.today() - timedelta(days=100)
    family = make.family(world.team_a, world.worker_a, status_since=long_ago)
    login(client, world.worker_a)
    form = {
        "display_name": "Family Renamed",
        "status": "active",
        "start_date": family.start_date.isoformat(),
        "end_date": "",
        "context_notes": "",
        "version": "1",
    }
    assert client.post(f"/families/{family.id}/edit", data=form).status_code == 302
    assert query(app, lambda: db.session.get(Family, family.id)).status_since == long_ago  # same status
    assert (
        client.post(f"/families/{family.id}/edit", data={**form, "status": "paused", "version": "2"}).status_code == 302
    )
    saved = query(app, lambda: db.session.get(Family, family.id))
    assert (saved.status, saved.status_since) == (FamilyStatus.PAUSED, date.today())


def test_the_lists_do_not_say_a_closed_family_needs_nothing(client, world, make):
    """Closed families are not watched: the lists say so instead of "nothing needs attention"."""
    closed = make.family(
        world.team_a, world.worker_a, status=FamilyStatus.CLOSED, display_name="Family Ended", end_date=date.today()
    )
    lead = client.application.test_client()
    login(client, world.worker_a)
    login(lead, world.lead_a)
    for who, url in ((client, "/families/?status=all"), (lead, "/overview?status=all")):
        html = who.get(url).get_data(as_text=True)
        row = html.split(f'/families/{closed.id}"', 1)[1].split("</tr>", 1)[0]
        assert "the help has ended: no signals" in row, url
        assert "nothing needs attention" not in row, url


def test_a_reliable_fall_is_in_the_box_and_beside_the_goals_chart_in_both_languages(client, world, make):
    family = world.family_a
    plan = make.plan(family, goals=[("Samen spelen", 6, 9)], review_on=date.today() + timedelta(days=60))
    for weeks, score in ((6, 6), (4, 5), (2, 4), (0, 3)):
        session = make.care_session(family, held_on=date.today() - timedelta(weeks=weeks))
        make.score(family, plan.goals[0], session.held_on, score, session_id=session.id)
    login(client, world.worker_a)
    html = _page(client, family)
    box = _box(html)
    assert "Reliably worse" in box
    # Each goal's clause and the rule on a line of their own.
    assert "<li>&#39;Samen spelen&#39; went from 6 to 3</li>" in box
    assert "<li>a change of 3 or more is more than chance (an assumed" in box
    assert "Care worker: Reliably worse (6 → 3)." in html
    assert "Parent: fewer than two scores of their own" in html
    assert "No expected course for this point yet: too few goals like it." in html
    dutch = _page(client, family, "nl")
    assert "Betrouwbaar slechter" in _box(dutch)
    assert "<li>&#39;Samen spelen&#39; ging van 6 naar 3</li>" in _box(dutch)
    assert "<li>een verandering van 3 of meer is meer dan toeval" in _box(dutch)
    assert "Hulpverlener: Betrouwbaar slechter (6 → 3)." in dutch


def test_a_goal_title_is_text_in_the_reasons_never_markup(client, world, make):
    family = world.family_a
    plan = make.plan(family, goals=[("<b>Samen</b> spelen", 6, 9), ("Calm <i>bedtimes</i>", 6, 9)])
    for goal in plan.goals:
        for weeks, score in ((2, 6), (0, 2)):
            session = make.care_session(family, held_on=date.today() - timedelta(weeks=weeks))
            make.score(family, goal, session.held_on, score, session_id=session.id)
    login(client, world.worker_a)
    box = _box(_page(client, family))
    assert "&lt;b&gt;Samen&lt;/b&gt; spelen" in box and "Calm &lt;i&gt;bedtimes&lt;/i&gt;" in box
    assert "<b>" not in box and "<i>" not in box
    lead = app_client(client)
    login(lead, world.lead_a)
    listed = lead.get("/overview").get_data(as_text=True)
    assert "<b>Samen</b>" not in listed and "&lt;b&gt;Samen&lt;/b&gt; spelen" in listed


def app_client(client):
    return client.application.test_client()
