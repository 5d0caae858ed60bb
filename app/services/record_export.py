"""A family's whole record as plain data: for an access request, and pseudonymised for analysis.

Access request (Jeugdwet, GDPR art. 15): a parent or a youth of 12 or older may see and copy
the record, minus what would harm another person's privacy. The team lead picks the members
whose information is withheld; their entries, the moments about them and the sessions that
concern only them are left out, their first name is blanked in free text, and the export says
that information was withheld, never what.

Analysis: pseudonymised, not anonymised. Each family gets a random pseudonym made for this one
export (never stored, not derived from an id, a new one every time, so two exports cannot be joined
on it; goals are numbered within the family for the same reason), families in random order, no
case numbers, names or free text (notes, summaries and goal titles may hold names), dates to the
month, ages in whole years; the team figures withhold counts below 5 (app.services.small_counts).
Whoever knows the families can still recognise one by its story (its months, sessions and scores):
the file is personal data under the GDPR and is treated as such; only the team figures on their own
are fit to leave the team.

export_access_request() and export_analysis() are what the export views call: each reads the data,
writes its access-log row (app.audit) in the request's transaction and returns plain data.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit, dates
from app.extensions import db
from app.models import (
    CareSession,
    ClosureType,
    ConsentRecord,
    ContextFactor,
    Family,
    FamilyMember,
    FamilyStatus,
    Goal,
    GoalResponse,
    GoalScore,
    Moment,
    Plan,
    PlanAgreement,
    SessionKind,
    StressItem,
    User,
)
from app.security.access import visible_families
from app.services import periods, small_counts

WITHHELD_MARK = "[…]"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _sessions(family_ids: list[int]) -> list[CareSession]:
    return list(
        db.session.execute(
            select(CareSession)
            .where(CareSession.family_id.in_(family_ids))
            .options(
                selectinload(CareSession.attendees),
                selectinload(CareSession.moments).selectinload(Moment.tag_rows),
                selectinload(CareSession.created_by),
            )
            .order_by(CareSession.held_on, CareSession.id)
        ).scalars()
    )


def _stress(family_ids: list[int]) -> list[StressItem]:
    return list(
        db.session.execute(
            select(StressItem)
            .where(StressItem.family_id.in_(family_ids))
            .options(selectinload(StressItem.updates))
            .order_by(StressItem.opened_on, StressItem.id)
        ).scalars()
    )


def _plans(family_ids: list[int]) -> list[Plan]:
    return list(
        db.session.execute(
            select(Plan)
            .where(Plan.family_id.in_(family_ids))
            .options(
                selectinload(Plan.goals).selectinload(Goal.agreements),
                selectinload(Plan.agreement_entries).selectinload(PlanAgreement.goals).selectinload(GoalResponse.goal),
                selectinload(Plan.agreement_entries).selectinload(PlanAgreement.recorded_by),
            )
            .order_by(Plan.number)
        ).scalars()
    )


def _scores(family_ids: list[int]) -> list[GoalScore]:
    return list(
        db.session.execute(
            select(GoalScore).where(GoalScore.family_id.in_(family_ids)).order_by(GoalScore.scored_on, GoalScore.id)
        ).scalars()
    )


def _consent(family_ids: list[int]) -> list[ConsentRecord]:
    return list(
        db.session.execute(
            select(ConsentRecord)
            .where(ConsentRecord.family_id.in_(family_ids))
            .options(selectinload(ConsentRecord.recorded_by))
            .order_by(ConsentRecord.decided_on, ConsentRecord.id)
        ).scalars()
    )


# --- Access request --------------------------------------------------------------------------------


def withholdable_members(family: Family) -> list[FamilyMember]:
    """Everyone the record names, removed members included (their data is in the record too)."""
    return family.current_members + family.removed_members


class _Redactor:
    """Blanks the first names of withheld members in free text (whole words, any case)."""

    def __init__(self, names: list[str]):
        words = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
        self.pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE) if words else None

    def __call__(self, text: str | None) -> str:
        text = text or ""
        return self.pattern.sub(WITHHELD_MARK, text) if self.pattern else text


def access_request_record(family: Family, withheld_ids: set[int], exported_by: str) -> dict:
    """The whole record for an access request, minus what concerns the withheld members."""
    members = withholdable_members(family)
    withheld = {m.id for m in members if m.id in withheld_ids}
    clean = _Redactor([m.first_name for m in members if m.id in withheld])
    kept = [m for m in members if m.id not in withheld]

    sessions = []
    for s in _sessions([family.id]):
        attendee_ids = {m.id for m in s.attendees}
        if attendee_ids and attendee_ids <= withheld:
            continue  # a session with only withheld members concerns only them
        moments = [m for m in s.moments if m.child_id not in withheld]
        sessions.append(
            {
                "id": s.id,
                "held_on": _iso(s.held_on),
                "kind": s.kind.value,
                "kind_label": s.kind.label,
                "duration_minutes": s.duration_minutes,
                "help_focus": [f.value for f in s.focuses],
                "help_focus_labels": [f.label for f in s.focuses],
                "attendees": [m.first_name for m in s.attendees if m.id not in withheld],
                "other_attendees": clean(s.other_attendees),
                "summary": clean(s.summary),
                "agreements": clean(s.agreements),
                "next_appointment": _iso(s.next_appointment_on),
                "logged_by": s.created_by.name if s.created_by else None,
                "in_trash": s.deleted_at is not None,
                "moments": [
                    {
                        "kind": m.kind.value,
                        "kind_label": m.kind.label,
                        "description": clean(m.description),
                        "child": m.child.first_name if m.child else None,
                        "tags": [t.value for t in m.tags],
                        "tag_labels": [t.label for t in m.tags],
                        "video_time": m.video_time,
                    }
                    for m in moments
                ],
            }
        )
    session_ids = {s["id"] for s in sessions}

    record = {
        "format": "attune-record",
        "format_version": 1,
        "exported_at": dates.now().isoformat(timespec="seconds"),
        "exported_by": exported_by,
        "information_withheld": bool(withheld),
        "family": {
            "case_number": family.case_number,
            "name": family.display_name,
            "status": family.status.value,
            "status_label": family.status.label,
            "status_since": _iso(family.status_since),
            "start_date": _iso(family.start_date),
            "end_date": _iso(family.end_date),
            "team": family.team.name,
            "care_workers": [u.name for u in family.workers],
            "context": [f.value for f in family.context_factors],
            "context_labels": [f.label for f in family.context_factors],
            "context_notes": clean(family.context_notes),
        },
        "members": [
            {
                "first_name": m.first_name,
                "role": m.role.value,
                "role_label": m.role.label,
                "birth_date": _iso(m.birth_date),
                "birth_year": m.birth_year,
                "note": clean(m.notes),
                "removed_on": _iso(m.removed_at.date() if m.removed_at else None),
            }
            for m in kept
        ],
        "sessions": sessions,
        "family_stress": [
            {
                "kind": item.kind.value,
                "kind_label": item.kind.label,
                "severity": item.severity.value,
                "severity_label": item.severity.label,
                "status": item.status.value,
                "status_label": item.status.label,
                "opened_on": _iso(item.opened_on),
                "resolved_on": _iso(item.resolved_on),
                "helper": clean(item.helper),
                "notes": clean(item.notes),
                "history": [
                    {
                        "changed_on": _iso(u.changed_on),
                        "status": u.status.value,
                        "status_label": u.status.label,
                        "severity": u.severity.value,
                        "severity_label": u.severity.label,
                        "note": clean(u.note),
                    }
                    for u in item.updates
                ],
            }
            for item in _stress([family.id])
        ],
        "consent": [
            {
                "kind": c.kind.value,
                "kind_label": c.kind.label,
                "given": c.given,
                "given_by": clean(c.given_by),
                "decided_on": _iso(c.decided_on),
                "note": clean(c.note),
                "recorded_by": c.recorded_by.name if c.recorded_by else None,
            }
            for c in _consent([family.id])
        ],
        "plans": [
            {
                "number": p.number,
                "status": p.status.value,
                "status_label": p.status.label,
                "discussed_on": _iso(p.discussed_on),
                "review_on": _iso(p.review_on),
                "current": p.is_current,
                # Who agreed to this version, how and when; a withheld member's own entry is withheld.
                "agreement": [
                    {
                        "kind": e.kind.value,
                        "kind_label": e.kind.label,
                        "party": e.party.value if e.party else None,
                        "party_label": e.party.label if e.party else None,
                        "name": clean(e.name),
                        "way": e.way.value if e.way else None,
                        "way_label": e.way.label if e.way else None,
                        "agrees": e.agrees,
                        "words": clean(e.words),
                        "goals": [
                            {
                                "goal_key": g.goal.key,
                                "goal_title": clean(g.goal.title),
                                "agrees": g.agrees,
                                "words": clean(g.words),
                            }
                            for g in e.goals
                        ],
                        "reason": e.reason.value if e.reason else None,
                        "reason_label": e.reason.label if e.reason else None,
                        "reason_text": clean(e.reason_text),
                        "agreed_on": _iso(e.agreed_on),
                        "recorded_by": e.recorded_by.name if e.recorded_by else None,
                        "recorded_at": _iso(e.recorded_at),
                    }
                    for e in p.agreement_entries
                    if e.member_id not in withheld
                ],
                "goals": [
                    {
                        "key": g.key,
                        "title": clean(g.title),
                        "focus": g.focus.value,
                        "focus_label": g.focus.label,
                        "looks_like": clean(g.looks_like),
                        "start_score": g.start_score,
                        "target_score": g.target_score,
                        "status": g.status.value,
                        "status_label": g.status.label,
                        "skills": [k.value for k in g.skills],
                        "agreements": [
                            {
                                "party": a.party.value,
                                "party_label": a.party.label,
                                "who": clean(a.who),
                                "what": clean(a.what),
                            }
                            for a in g.agreements
                        ],
                    }
                    for g in p.goals
                ],
            }
            for p in _plans([family.id])
        ],
        "scores": [
            {
                "goal_key": sc.goal_key,
                "scored_on": _iso(sc.scored_on),
                "worker_score": sc.worker_score,
                "parent_score": sc.parent_score,
                "final": sc.is_final,
            }
            for sc in _scores([family.id])
            if sc.session_id is None or sc.session_id in session_ids
        ],
        "closure": {
            "closed": family.end_date is not None,
            "end_date": _iso(family.end_date),
            "closure_type": family.closure_type.value if family.closure_type else None,
            "closure_label": family.closure_type.label if family.closure_type else None,
        },
        # Every period of help, oldest first: a reopened family's earlier ones are part of its record.
        "periods": [
            {
                "number": p.number,
                "start_date": _iso(p.start_date),
                "end_date": _iso(p.end_date),
                "closure_type": p.closure_type.value if p.closure_type else None,
                "closure_label": p.closure_type.label if p.closure_type else None,
                "early_reason": p.early_reason.value if p.early_reason else None,
                "early_reason_label": p.early_reason.label if p.early_reason else None,
                "early_reason_text": clean(p.early_reason_text),
                "closed_by": p.closed_by.name if p.closed_by else None,
                "reopened_at": _iso(p.reopened_at),
                "reopened_by": p.reopened_by.name if p.reopened_by else None,
                "reopen_reason": clean(p.reopen_reason),
            }
            for p in periods.periods_of(family.id)
        ],
    }
    return record


def export_access_request(family: Family, withhold: Iterable[int], *, fmt: str, lang: str, exported_by: str) -> dict:
    """The record for an access request, logged with its format, language and withheld members.

    withhold: the member ids the lead ticked; an id that is not one of this family's is ignored.
    Call it in the language of the export (the record holds translated labels).
    """
    member_ids = {m.id for m in withholdable_members(family)}
    withheld = sorted({i for i in withhold if i in member_ids})
    record = access_request_record(family, set(withheld), exported_by=exported_by)
    withheld_text = ",".join(map(str, withheld)) or "none"
    audit.record("export_record", family=family, obj=family, detail=f"{fmt}, {lang}; withheld members: {withheld_text}")
    return record


# --- Pseudonymised, for analysis ------------------------------------------------------------------

FORMAT = "attune-pseudonymised"
FORMAT_VERSION = 2


def export_analysis(user: User) -> dict:
    """The pseudonymised data of every family the user may see, logged with how many, and in each family's log."""
    families = list(
        db.session.execute(visible_families(user).options(selectinload(Family.members)).order_by(Family.id)).scalars()
    )
    data = pseudonymised_families(families)
    audit.record("export_analysis", detail=f"json, team {user.team_id}, {len(families)} families")
    audit.record_shown(audit.SEEN_IN_EXPORT, (family.id for family in families), detail="analysis json")
    return data


def _month(value: date | datetime | None) -> str | None:
    """A date to the month (YYYY-MM): enough for analysis, too coarse to look a family up by."""
    return value.strftime("%Y-%m") if value is not None else None


def _pseudonyms(count: int) -> list[str]:
    """Random, distinct, made for this export only: nothing links them to a family but this one file."""
    made: set[str] = set()
    while len(made) < count:
        made.add(f"F-{secrets.token_hex(4)}")
    return list(made)


def team_figures(families: list[Family], sessions: Iterable[CareSession]) -> dict:
    """Counts over the exported families, with small counts withheld (small_counts explains how)."""
    status = Counter(f.status for f in families)
    closure = Counter(f.closure_type for f in families if f.closure_type is not None)
    context = Counter(factor for f in families for factor in f.context_factors)
    kinds = Counter(s.kind for s in sessions)
    return {
        "threshold": small_counts.THRESHOLD,
        "legend": {
            small_counts.SMALL: _("fewer than 5 (0 included)"),
            small_counts.WITHHELD: _("5 or more, withheld so that a count below 5 cannot be worked out from the total"),
        },
        "families": small_counts.cell(len(families)),
        "families_by_status": small_counts.partition({k.value: status[k] for k in FamilyStatus}),
        "closed_families_by_closure_type": small_counts.partition({k.value: closure[k] for k in ClosureType}),
        # A family can have several context factors: these do not add up to a total, so each stands alone.
        "families_with_context_factor": {k.value: small_counts.cell(context[k]) for k in ContextFactor},
        "sessions": small_counts.cell(sum(kinds.values())),
        "sessions_by_kind": small_counts.partition({k.value: kinds[k] for k in SessionKind}),
    }


def pseudonymised_families(families: list[Family]) -> dict:
    """Codes, months, ages and scores under a pseudonym made for this export; no names, case numbers or free text."""
    ids = [f.id for f in families]
    sessions, stress, plans, scores, consent = (defaultdict(list) for _n in range(5))
    for s in _sessions(ids):
        if s.deleted_at is None:
            sessions[s.family_id].append(s)
    for item in _stress(ids):
        stress[item.family_id].append(item)
    for p in _plans(ids):
        plans[p.family_id].append(p)
    kept_sessions = {s.id for family_sessions in sessions.values() for s in family_sessions}
    for sc in _scores(ids):
        if sc.session_id is None or sc.session_id in kept_sessions:  # not the scores of trashed sessions
            scores[sc.family_id].append(sc)
    for c in _consent(ids):
        consent[c.family_id].append(c)

    out: list[dict] = []
    for family, pseudonym in zip(families, _pseudonyms(len(families)), strict=True):
        # Members and goals by a number within the family, so moments, attendees and scores can point at
        # them: a goal's own key is stable across exports and would join them.
        refs = {m.id: n for n, m in enumerate(sorted(family.members, key=lambda m: m.id), start=1)}
        goal_refs: dict[str, int] = {}
        for p in plans[family.id]:
            for g in p.goals:
                goal_refs.setdefault(g.key, len(goal_refs) + 1)
        for sc in scores[family.id]:
            goal_refs.setdefault(sc.goal_key, len(goal_refs) + 1)
        out.append(
            {
                "pseudonym": pseudonym,
                "status": family.status.value,
                "start_month": _month(family.start_date),
                "end_month": _month(family.end_date),
                "closure_type": family.closure_type.value if family.closure_type else None,
                "context": [f.value for f in family.context_factors],
                "members": [
                    {"ref": refs[m.id], "role": m.role.value, "age_at_start": m.age_on(family.start_date)}
                    for m in sorted(family.members, key=lambda m: m.id)
                ],
                "sessions": [
                    {
                        "month": _month(s.held_on),
                        "kind": s.kind.value,
                        "duration_minutes": s.duration_minutes,
                        "help_focus": [f.value for f in s.focuses],
                        "attendees": [
                            # No age per session: ages that step up between months give the birth month away;
                            # the member's age at the start (by its ref) is the one age given.
                            {"ref": refs[m.id], "role": m.role.value}
                            for m in s.attendees
                        ],
                        "moments": [
                            {
                                "kind": m.kind.value,
                                "tags": [t.value for t in m.tags],
                                "child_ref": refs.get(m.child_id) if m.child_id is not None else None,
                            }
                            for m in s.moments
                        ],
                    }
                    for s in sessions[family.id]
                ],
                "plans": [
                    {
                        "number": p.number,
                        "status": p.status.value,
                        "discussed_month": _month(p.discussed_on),
                        "goals": [
                            {
                                "goal": goal_refs[g.key],
                                "focus": g.focus.value,
                                "status": g.status.value,
                                "start_score": g.start_score,
                                "target_score": g.target_score,
                                "skills": [k.value for k in g.skills],
                                "agreement_parties": [a.party.value for a in g.agreements],
                            }
                            for g in p.goals
                        ],
                    }
                    for p in plans[family.id]
                ],
                "scores": [
                    {
                        "goal": goal_refs[sc.goal_key],
                        "month": _month(sc.scored_on),
                        "worker_score": sc.worker_score,
                        "parent_score": sc.parent_score,
                        "final": sc.is_final,
                    }
                    for sc in scores[family.id]
                ],
                "family_stress": [
                    {
                        "kind": item.kind.value,
                        "opened_month": _month(item.opened_on),
                        "resolved_month": _month(item.resolved_on),
                        "history": [
                            {"month": _month(u.changed_on), "status": u.status.value, "severity": u.severity.value}
                            for u in item.updates
                        ],
                    }
                    for item in stress[family.id]
                ],
                "consent": [
                    {"kind": c.kind.value, "given": c.given, "month": _month(c.decided_on)} for c in consent[family.id]
                ],
            }
        )
    out.sort(key=lambda f: f["pseudonym"])  # random order: the order of case numbers would give them back
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_month": _month(dates.today()),
        "about": _(
            "Pseudonymised, not anonymised: each family has a random pseudonym made for this export only, "
            "without names, case numbers or free text, with dates to the month and ages in whole years. "
            "Whoever knows the families may still recognise one, so this file is personal data: keep it "
            "within the team. The team figures withhold counts below 5, so they alone may go into a report; "
            "the families below can be counted again and stay within the team."
        ),
        "team_figures": team_figures(families, (s for family_sessions in sessions.values() for s in family_sessions)),
        "families": out,
    }
