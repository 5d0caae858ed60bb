"""Registering families, their members and who works with them. Flushes, never commits.

Each write logs itself (app.audit), in the request's transaction: the change and its row go
together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from app import audit, dates
from app.db.updates import fingerprint, hold, save_if_unchanged
from app.extensions import db
from app.models import (
    CareSession,
    DestructionRequest,
    Family,
    FamilyMember,
    FamilyStatus,
    GoalScore,
    MemberRole,
    Plan,
    StressItem,
    User,
)
from app.security.access import leads_the_record
from app.services import appointments, care_sessions, consent, destruction, periods, plans, progress, settings, signals
from app.services.consent import ConsentState
from app.services.numbering import next_case_number
from app.services.progress import FamilyProgress
from app.services.signals import FamilySignals


def _apply(obj: object, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


def register_family(team_id: int, values: dict[str, Any], primary_worker_id: int, case_prefix: str) -> Family:
    """values: the family's own fields; status as a FamilyStatus value. The case number comes last, by year."""
    family = Family(team_id=team_id, primary_worker_id=primary_worker_id)
    _apply(family, {**values, "status": FamilyStatus(values["status"])})
    family.case_number = next_case_number(case_prefix, family.start_date.year)
    db.session.add(family)
    db.session.flush()
    periods.current_period(family)  # the first period of help starts with the family
    audit.record("create", family=family, obj=family)
    return family


def update_family(family: Family, values: dict[str, Any], version: str) -> Family | None:
    """The saved family, or None with nothing changed when someone saved since `version` (a conflict).

    values may leave out the status (a closed family's: closing and reopening have their own pages)."""
    if "status" in values:
        values = {**values, "status": FamilyStatus(values["status"])}
        if values["status"] != family.status:
            values["status_since"] = dates.today()

    def change() -> None:
        _apply(family, values)
        db.session.flush()
        periods.keep_in_step(family)

    if not save_if_unchanged(family, version, change):
        return None
    audit.record("update", family=family, obj=family)
    return family


def add_member(family: Family, values: dict[str, Any]) -> FamilyMember:
    member = FamilyMember(family=family)
    _apply(member, {**values, "role": MemberRole(values["role"])})
    db.session.add(member)
    db.session.flush()
    audit.record("add_member", family=family, obj=member)
    return member


def update_member(family: Family, member: FamilyMember, values: dict[str, Any], version: str) -> bool:
    """False, with nothing changed, when someone saved the member since `version` (a conflict)."""
    if not save_if_unchanged(member, version, lambda: _apply(member, {**values, "role": MemberRole(values["role"])})):
        return False
    audit.record("update_member", family=family, obj=member)
    return True


def remove_member(family: Family, member: FamilyMember) -> bool:
    """Off the list of members, kept for the sessions that name them; False when already off it."""
    if member.removed_at is not None:
        return False
    member.removed_at = dates.now()
    audit.record("remove_member", family=family, obj=member)
    return True


def restore_member(family: Family, member: FamilyMember) -> bool:
    if member.removed_at is None:
        return False
    member.removed_at = None
    audit.record("restore_member", family=family, obj=member)
    return True


def workers_version(family: Family) -> str:
    """Who works with the family, as an edit version: the assignment form's, compared when it is saved."""
    return fingerprint(family.primary_worker_id, sorted(u.id for u in family.co_workers))


def assign_workers(family: Family, primary_worker_id: int, co_worker_ids: set[int], version: str) -> bool:
    """Only this team's workers: an id from another team is left out, whatever the form sent. False, with
    nothing changed, when someone changed the assignment since the form showed it at `version`."""
    hold(Family, family.id)
    db.session.refresh(family)  # as saved now: a simultaneous save held the row first and is in
    if workers_version(family) != version:
        return False
    previous = family.primary_worker.name if family.primary_worker else "-"
    family.primary_worker_id = primary_worker_id
    co_ids = set(co_worker_ids) - {primary_worker_id}
    family.co_workers = list(
        db.session.execute(select(User).where(User.id.in_(co_ids), User.team_id == family.team_id)).scalars()
    )
    db.session.flush()
    db.session.refresh(family)
    now = family.primary_worker.name if family.primary_worker else "-"
    audit.record("reassign", family=family, obj=family, detail=f"primary {previous} -> {now}")
    return True


@dataclass(frozen=True)
class FamilyPage:
    """Everything the family page shows, read in one call."""

    timeline: Pagination
    latest_sessions: list[CareSession]  # the newest few, unfiltered: the summary at the top
    open_stress: list[StressItem]
    resolved_stress: list[StressItem]
    consent_states: list[ConsentState]
    plan: Plan | None
    latest_scores: dict[str, GoalScore]
    progress: FamilyProgress
    destruction_request: DestructionRequest | None
    closed_destruction_requests: list[DestructionRequest]
    leads_the_record: bool  # the viewer assigns workers, restores the trash, handles destruction requests
    help_periods: list[periods.PeriodSummary]  # the periods of help, oldest first, with how each ended
    # The family's signals, as the lists show them; None for a closed family (no signal applies to it).
    signals: FamilySignals | None
    next_appointment: appointments.FamilyAppointment  # the one the latest session agreed (app.services.appointments)


def family_signals(family: Family) -> FamilySignals | None:
    """The signals of this one family: the lists' own computation, with the thresholds in force."""
    if family.status == FamilyStatus.CLOSED:
        return None
    found = signals.compute(select(Family).where(Family.id == family.id), dates.today(), settings.signal_thresholds())
    return found[family.id]


def family_page(family: Family, viewer: User, *, focus: str = "", moment_kind: str = "", page: int = 1) -> FamilyPage:
    return FamilyPage(
        timeline=care_sessions.timeline(family.id, focus=focus, moment_kind=moment_kind, page=page),
        latest_sessions=care_sessions.latest(family.id),
        open_stress=care_sessions.open_stress_items(family.id),
        resolved_stress=care_sessions.resolved_stress_items(family.id),
        consent_states=consent.current_states(consent.history(family.id)),
        plan=plans.current_plan(family.id),
        latest_scores=plans.latest_scores(family.id),
        progress=progress.family_progress(family.id),
        destruction_request=destruction.open_request(family.id),
        closed_destruction_requests=destruction.closed_requests(family.id),
        leads_the_record=leads_the_record(viewer, family),
        help_periods=periods.summaries(family.id),
        signals=family_signals(family),
        next_appointment=appointments.family_appointment(family),
    )
