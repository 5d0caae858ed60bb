"""A user's caseload: the families they may see, searched, filtered and paged."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from app.access import visible_families
from app.extensions import db
from app.models import Family, FamilyStatus, Role, User

STATUS_ORDER = case(
    (Family.status == FamilyStatus.INTAKE, 1),
    (Family.status == FamilyStatus.ACTIVE, 0),
    (Family.status == FamilyStatus.PAUSED, 2),
    else_=3,
)


@dataclass(frozen=True)
class CaseloadPage:
    families: list[Family]
    total: int
    page: int
    pages: int


def search_caseload(
    user: User,
    *,
    text: str = "",
    status: str = "open",
    page: int = 1,
    per_page: int = 25,
) -> CaseloadPage:
    query = visible_families(user)
    text = text.strip()
    if text:
        # lower() is Unicode-aware on both databases (see the SQLite connect hook in app/__init__.py).
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(
                func.lower(Family.display_name).like(pattern, escape="\\"),
                func.lower(Family.case_number).like(pattern, escape="\\"),
            )
        )
    if status == "open":
        query = query.where(Family.status != FamilyStatus.CLOSED)
    elif status in FamilyStatus._value2member_map_:
        query = query.where(Family.status == FamilyStatus(status))

    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        query.options(selectinload(Family.primary_worker), selectinload(Family.members))
        .order_by(STATUS_ORDER, Family.display_name, Family.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).scalars()
    return CaseloadPage(families=list(rows), total=total, page=page, pages=pages)


def team_workers(team_id: int, *, include_inactive: bool = False) -> list[User]:
    query = select(User).where(User.team_id == team_id, User.role == Role.WORKER)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return list(db.session.execute(query.order_by(User.name)).scalars())
