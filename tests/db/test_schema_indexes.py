"""Indexes the dashboards rely on: every foreign key is the first column of an index, and the
queries that scope by family use a composite index instead of a single, rarely selective column."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.extensions import db


def _leading_columns(table) -> set[str]:
    """Columns an index, the primary key or a unique constraint of the table starts with."""
    leading = {index.columns[0].name for index in table.indexes}
    if table.primary_key.columns:
        leading.add(next(iter(table.primary_key.columns)).name)
    for constraint in table.constraints:
        columns = list(getattr(constraint, "columns", []))
        if columns and constraint.__class__.__name__ == "UniqueConstraint":
            leading.add(columns[0].name)
    leading |= {c.name for c in table.columns if c.unique}
    return leading


def test_every_foreign_key_leads_an_index(app):
    """A delete of a user or family, and every join on a foreign key, finds the rows through an index."""
    missing = [
        f"{table.name}.{fk.parent.name}"
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.parent.name not in _leading_columns(table)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("statement", "index"),
    [
        (
            "SELECT family_id, max(held_on) FROM care_sessions WHERE family_id IN (SELECT id FROM families "
            "WHERE team_id = 1 AND status != 'closed') AND deleted_at IS NULL GROUP BY family_id",
            "ix_care_sessions_family_id_held_on",
        ),
        (
            "SELECT worker_score FROM goal_scores WHERE family_id = 1 AND goal_key = 'k' "
            "ORDER BY scored_on DESC, id DESC LIMIT 1",
            "ix_goal_scores_latest",
        ),
        (
            "SELECT count(*) FROM care_sessions JOIN moments ON moments.session_id = care_sessions.id "
            "WHERE care_sessions.family_id = 1 AND moments.kind = 'difficult'",
            "ix_moments_session_id_kind",
        ),
    ],
)
def test_sqlite_plans_the_dashboard_queries_on_the_composite_indexes(app, statement, index):
    """Without statistics (no ANALYZE on a small team's SQLite file) the planner still takes the family's index."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the query plan checked is SQLite's")
        plan = " ".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {statement}")))
    assert index in plan
    assert "ix_care_sessions_deleted_at" not in plan


def test_postgresql_connections_plan_for_data_in_memory(app):
    """With PostgreSQL's default random_page_cost (4) the team overview read the whole sessions table for one
    team's rows: every connection of the app sets the configured value (1.1); empty leaves the server's."""
    from app import create_app

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("a PostgreSQL setting")
        url = db.engine.url
        server_default = db.session.execute(text("SELECT reset_val FROM pg_settings WHERE name = 'random_page_cost'"))
        server_default = server_default.scalar_one()
    for setting, expected in (("1.1", "1.1"), ("", server_default)):
        other = create_app("testing", SQLALCHEMY_DATABASE_URI=url, POSTGRESQL_RANDOM_PAGE_COST=setting)
        with other.app_context():
            assert db.session.execute(text("SHOW random_page_cost")).scalar_one() == expected
            db.session.remove()
            db.engine.dispose()


def test_a_planner_setting_that_is_not_a_number_stops_the_start():
    from app import create_app

    with pytest.raises(RuntimeError, match="POSTGRESQL_RANDOM_PAGE_COST must be a number"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", POSTGRESQL_RANDOM_PAGE_COST="fast")
