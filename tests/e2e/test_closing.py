"""The end of the help in a real browser: a worker closes it early with a reason, the family page says how
it ended and offers no new work, and the team lead reopens it as a new period of help."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Family, FamilyStatus, Plan, User
from tests.helpers.db import query

pytestmark = pytest.mark.e2e

WORKER = "joris@attune.example"
LEAD = "sanne@attune.example"


def open_family_with_a_plan(app) -> int:
    return query(
        app,
        lambda: (
            db.session.execute(
                select(Family.id)
                .join(User, Family.primary_worker_id == User.id)
                .where(
                    User.email == WORKER,
                    Family.status == FamilyStatus.ACTIVE,
                    Family.id.in_(select(Plan.family_id)),
                )
                .order_by(Family.id)
            )
            .scalars()
            .first()
        ),
    )


def test_close_early_then_the_lead_reopens(page, app, log_in, axe):
    family_id = open_family_with_a_plan(app)
    log_in(page, WORKER)
    page.goto(f"/families/{family_id}/close")
    page.get_by_label("Ended early").check()
    page.locator("[type=submit].btn-danger").click()
    page.wait_for_load_state()
    assert "Choose why the help ended early." in page.content()
    axe(page, "close form with errors")
    page.get_by_label("The family moved").check()
    page.fill("#early_reason_text", "Moved to another town; the new team knows.")
    for box in page.locator("input[id$='-worker_score']").all():
        box.fill("7")
    page.locator("[type=submit].btn-danger").click()
    page.wait_for_url(f"**/families/{family_id}")
    ended = page.locator("section.help-ended")
    assert "Ended early" in ended.inner_text() and "the family moved" in ended.inner_text()
    assert "at the end 7 (care worker)" in ended.inner_text()
    assert "A team lead can reopen it." in ended.inner_text()
    assert page.get_by_role("link", name="Log a session").count() == 0
    axe(page, "closed family page")

    page.context.clear_cookies()
    log_in(page, LEAD)
    page.goto(f"/families/{family_id}")
    page.locator("section.help-ended").get_by_role("link", name="Reopen the help").click()
    page.wait_for_url(f"**/families/{family_id}/reopen")
    axe(page, "reopen form")
    page.fill("#reason", "The family asked for help again.")
    page.locator("form [type=submit].btn-primary").click()
    page.wait_for_url(f"**/families/{family_id}")
    earlier = page.locator("details.earlier-periods")
    earlier.locator("summary").click()  # history, folded away under the current period's facts
    assert "Period 1" in earlier.inner_text() and "The family asked for help again." in earlier.inner_text()
    assert "at the end 7 (care worker)" in earlier.inner_text()
    assert page.get_by_role("link", name="Log a session").count() >= 1
