"""Edit versions for members, stress items and teams; one-time keys of sent create forms (issue 18)

A member, a stress item or a team edited by two people at once was saved last-writer-wins; each now
carries a version, as families and sessions do, so the second save is shown both versions instead.
submitted_forms holds the one-time key of each sent create form, so a double click saves once.

Revision ID: a8c3f5d1e247
Revises: d7a4b9e3c615
Create Date: 2026-12-04 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "a8c3f5d1e247"
down_revision = "d7a4b9e3c615"
branch_labels = None
depends_on = None

VERSIONED = ("family_members", "stress_items", "teams")


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "submitted_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("result_path", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_submitted_forms_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submitted_forms")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_submitted_forms_user_id")),
    )


def downgrade():
    op.drop_table("submitted_forms")
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
