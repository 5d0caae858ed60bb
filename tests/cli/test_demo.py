"""flask seed-demo: a believable demo organisation, never in production."""

import subprocess
from pathlib import Path

from sqlalchemy import exists, func, select

from app.extensions import db
from app.models import (
    CareSession,
    Family,
    FamilyMember,
    FamilyStatus,
    GoalScore,
    Moment,
    MomentKind,
    Plan,
    Role,
    StressItem,
    StressStatus,
    Team,
    User,
)
from app.services import signals as signals_module
from tests.helpers.db import count_rows, query


def test_seed_demo_builds_a_believable_organisation(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "sanne@attune.example" in result.output

    def counts():
        teams = db.session.execute(select(Team)).scalars().all()
        per_role = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
        families = db.session.execute(select(func.count(Family.id))).scalar_one()
        unassigned = db.session.execute(
            select(func.count(Family.id)).where(Family.primary_worker_id.is_(None))
        ).scalar_one()
        childless = db.session.execute(
            select(func.count(Family.id)).where(~Family.members.any(FamilyMember.role == "child"))
        ).scalar_one()
        return len(teams), per_role, families, unassigned, childless

    teams, per_role, families, unassigned, childless = query(app, counts)
    assert teams == 2
    assert per_role == {Role.LEAD: 2, Role.WORKER: 6, Role.ADMIN: 1}
    assert 25 <= families <= 35
    assert unassigned == 0 and childless == 0

    def stories():
        without_sessions = db.session.execute(
            select(func.count(Family.id)).where(
                Family.status != FamilyStatus.INTAKE, ~exists().where(CareSession.family_id == Family.id)
            )
        ).scalar_one()
        kinds = dict(db.session.execute(select(Moment.kind, func.count()).group_by(Moment.kind)).all())
        stress = dict(db.session.execute(select(StressItem.status, func.count()).group_by(StressItem.status)).all())
        return without_sessions, kinds, stress

    without_sessions, kinds, stress = query(app, stories)

    def plans():
        versions = dict(db.session.execute(select(Plan.number, func.count()).group_by(Plan.number)).all())
        current = db.session.execute(select(func.count(Plan.id)).where(Plan.superseded_at.is_(None))).scalar_one()
        scores = db.session.execute(select(func.count(GoalScore.id))).scalar_one()
        return versions, current, scores

    versions, current, scores = query(app, plans)
    assert versions[1] >= 15 and versions.get(2, 0) >= 2  # some plans were changed after agreement
    assert current == versions[1]  # one current plan per family that has one
    assert scores > 100
    assert without_sessions == 0
    assert kinds[MomentKind.POSITIVE] > 50 and kinds[MomentKind.DIFFICULT] > 50
    assert stress.get(StressStatus.RESOLVED) and stress.get(StressStatus.OPEN)  # debts resolved and still open

    def signal_counts():
        from collections import Counter
        from datetime import date

        from app.security.access import visible_families
        from app.services import settings, signals

        fired, levels, calm, strong = Counter(), Counter(), 0, 0
        with app.test_request_context():
            for lead in db.session.execute(select(User).where(User.role == Role.LEAD)).scalars():
                for found in signals.compute(
                    visible_families(lead), date.today(), settings.signal_thresholds()
                ).values():
                    calm += not found.signals
                    strong += bool(found.strengths)
                    fired.update(s.kind for s in found.signals)
                    fired.update(s.kind for s in found.strengths)
                    levels.update((s.kind, s.level) for s in found.signals)
        return fired, levels, calm, strong

    fired, levels, calm, strong = query(app, signal_counts)
    assert set(fired) == set(signals_module.SignalKind), "every signal fires for at least one demo family"
    off_course = signals_module.SignalKind.OFF_COURSE
    assert levels[(off_course, "red")] and levels[(off_course, "orange")], "both levels of the course"
    assert calm >= 5 and strong >= 3

    again = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "not loaded" in again.output
    refused = app.test_cli_runner().invoke(args=["seed-demo"])
    assert refused.exit_code != 0


def test_seed_demo_refuses_in_production(app, monkeypatch):
    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        app.config["ENV_NAME"] = "testing"
    assert result.exit_code != 0 and "production" in result.output
    assert count_rows(app, User) == 0


def test_the_demo_shows_how_the_help_ended_and_a_reopened_family(app):
    """Closed demo families have a closure type and final scores; one ended early with a reason; one
    was closed and reopened, with two periods of help."""
    from app.models import ClosureType, HelpPeriod

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0

    def endings():
        closed = db.session.execute(select(Family).where(Family.status == FamilyStatus.CLOSED)).scalars().all()
        without_type = [f.case_number for f in closed if f.closure_type is None]
        without_finals = [
            f.case_number
            for f in closed
            if not db.session.execute(
                select(func.count(GoalScore.id)).where(GoalScore.family_id == f.id, GoalScore.is_final)
            ).scalar_one()
        ]
        early = (
            db.session.execute(
                select(HelpPeriod).where(
                    HelpPeriod.closure_type == ClosureType.EARLY, HelpPeriod.early_reason.is_not(None)
                )
            )
            .scalars()
            .all()
        )
        reopened = db.session.execute(select(HelpPeriod).where(HelpPeriod.reopened_at.is_not(None))).scalars().all()
        families = db.session.execute(select(func.count(Family.id))).scalar_one()
        with_period = db.session.execute(select(func.count(func.distinct(HelpPeriod.family_id)))).scalar_one()
        return len(closed), without_type, without_finals, early, reopened, families, with_period

    closed, without_type, without_finals, early, reopened, families, with_period = query(app, endings)
    assert closed >= 2 and without_type == [] and without_finals == []
    assert early and all(p.early_reason_text for p in early)
    assert reopened and all(p.reopen_reason for p in reopened)
    assert with_period == families  # every family has its period of help


def _make_run(**variables) -> str:
    """The commands `make run` would run (make -n runs none of them)."""
    root = Path(__file__).resolve().parents[2]
    args = ["make", "-n", "-s", "-C", str(root), "run", *(f"{k}={v}" for k, v in variables.items())]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603 (fixed argv)


def test_make_run_prints_the_demo_logins_once_and_serves_on_the_host_asked_for():
    local = _make_run()
    assert local.count("demo_logins()") == 1 and "seed-demo --if-empty --no-logins" in local
    assert "--host 127.0.0.1 " in local and "trust" not in local
    network = _make_run(HOST="0.0.0.0")  # noqa: S104 (what the README tells a tester to type)
    assert "--host 0.0.0.0 " in network and "--no-debugger" in network  # the debugger runs code: never on a network
    assert "only on a network you trust" in network


def test_seed_demo_prints_the_logins_unless_asked_not_to(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--no-logins"])
    assert result.exit_code == 0 and "Demo loaded" in result.output
    assert "sanne@attune.example" not in result.output
