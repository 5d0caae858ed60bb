"""A believable demo organisation, so every page has something real to show on first run.

Fixed random seed: the demo looks the same on every machine, which the screenshots rely on.
"""

from __future__ import annotations

import base64
import hashlib
import random
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any, TypedDict

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from app import dates
from app.extensions import db
from app.models import (
    DIFFICULT_TAGS,
    POSITIVE_TAGS,
    AgreementKind,
    AgreementParty,
    AgreementWay,
    CareSession,
    ClosureType,
    ConsentKind,
    ConsentRecord,
    CoreSkill,
    EarlyEndReason,
    Family,
    FamilyMember,
    FamilyStatus,
    Goal,
    GoalAgreement,
    GoalResponse,
    GoalScore,
    HelpFocus,
    HelpPeriod,
    MemberRole,
    Moment,
    MomentKind,
    NoParentReason,
    Party,
    Plan,
    PlanAgreement,
    PlanStatus,
    Role,
    SessionKind,
    Severity,
    StressItem,
    StressKind,
    StressStatus,
    StressUpdate,
    User,
)
from app.services import goal_progress, outcome_model
from app.services import plans as plans_service
from app.services.accounts import create_user, get_or_create_team
from app.services.numbering import next_case_number


class DemoTeam(TypedDict):
    lead: tuple[str, str]  # name, email
    workers: list[tuple[str, str]]


TEAMS: dict[str, DemoTeam] = {
    "Team Noord": {
        "lead": ("Sanne de Wit", "sanne@attune.example"),
        "workers": [
            ("Joris Bakker", "joris@attune.example"),
            ("Fatima El Amrani", "fatima@attune.example"),
            ("Lotte Visser", "lotte@attune.example"),
        ],
    },
    "Team Zuid": {
        "lead": ("Ruben Hendriks", "ruben@attune.example"),
        "workers": [
            ("Noor Jansen", "noor@attune.example"),
            ("Daan Mulder", "daan@attune.example"),
            ("Esra Yilmaz", "esra@attune.example"),
        ],
    },
}
ADMIN = ("Beheer Attune", "admin@attune.example")

SURNAMES = [
    "Jansen",
    "De Vries",
    "Van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "De Boer",
    "Mulder",
    "De Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Van Leeuwen",
    "Dekker",
    "Brouwer",
    "De Wit",
    "Dijkstra",
    "Smits",
    "De Graaf",
    "Van der Meer",
    "Kok",
    "Jacobs",
    "Haddou",
    "Öztürk",
    "Kowalski",
    "Van Dijk",
    "Pinas",
    "Nguyen",
]
PARENT_NAMES = [
    "Anouk",
    "Mark",
    "Samira",
    "Kevin",
    "Linda",
    "Youssef",
    "Priya",
    "Tom",
    "Esther",
    "Mehmet",
    "Iris",
    "Dennis",
    "Chantal",
    "Bram",
    "Naima",
    "Sandra",
    "Rachid",
    "Eva",
]
CHILD_NAMES = [
    "Emma",
    "Liam",
    "Noah",
    "Sara",
    "Milan",
    "Julia",
    "Adam",
    "Yara",
    "Finn",
    "Lina",
    "Sem",
    "Mila",
    "Daan",
    "Zoë",
    "Amir",
    "Tess",
    "Luca",
    "Nora",
    "Ravi",
    "Fleur",
]
CONTEXT_NOTES = [
    "Moeder heeft na de geboorte een depressie gehad en is nu in behandeling.",
    "Het gezin is vorig jaar verhuisd en heeft weinig mensen om zich heen.",
    "Vader werkt wisselende diensten; de zorg ligt vooral bij moeder.",
    "Er zijn schulden; het gezin staat op de wachtlijst voor schuldhulp.",
    "Het kind heeft een licht verstandelijke beperking en praat nog weinig.",
    "",
]


def seed_demo(today: date | None = None) -> str:
    today = today or dates.today()
    rng = random.Random(20261125)
    password = current_app.config["DEMO_PASSWORD"]
    prefix = current_app.config["CASE_NUMBER_PREFIX"]

    # The demo's password is published (README), so the password rules, which refuse it for leaning
    # on the app's name, have nothing to protect: public_password.
    account = partial(create_user, password=password, public_password=True)
    _enrol(account(email=ADMIN[1], name=ADMIN[0], role=Role.ADMIN, team=None))
    surnames = iter(SURNAMES)
    families = 0
    endings = random.Random(16)  # its own: the rest of the demo stays as it was
    pauses = iter([10, 3] * 10)  # weeks: paused families in turn past the "paused long" signal and not
    for team_name, people in TEAMS.items():
        team = get_or_create_team(team_name)
        _enrol(account(email=people["lead"][1], name=people["lead"][0], role=Role.LEAD, team=team))
        workers = [account(email=e, name=n, role=Role.WORKER, team=team) for n, e in people["workers"]]
        if Role.WORKER.value in current_app.config["TWO_FACTOR_REQUIRED_ROLES"]:
            for worker in workers:
                _enrol(worker)
        team_families: list[Family] = []
        for index in range(15):
            surname = next(surnames)
            start = today - timedelta(days=rng.randint(20, 420))
            status = rng.choices(
                [FamilyStatus.ACTIVE, FamilyStatus.INTAKE, FamilyStatus.PAUSED, FamilyStatus.CLOSED],
                weights=[10, 2, 1, 2],
            )[0]
            family = Family(
                display_name=f"Familie {surname}",
                case_number=next_case_number(prefix, start.year),
                status=status,
                start_date=start,
                end_date=today - timedelta(days=rng.randint(1, 15)) if status == FamilyStatus.CLOSED else None,
                status_since=_status_since(status, start, today, pauses),
                team=team,
                primary_worker=workers[index % len(workers)],
                multiple_problems=rng.random() < 0.35,
                early_adversity=rng.random() < 0.3,
                parent_unwell=rng.random() < 0.3,
                child_disability=rng.random() < 0.2,
                context_notes=rng.choice(CONTEXT_NOTES),
            )
            if family.end_date:
                family.status_since = family.end_date
            if rng.random() < 0.25:
                family.co_workers = [workers[(index + 1) % len(workers)]]
            _add_members(family, rng, today)
            db.session.add(family)
            db.session.flush()
            _add_history(family, PATTERNS[index % len(PATTERNS)], rng, today)
            team_families.append(family)
            _add_periods(family, team_families, endings)
            families += 1
    db.session.flush()
    # The demo writes its scores directly: the stored goal facts and the outcome model from all of them.
    goal_progress.rebuild_all()
    outcome_model.refresh()
    db.session.flush()
    return f"Demo loaded: {len(TEAMS)} teams, {families} families."


EARLY_ENDS = [
    (EarlyEndReason.FAMILY_STOPPED, "Moeder wil het nu zelf proberen; ze belt als het weer zwaar wordt."),
    (EarlyEndReason.MOVED, "Het gezin is verhuisd naar een andere gemeente; de nieuwe hulp is ingelicht."),
]
REOPEN_REASON = "Moeder belde zelf: het gaat thuis weer moeizaam en ze wil graag weer hulp."


def _add_periods(family: Family, team_families: list[Family], rng: random.Random) -> None:
    """The family's periods of help: a closed family ended as planned or early (the team's first closed one
    early, with a reason), with final scores; the team's first long active family was closed once and reopened."""
    if family.status == FamilyStatus.CLOSED:
        early = not any(f.status == FamilyStatus.CLOSED for f in team_families if f is not family)
        _close_period(family, 1, family.start_date, family.end_date or family.start_date, early, rng)
        return
    held = sorted(db.session.execute(select(CareSession.held_on).where(CareSession.family_id == family.id)).scalars())
    reopened_before = any(len(f.periods) > 1 for f in team_families if f is not family)
    if family.status != FamilyStatus.ACTIVE or len(held) < 12 or reopened_before:
        family.periods.append(HelpPeriod(number=1, start_date=family.start_date))
        return
    # Closed after a session in the middle (the family could not be reached), reopened by the lead at the next.
    middle = len(held) // 2
    first = _close_period(family, 1, family.start_date, held[middle], True, rng, EarlyEndReason.UNREACHABLE)
    lead = db.session.execute(select(User).where(User.team_id == family.team_id, User.role == Role.LEAD)).scalar_one()
    first.reopened_by_id = lead.id
    first.reopened_at = datetime.combine(held[middle + 1], time(9), tzinfo=UTC)
    first.reopen_reason = REOPEN_REASON
    family.start_date = held[middle + 1]
    family.end_date = family.closure_type = None
    family.periods.append(HelpPeriod(number=2, start_date=family.start_date))
    db.session.flush()


def _close_period(
    family: Family,
    number: int,
    start: date,
    end: date,
    early: bool,
    rng: random.Random,
    reason: EarlyEndReason | None = None,
) -> HelpPeriod:
    """A closed period with a final score per goal of the plan then: near the last reading before the end."""
    why, words = EARLY_ENDS[rng.randrange(len(EARLY_ENDS))] if early else (None, "")
    period = HelpPeriod(
        number=number,
        start_date=start,
        end_date=end,
        closure_type=ClosureType.EARLY if early else ClosureType.PLANNED,
        early_reason=(reason or why) if early else None,
        early_reason_text=words if reason is None else "Drie keer niet thuis en de telefoon werd niet opgenomen.",
        closed_by_id=family.primary_worker_id,
        closed_at=datetime.combine(end, time(16), tzinfo=UTC),
    )
    family.closure_type = period.closure_type
    family.end_date = end
    family.periods.append(period)
    db.session.flush()
    plan = db.session.execute(
        select(Plan).where(Plan.family_id == family.id).order_by(Plan.number.desc()).limit(1)
    ).scalar_one_or_none()
    for goal in plan.active_goals if plan else []:
        last = db.session.execute(
            select(GoalScore)
            .where(GoalScore.family_id == family.id, GoalScore.goal_key == goal.key, GoalScore.scored_on <= end)
            .order_by(GoalScore.scored_on.desc(), GoalScore.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        worker = last.worker_score if last and last.worker_score is not None else goal.start_score
        parent = last.parent_score if last else None
        db.session.add(
            GoalScore(
                family_id=family.id,
                goal_key=goal.key,
                scored_on=end,
                worker_score=max(0, min(10, worker + rng.choice([0, 0, 1]))),
                parent_score=None if parent is None else max(0, min(10, parent + rng.choice([0, 1]))),
                is_final=True,
                period_id=period.id,
                recorded_by_id=family.primary_worker_id,
            )
        )
    return period


def demo_totp_secret(email: str) -> str | None:
    """The fixed TOTP secret of a demo account; None for anyone else. Care workers are enrolled
    with it only where the config needs a second factor for them (production-like: the security
    scan); in the demo they log in with a password only.

    Derived from the address, so it is the same on every machine and can be put in an
    authenticator app once. Public knowledge, like the demo password: demo only.
    """
    email = email.strip().lower()
    accounts = {ADMIN[1]} | {people["lead"][1] for people in TEAMS.values()}
    accounts |= {address for people in TEAMS.values() for _, address in people["workers"]}
    if email not in accounts:
        return None
    digest = hashlib.sha256(f"attune-demo-totp:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def _enrol(user) -> None:
    user.totp_secret = demo_totp_secret(user.email)
    user.totp_enabled_at = dates.now()


def _add_members(family: Family, rng: random.Random, today: date) -> None:
    parents = rng.choice([1, 2, 2])
    for name in rng.sample(PARENT_NAMES, parents):
        role = MemberRole.PARENT if rng.random() < 0.9 else MemberRole.CAREGIVER
        family.members.append(FamilyMember(first_name=name, role=role, birth_year=today.year - rng.randint(22, 45)))
    for name in rng.sample(CHILD_NAMES, rng.choice([1, 1, 2, 3])):
        age_days = rng.randint(120, 14 * 365)
        birth = today - timedelta(days=age_days)
        if rng.random() < 0.7:
            member = FamilyMember(first_name=name, role=MemberRole.CHILD, birth_date=birth, birth_year=birth.year)
        else:
            member = FamilyMember(first_name=name, role=MemberRole.CHILD, birth_year=birth.year)
        family.members.append(member)


# How a family's story goes: the share of positive moments from the first to the last session,
# whether debts get resolved, and whether the family has not been seen for a while.
PATTERNS: list[dict[str, Any]] = [
    {"name": "improving", "positive": (0.25, 0.8), "debts": "resolving"},
    {"name": "stuck", "positive": (0.45, 0.45), "debts": None},
    {"name": "declining", "positive": (0.65, 0.2), "debts": "open"},
    {"name": "improving", "positive": (0.35, 0.75), "debts": None},
    {"name": "not_seen", "positive": (0.5, 0.55), "debts": "open", "stop_days": 34},
    {"name": "calm", "positive": (0.7, 0.75), "debts": None},
]

SUMMARIES = [
    "Huisbezoek rond het avondeten. We hebben gekeken naar wat goed ging en wat lastig was.",
    "Gesprek met de ouder over de signalen van het kind bij het naar bed gaan.",
    "De ouder vertelde over een drukke week. Samen besproken hoe er meer rust kan komen.",
    "Video teruggekeken met de ouders. Veel mooie momenten gezien.",
    "Korte belafspraak over de afspraken van vorige week.",
    "We hebben geoefend met samen spelen, tien minuten per dag.",
]
AGREEMENTS = [
    "De ouder probeert elke avond het vaste slaapliedje.",
    "De ouder neemt contact op met de schuldhulp.",
    "Volgende keer kijken we samen naar een nieuwe opname.",
    "Ouders schrijven op wanneer het goed ging.",
]
POSITIVE_TEXTS = [
    "De ouder zag dat het kind moe was en nam het op schoot.",
    "De ouder bleef rustig toen het kind boos werd en hielp het weer op weg.",
    "Ze lachten samen bij het voorlezen.",
    "De ouder vroeg wat er aan de hand was en luisterde.",
    "Het kind kwam zelf troost zoeken bij de ouder.",
]
DIFFICULT_TEXTS = [
    "Het kind wilde niet stoppen met spelen en gooide met speelgoed.",
    "Bij het afscheid op school keek het kind de ouder niet aan.",
    "De ouder was moe en reageerde fel op het huilen.",
    "Het kind bepaalde de hele middag wat er gebeurde.",
    "Aan tafel werd het kind snel boos.",
]


def _status_since(status: FamilyStatus, start: date, today: date, pauses) -> date:
    """A paused family paused some weeks ago (its sessions stop there), never before its first month."""
    if status != FamilyStatus.PAUSED:
        return start
    return max(today - timedelta(weeks=next(pauses)), min(start + timedelta(days=30), today))


def _add_history(family: Family, pattern: dict[str, Any], rng: random.Random, today: date) -> None:
    if family.status == FamilyStatus.INTAKE:
        return
    end = family.end_date or today - timedelta(days=pattern.get("stop_days", rng.randint(0, 10)))
    if family.status == FamilyStatus.PAUSED:  # no sessions during the pause
        end = min(end, family.status_since - timedelta(days=1))
    children = [m for m in family.members if m.role == MemberRole.CHILD]
    young = any((m.age_on(today) or 0) < 6 for m in children)
    video = rng.random() < 0.6
    if video:
        db.session.add(
            ConsentRecord(
                family_id=family.id,
                kind=ConsentKind.VIDEO,
                given=True,
                given_by="ouders",
                decided_on=family.start_date,
                recorded_by_id=family.primary_worker_id,
            )
        )
    debts = None
    if pattern["debts"]:
        debts = StressItem(
            family_id=family.id,
            kind=StressKind.DEBTS,
            severity=Severity.SEVERE,
            status=StressStatus.OPEN,
            opened_on=family.start_date,
            status_since=family.start_date,
            helper="Schuldhulpverlening gemeente",
        )
        debts.updates.append(
            StressUpdate(changed_on=family.start_date, status=StressStatus.OPEN, severity=Severity.SEVERE)
        )
        db.session.add(debts)
    end = max(end, family.start_date)
    # Every family past intake has had at least its first session.
    held = min(family.start_date + timedelta(days=rng.randint(3, 10)), end)
    sessions: list[date] = []
    while held <= end:
        sessions.append(held)
        held += timedelta(days=rng.randint(7, 21))
    goals = _add_plan(family, pattern, rng, sessions)
    first, last = pattern["positive"]
    for n, day in enumerate(sessions):
        progress = n / max(1, len(sessions) - 1)
        share_positive = first + (last - first) * progress
        kind = rng.choice(
            [SessionKind.HOME_VISIT] * 4
            + [SessionKind.CALL, SessionKind.OFFICE]
            + ([SessionKind.VIDEO_REVIEW, SessionKind.VIDEO_RECORDING] if video else [])
        )
        focus_stress = debts is not None and rng.random() < 0.4
        care_session = CareSession(
            family_id=family.id,
            held_on=day,
            kind=kind,
            duration_minutes=rng.choice([30, 45, 60, 60, 90]),
            focus_parent=young or rng.random() < 0.7,
            focus_child=not young and rng.random() < 0.6,
            focus_stress=focus_stress,
            summary=rng.choice(SUMMARIES),
            agreements=rng.choice(AGREEMENTS),
            created_by_id=family.primary_worker_id,
            updated_by_id=family.primary_worker_id,
        )
        if not (care_session.focus_parent or care_session.focus_child or care_session.focus_stress):
            care_session.focus_parent = True
        care_session.attendees = [m for m in family.members if m.role != MemberRole.CHILD][:1]
        texts = {True: rng.sample(POSITIVE_TEXTS, 3), False: rng.sample(DIFFICULT_TEXTS, 3)}
        for position in range(rng.choice([1, 2, 2, 3])):
            positive = rng.random() < share_positive
            moment = Moment(
                kind=MomentKind.POSITIVE if positive else MomentKind.DIFFICULT,
                description=texts[positive].pop(),
                child=rng.choice(children) if children and rng.random() < 0.6 else None,
                position=position,
                video_seconds=rng.randint(10, 900) if kind.needs_video_consent else None,
            )
            moment.tags = rng.sample(POSITIVE_TAGS if positive else DIFFICULT_TAGS, rng.choice([1, 1, 2]))
            care_session.moments.append(moment)
        db.session.add(care_session)
        db.session.flush()
        _add_scores(family, care_session, goals, pattern, n / max(1, len(sessions) - 1), rng)
        if n == len(sessions) - 1 and family.status == FamilyStatus.ACTIVE and "stop_days" not in pattern:
            care_session.next_appointment_on = today + timedelta(days=rng.randint(2, 14))
            care_session.next_appointment_at = time(rng.choice([9, 10, 13, 15]), rng.choice([0, 30]))
        if debts is not None and pattern["debts"] == "resolving":
            if n == len(sessions) // 3 and debts.status == StressStatus.OPEN:
                _stress_step(debts, StressStatus.IN_PROGRESS, Severity.SEVERE, day, "Aangemeld bij schuldhulp.")
            elif n == (2 * len(sessions)) // 3 and debts.status == StressStatus.IN_PROGRESS:
                _stress_step(debts, StressStatus.IN_PROGRESS, Severity.MODERATE, day, "Betalingsregeling loopt.")
            elif n == len(sessions) - 2:
                _stress_step(debts, StressStatus.RESOLVED, Severity.MILD, day, "Schulden geregeld.")


GOAL_IDEAS = [
    (
        HelpFocus.PARENT,
        "Ik zie sneller wat mijn kind nodig heeft",
        "Ik merk het als mijn kind moe of bang is en ik help.",
        {CoreSkill.SIGNALS, CoreSkill.WISHES},
        "Let elke dag op één moment waarop het kind iets laat zien.",
    ),
    (
        HelpFocus.PARENT,
        "Naar bed gaan is rustig",
        "We lezen samen een boek en het kind slaapt zonder huilen in.",
        {CoreSkill.FEELINGS},
        "Vaste volgorde bij het naar bed gaan, elke avond.",
    ),
    (
        HelpFocus.CHILD,
        "Minder boze buien aan tafel",
        "We eten samen en het blijft gezellig.",
        set(),
        "Het kind mag kiezen wat er op tafel komt, één keer per week.",
    ),
    (
        HelpFocus.PARENT,
        "Samen plezier hebben",
        "We spelen elke dag tien minuten samen, zonder telefoon.",
        {CoreSkill.FEELINGS, CoreSkill.SIGNALS},
        "Tien minuten samen spelen na school.",
    ),
]
# Where the scores go over the sessions, as a fraction of the way from start to target.
SCORE_PATH = {
    "improving": (0.0, 1.0),
    "stuck": (0.0, 0.1),
    "declining": (0.2, -0.6),
    "not_seen": (0.0, 0.4),
    "calm": (0.3, 0.9),
}


# Fathers among PARENT_NAMES: the one parent who disagrees with a goal in the demo is a father.
DEMO_FATHERS = {"Mark", "Kevin", "Youssef", "Tom", "Mehmet", "Dennis", "Bram", "Rachid"}


def _add_plan(family: Family, pattern: dict, rng: random.Random, sessions: list[date]) -> list[Goal]:
    if not sessions:
        return []
    # The agreements draw from their own generator: the rest of the demo stays as it was.
    agree_rng = random.Random(f"agreement {family.case_number}")
    parents = [m for m in family.members if m.role == MemberRole.PARENT]
    fathers = [m for m in parents if m.first_name in DEMO_FATHERS]
    mothers = [m for m in parents if m.first_name not in DEMO_FATHERS]

    def moment(day: date) -> datetime:
        return datetime.combine(day, time(16, 30), tzinfo=UTC)

    def agree(plan: Plan, on: date, current: bool) -> None:
        """Who agreed to this version: mostly a parent in person; one father who disagrees with goal 2."""
        if current and agree_rng.random() < 0.2:
            plan.status, plan.discussed_on = PlanStatus.DRAFT, None  # not yet discussed
            flag_modified(plan, "updated_at")
            return
        entries = []
        recorded = {"recorded_by_id": family.primary_worker_id, "recorded_at": moment(on), "family_id": family.id}

        def in_full(member: FamilyMember, party: AgreementParty) -> PlanAgreement:
            """Agreed in person, with every goal."""
            return PlanAgreement(
                kind=AgreementKind.RESPONSE,
                party=party,
                member_id=member.id,
                name=member.first_name,
                way=AgreementWay.IN_PERSON,
                agrees=True,
                agreed_on=on,
                goals=[GoalResponse(goal_id=g.id, agrees=True) for g in plan.goals],
                **recorded,
            )

        if not parents:
            entries.append(
                PlanAgreement(
                    kind=AgreementKind.NO_PARENT,
                    reason=NoParentReason.NO_AUTHORITY,
                    reason_text="Het kind woont bij een verzorger; de ouders met gezag zijn nu niet in beeld.",
                    agreed_on=on,
                    **recorded,
                )
            )
        else:
            first = (mothers or parents)[0]
            entries.append(in_full(first, AgreementParty.PARENT))
            father = fathers[0] if fathers and fathers[0] is not first else None
            # One father in the whole demo disagrees with a goal: the first family where one fits.
            disagreed = db.session.execute(select(GoalResponse.id).where(GoalResponse.agrees.is_(False))).first()
            if current and father and len(plan.goals) > 1 and disagreed is None:
                later = min(on + timedelta(days=2), sessions[-1]) if sessions[-1] >= on else on
                entries.append(
                    PlanAgreement(
                        kind=AgreementKind.RESPONSE,
                        party=AgreementParty.PARENT,
                        member_id=father.id,
                        name=father.first_name,
                        way=AgreementWay.PHONE,
                        agrees=True,
                        agreed_on=later,
                        goals=[
                            GoalResponse(
                                goal_id=g.id,
                                agrees=n != 1,
                                words=""
                                if n != 1
                                else "Dit lukt mij nu niet naast mijn werk. Ik wil eerst rust thuis.",
                            )
                            for n, g in enumerate(plan.goals)
                        ],
                        **{**recorded, "recorded_at": moment(later)},
                    )
                )
            elif father and agree_rng.random() < 0.5:
                entries.append(in_full(father, AgreementParty.PARENT))
        for youth in family.members:
            if youth.role == MemberRole.CHILD and (youth.age_on(on) or 0) >= 12 and agree_rng.random() < 0.6:
                entries.append(in_full(youth, AgreementParty.YOUTH))
        for entry in entries:
            entry.plan_id = plan.id
            db.session.add(entry)
        db.session.flush()
        plans_service.settle_agreement(plan, entries)

    ideas = rng.sample(GOAL_IDEAS, rng.choice([2, 2, 3]))
    if pattern["debts"]:
        ideas.append(
            (
                HelpFocus.STRESS,
                "Rust over het geld",
                "We weten wat we moeten betalen en wanneer.",
                set(),
                "Samen met schuldhulp een betaalplan maken.",
            )
        )
    goals = []
    for position, (focus, title, looks_like, skills, agreement) in enumerate(ideas):
        start = rng.randint(2, 5)
        goal = Goal(
            position=position,
            focus=focus,
            title=title,
            looks_like=looks_like,
            start_score=start,
            target_score=min(10, start + rng.randint(3, 5)),
        )
        for skill in skills:
            setattr(goal, skill.column, True)
        goal.agreements = [
            GoalAgreement(position=0, party=Party.PARENT, what=agreement),
            GoalAgreement(
                position=1,
                party=Party.WORKER,
                who=family.primary_worker.name if family.primary_worker else "",
                what="Kijkt er bij het volgende bezoek samen naar.",
            ),
        ]
        goals.append(goal)
    agreed_on = sessions[0]
    first = Plan(
        family_id=family.id,
        number=1,
        status=PlanStatus.AGREED,
        discussed_on=agreed_on,
        review_on=_review_date(agreed_on, sessions[-1], rng),
        created_by_id=family.primary_worker_id,
        updated_by_id=family.primary_worker_id,
        created_at=moment(agreed_on),
        updated_at=moment(agreed_on),
        goals=goals,
    )
    db.session.add(first)
    db.session.flush()
    two_versions = len(sessions) > 8
    if two_versions and rng.random() < 0.5:
        agree(first, agreed_on, current=False)
        # Half-way the plan was discussed again: version 2 keeps the goals (and their keys).
        middle = sessions[len(sessions) // 2]
        first.superseded_at = datetime.combine(middle, datetime.min.time(), tzinfo=UTC)
        db.session.flush()
        second = Plan(
            family_id=family.id,
            number=2,
            status=PlanStatus.AGREED,
            discussed_on=middle,
            review_on=_review_date(middle, sessions[-1], rng),
            created_by_id=family.primary_worker_id,
            updated_by_id=family.primary_worker_id,
            created_at=moment(middle),
            updated_at=moment(middle),
        )
        for goal in goals:
            copy = Goal(
                key=goal.key,
                position=goal.position,
                focus=goal.focus,
                title=goal.title,
                looks_like=goal.looks_like,
                start_score=goal.start_score,
                target_score=goal.target_score,
                skill_signals=goal.skill_signals,
                skill_feelings=goal.skill_feelings,
                skill_wishes=goal.skill_wishes,
                agreements=[
                    GoalAgreement(position=a.position, party=a.party, who=a.who, what=a.what) for a in goal.agreements
                ],
            )
            second.goals.append(copy)
        db.session.add(second)
        db.session.flush()
        agree(second, middle, current=True)
        return second.goals
    agree(first, agreed_on, current=True)
    return goals


def _review_date(agreed_on: date, last_session: date, rng: random.Random) -> date:
    """Mostly ahead of the last session (reviews get planned again); now and then one is overdue."""
    if rng.random() < 0.2:
        return last_session - timedelta(days=rng.randint(1, 20))
    return max(agreed_on + timedelta(days=90), last_session + timedelta(days=rng.randint(10, 120)))


def _add_scores(family, care_session, goals, pattern, progress, rng) -> None:
    begin, end = SCORE_PATH.get(pattern["name"], (0.0, 0.5))
    for goal in goals:
        share = begin + (end - begin) * progress
        value = goal.start_score + share * (goal.target_score - goal.start_score) + rng.uniform(-0.6, 0.6)
        worker = max(0, min(10, round(value)))
        parent = max(0, min(10, worker + rng.choice([-1, 0, 1, 1]))) if rng.random() < 0.6 else None
        if pattern["name"] == "stuck" and progress == 1:
            worker = max(0, goal.start_score - 1)  # a point under the start: below most goals like it by now
        if pattern["name"] == "stuck" and progress > 0.6:
            # The worker sees small steps; the parent feels nothing has changed: a conversation to have.
            parent = max(0, worker - 3)
        db.session.add(
            GoalScore(
                family_id=family.id,
                goal_key=goal.key,
                session_id=care_session.id,
                scored_on=care_session.held_on,
                worker_score=worker,
                parent_score=parent,
                recorded_by_id=family.primary_worker_id,
            )
        )


def _stress_step(item: StressItem, status: StressStatus, severity: Severity, day: date, note: str) -> None:
    item.status, item.severity = status, severity
    if item.status_since != day:
        item.status_since = day
    item.resolved_on = day if status == StressStatus.RESOLVED else None
    item.updates.append(StressUpdate(changed_on=day, status=status, severity=severity, note=note))


def demo_logins() -> list[str]:
    lines = [f"  admin      {ADMIN[1]}"]
    for team_name, people in TEAMS.items():
        lines.append(f"  team lead  {people['lead'][1]}  ({team_name})")
        lines.extend(f"  worker     {email}  ({team_name})" for _, email in people["workers"])
    lines += [
        "",
        "Team leads and the administrator also type a 6-digit code after the password. Either add",
        "their key to an authenticator app (time-based, 6 digits, 30 s), or print the current code",
        "with: .venv/bin/flask --app app demo-code EMAIL",
        "In this demo care workers log in with a password only; in production everyone uses",
        "two-step verification (a passkey or the app). Anyone can add a passkey under 'My account'.",
    ]
    for email in [ADMIN[1]] + [people["lead"][1] for people in TEAMS.values()]:
        lines.append(f"  {email:<24} key {demo_totp_secret(email)}")
    return lines
