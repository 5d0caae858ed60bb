"""Reading the access log, and the one narrow way rows ever leave it.

The database refuses UPDATE and DELETE of audit_events (triggers, migration 9556741d4484).
A DELETE passes only while an AuditPurgeAuthorization row in the same transaction names the
rows; the two purge functions below write it, delete, and remove it again before returning.
Like every service they never commit: the caller's transaction keeps the purge, its stub and
the change that caused it (destroying the record) together, or none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import CursorResult, Select, delete, func, select
from sqlalchemy.orm import with_expression

from app import audit, dates
from app.extensions import db
from app.models import PURGE_FAMILY_ACTION, AuditEvent, AuditPurgeAuthorization, Family, User
from app.services.pagination import paginate

MIN_RETENTION_YEARS = 5  # NEN 7513 practice: the log of an access is kept at least five years


# --- Purging ----------------------------------------------------------------------------------------


def retention_years() -> int:
    years = int(current_app.config.get("AUDIT_RETENTION_YEARS", MIN_RETENTION_YEARS))
    if years < MIN_RETENTION_YEARS:
        raise ValueError(f"AUDIT_RETENTION_YEARS must be at least {MIN_RETENTION_YEARS}, not {years}")
    return years


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Events before this moment are past the retention period (calendar years back)."""
    now = now or dates.now()
    years = retention_years()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _with_authorization(permit: AuditPurgeAuthorization, statement) -> int:
    """Run the DELETE while the permit exists. If anything fails, the caller's rollback takes
    the permit with it: it never outlives this transaction."""
    db.session.add(permit)
    db.session.flush()
    result = db.session.execute(statement, execution_options={"synchronize_session": False})
    deleted = cast("CursorResult[Any]", result).rowcount  # a DELETE's result: a CursorResult
    db.session.delete(permit)
    db.session.flush()
    return deleted


def purge_family_events(family_id: int, case_number: str, stub_detail: str, user: User | None = None) -> int:
    """Remove a family's log rows with its record and leave one stub (action purge_family).

    For the destruction of a record (retention period over, or a parent's request): the
    log may not outlive the record it describes. The stub keeps who and when, the case number
    in its own column (record_ref: the admin's search by case number finds it, and it never
    takes the case number of whichever family holds the id now) and stub_detail (who destroyed
    it and why, see app.services.destruction.stub_detail). Another record's stub is never taken
    along, even one with the same family id (given twice before ids were kept monotonic). The
    stub stays until purge_expired_events takes it after the retention period. Returns the
    number of rows removed. Does not commit.
    """
    deleted = _with_authorization(
        AuditPurgeAuthorization(family_id=family_id),
        delete(AuditEvent).where(AuditEvent.family_id == family_id, AuditEvent.action != PURGE_FAMILY_ACTION),
    )
    audit.record(PURGE_FAMILY_ACTION, family_id=family_id, detail=stub_detail, user=user, record_ref=case_number)
    db.session.flush()
    return deleted


def purge_expired_events(before: datetime | None = None, user: User | None = None) -> int:
    """Remove events without a family (logins, admin work, purge stubs) older than `before`.

    `before` defaults to now minus AUDIT_RETENTION_YEARS and may not be later than that:
    nothing younger than the retention period ever goes. Rows about a family stay as long
    as its record (purge_family_events). Returns the number removed. Does not commit.
    """
    cutoff = retention_cutoff()
    before = before or cutoff
    if before.tzinfo is None:
        raise ValueError("give `before` as an aware UTC datetime")
    if before > cutoff:
        raise ValueError(f"only events older than {retention_years()} years may be removed")
    deleted = _with_authorization(
        AuditPurgeAuthorization(older_than=before),
        delete(AuditEvent).where(
            AuditEvent.at < before,
            (AuditEvent.family_id.is_(None)) | (AuditEvent.action == PURGE_FAMILY_ACTION),
        ),
    )
    audit.record("purge_expired", detail=f"{deleted} events before {before.date().isoformat()}", user=user)
    db.session.flush()
    return deleted


# --- Reading ---------------------------------------------------------------------------------------


def _base() -> Select:
    """Events newest first, each with its family's case number: the live family's, or for a stub the
    destroyed record's own (record_ref), never that of a later family with the same id. populate_existing:
    an event already in the session (this request's own, flushed) gets its case number too."""
    live = (Family.id == AuditEvent.family_id) & (AuditEvent.action != PURGE_FAMILY_ACTION)
    return (
        select(AuditEvent)
        .outerjoin(Family, live)
        .options(with_expression(AuditEvent.case_number, func.coalesce(Family.case_number, AuditEvent.record_ref)))
        .execution_options(populate_existing=True)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def family_events(family_id: int, page: int = 1, per_page: int = 50) -> Pagination:
    """Who looked at this family and what they did, newest first. A stub is never one of them: it is
    about a destroyed record, which may have had this id before ids were kept monotonic."""
    query = _base().where(AuditEvent.family_id == family_id, AuditEvent.action != PURGE_FAMILY_ACTION)
    return paginate(query, page, per_page)


@dataclass(frozen=True)
class LogFilters:
    user: str = ""  # part of an e-mail address
    case_number: str = ""
    action: str = ""
    outcome: str = ""  # ok, refused, failed (failed matches "failed 4xx" too)
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        """The search as the access log records it (e-mail part, case number, codes, dates)."""
        return ", ".join(f"{k}={v}" for k, v in self.query_args().items()) or "everything"

    def query_args(self) -> dict:
        args = {
            "user": self.user or None,
            "case": self.case_number or None,
            "action": self.action or None,
            "outcome": self.outcome or None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in args.items() if v is not None}

    @property
    def active(self) -> bool:
        return bool(self.query_args())


OUTCOMES = ("ok", "refused", "failed")


def filters_from(args) -> LogFilters:
    outcome = args.get("outcome", "")
    return LogFilters(
        user=args.get("user", "")[:254].strip().lower(),
        case_number=args.get("case", "")[:20].strip(),
        action=args.get("action", "")[:40].strip(),
        outcome=outcome if outcome in OUTCOMES else "",
        date_from=dates.filter_date(args.get("from")),
        date_to=dates.filter_date(args.get("to")),
    )


def _search_query(filters: LogFilters) -> Select:
    query = _base()
    if filters.user:
        query = query.where(func.lower(AuditEvent.user_email).contains(filters.user, autoescape=True))
    if filters.case_number:
        number = filters.case_number.lower()
        family_id = select(Family.id).where(func.lower(Family.case_number) == number)
        live = AuditEvent.family_id.in_(family_id.scalar_subquery()) & (AuditEvent.action != PURGE_FAMILY_ACTION)
        # A destroyed record leaves only its stub, which names its case number (record_ref); stubs from
        # before that column name it at the start of their detail.
        stub = func.lower(AuditEvent.record_ref) == number
        old_stub = (AuditEvent.action == PURGE_FAMILY_ACTION) & func.lower(AuditEvent.detail).startswith(
            f"record {number} destroyed", autoescape=True
        )
        query = query.where(live | stub | old_stub)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.outcome == "failed":
        query = query.where(AuditEvent.outcome.startswith("failed"))
    elif filters.outcome:
        query = query.where(AuditEvent.outcome == filters.outcome)
    # The period is in calendar days of UTC, as the log shows its times.
    if filters.date_from:
        query = query.where(AuditEvent.at >= datetime.combine(filters.date_from, time(), UTC))
    if filters.date_to:
        query = query.where(AuditEvent.at < datetime.combine(filters.date_to + timedelta(days=1), time(), UTC))
    return query


def search(filters: LogFilters, page: int = 1, per_page: int = 50) -> Pagination:
    return paginate(_search_query(filters), page, per_page)


def search_all(filters: LogFilters, limit: int) -> list[AuditEvent]:
    return list(db.session.execute(_search_query(filters).limit(limit)).scalars())


def admin_detail(event: AuditEvent) -> str:
    """The detail of an event as the administrator's log shows it (page and CSV).

    The administrator has no case access: they see the event, who, when, the outcome and a record
    reference (case number and object, e.g. "member #12"), which is what a log review needs. What a
    change of a family's record held (consent given or not, members withheld from an export, the
    closure type, the plan's version) is a case fact: it stays in the family's own log, which only
    its team lead reads. Kept: the detail of events without a family (logins, accounts, settings,
    searches), of refusals (the page refused, nothing of the family was read) and of a destruction
    stub (who destroyed the record and on what ground; the record is gone, so no one else reads it).
    """
    if event.family_id is None or event.action == PURGE_FAMILY_ACTION or event.outcome == "refused":
        return event.detail or ""
    return ""


def known_actions() -> list[str]:
    return list(db.session.execute(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).scalars())
