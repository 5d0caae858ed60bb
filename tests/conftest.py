"""Shared fixtures: the app on a real database, its factories, and the world of two teams.

TEST_DATABASE_URL selects the database (e.g. PostgreSQL); without it a throwaway SQLite
file is used. The schema is built by the migrations, so every run also tests them.
Tests push no app context around requests: each request gets its own, as in production.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.models import (
    AccountChange,
    CareSession,
    ChangeKind,
    ConsentKind,
    ConsentRecord,
    DestructionRequest,
    Family,
    FamilyMember,
    FamilyStatus,
    Goal,
    GoalAgreement,
    GoalScore,
    HelpFocus,
    MemberRole,
    Moment,
    Party,
    Plan,
    PlanStatus,
    Role,
    SessionKind,
    Severity,
    StressItem,
    StressKind,
    StressStatus,
    Team,
    User,
)
from app.security.passwords import HASHING_PROFILES
from app.services import calendar_feeds, goal_progress

# Helpers live in tests/helpers/; these names stay importable from here for the modules that still do.
from tests.helpers.auth import PASSWORD, csrf_token_from, fresh_code, login  # noqa: F401
from tests.helpers.db import empty_tables, moment_counts_off, query, reset_schema, served_app  # noqa: F401

# The suite's argon2id profile (TestingConfig.PASSWORD_HASHING), so that logins stay quick.
_PASSWORD_HASH = HASHING_PROFILES["tests-only-fast"].hash(PASSWORD)
_sequence = itertools.count(1)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class EnglishBrowserClient(FlaskClient):
    """A test client whose browser asks for English, so assertions can quote English text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> Iterator[Flask]:
    application = create_app("testing", SQLALCHEMY_DATABASE_URI=_database_url(tmp_path_factory))
    application.test_client_class = EnglishBrowserClient
    reset_schema(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request, app: Flask) -> Iterator[None]:
    yield
    if "live_server" not in request.fixturenames:
        empty_tables(app)


@pytest.fixture
def served(app: Flask) -> Iterator[Flask]:
    """The app as it is served (tests.helpers.db.served_app): a failing request gets its error page."""
    served = served_app(app)
    yield served
    with served.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Factory:
    """Creates committed rows; returns them detached with their columns loaded."""

    def __init__(self, app: Flask):
        self.app = app

    def _save(self, *objects):
        with self.app.app_context():
            db.session.add_all(objects)
            db.session.commit()
            for obj in objects:
                db.session.refresh(obj)
            db.session.expunge_all()
        return objects[0] if len(objects) == 1 else objects

    def team(self, name: str | None = None) -> Team:
        return self._save(Team(name=name or f"Team {next(_sequence)}"))

    def user(
        self, role: Role = Role.WORKER, team: Team | None = None, two_factor: bool | None = None, **fields
    ) -> User:
        """A user; with two-step verification set up when asked, or when their role needs it."""
        n = next(_sequence)
        if team is None and role != Role.ADMIN:
            team = self.team()
        if two_factor is None:
            two_factor = role.value in self.app.config["TWO_FACTOR_REQUIRED_ROLES"]
        values = {
            "email": f"user{n}@example.org",
            "name": f"{role.value.title()} {n}",
            "password_hash": _PASSWORD_HASH,
            "role": role,
            "team_id": team.id if team else None,
        }
        if two_factor:
            values.update(totp_secret=pyotp.random_base32(), totp_enabled_at=datetime.now(UTC))
        values.update(fields)
        return self._save(User(**values))

    def family(self, team: Team, worker: User | None = None, co_workers=(), **fields) -> Family:
        n = next(_sequence)
        values = {
            "display_name": f"Family {n}",
            "case_number": f"T-{n:05d}",
            "status": FamilyStatus.ACTIVE,
            "start_date": date.today() - timedelta(days=60),
            "team_id": team.id,
            "primary_worker_id": worker.id if worker else None,
        }
        values.update(fields)
        family = Family(**values)
        with self.app.app_context():
            if co_workers:
                family.co_workers = [db.session.get(User, u.id) for u in co_workers]
            db.session.add(family)
            db.session.commit()
            db.session.refresh(family)
            db.session.expunge_all()
        return family

    def care_session(self, family: Family, author: User | None = None, moments=(), **fields) -> CareSession:
        values = {
            "family_id": family.id,
            "held_on": date.today() - timedelta(days=7),
            "kind": SessionKind.HOME_VISIT,
            "focus_parent": True,
            "summary": "We talked about bedtime.",
            "created_by_id": author.id if author else None,
        }
        values.update(fields)
        care_session = CareSession(**values)
        for position, (kind, description, tags) in enumerate(moments):
            moment = Moment(kind=kind, description=description, position=position)
            moment.tags = tags
            care_session.moments.append(moment)
        return self._save(care_session)

    def stress_item(self, family: Family, **fields) -> StressItem:
        start = date.today() - timedelta(days=40)
        values = {
            "family_id": family.id,
            "kind": StressKind.DEBTS,
            "severity": Severity.SEVERE,
            "status": StressStatus.OPEN,
            "opened_on": start,
            "status_since": start,
            "helper": "",
        }
        values.update(fields)
        return self._save(StressItem(**values))

    def consent(self, family: Family, given: bool = True, **fields) -> ConsentRecord:
        values = {
            "family_id": family.id,
            "kind": ConsentKind.VIDEO,
            "given": given,
            "given_by": "Anouk (mother)",
            "decided_on": date.today() - timedelta(days=30),
        }
        values.update(fields)
        return self._save(ConsentRecord(**values))

    def plan(self, family: Family, goals=(("Calm bedtimes", 3, 8),), **fields) -> Plan:
        """A plan with goals given as (title, start, target); agreed unless said otherwise."""
        values = {
            "family_id": family.id,
            "number": 1,
            "status": PlanStatus.AGREED,
            "discussed_on": date.today() - timedelta(days=50),
            "review_on": date.today() + timedelta(days=60),
        }
        values.update(fields)
        plan = Plan(**values)
        for position, (title, start, target) in enumerate(goals):
            goal = Goal(position=position, focus=HelpFocus.PARENT, title=title, start_score=start, target_score=target)
            goal.agreements = [GoalAgreement(party=Party.PARENT, who="Anouk", what=f"Practises: {title.lower()}")]
            plan.goals.append(goal)
        with self.app.app_context():
            db.session.add(plan)
            db.session.commit()
            db.session.refresh(plan)
            for goal in plan.goals:
                db.session.refresh(goal)
            db.session.expunge_all()
        return plan

    def score(self, family: Family, goal: Goal, on: date, worker: int | None, parent: int | None = None, **fields):
        values = {
            "family_id": family.id,
            "goal_key": goal.key,
            "scored_on": on,
            "worker_score": worker,
            "parent_score": parent,
        }
        values.update(fields)
        saved = self._save(GoalScore(**values))
        with self.app.app_context():  # as the services keep them (app.services.goal_progress)
            goal_progress.refresh(family.id)
            db.session.commit()
        return saved

    def member(self, family: Family, **fields) -> FamilyMember:
        values = {
            "family_id": family.id,
            "first_name": f"Kid {next(_sequence)}",
            "role": MemberRole.CHILD,
            "birth_year": 2020,
        }
        values.update(fields)
        return self._save(FamilyMember(**values))

    def account_change(self, requested_by: User, team: Team, **fields) -> AccountChange:
        """A new care worker of `team` waiting for its lead's confirmation, asked by `requested_by`."""
        new = self.user(Role.WORKER, team, two_factor=False, active=False, name="Pending Newcomer")
        values = {
            "kind": ChangeKind.CREATE,
            "user_id": new.id,
            "team_id": team.id,
            "new_role": Role.WORKER,
            "new_team_id": team.id,
            "requested_by_id": requested_by.id,
            "requested_at": datetime.now(UTC),
            "expires_at": datetime.now(UTC) + timedelta(hours=24),
        }
        values.update(fields)
        return self._save(AccountChange(**values))

    def calendar_feed(self, user: User) -> str:
        """A working calendar feed address of the user: its token (only the hash is stored)."""
        with self.app.app_context():
            token = calendar_feeds.new_feed(db.session.get(User, user.id))
            db.session.commit()
        return token

    def destruction_request(self, family: Family, member: FamilyMember, **fields) -> DestructionRequest:
        values = {"family_id": family.id, "requested_by_id": member.id, "received_on": date.today()}
        values.update(fields)
        return self._save(DestructionRequest(**values))


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory(app)


@pytest.fixture
def world(make: Factory):
    """Two teams; in team A a lead and two workers, each with a family; in team B the same."""

    class World:
        pass

    w = World()
    w.team_a, w.team_b = make.team("Team A"), make.team("Team B")
    w.lead_a = make.user(Role.LEAD, w.team_a, name="Lead A")
    w.worker_a = make.user(Role.WORKER, w.team_a, name="Worker A")
    w.colleague_a = make.user(Role.WORKER, w.team_a, name="Colleague A")
    w.lead_b = make.user(Role.LEAD, w.team_b, name="Lead B")
    w.worker_b = make.user(Role.WORKER, w.team_b, name="Worker B")
    w.admin = make.user(Role.ADMIN, None, name="Admin")
    w.family_a = make.family(w.team_a, w.worker_a, display_name="Family Alpha")
    w.family_a2 = make.family(w.team_a, w.colleague_a, display_name="Family Colleague")
    w.family_b = make.family(w.team_b, w.worker_b, display_name="Family Bravo")
    return w


@pytest.fixture
def worker_client(app: Flask, world) -> FlaskClient:
    """A client logged in as the world's Worker A."""
    client = app.test_client()
    login(client, world.worker_a)
    return client
