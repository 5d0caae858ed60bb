"""Composite indexes for the dashboards (issue #8)

Every list and dashboard asks for the families a user may see (family_id IN ...), then a date, a goal or a
kind. The composite indexes lead with the family (or the team) and replace single-column ones that SQLite,
which keeps no statistics unless ANALYZE runs, picked instead: deleted_at (NULL for nearly every row), the
moment kind, the family status. The two user references of destruction requests get the index every other
foreign key has. Each new index is created before the ones it replaces are dropped.

Revision ID: ad5798921e75
Revises: 828c396cdcd4
Create Date: 2026-11-25 12:29:18.915543

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "ad5798921e75"
down_revision = "828c396cdcd4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("destruction_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_destruction_requests_recorded_by_id"), ["recorded_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_destruction_requests_closed_by_id"), ["closed_by_id"], unique=False)

    with op.batch_alter_table("care_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_care_sessions_family_id_held_on", ["family_id", "held_on"], unique=False)
        batch_op.drop_index(batch_op.f("ix_care_sessions_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_care_sessions_family_id"))
        batch_op.drop_index(batch_op.f("ix_care_sessions_held_on"))

    with op.batch_alter_table("families", schema=None) as batch_op:
        batch_op.create_index("ix_families_team_id_status", ["team_id", "status"], unique=False)
        batch_op.drop_index(batch_op.f("ix_families_status"))
        batch_op.drop_index(batch_op.f("ix_families_team_id"))

    with op.batch_alter_table("goal_scores", schema=None) as batch_op:
        batch_op.create_index("ix_goal_scores_latest", ["family_id", "goal_key", "scored_on", "id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_goal_scores_family_id"))
        batch_op.drop_index(batch_op.f("ix_goal_scores_scored_on"))

    with op.batch_alter_table("moments", schema=None) as batch_op:
        batch_op.create_index("ix_moments_session_id_kind", ["session_id", "kind"], unique=False)
        batch_op.drop_index(batch_op.f("ix_moments_kind"))
        batch_op.drop_index(batch_op.f("ix_moments_session_id"))

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_superseded_at"))

    with op.batch_alter_table("stress_items", schema=None) as batch_op:
        batch_op.create_index("ix_stress_items_family_id_status", ["family_id", "status"], unique=False)
        batch_op.drop_index(batch_op.f("ix_stress_items_family_id"))
        batch_op.drop_index(batch_op.f("ix_stress_items_kind"))
        batch_op.drop_index(batch_op.f("ix_stress_items_status"))


def downgrade():
    with op.batch_alter_table("stress_items", schema=None) as batch_op:
        batch_op.drop_index("ix_stress_items_family_id_status")
        batch_op.create_index(batch_op.f("ix_stress_items_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_stress_items_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_stress_items_family_id"), ["family_id"], unique=False)

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_superseded_at"), ["superseded_at"], unique=False)

    with op.batch_alter_table("moments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moments_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_moments_kind"), ["kind"], unique=False)
        batch_op.drop_index("ix_moments_session_id_kind")

    with op.batch_alter_table("goal_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_scores_scored_on"), ["scored_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_scores_family_id"), ["family_id"], unique=False)
        batch_op.drop_index("ix_goal_scores_latest")

    with op.batch_alter_table("families", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_families_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_families_status"), ["status"], unique=False)
        batch_op.drop_index("ix_families_team_id_status")

    with op.batch_alter_table("care_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_sessions_held_on"), ["held_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_sessions_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_sessions_deleted_at"), ["deleted_at"], unique=False)
        batch_op.drop_index("ix_care_sessions_family_id_held_on")

    with op.batch_alter_table("destruction_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_destruction_requests_closed_by_id"))
        batch_op.drop_index(batch_op.f("ix_destruction_requests_recorded_by_id"))
