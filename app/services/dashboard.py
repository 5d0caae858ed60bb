"""The care worker's home page and the team lead's overview, as plain data.

A fixed number of queries whatever the size of the caseload: the family list, the signals
(app.services.signals), the next appointments and the score trends, each one set-based query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from app import dates
from app.extensions import db
from app.models import CareSession, Family, FamilyMember, FamilyStatus, GoalScore, HelpFocus, Role, User
from app.security.access import visible_families
from app.services import appointments, settings
from app.services.pagination import paginate_list
from app.services.signals import ATTENTION_KINDS, FamilySignals, compute

TREND_DAYS = 180
TREND_POINTS = 8


@dataclass
class FamilyRow:
    """One family in a list. The columns to sort, filter and export by are loaded for every family in the
    filter; the full record (`family`, with members and care worker) and the score trend only for the rows
    shown, by `paginate`, so a team of hundreds of families costs a page of ORM objects, not hundreds."""

    family_id: int
    display_name: str
    case_number: str
    status: FamilyStatus
    primary_worker_id: int | None
    signals: FamilySignals
    next_appointment: date | None = None
    trend: list[float] = field(default_factory=list)
    worker_name: str | None = None  # the primary care worker's, for the rows shown
    family: Family | None = None

    @property
    def attention(self) -> int:
        return len(self.signals.signals)


@dataclass
class Filters:
    """The team overview's filter, as it lives in the URL."""

    text: str = ""
    status: str = "open"
    worker_id: int | None = None
    focus: str = ""
    signal: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def query_args(self) -> dict:
        args = {
            "q": self.text or None,
            "status": self.status if self.status != "open" else None,
            "worker": self.worker_id,
            "focus": self.focus or None,
            "signal": self.signal or None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in args.items() if v is not None}


def filters_from(args) -> Filters:
    worker = args.get("worker", "")
    return Filters(
        text=args.get("q", "")[:100].strip(),
        status=args.get("status", "open"),
        worker_id=int(worker) if worker.isascii() and worker.isdigit() and len(worker) < 10 else None,
        focus=args.get("focus", "") if args.get("focus", "") in HelpFocus._value2member_map_ else "",
        signal=args.get("signal", "") if args.get("signal", "") in {k.value for k in ATTENTION_KINDS} else "",
        date_from=dates.filter_date(args.get("from")),
        date_to=dates.filter_date(args.get("to")),
    )


def _scope(user: User, filters: Filters) -> Select:
    query = visible_families(user)
    if filters.text:
        escaped = filters.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        # A worker remembers "Emma's family" as often as the family name: a current member's first name
        # finds the family too. Correlated on the indexed family_members.family_id, within the user's scope.
        member_named = exists().where(
            FamilyMember.family_id == Family.id,
            FamilyMember.removed_at.is_(None),
            func.lower(FamilyMember.first_name).like(pattern, escape="\\"),
        )
        query = query.where(
            or_(
                func.lower(Family.display_name).like(pattern, escape="\\"),
                func.lower(Family.case_number).like(pattern, escape="\\"),
                member_named,
            )
        )
    if filters.status == "open":
        query = query.where(Family.status != FamilyStatus.CLOSED)
    elif filters.status in FamilyStatus._value2member_map_:
        query = query.where(Family.status == FamilyStatus(filters.status))
    if filters.worker_id:
        query = query.where(Family.primary_worker_id == filters.worker_id)
    if filters.focus or filters.date_from or filters.date_to:
        conditions = [CareSession.family_id == Family.id, CareSession.live]
        if filters.focus:
            conditions.append(getattr(CareSession, HelpFocus(filters.focus).column).is_(True))
        if filters.date_from:
            conditions.append(CareSession.held_on >= filters.date_from)
        if filters.date_to:
            conditions.append(CareSession.held_on <= filters.date_to)
        query = query.where(exists().where(and_(*conditions)))
    return query


def family_rows(user: User, filters: Filters, today: date) -> list[FamilyRow]:
    """All families in the filter with their signals, those that need attention first."""
    scope = _scope(user, filters)
    listed = db.session.execute(
        scope.with_only_columns(
            Family.id, Family.display_name, Family.case_number, Family.status, Family.primary_worker_id
        ).order_by(None)
    ).all()
    signals = compute(scope, today, settings.signal_thresholds())
    ids = scope.with_only_columns(Family.id).order_by(None)
    upcoming = {fid: a.on for fid, a in appointments.next_appointments(ids).items()}
    rows = [
        FamilyRow(
            family_id=fid,
            display_name=name,
            case_number=case_number,
            status=status,
            primary_worker_id=worker_id,
            signals=signals.get(fid, FamilySignals(fid)),
            next_appointment=upcoming.get(fid),
        )
        for fid, name, case_number, status, worker_id in listed
    ]
    if filters.signal:
        rows = [r for r in rows if any(s.kind.value == filters.signal for s in r.signals.signals)]
    status_order = {FamilyStatus.ACTIVE: 0, FamilyStatus.INTAKE: 1, FamilyStatus.PAUSED: 2, FamilyStatus.CLOSED: 3}
    rows.sort(key=lambda r: (-r.attention, status_order[r.status], r.display_name.lower(), r.family_id))
    return rows


def score_trends(family_ids: list[int], today: date) -> dict[int, list[float]]:
    """Per family, the average worker's score of each scoring day in the last half year (the last few points)."""
    trends: dict[int, list[float]] = defaultdict(list)
    if not family_ids:
        return trends
    for family_id, _day, average in db.session.execute(
        select(GoalScore.family_id, GoalScore.scored_on, func.avg(GoalScore.worker_score))
        .outerjoin(CareSession, CareSession.id == GoalScore.session_id)
        .where(
            CareSession.live,
            GoalScore.family_id.in_(family_ids),
            GoalScore.worker_score.is_not(None),
            GoalScore.scored_on >= today - timedelta(days=TREND_DAYS),
        )
        .group_by(GoalScore.family_id, GoalScore.scored_on)
        .order_by(GoalScore.family_id, GoalScore.scored_on)
    ):
        trends[family_id].append(round(float(average), 1))
    return {fid: points[-TREND_POINTS:] for fid, points in trends.items()}


def paginate(rows: list[FamilyRow], page: int, per_page: int, today: date, *, records: bool = True) -> Pagination:
    """One page of rows (app.services.pagination), with the score trend and care worker of each family on it.

    records=True also loads each family's full record with its members (the family list shows the children);
    the team overview needs only the columns every row has.
    """
    result = paginate_list(rows, page, per_page)
    shown = result.items
    ids = [r.family_id for r in shown]
    if ids:
        trends = score_trends(ids, today)
        names = worker_names(shown)
        by_id = {}
        if records:
            families = db.session.execute(
                select(Family).where(Family.id.in_(ids)).options(selectinload(Family.members))
            ).scalars()
            by_id = {f.id: f for f in families}
        for row in shown:
            row.trend = trends.get(row.family_id, [])
            row.worker_name = names.get(row.primary_worker_id) if row.primary_worker_id is not None else None
            row.family = by_id.get(row.family_id)
    return result


def worker_names(rows: list[FamilyRow]) -> dict[int, str]:
    """The names of the primary care workers of these rows (active or not), by user id."""
    ids = {r.primary_worker_id for r in rows if r.primary_worker_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


@dataclass
class WorkerSummary:
    user_id: int
    name: str
    active_families: int = 0
    sessions_30_days: int = 0
    open_signals: int = 0


def worker_summaries(lead: User, rows: list[FamilyRow], today: date) -> list[WorkerSummary]:
    """Per care worker of the team: active families, sessions in the last 30 days, open signals."""
    workers = db.session.execute(
        select(User.id, User.name)
        .where(User.team_id == lead.team_id, User.role == Role.WORKER, User.active.is_(True))
        .order_by(User.name)
    ).all()
    summaries = {wid: WorkerSummary(wid, name) for wid, name in workers}
    team = visible_families(lead).with_only_columns(Family.id).order_by(None)
    active = db.session.execute(
        select(Family.primary_worker_id, func.count())
        .where(Family.id.in_(team), Family.status == FamilyStatus.ACTIVE)
        .group_by(Family.primary_worker_id)
    ).all()
    for wid, count in active:
        if wid in summaries:
            summaries[wid].active_families = count
    recent = db.session.execute(
        select(CareSession.created_by_id, func.count())
        .where(
            CareSession.family_id.in_(team),
            CareSession.live,
            CareSession.held_on > today - timedelta(days=30),
        )
        .group_by(CareSession.created_by_id)
    ).all()
    for wid, count in recent:
        if wid in summaries:
            summaries[wid].sessions_30_days = count
    for row in rows:
        wid = row.primary_worker_id
        if wid in summaries:
            summaries[wid].open_signals += row.attention
    return list(summaries.values())
