"""Periods of help: how each ended, and a new start when a team lead reopens the help (issue 16)

Every family gets its first period from its own columns (start, end, closure type); for a closed one
the close in the access log names who closed it and when. Final scores are tied to the period they
closed, so a reopened family keeps each period's start -> final.

Revision ID: b7d4e2a91c3f
Revises: e41b7c2d9a10
Create Date: 2026-12-02 05:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "b7d4e2a91c3f"
down_revision = "e41b7c2d9a10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "help_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "closure_type",
            sa.Enum("planned", "early", name="closuretype", native_enum=False, length=10),
            nullable=True,
        ),
        sa.Column(
            "early_reason",
            sa.Enum(
                "moved",
                "family_stopped",
                "other_help",
                "unreachable",
                "other",
                name="earlyendreason",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("early_reason_text", sa.Text(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.Column("reopened_at", sa.DateTime(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_help_periods_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_help_periods_closed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reopened_by_id"], ["users.id"], name=op.f("fk_help_periods_reopened_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_periods")),
        sa.UniqueConstraint("family_id", "number", name=op.f("uq_help_periods_family_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("help_periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_help_periods_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_help_periods_closed_by_id"), ["closed_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_help_periods_reopened_by_id"), ["reopened_by_id"], unique=False)

    with op.batch_alter_table("goal_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_goal_scores_period_id_help_periods"), "help_periods", ["period_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index(batch_op.f("ix_goal_scores_period_id"), ["period_id"], unique=False)

    # The first period of every family, from its columns; the last close in the log says who and when.
    last_close = (
        "SELECT {column} FROM audit_events e WHERE e.family_id = f.id AND e.action = 'close_family'"
        " AND e.outcome = 'ok' ORDER BY e.at DESC, e.id DESC LIMIT 1"
    )
    op.execute(
        sa.text(
            "INSERT INTO help_periods (family_id, number, start_date, end_date, closure_type, early_reason_text,"
            " closed_by_id, closed_at, reopen_reason)"
            " SELECT f.id, 1, f.start_date, f.end_date, f.closure_type, '',"
            f" CASE WHEN f.status = 'closed' THEN ({last_close.format(column='e.user_id')}) END,"
            f" CASE WHEN f.status = 'closed' THEN ({last_close.format(column='e.at')}) END,"
            " '' FROM families f"
        )
    )
    op.execute(
        sa.text(
            "UPDATE goal_scores SET period_id ="
            " (SELECT p.id FROM help_periods p WHERE p.family_id = goal_scores.family_id AND p.number = 1)"
            " WHERE is_final"
        )
    )


def downgrade():
    with op.batch_alter_table("goal_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_scores_period_id"))
        batch_op.drop_constraint(batch_op.f("fk_goal_scores_period_id_help_periods"), type_="foreignkey")
        batch_op.drop_column("period_id")
    with op.batch_alter_table("help_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_help_periods_reopened_by_id"))
        batch_op.drop_index(batch_op.f("ix_help_periods_closed_by_id"))
        batch_op.drop_index(batch_op.f("ix_help_periods_family_id"))
    op.drop_table("help_periods")
