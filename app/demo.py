"""A believable demo organisation, so every page has something real to show on first run.

Fixed random seed: the demo looks the same on every machine, which the screenshots rely on.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from flask import current_app

from app.extensions import db
from app.models import Family, FamilyMember, FamilyStatus, MemberRole, Role
from app.services.accounts import create_user, get_or_create_team
from app.services.numbering import next_case_number

TEAMS = {
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
    today = today or date.today()
    rng = random.Random(20261125)
    password = current_app.config["DEMO_PASSWORD"]
    prefix = current_app.config["CASE_NUMBER_PREFIX"]

    create_user(email=ADMIN[1], name=ADMIN[0], role=Role.ADMIN, password=password, team=None)
    surnames = iter(SURNAMES)
    families = 0
    for team_name, people in TEAMS.items():
        team = get_or_create_team(team_name)
        create_user(email=people["lead"][1], name=people["lead"][0], role=Role.LEAD, password=password, team=team)
        workers = [
            create_user(email=e, name=n, role=Role.WORKER, password=password, team=team) for n, e in people["workers"]
        ]
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
                team=team,
                primary_worker=workers[index % len(workers)],
                multiple_problems=rng.random() < 0.35,
                early_adversity=rng.random() < 0.3,
                parent_unwell=rng.random() < 0.3,
                child_disability=rng.random() < 0.2,
                context_notes=rng.choice(CONTEXT_NOTES),
            )
            if rng.random() < 0.25:
                family.co_workers = [workers[(index + 1) % len(workers)]]
            _add_members(family, rng, today)
            db.session.add(family)
            families += 1
    db.session.flush()
    return (
        f"Demo loaded: {len(TEAMS)} teams, {families} families.\n"
        f"Log in with any of these addresses and the password '{password}':\n" + "\n".join(demo_logins())
    )


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


def demo_logins() -> list[str]:
    lines = [f"  admin      {ADMIN[1]}"]
    for team_name, people in TEAMS.items():
        lines.append(f"  team lead  {people['lead'][1]}  ({team_name})")
        lines.extend(f"  worker     {email}  ({team_name})" for _, email in people["workers"])
    return lines
