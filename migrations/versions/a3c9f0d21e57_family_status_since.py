"""The day each family's status last changed (issue 17)

A paused family gets a signal after N weeks paused, counted from this day. Families from before
it are given the day of their last change (updated_at): the status cannot have changed later.

Revision ID: a3c9f0d21e57
Revises: b7d3e5a1c264
Create Date: 2026-12-02 07:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "a3c9f0d21e57"
down_revision = "b7d3e5a1c264"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("families") as batch:
        batch.add_column(sa.Column("status_since", sa.Date(), nullable=True))
    # SQLite stores timestamps as text (its CAST to DATE would keep only the year).
    day = "date(updated_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(updated_at AS DATE)"
    op.execute(f"UPDATE families SET status_since = {day}")
    # SQLite rebuilds the table for this: keep its ids never handed out twice (IDS_NEVER_REUSED).
    with op.batch_alter_table("families", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column("status_since", existing_type=sa.Date(), nullable=False)


def downgrade():
    with op.batch_alter_table("families", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("status_since")
