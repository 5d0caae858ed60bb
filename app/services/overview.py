"""Small pieces of the team lead's overview, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_sqlalchemy.pagination import Pagination

from app.extensions import db
from app.models import DestructionRequest, Family, FamilyStatus, User
from app.security.access import visible_families
from app.services import dashboard, destruction
from app.services.caseload import team_workers
from app.services.dashboard import WorkerSummary
from app.services.team_progress import TeamProgress, team_progress


def unassigned_families(user: User) -> list[Family]:
    """Open families of the team without a primary worker: they need a decision."""
    query = visible_families(user).where(Family.primary_worker_id.is_(None), Family.status != FamilyStatus.CLOSED)
    return list(db.session.execute(query.order_by(Family.start_date)).scalars())


@dataclass(frozen=True)
class TeamOverview:
    """Everything the team lead's overview shows, read in one call."""

    result: Pagination  # the page of family rows the filters leave
    summaries: list[WorkerSummary]  # per care worker, over the whole caseload whatever the filters
    workers: list[User]
    unassigned: list[Family]
    team_progress: TeamProgress  # of the families the filters leave, the same as the table's
    destruction_requests: list[DestructionRequest]  # open this many months or longer


def team_overview(
    lead: User, filters: dashboard.Filters, page: int, per_page: int, today: date, attention_months: int
) -> TeamOverview:
    rows = dashboard.family_rows(lead, filters, today)
    everyone = rows if filters == dashboard.Filters() else dashboard.family_rows(lead, dashboard.Filters(), today)
    return TeamOverview(
        result=dashboard.paginate(rows, page, per_page, today, records=False),
        summaries=dashboard.worker_summaries(lead, everyone, today),
        workers=team_workers(lead.team_id),
        unassigned=unassigned_families(lead),
        team_progress=team_progress(
            lead, today, families=[row.family_id for row in rows], date_from=filters.date_from, date_to=filters.date_to
        ),
        destruction_requests=destruction.requests_needing_attention(lead, today, attention_months),
    )
