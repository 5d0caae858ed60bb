"""The migrations, with pytest-alembic: one head, upgrade from empty, each downgrade works and
upgrades again, the models match the schema, and data from the previous release survives.

Runs on SQLite (a scratch file) and on PostgreSQL (TEST_DATABASE_URL; the schema of the
shared test app is rebuilt afterwards). No revision id is written here: the tests follow the
history, whatever migrations are added.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers.db import reset_schema

pytest_alembic = pytest.importorskip("pytest_alembic")

from pytest_alembic.tests import (  # noqa: E402  (after the skip above)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def alembic_config():
    return pytest_alembic.Config(
        config_options={"file": str(ROOT / "migrations" / "alembic.ini"), "script_location": str(ROOT / "migrations")}
    )


@pytest.fixture
def alembic_engine(app, tmp_path):
    """An empty database, with the app context that Flask-Migrate's env.py needs."""
    from app import create_app
    from app.extensions import db

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    shared = url.startswith("postgresql")
    if not shared:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    migration_app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with migration_app.app_context():
        if shared:
            db.session.remove()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        yield db.engine
        db.session.remove()
        db.engine.dispose()
    if shared:  # give the rest of the suite its schema back
        reset_schema(app)


# -- upgrading a database of the previous release, with data in it -------------------------

PLACEHOLDERS = {
    sa.Integer: 0,
    sa.String: "",
    sa.Text: "",
    sa.Boolean: False,
    sa.Date: date(2020, 1, 1),
    sa.DateTime: datetime(2020, 1, 1, 12, 0),
}


def _insert(connection, table_name: str, values: dict) -> None:
    """Insert a row, filling required columns the test does not care about (they vary by release)."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.server_default is not None or column.primary_key:
            continue
        for kind, placeholder in PLACEHOLDERS.items():
            if isinstance(column.type, kind):
                row[column.name] = placeholder
                break
    connection.execute(table.insert().values(**row))


def test_upgrade_from_the_previous_release_keeps_the_data(alembic_runner, alembic_engine):
    alembic_runner.migrate_up_before("heads")
    with alembic_engine.begin() as connection:
        _insert(connection, "teams", {"id": 1, "name": "Team Noord"})
        _insert(
            connection,
            "users",
            {"id": 1, "email": "joris@example.org", "name": "Joris", "role": "worker", "team_id": 1, "active": True},
        )
        _insert(
            connection,
            "families",
            {
                "id": 1,
                "case_number": "AT-2026-0001",
                "display_name": "Family Öztürk",
                "status": "active",
                "start_date": date(2026, 1, 5),
                "team_id": 1,
                "primary_worker_id": 1,
                "version": 1,
            },
        )
        _insert(connection, "family_members", {"id": 1, "family_id": 1, "first_name": "Sem", "role": "child"})
        _insert(
            connection,
            "care_sessions",
            {
                "id": 1,
                "family_id": 1,
                "held_on": date(2026, 2, 1),
                "kind": "home_visit",
                "focus_parent": True,
                "summary": "Bedtime went well",
                "created_by_id": 1,
                "version": 1,
            },
        )
        _insert(connection, "moments", {"id": 1, "session_id": 1, "kind": "positive", "description": "Calm"})
        _insert(connection, "moment_tags", {"moment_id": 1, "tag": "enjoyed_together"})
    alembic_runner.migrate_up_to("heads")
    with alembic_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT display_name, case_number FROM families")).all() == [
            ("Family Öztürk", "AT-2026-0001")
        ]
        assert connection.execute(sa.text("SELECT summary FROM care_sessions")).scalar_one() == "Bedtime went well"
        assert connection.execute(sa.text("SELECT tag FROM moment_tags")).scalar_one() == "enjoyed_together"
        assert connection.execute(sa.text("SELECT first_name FROM family_members")).scalar_one() == "Sem"
        assert connection.execute(sa.text("SELECT email FROM users")).scalar_one() == "joris@example.org"


def test_sessions_recorded_before_the_moment_counts_get_them(alembic_runner, alembic_engine):
    """The dashboards add up each session's moment counts: sessions from before the counts existed must not
    read as sessions without moments."""
    alembic_runner.migrate_up_before("150e7c97f3a9")  # the revision that adds the counts
    with alembic_engine.begin() as connection:
        _insert(connection, "teams", {"id": 1, "name": "Team Noord"})
        _insert(
            connection,
            "families",
            {
                "id": 1,
                "case_number": "AT-1",
                "display_name": "F",
                "status": "active",
                "start_date": date(2026, 1, 5),
                "team_id": 1,
                "version": 1,
            },
        )
        for session_id in (1, 2):
            _insert(
                connection,
                "care_sessions",
                {"id": session_id, "family_id": 1, "held_on": date(2026, 2, 1), "kind": "call", "version": 1},
            )
        for moment_id, kind in enumerate(["positive", "difficult", "positive"], start=1):
            _insert(connection, "moments", {"id": moment_id, "session_id": 1, "kind": kind})
    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as connection:
        counts = connection.execute(
            sa.text("SELECT id, positive_moments, difficult_moments FROM care_sessions ORDER BY id")
        ).all()
    assert [tuple(row) for row in counts] == [(1, 2, 1), (2, 0, 0)]

    # Going back drops the counts and nothing else: no rebuilt table taking the moments with it.
    alembic_runner.migrate_down_one()
    with alembic_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM moments")).scalar_one() == 3
        assert connection.execute(sa.text("SELECT count(*) FROM care_sessions")).scalar_one() == 2


def test_ids_named_in_the_log_are_not_handed_out_again_after_the_upgrade(alembic_runner, alembic_engine):
    """A family destroyed before the upgrade left only its stub (family id 7): the next family must not get
    id 7 and inherit the stub; the rebuilt tables keep their rows, references, indexes and the log's triggers."""
    alembic_runner.migrate_up_before("5ba5009fb1aa")  # the revision that adds AUTOINCREMENT
    with alembic_engine.begin() as connection:
        _insert(connection, "teams", {"id": 1, "name": "Team Noord"})
        _insert(connection, "users", {"id": 1, "email": "j@example.org", "name": "J", "role": "worker", "team_id": 1})
        family = {"case_number": "AT-1", "display_name": "F", "status": "active", "start_date": date(2026, 1, 5)}
        _insert(connection, "families", {**family, "id": 1, "team_id": 1, "version": 1})
        _insert(connection, "care_sessions", {"id": 1, "family_id": 1, "held_on": date(2026, 2, 1), "version": 1})
        _insert(connection, "moments", {"id": 1, "session_id": 1, "kind": "positive"})
        _insert(connection, "audit_events", {"family_id": 7, "action": "purge_family", "at": datetime(2026, 3, 1)})
        _insert(connection, "audit_events", {"object_type": "User", "object_id": 4, "action": "create_user"})
        _insert(connection, "audit_events", {"user_id": 5, "action": "login"})
        indexes_before = (
            set(connection.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'index'")))
            if (connection.dialect.name == "sqlite")
            else set()
        )
    alembic_runner.migrate_up_one()
    with alembic_engine.begin() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM moments")).scalar_one() == 1
        assert connection.execute(sa.text("SELECT family_id FROM care_sessions")).scalar_one() == 1
        _insert(connection, "families", {**family, "case_number": "AT-2", "team_id": 1, "version": 1})
        _insert(connection, "users", {"email": "k@example.org", "name": "K", "role": "worker", "team_id": 1})
        new_family = connection.execute(sa.text("SELECT max(id) FROM families")).scalar_one()
        new_user = connection.execute(sa.text("SELECT max(id) FROM users")).scalar_one()
        if connection.dialect.name == "sqlite":
            indexes = set(connection.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'index'")))
            assert indexes_before <= indexes
            assert connection.execute(sa.text("PRAGMA foreign_key_check")).all() == []
            assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar_one() == 1
    assert new_family > 7 and new_user > 5
    with pytest.raises(sa.exc.DatabaseError), alembic_engine.begin() as connection:
        connection.execute(sa.text("UPDATE audit_events SET detail = 'changed'"))


def test_passwords_an_administrator_chose_are_voided_at_the_upgrade(alembic_runner, alembic_engine):
    """Before separation of duties the admin typed passwords; such a one must not open the account alone."""
    alembic_runner.migrate_up_before("e41b7c2d9a10")
    with alembic_engine.begin() as connection:
        _insert(connection, "teams", {"id": 1, "name": "Team Noord"})
        for user_id, email, role in (
            (1, "a@example.org", "admin"),
            (2, "w@example.org", "worker"),
            (3, "o@example.org", "worker"),
            (4, "c@example.org", "lead"),
        ):
            _insert(
                connection,
                "users",
                {
                    "id": user_id,
                    "email": email,
                    "name": email,
                    "role": role,
                    "team_id": None if role == "admin" else 1,
                    "password_hash": f"hash-{user_id}",
                },
            )
        chosen = {"object_type": "User", "user_id": 1, "outcome": "ok", "at": datetime(2026, 11, 1)}
        _insert(connection, "audit_events", {**chosen, "object_id": 2, "action": "create_user"})  # never changed
        _insert(connection, "audit_events", {**chosen, "object_id": 3, "action": "reset_password"})
        _insert(
            connection,
            "audit_events",
            {"user_id": 3, "action": "change_password", "outcome": "ok", "at": datetime(2026, 11, 2)},
        )
        _insert(connection, "login_sessions", {"token_hash": "t2", "user_id": 2})
        # 4 was made by the operator's command: no administrator in the log.
    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as connection:
        hashes = dict(connection.execute(sa.text("SELECT id, password_hash FROM users")).all())
        assert (
            hashes[2].startswith("!voided")
            and hashes[1] == "hash-1"
            and hashes[3] == "hash-3"
            and hashes[4] == "hash-4"
        )
        assert connection.execute(sa.text("SELECT end_reason FROM login_sessions")).scalar_one() == "password_voided"
        voided = connection.execute(sa.text("SELECT object_id FROM audit_events WHERE action = 'void_password'")).all()
        assert [row[0] for row in voided] == [2]


def test_every_family_gets_its_period_of_help_at_the_upgrade(alembic_runner, alembic_engine):
    """Periods of help: each family's first period comes from its own columns; a closed one's close in the
    log says who closed it and when, and its final scores belong to that period."""
    alembic_runner.migrate_up_before("b7d4e2a91c3f")
    with alembic_engine.begin() as connection:
        _insert(connection, "teams", {"id": 1, "name": "Team Noord"})
        _insert(connection, "users", {"id": 7, "email": "w@example.org", "name": "W", "role": "worker", "team_id": 1})
        family = {"display_name": "F", "team_id": 1, "version": 1, "start_date": date(2026, 1, 5)}
        _insert(connection, "families", {**family, "id": 1, "case_number": "AT-1", "status": "active"})
        _insert(
            connection,
            "families",
            {
                **family,
                "id": 2,
                "case_number": "AT-2",
                "status": "closed",
                "end_date": date(2026, 6, 1),
                "closure_type": "early",
            },
        )
        closed_at = datetime(2026, 6, 1, 15, 0)
        _insert(
            connection,
            "audit_events",
            {"user_id": 7, "family_id": 2, "action": "close_family", "outcome": "ok", "at": closed_at},
        )
        score = {"family_id": 2, "goal_key": "g1", "scored_on": date(2026, 6, 1), "worker_score": 7}
        _insert(connection, "goal_scores", {**score, "id": 1, "is_final": True})
        _insert(connection, "goal_scores", {**score, "id": 2, "is_final": False})
    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as connection:
        periods = connection.execute(
            sa.text(
                "SELECT family_id, number, start_date, end_date, closure_type, closed_by_id, closed_at"
                " FROM help_periods ORDER BY family_id"
            )
        ).all()
        finals = connection.execute(sa.text("SELECT id, period_id FROM goal_scores ORDER BY id")).all()
        closed_period = connection.execute(sa.text("SELECT id FROM help_periods WHERE family_id = 2")).scalar_one()
    as_date = [(r[0], r[1], str(r[2])[:10], r[3] and str(r[3])[:10], r[4], r[5], r[6] is not None) for r in periods]
    assert as_date == [
        (1, 1, "2026-01-05", None, None, None, False),
        (2, 1, "2026-01-05", "2026-06-01", "early", 7, True),
    ]
    assert [tuple(r) for r in finals] == [(1, closed_period), (2, None)]  # only the final score is the period's


def test_a_version_that_only_carried_the_earlier_agreement_is_not_agreed_after_the_upgrade(
    alembic_runner, alembic_engine
):
    """The old edit form copied "agreed" and the discussion date into each new version: only a version with a
    date of its own keeps a (legacy) agreement; one that merely inherited it is "not yet discussed"."""
    alembic_runner.migrate_up_before("b7d3e5a1c264")  # the revision that adds the agreements
    with alembic_engine.begin() as connection:
        _insert(connection, "teams", {"id": 1, "name": "Team Noord"})
        family = {"display_name": "F", "team_id": 1, "version": 1, "start_date": date(2026, 1, 5), "status": "active"}
        for family_id in (1, 2, 3):
            _insert(connection, "families", {**family, "id": family_id, "case_number": f"AT-{family_id}"})

        def plan(plan_id, family_id, number, discussed_on, created_at, status="agreed"):
            _insert(
                connection,
                "plans",
                {
                    "id": plan_id,
                    "family_id": family_id,
                    "number": number,
                    "status": status,
                    "discussed_on": discussed_on,
                    "created_at": created_at,
                    "updated_at": created_at,
                    "superseded_at": None,
                    "version": 1,
                },
            )

        # 1: only version 1, agreed on the day it was made.
        plan(1, 1, 1, date(2026, 2, 2), datetime(2026, 2, 2, 9, 0))
        # 2: version 2 made by editing the agreed version 1 weeks later: same date copied along.
        plan(2, 2, 1, date(2026, 2, 2), datetime(2026, 2, 2, 9, 0))
        plan(3, 2, 2, date(2026, 2, 2), datetime(2026, 3, 9, 10, 0))
        # 3: version 1 entered the day after the talk (a first version has nothing to inherit); version 2
        # discussed again on a later day of its own; version 3 carries a date before it existed.
        plan(4, 3, 1, date(2026, 2, 2), datetime(2026, 2, 3, 9, 0))
        plan(5, 3, 2, date(2026, 3, 10), datetime(2026, 3, 9, 10, 0))
        plan(6, 3, 3, date(2026, 3, 1), datetime(2026, 4, 1, 10, 0))
    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as connection:
        plans = connection.execute(sa.text("SELECT id, status, discussed_on FROM plans ORDER BY id")).all()
        entries = connection.execute(
            sa.text("SELECT plan_id, kind, agreed_on FROM plan_agreements ORDER BY plan_id")
        ).all()
    assert [(r[0], r[1], r[2] and str(r[2])[:10]) for r in plans] == [
        (1, "agreed", "2026-02-02"),
        (2, "agreed", "2026-02-02"),
        (3, "draft", None),  # inherited: not yet discussed
        (4, "agreed", "2026-02-02"),
        (5, "agreed", "2026-03-10"),
        (6, "draft", None),  # a date before the version existed
    ]
    assert [(r[0], r[1], str(r[2])[:10]) for r in entries] == [
        (1, "legacy", "2026-02-02"),
        (2, "legacy", "2026-02-02"),
        (4, "legacy", "2026-02-02"),
        (5, "legacy", "2026-03-10"),
    ]
