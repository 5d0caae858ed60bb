"""The next appointment of a family, and the coming days of a caseload: one rule for every page.

A family's next appointment is the one its latest session agreed: the newest live session by the day it
was held (of two on one day, the one logged last). Never an older session's: when the newest session agreed
a later appointment, that one holds; when it agreed none, the family has none, because an older session's
appointment may well be the visit that was just logged, or one cancelled since. A session logged today
about an earlier visit (held_on in the past) does not replace a newer session's appointment.

A family whose help was reopened after its latest session has none until a session of the new period agrees one.

It is coming (shown on "My families", "My week", the family page, the calendar feed and the printed plan)
when it is today or later, and, today, at a time not yet passed (or at no time). A closed family has none,
whatever its last session said: the help has ended. A paused family keeps it, marked as paused where it is
listed: a pause is often agreed with a date to pick up again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import get_timezone
from sqlalchemy import Select, exists, func, select

from app import dates
from app.extensions import db
from app.models import CareSession, Family, FamilyStatus, HelpPeriod, Plan, User
from app.security.access import visible_families

WEEK_DAYS = 14  # "My week" looks two weeks ahead: a visit every week or two shows at least once


def local_now() -> datetime:
    """This moment on the wall clock of the app's time zone, naive: appointments are wall-clock times."""
    return dates.now().astimezone(get_timezone()).replace(tzinfo=None)


@dataclass(frozen=True)
class Appointment:
    """The next appointment a family's latest session agreed."""

    family_id: int
    on: date
    at: time | None
    session_id: int  # the session that agreed it
    agreed_on: date  # the day that session was held

    def is_coming(self, now: datetime) -> bool:
        if self.on != now.date():
            return self.on > now.date()
        return self.at is None or self.at >= now.time()


@dataclass(frozen=True)
class LatestSession:
    """What the family page says about the next appointment: the latest session and what it agreed."""

    session_id: int
    held_on: date
    appointment: Appointment | None
    before_reopening: bool = False  # held in an earlier period of help: its appointment ended with that period


def _latest_sessions(family_ids: Select | list[int]):
    """The latest live session of each family (one row per family that has one), with the start of the family's
    current period of help and whether the help was ever reopened."""
    ranked = (
        select(
            CareSession.id,
            CareSession.family_id,
            CareSession.held_on,
            CareSession.next_appointment_on,
            CareSession.next_appointment_at,
            func.row_number()
            .over(partition_by=CareSession.family_id, order_by=(CareSession.held_on.desc(), CareSession.id.desc()))
            .label("rank"),
        )
        .where(CareSession.family_id.in_(family_ids), CareSession.live)
        .subquery()
    )
    reopened = exists().where(HelpPeriod.family_id == Family.id, HelpPeriod.reopened_at.is_not(None))
    return db.session.execute(
        select(ranked, Family.start_date, reopened)
        .join(Family, Family.id == ranked.c.family_id)
        .where(ranked.c.rank == 1)
    ).all()


def latest_session_appointments(family_ids: Select | list[int]) -> dict[int, LatestSession]:
    """Per family with a live session: its latest session and the appointment that session agreed, if any.
    A reopened family's latest session from before the reopening agreed nothing that still holds: closing the
    help ended it."""
    found = {}
    for session_id, family_id, held_on, on, at, _rank, period_start, reopened in _latest_sessions(family_ids):
        before = bool(reopened) and held_on < period_start
        appointment = Appointment(family_id, on, at, session_id, held_on) if on is not None and not before else None
        found[family_id] = LatestSession(session_id, held_on, appointment, before)
    return found


def next_appointments(family_ids: Select | list[int], now: datetime | None = None) -> dict[int, Appointment]:
    """Per family, its coming next appointment (see the module's rule); families without one are left out.
    family_ids: a SELECT of family ids (a scope) or a list of them."""
    now = now or local_now()
    open_ids = select(Family.id).where(Family.id.in_(family_ids), Family.status != FamilyStatus.CLOSED)
    return {
        family_id: latest.appointment
        for family_id, latest in latest_session_appointments(open_ids).items()
        if latest.appointment is not None and latest.appointment.is_coming(now)
    }


def next_appointment(family: Family, now: datetime | None = None) -> Appointment | None:
    return next_appointments([family.id], now).get(family.id)


@dataclass(frozen=True)
class FamilyAppointment:
    """What the family page says about the next appointment, one of:
    "coming"       the latest session agreed it, and it is still to come;
    "passed"       the latest session agreed one, and its time has passed (no session logged since);
    "none_agreed"  the latest session agreed none;
    "reopened"     the help was reopened after the latest session: nothing agreed since;
    "no_sessions"  no session has been logged yet;
    "closed"       the help has ended: no appointment, whatever the last session said."""

    state: str
    appointment: Appointment | None = None
    latest_held_on: date | None = None
    latest_session_id: int | None = None


def family_appointment(family: Family, now: datetime | None = None) -> FamilyAppointment:
    if family.status == FamilyStatus.CLOSED:
        return FamilyAppointment("closed")
    latest = latest_session_appointments([family.id]).get(family.id)
    if latest is None:
        return FamilyAppointment("no_sessions")
    appointment = latest.appointment
    if appointment is None:
        state = "reopened" if latest.before_reopening else "none_agreed"
        return FamilyAppointment(state, None, latest.held_on, latest.session_id)
    state = "coming" if appointment.is_coming(now or local_now()) else "passed"
    return FamilyAppointment(state, appointment, latest.held_on, latest.session_id)


# --- The coming days of a caseload ("My week", the calendar feed) ---------------------------------------------


APPOINTMENT = "appointment"
PLAN_REVIEW = "plan_review"


@dataclass(frozen=True)
class AgendaItem:
    kind: str  # APPOINTMENT or PLAN_REVIEW
    on: date
    at: time | None
    family_id: int
    display_name: str
    case_number: str
    status: FamilyStatus
    worker_name: str | None
    ref_id: int  # the session that agreed the appointment, or the plan to review: stable ids for the feed

    @property
    def is_appointment(self) -> bool:
        return self.kind == APPOINTMENT


@dataclass
class AgendaDay:
    on: date
    items: list[AgendaItem] = field(default_factory=list)


def agenda(user: User, *, now: datetime | None = None, days: int | None = WEEK_DAYS) -> list[AgendaItem]:
    """The coming appointments and plan reviews of the families the user may see (a worker's own, a lead's
    team), in time order, from now on; with `days`, only those of the next `days` days (today the first).
    Closed families have neither: the help has ended."""
    now = now or local_now()
    today = now.date()
    last = today + timedelta(days=days - 1) if days is not None else dates.latest_ahead()
    scope = visible_families(user).where(Family.status != FamilyStatus.CLOSED)
    ids = scope.with_only_columns(Family.id).order_by(None)
    appointments = {fid: a for fid, a in next_appointments(ids, now).items() if a.on <= last}
    reviews: dict[int, tuple[int, date]] = {
        fid: (plan_id, on)
        for fid, plan_id, on in db.session.execute(
            select(Plan.family_id, Plan.id, Plan.review_on).where(
                Plan.family_id.in_(ids),
                Plan.superseded_at.is_(None),
                Plan.review_on >= today,
                Plan.review_on <= last,
            )
        )
        if on is not None
    }
    wanted = set(appointments) | set(reviews)
    if not wanted:
        return []
    families = db.session.execute(
        select(Family.id, Family.display_name, Family.case_number, Family.status, User.name)
        .outerjoin(User, User.id == Family.primary_worker_id)
        .where(Family.id.in_(wanted))
    ).all()
    items = []
    for fid, name, case_number, status, worker in families:
        if fid in appointments:
            a = appointments[fid]
            items.append(AgendaItem(APPOINTMENT, a.on, a.at, fid, name, case_number, status, worker, a.session_id))
        if fid in reviews:
            plan_id, on = reviews[fid]
            items.append(AgendaItem(PLAN_REVIEW, on, None, fid, name, case_number, status, worker, plan_id))
    # A day's untimed items first (a plan review, an appointment without a time), then by the clock.
    items.sort(key=lambda i: (i.on, i.at is not None, i.at or time(0), i.display_name.lower(), i.kind))
    return items


def by_day(items: list[AgendaItem]) -> list[AgendaDay]:
    """The items grouped by their day, in order; days without any are left out."""
    days: list[AgendaDay] = []
    for item in items:
        if not days or days[-1].on != item.on:
            days.append(AgendaDay(item.on))
        days[-1].items.append(item)
    return days


@dataclass(frozen=True)
class Week:
    """The "My week" page: the next WEEK_DAYS days, today the first, with what is planned on them."""

    first: date
    last: date
    days: list[AgendaDay]

    @property
    def family_ids(self) -> list[int]:
        return list(dict.fromkeys(item.family_id for day in self.days for item in day.items))


def week(user: User, now: datetime | None = None) -> Week:
    now = now or local_now()
    first = now.date()
    return Week(first, first + timedelta(days=WEEK_DAYS - 1), by_day(agenda(user, now=now)))
