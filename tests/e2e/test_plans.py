"""A plan in a real browser: two goals, scored in a session, drawn on the family page, printed and downloaded."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import Family, FamilyMember, FamilyStatus, GoalScore, MemberRole, Plan, PlanStatus, User
from tests.helpers.browser import draw_charts
from tests.helpers.db import query

pytestmark = pytest.mark.e2e

WORKER = "lotte@attune.example"


def family_without_plan(app) -> int:
    def run():
        has_plan = select(Plan.family_id)
        return (
            db.session.execute(
                select(Family.id)
                .join(User, Family.primary_worker_id == User.id)
                .where(User.email == WORKER, Family.status != FamilyStatus.CLOSED, Family.id.not_in(has_plan))
                .order_by(Family.id)
            )
            .scalars()
            .first()
        )

    family_id = query(app, run)
    if family_id is None:  # the demo gave all of her families a plan: start one afresh
        family_id = query(
            app,
            lambda: (
                db.session.execute(
                    select(Family.id)
                    .join(User, Family.primary_worker_id == User.id)
                    .where(User.email == WORKER, Family.status != FamilyStatus.CLOSED)  # a closed one takes no plan
                    .order_by(Family.id)
                )
                .scalars()
                .first()
            ),
        )
    return family_id


def test_plan_two_goals_score_chart_print_and_pdf(page, app, log_in, axe, tmp_path):
    family_id = family_without_plan(app)
    log_in(page, WORKER)
    page.goto(f"/families/{family_id}/plan/edit")
    axe(page, "plan form")
    page.fill("#goals-0-title", "Bedtime is calm")
    page.fill("#goals-0-start_score", "3")
    page.fill("#goals-0-target_score", "8")
    page.fill("#goals-0-agreements-0-what", "Sing the bedtime song every night")
    page.fill("#goals-1-title", "We play together every day")
    page.fill("#goals-1-start_score", "2")
    page.fill("#goals-1-target_score", "7")
    page.fill("#goals-1-agreements-0-what", "Ten minutes of play after school")
    page.locator("button[name=submit]").click()
    page.wait_for_url(f"**/families/{family_id}/plan")
    assert page.get_by_text("Bedtime is calm").first.is_visible()
    axe(page, "plan page")

    page.goto(f"/families/{family_id}/sessions/new")
    assert page.get_by_text("Progress on the goals").is_visible()
    if not page.locator("#focuses-0").is_checked():
        page.check("#focuses-0")
    page.fill("#scores-0-worker_score", "6")
    page.fill("#scores-0-parent_score", "7")
    page.fill("#scores-1-worker_score", "4")
    page.locator("button[name=submit]").click()
    page.wait_for_url(f"**/families/{family_id}#session-*")

    # The chart for each goal is drawn, and its table has today's scores.
    draw_charts(page, "#progress")
    figure = page.locator("#progress figure").first
    figure.locator("summary").first.click()
    numbers = figure.locator("details table").first.inner_text()
    assert "6" in numbers and "7" in numbers
    axe(page, "family page with charts")

    page.goto(f"/families/{family_id}/plan")
    page.select_option("#lang", "nl")
    page.get_by_role("button", name="Show the print page").click()
    page.wait_for_url(f"**/families/{family_id}/plan/print?*")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "Bedtime is calm" in page.content()
    axe(page, "printed plan")

    page.goto(f"/families/{family_id}/plan")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    pdf_path = tmp_path / "plan.pdf"
    download_info.value.save_as(pdf_path)
    text = "".join(p.extract_text() for p in PdfReader(pdf_path).pages)
    assert "Bedtime is calm" in text and "Ten minutes of play after school" in text


def family_with_agreed_plan(app) -> tuple[int, int]:
    """One of her open families whose current plan is agreed and has three goals, with a mother Maria and a
    father Jan added for the journey."""

    def run():
        plans = db.session.execute(
            select(Plan)
            .join(Family, Family.id == Plan.family_id)
            .join(User, Family.primary_worker_id == User.id)
            .where(
                User.email == WORKER,
                Family.status != FamilyStatus.CLOSED,
                Plan.superseded_at.is_(None),
                Plan.status == PlanStatus.AGREED,
            )
            .order_by(Family.id)
        ).scalars()
        plan = next(p for p in plans if len(p.goals) == 3)
        family_id, number = plan.family_id, plan.number
        for name in ("Maria", "Jan"):
            db.session.add(FamilyMember(family_id=family_id, first_name=name, role=MemberRole.PARENT, birth_year=1988))
        db.session.commit()
        return family_id, number

    return query(app, run)


def family_with_scored_plan(app) -> int:
    """One of the worker's demo families whose current plan has scores (the demo gives most a year of them)."""

    def run():
        return (
            db.session.execute(
                select(Family.id)
                .join(User, Family.primary_worker_id == User.id)
                .where(User.email == WORKER, Family.status != FamilyStatus.CLOSED)
                .where(Family.id.in_(select(Plan.family_id)), Family.id.in_(select(GoalScore.family_id)))
                .order_by(Family.id)
            )
            .scalars()
            .first()
        )

    return query(app, run)


def test_a_changed_plan_is_agreed_again_per_version_and_goal(page, app, log_in, axe, tmp_path):
    """Edit an agreed plan: version 2 is not yet discussed; the mother agrees in person, the father disagrees
    with goal 2 by phone; the plan page, the print and its PDF (two pages for three goals) show both."""
    family_id, number = family_with_agreed_plan(app)
    log_in(page, WORKER)
    page.goto(f"/families/{family_id}/plan/edit")
    page.fill("#goals-0-title", "Bedtime and mornings are calm")
    page.locator("button[name=submit]").click()
    page.wait_for_url(f"**/families/{family_id}/plan")
    agreement = page.locator("section.agreement")
    assert "Not yet discussed" in agreement.inner_text()
    assert f"version {number + 1}" in page.locator("h1").inner_text()  # a new version, not yet discussed

    page.get_by_role("link", name="Record agreement").click()
    page.wait_for_url(f"**/families/{family_id}/plan/agreement")
    axe(page, "agreement form")
    page.select_option("#member", label="Maria (parent)")
    page.get_by_label("Parent with parental authority").check()
    page.get_by_label("In person").check()
    page.locator("#response").get_by_label("Agrees", exact=True).check()
    page.get_by_role("button", name="Record").click()
    page.wait_for_url(f"**/families/{family_id}/plan")
    assert "Agreed with the parents" in page.locator("section.agreement").inner_text()

    page.get_by_role("link", name="Record agreement").click()
    page.select_option("#member", label="Jan (parent)")
    page.get_by_label("Parent with parental authority").check()
    page.get_by_label("By phone").check()
    page.locator("#response").get_by_label("Agrees", exact=True).check()
    page.locator("#goals-1-response").get_by_label("Disagrees", exact=True).check()
    page.fill("#goals-1-words", "Ten minutes every day is too much for me after work.")
    page.get_by_role("button", name="Record").click()
    page.wait_for_url(f"**/families/{family_id}/plan")
    shown = page.locator("section.agreement").inner_text()
    assert "Maria" in shown and "In person" in shown
    assert "Jan" in shown and "By phone" in shown and "Disagrees with goal 2" in shown
    assert "Ten minutes every day is too much for me after work." in shown
    axe(page, "plan page with its agreement")

    page.select_option("#lang", "en")
    page.get_by_role("button", name="Show the print page").click()
    page.wait_for_url(f"**/families/{family_id}/plan/print?*")
    signing = page.locator("section.signing").inner_text()
    assert "Maria agreed on" in signing and "in a conversation." in signing
    assert "Jan agreed on" in signing and "by phone." in signing
    assert "Jan does not agree with goal 2:" in signing
    assert "Ten minutes every day is too much for me after work." in signing
    assert page.locator(".signature-line").count() == 0  # no lines to sign: not asked for

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    pdf_path = tmp_path / "plan.pdf"
    download_info.value.save_as(pdf_path)
    pdf = PdfReader(pdf_path)
    assert len(pdf.pages) == 2  # three goals, the moments ticked by default and the agreement: two A4 pages
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Maria agreed on" in text and "Jan does not agree with goal 2:" in text
    assert "Ten minutes every day is too much for me after work." in text


def test_the_print_with_room_to_write_and_a_line_of_scores_per_goal(page, app, log_in, axe, tmp_path):
    family_id = family_with_scored_plan(app)
    log_in(page, WORKER)
    page.goto(f"/families/{family_id}/plan")
    page.select_option("#lang", "nl")
    for box in page.locator("input[name=moment]").all():  # no moments: "what is still hard" only on request
        box.uncheck()
    page.get_by_label("Leave space to write what is still hard").check()
    page.get_by_role("button", name="Show the print page").click()
    page.wait_for_url(f"**/families/{family_id}/plan/print?*")
    assert "write_space=y" in page.url
    hard = page.locator("section:has(#still-hard)")
    assert hard.is_visible() and hard.locator(".write-line").count() == 3
    goals = page.locator("article.goal:not(.goal-stopped)")
    assert goals.count() >= 1
    assert page.locator("svg.score-line").count() == goals.count()
    first_line = page.locator("svg.score-line").first
    assert first_line.is_visible() and first_line.get_attribute("role") == "img"
    assert page.locator("svg.score-line title").first.text_content().startswith("Start: ")
    axe(page, "printed plan with room to write")

    # The PDF keeps the choice: the button on the print page carries write_space along.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF downloaden").click()
    pdf_path = tmp_path / "plan.pdf"
    download_info.value.save_as(pdf_path)
    text = " ".join(p.extract_text() for p in PdfReader(pdf_path).pages)
    assert "Wat nog moeilijk is" in text and "Hoe ver jullie zijn" in text
