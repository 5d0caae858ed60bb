"""A family with a row in every table that holds family data."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import (
    AgreementKind,
    AgreementParty,
    AgreementWay,
    AuditEvent,
    DestructionRequest,
    FormDraft,
    GoalResponse,
    HelpPeriod,
    MemberRole,
    MomentKind,
    MomentTag,
    PlanAgreement,
    StressStatus,
    StressUpdate,
    family_workers,
    session_attendees,
)


def fill_family(app, make, family, author, co_worker=None):
    """Every kind of row a family can have: members, sessions with moments, plan, scores, ..."""
    parent = make.member(family, first_name="Anouk", role=MemberRole.PARENT, birth_year=1990)
    child = make.member(family, first_name="Sem", birth_date=date(2012, 3, 1))
    session = make.care_session(
        family,
        author=author,
        moments=[
            (MomentKind.POSITIVE, "Enjoyed lunch together", [MomentTag.ENJOYED_TOGETHER]),
            (MomentKind.DIFFICULT, "Bedtime fight", [MomentTag.RESISTS, MomentTag.IRRITABLE]),
        ],
    )
    item = make.stress_item(family)
    make.consent(family)
    plan = make.plan(family)
    make.score(family, plan.goals[0], date.today() - timedelta(days=7), 5, 4, session_id=session.id)
    with app.app_context():
        db.session.execute(insert(session_attendees).values(session_id=session.id, member_id=parent.id))
        if co_worker is not None:
            db.session.execute(insert(family_workers).values(family_id=family.id, user_id=co_worker.id))
        db.session.add(
            StressUpdate(
                item_id=item.id,
                session_id=session.id,
                changed_on=date.today(),
                status=StressStatus.IN_PROGRESS,
                severity=item.severity,
            )
        )
        db.session.add(HelpPeriod(family_id=family.id, number=1, start_date=family.start_date))
        db.session.add(
            PlanAgreement(
                plan_id=plan.id,
                family_id=family.id,
                kind=AgreementKind.RESPONSE,
                party=AgreementParty.PARENT,
                member_id=parent.id,
                name="Anouk",
                way=AgreementWay.PHONE,
                agrees=False,
                agreed_on=date.today(),
                recorded_by_id=author.id,
                goals=[GoalResponse(goal_id=plan.goals[0].id, agrees=False, words="Not at bedtime")],
            )
        )
        db.session.add(FormDraft(user_id=author.id, path=f"/families/{family.id}/sessions/new", payload="[]"))
        db.session.add(AuditEvent(user_id=author.id, family_id=family.id, action="view"))
        db.session.add(
            DestructionRequest(
                family_id=family.id, requested_by_id=parent.id, received_on=date.today(), recorded_by_id=author.id
            )
        )
        db.session.commit()
    return parent, child, session


def table_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables
        }
