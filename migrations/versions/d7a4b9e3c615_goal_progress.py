"""Stored facts of each goal's live scores, for the signals of the lists (issue 17)

The lists judge every goal of a team's families on each request (reliable change, the expected
course); reading one row per goal replaces several index walks per goal. Filled here from the
scores that exist; the app keeps it in step (app/services/goal_progress.py). The filling is
written out (no app import), with the same rules as facts_from_readings.

Revision ID: d7a4b9e3c615
Revises: c5e8a2f1b903
Create Date: 2026-12-02 12:00:00.000000

"""

from itertools import groupby

import sqlalchemy as sa
from alembic import op

revision = "d7a4b9e3c615"
down_revision = "c5e8a2f1b903"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "goal_progress",
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("goal_key", sa.String(length=16), nullable=False),
        sa.Column("began_on", sa.Date(), nullable=False),
        sa.Column("worker_latest", sa.Integer(), nullable=True),
        sa.Column("worker_latest_on", sa.Date(), nullable=True),
        sa.Column("worker_count", sa.Integer(), nullable=False),
        sa.Column("parent_first", sa.Integer(), nullable=True),
        sa.Column("parent_latest", sa.Integer(), nullable=True),
        sa.Column("parent_count", sa.Integer(), nullable=False),
        sa.Column("pair_on", sa.Date(), nullable=True),
        sa.Column("pair_worker", sa.Integer(), nullable=True),
        sa.Column("pair_parent", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_goal_progress_family_id_families"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("family_id", "goal_key", name=op.f("pk_goal_progress")),
    )
    bind = op.get_bind()
    scorings = bind.execute(
        sa.text(
            "SELECT s.family_id, s.goal_key, s.scored_on, s.worker_score, s.parent_score FROM goal_scores s "
            "LEFT JOIN care_sessions c ON c.id = s.session_id WHERE (s.session_id IS NULL OR c.deleted_at IS NULL) "
            "AND (s.worker_score IS NOT NULL OR s.parent_score IS NOT NULL) "
            "ORDER BY s.family_id, s.goal_key, s.scored_on, s.id"
        )
    ).all()
    rows = []
    for (family_id, key), group in groupby(scorings, key=lambda r: (r[0], r[1])):
        readings = [(on, worker, parent) for _f, _k, on, worker, parent in group]
        workers = [r for r in readings if r[1] is not None]
        parents = [r for r in readings if r[2] is not None]
        pairs = [r for r in readings if r[1] is not None and r[2] is not None]
        rows.append(
            {
                "family_id": family_id,
                "goal_key": key,
                "began_on": readings[0][0],
                "worker_latest": workers[-1][1] if workers else None,
                "worker_latest_on": workers[-1][0] if workers else None,
                "worker_count": len(workers),
                "parent_first": parents[0][2] if parents else None,
                "parent_latest": parents[-1][2] if parents else None,
                "parent_count": len(parents),
                "pair_on": pairs[-1][0] if pairs else None,
                "pair_worker": pairs[-1][1] if pairs else None,
                "pair_parent": pairs[-1][2] if pairs else None,
            }
        )
    table = sa.table("goal_progress", *(sa.column(name) for name in (rows[0] if rows else {})))
    for start in range(0, len(rows), 5000):
        op.bulk_insert(table, rows[start : start + 5000])


def downgrade():
    op.drop_table("goal_progress")
