"""Synthetic data with the shape of the demo, fast enough for 10,000 families.

Rows are built as plain dicts with their ids assigned here, and inserted with one executemany
per table and chunk (no ORM objects, no RETURNING). Fixed seed: the same data on every run;
dates are relative to today so the dashboards' signals look as they would in use.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from app import dates
from app.bench.shape import FAMILIES_PER_TEAM, SCALES, WORKERS_PER_TEAM, bench_totp_secret, lead_email, worker_email
from app.cli.demo import AGREEMENTS, CHILD_NAMES, DIFFICULT_TEXTS, GOAL_IDEAS, PARENT_NAMES, POSITIVE_TEXTS, SUMMARIES
from app.cli.demo import SURNAMES as DEMO_SURNAMES
from app.extensions import db
from app.models import (
    DIFFICULT_TAGS,
    POSITIVE_TAGS,
    CareSession,
    ConsentKind,
    ConsentRecord,
    CoreSkill,
    Counter,
    Family,
    FamilyMember,
    FamilyStatus,
    Goal,
    GoalAgreement,
    GoalScore,
    HelpFocus,
    MemberRole,
    Moment,
    MomentKind,
    MomentTagRow,
    Party,
    Plan,
    PlanStatus,
    Role,
    SessionKind,
    Severity,
    StressItem,
    StressKind,
    StressStatus,
    StressUpdate,
    Team,
    User,
    family_workers,
    session_attendees,
)

SEED = 20261125
STRESS_GOAL: tuple[HelpFocus, str, str, set[CoreSkill], str] = (
    HelpFocus.STRESS,
    "Rust over het geld",
    "We weten wat we moeten betalen en wanneer.",
    set(),
    "Samen met schuldhulp een betaalplan maken.",
)
CHUNK = 20_000
KINDS = [SessionKind.HOME_VISIT] * 4 + [SessionKind.CALL, SessionKind.OFFICE]
VIDEO_KINDS = [SessionKind.VIDEO_REVIEW, SessionKind.VIDEO_RECORDING]


def _table(target: Any) -> Table:
    """The table of a model, or the table itself (the association tables)."""
    return target if isinstance(target, Table) else target.__table__


class Rows:
    """Rows per table, flushed to the database a chunk at a time (parents before children)."""

    ORDER = (
        Team,
        User,
        Family,
        family_workers,
        FamilyMember,
        ConsentRecord,
        StressItem,
        StressUpdate,
        Plan,
        Goal,
        GoalAgreement,
        CareSession,
        session_attendees,
        Moment,
        MomentTagRow,
        GoalScore,
        Counter,
    )

    def __init__(self) -> None:
        self.rows: dict = defaultdict(list)
        self.ids: dict = defaultdict(int)
        self.counts: dict = defaultdict(int)

    def add(self, target, **values) -> int | None:
        if "id" in _table(target).c:
            self.ids[target] += 1
            values["id"] = self.ids[target]
        self.rows[target].append(values)
        return values.get("id")

    def flush(self, force: bool = False) -> None:
        if not force and sum(len(r) for r in self.rows.values()) < CHUNK:
            return
        for target in self.ORDER:
            rows = self.rows.pop(target, None)
            if rows:
                table = _table(target)
                for start in range(0, len(rows), CHUNK):
                    db.session.execute(insert(table), rows[start : start + CHUNK])
                self.counts[table.name] += len(rows)


def generate(scale: str, password_hash: str, today: date | None = None) -> dict[str, int]:
    today = today or dates.today()
    rng = random.Random(SEED)  # noqa: S311 - made-up data, not secrets
    now = dates.now()
    rows = Rows()
    case_numbers: dict[int, int] = defaultdict(int)
    surnames = DEMO_SURNAMES + [f"{a} {b}" for a in ("Van", "De", "Ter") for b in ("Berg", "Beek", "Veld", "Horst")]

    for team_no in range(1, SCALES[scale] + 1):
        team_id = rows.add(Team, name=f"Bench team {team_no:02d}", created_at=now)
        lead = lead_email(team_no)
        rows.add(
            User,
            email=lead,
            name=f"Lead {team_no:02d}",
            password_hash=password_hash,
            role=Role.LEAD,
            team_id=team_id,
            active=True,
            locale="en",
            created_at=now,
            **_second_factor(lead, now),
        )
        workers = []
        for worker_no in range(1, WORKERS_PER_TEAM + 1):
            email = worker_email(team_no, worker_no)
            workers.append(
                rows.add(
                    User,
                    email=email,
                    name=f"Worker {team_no:02d}-{worker_no:02d}",
                    password_hash=password_hash,
                    role=Role.WORKER,
                    team_id=team_id,
                    active=True,
                    locale="en",
                    created_at=now,
                    **_second_factor(email, now),
                )
            )
        for index in range(FAMILIES_PER_TEAM):
            _family(rows, rng, today, now, team_id, workers, index, surnames, case_numbers)
            rows.flush()
    for year, value in case_numbers.items():
        rows.add(Counter, name=f"case-{year}", value=value)
    rows.flush(force=True)
    _reset_sequences(rows)
    return dict(rows.counts)


def _second_factor(email: str | None, now: datetime) -> dict:
    """Everyone logs in with a second step, as in production: a known TOTP secret, already set up."""
    return {"totp_secret": bench_totp_secret(email) if email else None, "totp_enabled_at": now if email else None}


def _family(rows: Rows, rng, today, now, team_id, workers, index, surnames, case_numbers) -> None:
    # The first family (id 1) is the one whose plan the benchmark prints: 5 goals, a year of scores.
    showcase = team_id == 1 and index == 0
    start = today - timedelta(days=400 if showcase else rng.randint(30, 720))
    status = rng.choices(
        [FamilyStatus.ACTIVE, FamilyStatus.INTAKE, FamilyStatus.PAUSED, FamilyStatus.CLOSED], weights=[14, 1, 1, 3]
    )[0]
    if showcase:
        status = FamilyStatus.ACTIVE
    end = today - timedelta(days=rng.randint(1, 60)) if status == FamilyStatus.CLOSED else None
    if end is not None and end < start:
        end = start
    case_numbers[start.year] += 1
    worker = workers[index % len(workers)]
    family_id = rows.add(
        Family,
        case_number=f"BX-{start.year}-{case_numbers[start.year]:05d}",
        display_name=f"Familie {rng.choice(surnames)}",
        status=status,
        start_date=start,
        end_date=end,
        # Paused a while (some past the signal's 8 weeks); otherwise the status is that of the start or the end.
        status_since=end or (today - timedelta(days=7 * (2 + index % 12)) if status == FamilyStatus.PAUSED else start),
        team_id=team_id,
        primary_worker_id=worker,
        multiple_problems=rng.random() < 0.35,
        early_adversity=rng.random() < 0.3,
        parent_unwell=rng.random() < 0.3,
        child_disability=rng.random() < 0.2,
        context_notes="",
        created_at=now,
        updated_at=now,
        version=1,
    )
    if rng.random() < 0.1:
        rows.add(family_workers, family_id=family_id, user_id=workers[(index + 1) % len(workers)])
    parents, children = [], []
    for name in rng.sample(PARENT_NAMES, rng.choice([1, 2, 2])):
        parents.append(
            rows.add(
                FamilyMember,
                family_id=family_id,
                first_name=name,
                role=MemberRole.PARENT,
                birth_date=None,
                birth_year=today.year - rng.randint(22, 45),
                notes="",
                created_at=now,
            )
        )
    for name in rng.sample(CHILD_NAMES, rng.choice([1, 1, 2, 3])):
        birth = today - timedelta(days=rng.randint(120, 14 * 365))
        children.append(
            rows.add(
                FamilyMember,
                family_id=family_id,
                first_name=name,
                role=MemberRole.CHILD,
                birth_date=birth,
                birth_year=birth.year,
                notes="",
                created_at=now,
            )
        )
    if status == FamilyStatus.INTAKE:
        return

    video = rng.random() < 0.6
    if video:
        rows.add(
            ConsentRecord,
            family_id=family_id,
            kind=ConsentKind.VIDEO,
            given=True,
            given_by="ouders",
            decided_on=start,
            note="",
            recorded_by_id=worker,
            recorded_at=now,
        )
    last_day = end or today - timedelta(days=rng.choice([0, 2, 5, 9, 30]))
    days, held = [], start + timedelta(days=rng.randint(3, 10))
    while held <= last_day:
        days.append(held)
        held += timedelta(days=rng.randint(7, 21))
    if not days:
        return
    if rng.random() < 0.4:
        _stress(rows, rng, family_id, start, days, worker, now)

    goal_keys = []
    plan_id = rows.add(
        Plan,
        family_id=family_id,
        number=1,
        status=PlanStatus.AGREED,
        discussed_on=days[0],
        review_on=days[-1] + timedelta(days=rng.randint(-20, 120)),
        created_by_id=worker,
        updated_by_id=worker,
        created_at=now,
        updated_at=now,
        version=1,
    )
    goals = []
    ideas = [*GOAL_IDEAS, STRESS_GOAL] if showcase else rng.sample(GOAL_IDEAS, 2)
    for position, (focus, title, looks_like, skills, agreement) in enumerate(ideas):
        key = f"{rng.getrandbits(64):016x}"
        level = rng.uniform(2, 5.5)  # where the goal truly starts
        begin = _score(rng, level)  # its start score: one measurement of that, with the same error
        goal_id = rows.add(
            Goal,
            plan_id=plan_id,
            key=key,
            position=position,
            focus=focus,
            title=title,
            looks_like=looks_like,
            start_score=begin,
            target_score=min(10, begin + rng.randint(3, 5)),
            **{skill.column: skill in skills for skill in CoreSkill},
        )
        rows.add(GoalAgreement, goal_id=goal_id, position=0, party=Party.PARENT, who="", what=agreement)
        goal_keys.append(key)
        goals.append((key, _true_course(rng, level), rng.choice([-1, 0, 0, 1])))

    share_first, share_last = rng.uniform(0.2, 0.7), rng.uniform(0.2, 0.8)
    kinds = KINDS + (VIDEO_KINDS if video else [])
    for n, day in enumerate(days):
        progress = n / max(1, len(days) - 1)
        kind = rng.choice(kinds)
        session_id = rows.add(
            CareSession,
            family_id=family_id,
            held_on=day,
            kind=kind,
            duration_minutes=rng.choice([30, 45, 60, 60, 90]),
            other_attendees="",
            focus_parent=True,
            focus_child=rng.random() < 0.4,
            focus_stress=rng.random() < 0.15,
            summary=rng.choice(SUMMARIES),
            agreements=rng.choice(AGREEMENTS),
            created_by_id=worker,
            updated_by_id=worker,
            created_at=now,
            updated_at=now,
            version=1,
            positive_moments=0,
            difficult_moments=0,
        )
        session_row = rows.rows[CareSession][-1]  # its moment counts follow (the ORM keeps them in the app)
        rows.add(session_attendees, session_id=session_id, member_id=parents[0])
        share = share_first + (share_last - share_first) * progress
        for position in range(rng.choice([3, 4, 4, 5])):
            positive = rng.random() < share
            session_row["positive_moments" if positive else "difficult_moments"] += 1
            moment_id = rows.add(
                Moment,
                session_id=session_id,
                kind=MomentKind.POSITIVE if positive else MomentKind.DIFFICULT,
                description=rng.choice(POSITIVE_TEXTS if positive else DIFFICULT_TEXTS),
                child_id=rng.choice(children) if rng.random() < 0.6 else None,
                video_seconds=rng.randint(10, 900) if kind in VIDEO_KINDS else None,
                position=position,
            )
            for tag in rng.sample(POSITIVE_TAGS if positive else DIFFICULT_TAGS, rng.choice([1, 1, 2])):
                rows.add(MomentTagRow, moment_id=moment_id, tag=tag)
        weeks = (day - days[0]).days / 7
        for key, course, bias in goals:
            truth = course(weeks)
            rows.add(
                GoalScore,
                family_id=family_id,
                goal_key=key,
                session_id=session_id,
                scored_on=day,
                worker_score=_score(rng, truth),
                parent_score=_score(rng, truth + bias) if rng.random() < 0.6 else None,
                is_final=False,
                recorded_by_id=worker,
                recorded_at=now,
            )


# The true courses of goals, and how often each is drawn. Written from what help looks like, not from the signals'
# rules (docs/signals.md, "The bench data"): most goals improve, at different speeds; some start late or level off;
# some stay where they are, a few get worse. Levels in points a week.
COURSES = {"steady": 35, "slow": 15, "late": 10, "levels_off": 15, "flat": 15, "worse": 10}
SCORE_ERROR = 1.0  # the error of one score: the same for the worker and the parent, independent


def _true_course(rng: random.Random, level: float):
    kind = rng.choices(list(COURSES), weights=list(COURSES.values()))[0]
    if kind == "steady":
        rate = rng.uniform(0.06, 0.2)
        return lambda weeks: level + rate * weeks
    if kind == "slow":
        rate = rng.uniform(0.01, 0.05)
        return lambda weeks: level + rate * weeks
    if kind == "late":
        wait, rate = rng.uniform(6, 20), rng.uniform(0.06, 0.2)
        return lambda weeks: level + rate * max(0.0, weeks - wait)
    if kind == "levels_off":
        gain, pace = rng.uniform(1, 3.5), rng.uniform(4, 12)
        return lambda weeks: level + gain * (1 - math.exp(-weeks / pace))
    if kind == "flat":
        return lambda weeks: level
    rate = rng.uniform(0.02, 0.08)
    return lambda weeks: level - rate * weeks


def _score(rng: random.Random, truth: float) -> int:
    """What a rater writes down: the true level plus an error, in whole points within 0-10."""
    return max(0, min(10, round(truth + rng.gauss(0, SCORE_ERROR))))


def _stress(rows: Rows, rng, family_id, start, days, worker, now) -> None:
    kind = rng.choice([StressKind.DEBTS, StressKind.HOUSING, StressKind.WORK_INCOME, StressKind.ISOLATION])
    steps = [(start, StressStatus.OPEN, Severity.SEVERE)]
    if len(days) > 6 and rng.random() < 0.6:
        steps.append((days[len(days) // 3], StressStatus.IN_PROGRESS, Severity.MODERATE))
        if rng.random() < 0.5:
            steps.append((days[-2], StressStatus.RESOLVED, Severity.MILD))
    last_day, status, severity = steps[-1]
    item_id = rows.add(
        StressItem,
        family_id=family_id,
        kind=kind,
        severity=severity,
        status=status,
        opened_on=start,
        status_since=last_day,
        resolved_on=last_day if status == StressStatus.RESOLVED else None,
        helper="Schuldhulpverlening gemeente" if kind == StressKind.DEBTS else "",
        notes="",
        created_at=now,
        updated_at=now,
    )
    for day, step_status, step_severity in steps:
        rows.add(
            StressUpdate,
            item_id=item_id,
            changed_on=day,
            status=step_status,
            severity=step_severity,
            note="",
            recorded_by_id=worker,
            recorded_at=now,
        )


def _reset_sequences(rows: Rows) -> None:
    """Ids were given here: PostgreSQL's sequences must continue after them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for target in rows.ids:
        table = _table(target)
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))")  # noqa: S608 (our own table names)
        )


def database_is_empty() -> bool:
    return not db.session.execute(select(func.count(User.id))).scalar_one()
