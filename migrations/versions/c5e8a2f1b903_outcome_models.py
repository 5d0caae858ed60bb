"""The organisation's outcome model: error of measurement, reliable change, expected course (issue 17)

One row in force (the latest); worked out again from the score history at most once a day
(app/services/outcome_model.py). It holds only numbers pooled over many goals, no family's data.

Revision ID: c5e8a2f1b903
Revises: a3c9f0d21e57
Create Date: 2026-12-02 11:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "c5e8a2f1b903"
down_revision = "a3c9f0d21e57"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outcome_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("sem", sa.Double(), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.Column("goals", sa.Integer(), nullable=False),
        sa.Column("needed", sa.Integer(), nullable=False),
        sa.Column("trend_sem", sa.Double(), nullable=True),
        sa.Column("pair_sem", sa.Double(), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("course", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_models")),
    )
    with op.batch_alter_table("outcome_models") as batch:
        batch.create_index(batch.f("ix_outcome_models_computed_at"), ["computed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("outcome_models") as batch:
        batch.drop_index(batch.f("ix_outcome_models_computed_at"))
    op.drop_table("outcome_models")
