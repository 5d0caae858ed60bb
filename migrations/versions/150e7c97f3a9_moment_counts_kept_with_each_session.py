"""Moment counts kept with each session (issue #8)

The team's moments per month and the "difficult moments rising" signal read every moment of a team's year
(about 35,000 rows for a team of 330 families). Each session now carries how many positive and difficult
moments it holds, kept up to date at every flush (app.models.care_sessions._count_moments); this fills
them in for the sessions already recorded.

Revision ID: 150e7c97f3a9
Revises: ad5798921e75
Create Date: 2026-11-29 09:10:04.343734

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "150e7c97f3a9"
down_revision = "ad5798921e75"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("care_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("positive_moments", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("difficult_moments", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE care_sessions SET"
        " positive_moments = (SELECT count(*) FROM moments"
        " WHERE moments.session_id = care_sessions.id AND moments.kind = 'positive'),"
        " difficult_moments = (SELECT count(*) FROM moments"
        " WHERE moments.session_id = care_sessions.id AND moments.kind = 'difficult')"
    )


def downgrade():
    # Dropped in place (SQLite 3.35+ can): a batch rebuild would drop the old table, and with foreign keys on
    # that deletes every moment, attendee and score of every session (ON DELETE CASCADE).
    with op.batch_alter_table("care_sessions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("difficult_moments")
        batch_op.drop_column("positive_moments")
