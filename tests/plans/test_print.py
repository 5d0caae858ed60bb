"""The printed plan for the parents: the page, its language, the PDF and the audit log."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import unescape

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AgreementKind,
    AgreementParty,
    AgreementWay,
    AuditEvent,
    Family,
    Goal,
    GoalAgreement,
    GoalResponse,
    GoalScore,
    GoalStatus,
    HelpFocus,
    MemberRole,
    Moment,
    MomentKind,
    Party,
    Plan,
    PlanAgreement,
    PlanStatus,
    Severity,
    StressKind,
    User,
)
from app.plans import printing
from tests.helpers.auth import login
from tests.helpers.db import query

REVIEW_ON = date(2031, 3, 5)  # March: "March" in English, "maart" in Dutch
DISCUSSED_ON = date(2026, 1, 14)

GOALS = [
    (
        "Bedtime is calm and Emma falls asleep without crying.",
        "We read a story and Emma stays in bed.",
        [(Party.PARENT, "Anouk", "Reads a story with Emma every evening."), (Party.WORKER, "", "Films bedtime once.")],
    ),
    (
        "We play together for ten minutes every day.",
        "",
        [(Party.PARENT, "Anouk", "Plays with Emma after school.")],
    ),
    (
        "The letters about the debts are opened and sorted.",
        "",
        [(Party.OTHER, "Aunt Mirjam", "Helps to sort the post on Mondays.")],
    ),
]
GOOD = "Emma laughed when Anouk sang the bath song."
HARD = "Dinner ended in shouting when Emma threw her plate."
NOT_CHOSEN = "Emma hid under the table when the doorbell rang."
OTHER_FAMILY = "A moment of a completely different family."
SUMMARY = "Internal summary: mother seemed tired and tense."
CONTEXT_NOTE = "Context note: the mother grew up in care."
STRESS_NOTE = "Internal stress note: about 12,000 euros."


@dataclass
class Case:
    family_id: int
    other_family_id: int
    plan_number: int
    moments: dict[str, int]


def add_plan(app, family_id: int, goals=GOALS, *, number: int = 1, superseded: bool = False, **fields) -> list[str]:
    """A plan with goals and agreements, committed; returns the goal keys."""
    with app.app_context():
        plan = Plan(
            family_id=family_id,
            number=number,
            status=fields.pop("status", PlanStatus.AGREED),
            discussed_on=fields.pop("discussed_on", DISCUSSED_ON),
            review_on=fields.pop("review_on", REVIEW_ON),
            superseded_at=datetime.now(UTC) if superseded else None,
        )
        for position, (title, looks_like, agreements) in enumerate(goals):
            plan.goals.append(
                Goal(
                    position=position,
                    focus=HelpFocus.STRESS if "debts" in title else HelpFocus.PARENT,
                    title=title,
                    looks_like=looks_like,
                    start_score=2 + position,
                    target_score=8,
                    status=GoalStatus.ACTIVE,
                    skill_signals=position == 0,
                    agreements=[
                        GoalAgreement(position=n, party=party, who=who, what=what)
                        for n, (party, who, what) in enumerate(agreements)
                    ],
                )
            )
        db.session.add(plan)
        db.session.flush()
        if plan.status == PlanStatus.AGREED:  # agreed: by Anouk, in person, on the day it was discussed
            db.session.add(
                PlanAgreement(
                    plan_id=plan.id,
                    family_id=family_id,
                    kind=AgreementKind.RESPONSE,
                    party=AgreementParty.PARENT,
                    name="Anouk",
                    way=AgreementWay.IN_PERSON,
                    agrees=True,
                    agreed_on=plan.discussed_on or date.today(),
                )
            )
        db.session.commit()
        return [goal.key for goal in plan.goals]


def add_score(app, family_id: int, goal_key: str, worker: int | None, parent: int | None, days_ago: int = 7) -> None:
    with app.app_context():
        db.session.add(
            GoalScore(
                family_id=family_id,
                goal_key=goal_key,
                scored_on=date.today() - timedelta(days=days_ago),
                worker_score=worker,
                parent_score=parent,
            )
        )
        db.session.commit()


def moment_ids(app) -> dict[str, int]:
    return query(app, lambda: {m.description: m.id for m in db.session.scalars(select(Moment))})


def audit_actions(app, family_id: int) -> list[str]:
    return query(
        app,
        lambda: list(
            db.session.scalars(
                select(AuditEvent.action).where(AuditEvent.family_id == family_id).order_by(AuditEvent.id)
            )
        ),
    )


@pytest.fixture
def case(app, make, world) -> Case:
    family = make.family(world.team_a, world.worker_a, display_name="Family Jansen", context_notes=CONTEXT_NOTE)
    make.member(family, first_name="Anouk", role=MemberRole.PARENT, birth_year=1994)
    make.member(family, first_name="Emma", birth_year=2021)
    make.care_session(
        family,
        world.worker_a,
        moments=[
            (MomentKind.POSITIVE, GOOD, ["enjoyed_together"]),
            (MomentKind.DIFFICULT, HARD, ["irritable"]),
            (MomentKind.DIFFICULT, NOT_CHOSEN, ["avoids_contact"]),
        ],
        summary=SUMMARY,
        agreements="Internal session agreements.",
        next_appointment_on=date.today() + timedelta(days=6),
        next_appointment_at=time(10, 30),
    )
    make.stress_item(family, kind=StressKind.DEBTS, severity=Severity.SEVERE, helper="Budget coach", notes=STRESS_NOTE)
    make.stress_item(family, kind=StressKind.HOUSING, severity=Severity.MILD)
    make.care_session(world.family_b, world.worker_b, moments=[(MomentKind.POSITIVE, OTHER_FAMILY, [])])
    keys = add_plan(app, family.id)
    add_score(app, family.id, keys[0], worker=5, parent=6)
    return Case(family.id, world.family_b.id, 1, moment_ids(app))


def print_url(case: Case, lang: str = "en", pdf: bool = False, moments=(GOOD, HARD, OTHER_FAMILY), **extra) -> str:
    params = [f"lang={lang}"] + [f"moment={case.moments[text]}" for text in moments]
    params += [f"{key}={value}" for key, value in extra.items()]
    return f"/families/{case.family_id}/plan/print{'.pdf' if pdf else ''}?{'&'.join(params)}"


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


# --- The page --------------------------------------------------------------------------------------


def test_print_page_in_english_shows_the_plan_for_the_parents(app, case, worker_client):
    response = worker_client.get(print_url(case, "en"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Family Jansen" in html and "Emma" in html
    for title, looks_like, agreements in GOALS:
        assert title in html
        if looks_like:
            assert looks_like in html
        for _party, who, what in agreements:
            assert what in html
            if who:
                assert who in html
    # The care worker's own agreement carries the worker's name.
    assert "Worker A" in html
    assert GOOD in html and HARD in html
    # Strengths first: what goes well comes before what is hard, and both before the goals.
    assert html.index("What goes well") < html.index("What is still hard") < html.index("Our goals")
    assert html.index(GOOD) < html.index("What is still hard") < html.index(HARD)
    # The scores are in words too (for screen readers and black-and-white prints): the parents' own first.
    first = goal_html(html, 1)
    assert "Start: 2" in first and "Where you want to be: 8" in first
    assert first.index("Your own score") < first.index("The care worker's score")
    assert "Start: 4" in html and "No score yet." in html
    # Worries: the kind and who helps.
    assert "Money and debts" in html and "Budget coach" in html and "Housing" in html
    assert "Next appointment" in html and "10:30" in html
    assert "March 5, 2031" in html  # the review date
    assert "Anouk agreed on January 14, 2026, in a conversation." in html  # who agreed, when and how
    assert "signature-line" not in html  # lines to sign only when the worker asks for them


def test_a_moment_of_another_family_or_not_chosen_is_not_printed(app, case, worker_client):
    html = worker_client.get(print_url(case, "en")).get_data(as_text=True)
    assert OTHER_FAMILY not in html
    assert NOT_CHOSEN not in html
    # Only the moment ids of another family: nothing of it shows.
    only_other = worker_client.get(print_url(case, "en", moments=(OTHER_FAMILY,))).get_data(as_text=True)
    assert OTHER_FAMILY not in only_other


def test_the_print_shows_no_internal_case_notes(app, case, worker_client):
    html = worker_client.get(print_url(case, "en")).get_data(as_text=True)
    for internal in (
        SUMMARY,
        CONTEXT_NOTE,
        STRESS_NOTE,
        "Internal session agreements.",
        "Severe",
        "Mild",
        # Tag codes and tag labels of the chosen moments: only the description is shown.
        "enjoyed_together",
        "irritable",
        "Parent and child enjoyed each other",
        "Child is irritable",
        "T-",  # the case number
    ):
        assert internal not in html, internal


def test_print_page_in_dutch(app, case, worker_client):
    html = worker_client.get(print_url(case, "nl")).get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Volgende afspraak" in html  # "Next appointment"
    assert "5 maart 2031" in html and "Anouk ging akkoord op 14 januari 2026, in een gesprek." in html
    assert "March" not in html and "January" not in html
    # "What goes well", "What is still hard", "Our goals", "Help with worries in the family"
    for heading in ("Wat goed gaat", "Wat nog moeilijk is", "Onze doelen", "Hulp bij zorgen in het gezin"):
        assert heading in html
    for title, _looks_like, agreements in GOALS:
        assert title in html
        for _party, _who, what in agreements:
            assert what in html
    assert GOOD in html and HARD in html and OTHER_FAMILY not in html


def test_the_language_follows_the_choice_not_the_worker(app, case, world):
    with app.app_context():
        db.session.get(User, world.worker_a.id).locale = "nl"
        db.session.commit()
    client = app.test_client()
    login(client, world.worker_a)
    assert "Mijn gezinnen" in client.get("/families/").get_data(as_text=True)  # the worker reads Dutch
    html = client.get(print_url(case, "en")).get_data(as_text=True)
    assert '<html lang="en">' in html and "What goes well" in html and "Next appointment" in html
    assert "March 5, 2031" in html and "Volgende afspraak" not in html

    # And the other way round: an English-speaking worker prints in Dutch.
    with app.app_context():
        db.session.get(User, world.worker_a.id).locale = "en"
        db.session.commit()
    html = client.get(print_url(case, "nl")).get_data(as_text=True)
    assert '<html lang="nl">' in html and "Volgende afspraak" in html and "5 maart 2031" in html
    # The request after it is in the worker's own language again.
    assert "My families" in client.get("/families/").get_data(as_text=True)


def test_an_unknown_language_prints_in_dutch(app, case, worker_client):
    html = worker_client.get(print_url(case, "de")).get_data(as_text=True)
    assert '<html lang="nl">' in html and "Volgende afspraak" in html


def test_the_page_is_standalone_with_an_external_print_script(app, case, worker_client):
    html = worker_client.get(print_url(case, "en")).get_data(as_text=True)
    assert "navbar" not in html  # no navigation of the app
    assert "/static/css/print.css" in html
    assert re.search(r'<script src="/static/js/print\.js(\?v=[0-9a-f]+)?"', html)
    assert "data-print" in html and ">Print<" in html
    # Nothing inline that a Content-Security-Policy would block.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert " style=" not in html and "onclick" not in html
    assert worker_client.get("/static/js/print.js").status_code == 200


def test_an_earlier_version_can_be_printed(app, case, worker_client, world):
    with app.app_context():
        db.session.get(Plan, query(app, lambda: db.session.scalar(select(Plan.id)))).superseded_at = datetime.now(UTC)
        db.session.commit()
    add_plan(app, case.family_id, [("A brand new goal for version two.", "", [])], number=2)
    current = worker_client.get(print_url(case, "en")).get_data(as_text=True)
    assert "A brand new goal for version two." in current and GOALS[0][0] not in current
    old = worker_client.get(print_url(case, "en", version=1)).get_data(as_text=True)
    assert GOALS[0][0] in old and "A brand new goal for version two." not in old
    assert "This is an earlier version of the plan." in old
    assert worker_client.get(print_url(case, "en", version=9)).status_code == 404
    pdf = worker_client.get(print_url(case, "en", pdf=True, version=1))
    assert GOALS[0][0] in pdf_text(pdf.data)


def test_a_past_appointment_is_not_printed(app, make, world, worker_client):
    family = make.family(world.team_a, world.worker_a)
    make.care_session(family, next_appointment_on=date.today() - timedelta(days=1), next_appointment_at=time(9, 0))
    add_plan(app, family.id, review_on=None, discussed_on=None, status=PlanStatus.DRAFT)
    html = worker_client.get(f"/families/{family.id}/plan/print?lang=en").get_data(as_text=True)
    assert "09:00" not in html and "9:00" not in html
    assert "This plan is not final yet." in html
    assert "write-line" in html  # room to write the appointment and dates by hand


def test_another_team_cannot_print(app, case, world):
    client = app.test_client()
    login(client, world.worker_b)
    assert client.get(print_url(case, "en")).status_code == 404
    assert client.get(print_url(case, "en", pdf=True)).status_code == 404
    assert "print_plan" not in audit_actions(app, case.family_id)


def test_no_plan_no_print(app, world, worker_client):
    assert worker_client.get(f"/families/{world.family_a.id}/plan/print?lang=en").status_code == 404


# --- The PDF ---------------------------------------------------------------------------------------


def test_the_pdf_in_dutch(app, case, worker_client):
    response = worker_client.get(print_url(case, "nl", pdf=True))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdf_text(response.data)
    assert "Volgende afspraak" in text
    assert "Onze doelen" in text  # "Our goals"
    for title, _looks_like, agreements in GOALS:
        assert " ".join(title.split()) in text
        for _party, _who, what in agreements:
            assert what in text
    assert GOOD in text and OTHER_FAMILY not in text and SUMMARY not in text


def test_the_pdf_in_english(app, case, worker_client):
    text = pdf_text(worker_client.get(print_url(case, "en", pdf=True)).data)
    assert "What goes well" in text and "Our goals" in text and "Who does what" in text
    assert "Reads a story with Emma every evening." in text


def test_printing_and_downloading_are_logged(app, case, worker_client):
    worker_client.get(print_url(case, "en"))
    worker_client.get(print_url(case, "nl", pdf=True))
    actions = audit_actions(app, case.family_id)
    assert "print_plan" in actions and "download_plan" in actions
    details = query(
        app,
        lambda: dict(
            db.session.execute(
                select(AuditEvent.action, AuditEvent.detail).where(
                    AuditEvent.action.in_(["print_plan", "download_plan"])
                )
            ).all()
        ),
    )
    assert details == {"print_plan": "version 1, en", "download_plan": "version 1, nl"}


def test_the_pdf_fetches_only_static_files_from_disk(app):
    with app.test_request_context():
        fetcher = printing.static_fetcher()
        css = fetcher.fetch(printing.PDF_BASE_URL + "static/css/print.css")
        assert b"@page" in css.read() and css.content_type == "text/css"
        css.close()
        for refused in (
            "http://localhost:5000/static/css/print.css",
            "http://example.org/style.css",
            "file:///etc/passwd",
            printing.PDF_BASE_URL + "static/../config.py",
            printing.PDF_BASE_URL + "static/%2e%2e/config.py",
            printing.PDF_BASE_URL + "families/1/plan",
            printing.PDF_BASE_URL + "static/css/nothing-here.css",
        ):
            with pytest.raises(ValueError):
                fetcher.fetch(refused)


def test_the_pdf_gets_its_stylesheet_without_the_network(app, monkeypatch):
    """If print.css did not load, WeasyPrint would fall back to its own, smaller page style."""
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the PDF must not fetch anything over the network")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    html = (
        '<html><head><link rel="stylesheet" href="/static/css/print.css"></head>'
        '<body><p class="running-title">Footer text</p><h2>Heading</h2></body></html>'
    )
    with app.test_request_context():
        data = printing.render_pdf(html)
    text = pdf_text(data)
    assert "Heading" in text and "Footer text" in text and "1 / 1" in text  # the footer of print.css


def test_odd_print_parameters_answer_404_not_500(world, client, make):
    make.plan(world.family_a)
    login(client, world.worker_a)
    base = f"/families/{world.family_a.id}/plan/print"
    assert client.get(f"{base}?version=99999999999999999999").status_code == 404
    assert client.get(f"{base}?version=abc").status_code == 404
    assert client.get(f"{base}?moment=99999999999999999999&moment=x").status_code == 200


# --- The signing section: who agreed, how and when -------------------------------------------------


def add_entry(app, family_id: int, **fields) -> None:
    with app.app_context():
        plan = db.session.execute(
            select(Plan).where(Plan.family_id == family_id, Plan.superseded_at.is_(None))
        ).scalar_one()
        goals = fields.pop("goals", [])
        entry = PlanAgreement(plan_id=plan.id, family_id=family_id, agreed_on=DISCUSSED_ON, **fields)
        entry.goals = [GoalResponse(goal_id=plan.goals[n].id, agrees=False, words=words) for n, words in goals]
        db.session.add(entry)
        db.session.commit()


def test_the_print_shows_who_disagreed_with_which_goal_in_their_words(app, case, worker_client):
    add_entry(
        app,
        case.family_id,
        kind=AgreementKind.RESPONSE,
        party=AgreementParty.PARENT,
        name="Jan",
        way=AgreementWay.PHONE,
        agrees=True,
        goals=[(1, "Ten minutes is too much after work.")],
    )
    html = worker_client.get(print_url(case, "en")).get_data(as_text=True)
    signing = html[html.index('id="signing"') :]
    assert "Anouk agreed on January 14, 2026, in a conversation." in signing
    assert "Jan agreed on January 14, 2026, by phone." in signing
    assert "Jan does not agree with goal 2:" in signing and "Ten minutes is too much after work." in signing
    dutch = worker_client.get(print_url(case, "nl")).get_data(as_text=True)
    assert "Jan is het niet eens met doel 2:" in dutch and "telefonisch" in dutch


def test_signature_lines_only_when_the_worker_asks(app, case, worker_client):
    assert "signature-line" not in worker_client.get(print_url(case, "en")).get_data(as_text=True)
    html = worker_client.get(print_url(case, "en", sign="y")).get_data(as_text=True)
    assert "signature-line" in html and "Then please sign here." in html
    assert "sign=y" in html  # the PDF button keeps the choice
    plan_page = worker_client.get(f"/families/{case.family_id}/plan").get_data(as_text=True)
    assert "Add lines to sign (agreement on paper)" in plan_page


def test_a_version_nobody_agreed_to_says_so(app, make, world, worker_client):
    family = make.family(world.team_a, world.worker_a)
    add_plan(app, family.id, status=PlanStatus.DRAFT, discussed_on=None)
    html = worker_client.get(f"/families/{family.id}/plan/print?lang=en").get_data(as_text=True)
    assert "We have not yet agreed on this plan together." in html
    assert "agreed on January" not in html and "signature-line" not in html


def test_a_legacy_agreement_claims_no_person_nor_way(app, make, world, worker_client):
    family = make.family(world.team_a, world.worker_a)
    add_plan(app, family.id, status=PlanStatus.DRAFT)
    add_entry(app, family.id, kind=AgreementKind.LEGACY)
    html = worker_client.get(f"/families/{family.id}/plan/print?lang=en").get_data(as_text=True)
    assert "This plan was marked as agreed on January 14, 2026. Who agreed and how was not written down then." in html
    assert "in a conversation" not in html


# --- Progress, the parts shown when there is something to say, and two pages -----------------------


def goal_html(page: str, number: int) -> str:
    """The printed article of one goal, its entities unescaped ("care worker's")."""
    start = page.index(f'aria-labelledby="goal-{number}"')
    end = page.find("</article>", start)
    return unescape(page[start:end])


def rater_score(goal: str, label: str) -> int | None:
    """The number printed beside "Your own score" or "The care worker's score" in a goal."""
    found = re.search(
        re.escape(label) + r'</dt>\s*<dd>(?:<span class="score-date">[^<]*</span> )?<span class="score-value">(\d+)<',
        goal,
    )
    return int(found.group(1)) if found else None


OWN, WORKER = "Your own score", "The care worker's score"


def scored_case(app, make, world, scores) -> tuple[int, str]:
    """A family with one goal (start 4, target 8) and these (days ago, worker, parent) scorings."""
    family = make.family(world.team_a, world.worker_a)
    (key,) = add_plan(app, family.id, [(GOALS[0][0], "", [])])
    with app.app_context():
        db.session.execute(Goal.__table__.update().where(Goal.key == key).values(start_score=4))
        db.session.commit()
    for days_ago, worker, parent in scores:
        add_score(app, family.id, key, worker=worker, parent=parent, days_ago=days_ago)
    return family.id, f"/families/{family.id}/plan/print?lang=en"


def test_the_parents_own_score_comes_first_and_the_worker_s_beside_it(app, case, worker_client):
    goal = goal_html(worker_client.get(print_url(case, "en")).get_data(as_text=True), 1)
    assert goal.index("Your own score") < goal.index("The care worker's score")
    assert rater_score(goal, OWN) == 6
    assert rater_score(goal, WORKER) == 5
    assert "Start: 2" in goal and "Where you want to be: 8" in goal
    # Goal 2 has no score: no score is made up.
    second = goal_html(worker_client.get(print_url(case, "en")).get_data(as_text=True), 2)
    assert "No score yet." in second and rater_score(second, OWN) is None and rater_score(second, WORKER) is None


def test_with_only_one_score_the_print_says_whose_it_is(app, make, world, worker_client):
    _, url = scored_case(app, make, world, [(7, 5, None)])
    goal = goal_html(worker_client.get(url).get_data(as_text=True), 1)
    assert "Only the care worker gave a score so far." in goal and "Your own score" not in goal
    _, url = scored_case(app, make, world, [(7, None, 6)])
    goal = goal_html(worker_client.get(url).get_data(as_text=True), 1)
    assert "Only you gave a score so far." in goal and "The care worker's score" not in goal


def test_each_score_is_the_latest_of_its_rater(app, make, world, worker_client):
    """The last session had only the worker's score: the parents' own score of the session before still counts."""
    _, url = scored_case(app, make, world, [(20, 5, 7), (6, 6, None)])
    goal = goal_html(worker_client.get(url).get_data(as_text=True), 1)
    assert rater_score(goal, OWN) == 7
    assert rater_score(goal, WORKER) == 6
    assert "Only the care worker" not in goal


WARM = "That happens sometimes. Let's talk together about what is getting in the way."


@pytest.mark.parametrize(
    ("scores", "line"),
    [
        ([(30, 5, 6), (7, 3, 6)], "The care worker's score is lower than at the start."),
        ([(30, 5, 5), (7, 5, 2)], "Your own score is lower than at the start."),
        ([(30, 5, 5), (7, 3, 1)], "Both scores are lower than at the start."),
    ],
)
def test_a_goal_that_went_down_gets_a_warm_line_for_whose_score_went_down(
    app, make, world, worker_client, scores, line
):
    _, url = scored_case(app, make, world, scores)
    goal = goal_html(worker_client.get(url).get_data(as_text=True), 1)
    assert line in goal and WARM in goal
    others = {
        "The care worker's score is lower than at the start.",
        "Your own score is lower than at the start.",
        "Both scores are lower than at the start.",
    } - {line}
    assert not any(other in goal for other in others)


@pytest.mark.parametrize("scores", [[], [(7, 4, 4)], [(30, 2, 3), (7, 6, 7)], [(30, 6, None), (7, 5, None)]])
def test_no_warm_line_for_a_goal_that_did_not_go_below_its_start(app, make, world, worker_client, scores):
    """Lower than last time but not than the start (the last case) is no decline from the start either."""
    _, url = scored_case(app, make, world, scores)
    assert WARM not in worker_client.get(url).get_data(as_text=True)


def test_the_warm_line_in_dutch(app, make, world, worker_client):
    family_id, _ = scored_case(app, make, world, [(7, 2, 3)])
    html = worker_client.get(f"/families/{family_id}/plan/print?lang=nl").get_data(as_text=True)
    goal = goal_html(html, 1)
    assert "Beide cijfers zijn lager dan bij de start." in goal
    assert "Dat gebeurt soms." in goal


def test_the_line_of_scores_has_both_series_and_a_text_alternative(app, make, world, worker_client):
    _, url = scored_case(app, make, world, [(60, 3, 2), (30, 5, None), (7, 6, 7)])
    goal = goal_html(worker_client.get(url).get_data(as_text=True), 1)
    svg = goal[goal.index("<svg") : goal.index("</svg>")]
    assert 'role="img"' in svg and "series-parent" in svg and "series-worker" in svg
    assert "marker-start" in svg and "marker-target" in svg
    title = re.search(r"<title[^>]*>(.*?)</title>", svg).group(1)
    assert title == (
        "Start: 4. Your own scores, from old to new: 2, 7. The care worker's scores, from old to new: 3, 5, 6. "
        "Where you want to be: 8."
    )


def test_scores_of_a_trashed_session_are_not_drawn_and_a_final_score_is(app, make, world, worker_client):
    family_id, url = scored_case(app, make, world, [])
    family = query(app, lambda: db.session.get(Family, family_id))
    trashed = make.care_session(family, world.worker_a, deleted_at=datetime.now(UTC))
    key = query(app, lambda: db.session.scalar(select(Goal.key).join(Plan).where(Plan.family_id == family_id)))
    with app.app_context():
        db.session.add(
            GoalScore(family_id=family_id, goal_key=key, session_id=trashed.id, scored_on=date.today(), worker_score=9)
        )
        db.session.commit()
    goal = goal_html(worker_client.get(url).get_data(as_text=True), 1)
    assert "No score yet." in goal and "series-worker" not in goal and "marker-worker" not in goal

    # A final score, given when the help was closed, has no session and is drawn.
    add_score(app, family_id, key, worker=6, parent=None, days_ago=0)
    goal = goal_html(worker_client.get(url).get_data(as_text=True), 1)
    assert rater_score(goal, WORKER) == 6


def test_what_is_still_hard_is_printed_only_when_chosen_or_asked_for(app, case, worker_client):
    # Only a positive moment chosen, no room asked for: the part is left out.
    html = worker_client.get(print_url(case, "en", moments=(GOOD,))).get_data(as_text=True)
    assert "What is still hard" not in html
    # A difficult moment chosen: it is there, with the moment and without empty lines.
    html = worker_client.get(print_url(case, "en", moments=(GOOD, HARD))).get_data(as_text=True)
    hard = html[html.index('id="still-hard"') : html.index('id="our-goals"')]
    assert HARD in hard and "write-line" not in hard
    # Room asked for: lines to write on, with or without a moment; the PDF link keeps the choice.
    html = worker_client.get(print_url(case, "en", moments=(GOOD,), write_space="y")).get_data(as_text=True)
    hard = html[html.index('id="still-hard"') : html.index('id="our-goals"')]
    assert "write-line" in hard
    assert "write_space=y" in html
    text = pdf_text(worker_client.get(print_url(case, "nl", pdf=True, moments=(GOOD,), write_space="y")).data)
    assert "Wat nog moeilijk is" in text
    assert "Wat nog moeilijk is" not in pdf_text(
        worker_client.get(print_url(case, "nl", pdf=True, moments=(GOOD,))).data
    )


def test_the_print_form_offers_room_to_write(app, case, worker_client):
    html = worker_client.get(f"/families/{case.family_id}/plan").get_data(as_text=True)
    form = html[html.index('id="print-heading"') :]
    assert 'name="write_space"' in form and "Leave space to write what is still hard" in form
    assert 'name="lang"' in form and 'name="moment"' in form


# A family as the print meets it in practice: three goals in the parents' words, three agreements each,
# scores over months, the three positive moments ticked by default, worries, an appointment, two parents to
# sign. Dutch runs longer than English.
FULL_GOALS = [
    (
        "Het slapengaan is rustig en Noor slaapt in zonder te huilen.",
        "We lezen samen een boekje en zingen het slaapliedje. Noor blijft in bed liggen en roept hooguit één keer.",
        [
            (Party.PARENT, "Sanne", "Leest elke avond om half acht een boekje voor en zingt het slaapliedje."),
            (Party.WORKER, "", "Filmt één keer het slapengaan en bekijkt de video met Sanne en Youssef."),
            (Party.OTHER, "Oma Ria", "Past op dinsdag op en houdt bij het slapengaan dezelfde volgorde aan."),
        ],
    ),
    (
        "We spelen elke dag tien minuten samen, zonder telefoon en zonder tv.",
        "Noor kiest het spel. Wij volgen haar en zeggen wat we zien. We genieten er allebei van.",
        [
            (Party.PARENT, "Youssef", "Speelt na het eten tien minuten met Noor. De telefoon ligt in de keuken."),
            (Party.PARENT, "Sanne", "Schrijft in het schriftje op wat goed ging tijdens het spelen."),
            (Party.WORKER, "", "Bespreekt bij elk bezoek het schriftje en de filmpjes van het spelen."),
        ],
    ),
    (
        "De brieven over de schulden zijn open en gesorteerd, en er is een betaalplan.",
        "Elke maandag openen we samen de post. We weten wat we moeten betalen en wanneer.",
        [
            (Party.PARENT, "Youssef", "Opent elke maandag de post en legt de brieven in de map."),
            (Party.OTHER, "Budgetcoach Karin", "Maakt samen met Youssef en Sanne een betaalplan voor de schulden."),
            (Party.WORKER, "", "Helpt bij het aanvragen van schuldhulp en belt mee als dat nodig is."),
        ],
    ),
]
FULL_FOCUS = [HelpFocus.PARENT, HelpFocus.PARENT, HelpFocus.STRESS]
FULL_SKILLS = [("signals", "feelings", "wishes"), ("signals", "wishes"), ()]
FULL_SCORES = [  # per goal: (days ago, worker, parent), oldest first
    [(84, 3, 2), (70, 4, 3), (56, 4, 5), (42, 5, 5), (28, 6, 6), (14, 6, 7)],
    [(84, 4, 4), (70, 5, 6), (56, 5, 5), (42, 6, 6), (28, 6, 7), (14, 7, 7)],
    [(84, 4, 5), (70, 4, 4), (56, 3, 4), (42, 3, 3), (28, 4, 3), (14, 3, 2)],  # went down: the warm line
]
FULL_MOMENTS = [
    (MomentKind.POSITIVE, "Noor lachte toen Sanne het badliedje zong en ze zongen samen het laatste stukje."),
    (MomentKind.POSITIVE, "Youssef zag dat Noor moe was en las haar een boekje voor op de bank."),
    (MomentKind.POSITIVE, "Noor liet trots haar tekening zien en Sanne hing hem samen met haar op."),
    (MomentKind.DIFFICULT, "Het avondeten eindigde in geschreeuw toen Noor haar bord op de grond gooide."),
]


def full_family(app, make, world) -> tuple[int, list[int]]:
    family = make.family(world.team_a, world.worker_a, display_name="Familie El Idrissi")
    make.member(family, first_name="Sanne", role=MemberRole.PARENT, birth_year=1993)
    make.member(family, first_name="Youssef", role=MemberRole.PARENT, birth_year=1990)
    make.member(family, first_name="Noor", birth_year=2021)
    make.care_session(
        family,
        world.worker_a,
        moments=[(kind, text, []) for kind, text in FULL_MOMENTS],
        next_appointment_on=date.today() + timedelta(days=6),
        next_appointment_at=time(10, 30),
    )
    make.stress_item(family, kind=StressKind.DEBTS, helper="Budgetcoach Karin van de gemeente")
    make.stress_item(family, kind=StressKind.HOUSING, severity=Severity.MILD)
    keys = add_plan(app, family.id, FULL_GOALS)
    with app.app_context():
        # Two goals about the parents (three and two core skills practised), one about the debts.
        for key, focus, skills in zip(keys, FULL_FOCUS, FULL_SKILLS, strict=True):
            values = {f"skill_{skill}": True for skill in skills}
            db.session.execute(Goal.__table__.update().where(Goal.key == key).values(focus=focus, **values))
        db.session.commit()
    for key, scores in zip(keys, FULL_SCORES, strict=True):
        for days_ago, worker, parent in scores:
            add_score(app, family.id, key, worker=worker, parent=parent, days_ago=days_ago)
    return family.id, [i for text, i in moment_ids(app).items() if text != FULL_MOMENTS[3][1]]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_three_goals_fit_on_two_pages(app, make, world, worker_client, lang):
    family_id, moments = full_family(app, make, world)
    query_string = f"lang={lang}&" + "&".join(f"moment={m}" for m in moments)
    response = worker_client.get(f"/families/{family_id}/plan/print.pdf?{query_string}")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) <= 2, f"{len(reader.pages)} pages"
    text = pdf_text(response.data)
    for title, _looks_like, agreements in FULL_GOALS:  # nothing was cut to make it fit
        assert title in text
        for _party, _who, what in agreements:
            assert what in text
    assert FULL_MOMENTS[0][1] in text and "Sanne" in text and "Youssef" in text


def figure_alts(data: bytes) -> list[str]:
    """The alternative texts of the figures in a tagged PDF's structure tree."""
    found: list[str] = []

    def walk(node, depth=0):
        node = node.get_object() if hasattr(node, "get_object") else node
        if depth > 60:
            return
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                found.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"], depth + 1)
        elif isinstance(node, list):
            for child in node:
                walk(child, depth + 1)

    walk(PdfReader(io.BytesIO(data)).trailer["/Root"]["/StructTreeRoot"])
    return found


def test_the_tagged_pdf_reads_the_line_of_scores_in_words(app, make, world, worker_client):
    family_id, _ = scored_case(app, make, world, [(30, 3, 2), (7, 5, 6)])
    alts = figure_alts(worker_client.get(f"/families/{family_id}/plan/print.pdf?lang=nl").data)
    assert alts == [
        "Start: 4. Jullie eigen cijfers, van oud naar nieuw: 2, 6. "
        "De cijfers van de hulpverlener, van oud naar nieuw: 3, 5. Waar jullie naartoe willen: 8."
    ]
