"""Account changes waiting for a second person (issue 15: separation of duties)

A new account, a role or team change, re-activation and password or second-factor resets take effect
only once a team lead or a second administrator confirms them; this table holds the requests and
their decisions (and the hash of a one-time set-up code).

Revision ID: d2ce921e42d0
Revises: 3c5e1f0a9b27
Create Date: 2026-12-02 01:00:27.509539

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d2ce921e42d0"
down_revision = "3c5e1f0a9b27"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "create",
                "access",
                "reactivate",
                "password",
                "two_factor",
                name="changekind",
                native_enum=False,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column(
            "from_role", sa.Enum("worker", "lead", "admin", name="role", native_enum=False, length=10), nullable=True
        ),
        sa.Column("from_team_id", sa.Integer(), nullable=True),
        sa.Column(
            "new_role", sa.Enum("worker", "lead", "admin", name="role", native_enum=False, length=10), nullable=False
        ),
        sa.Column("new_team_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending",
                "confirmed",
                "refused",
                "cancelled",
                "expired",
                name="changeoutcome",
                native_enum=False,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("confirm_code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_account_changes_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["from_team_id"], ["teams.id"], name=op.f("fk_account_changes_from_team_id_teams"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["new_team_id"], ["teams.id"], name=op.f("fk_account_changes_new_team_id_teams"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_account_changes_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_account_changes_team_id_teams"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_changes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_changes")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("account_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_changes_decided_by_id"), ["decided_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_changes_from_team_id"), ["from_team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_changes_new_team_id"), ["new_team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_changes_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_changes_requested_by_id"), ["requested_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_changes_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_changes_user_id"), ["user_id"], unique=False)



def downgrade():
    with op.batch_alter_table("account_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_changes_user_id"))
        batch_op.drop_index(batch_op.f("ix_account_changes_team_id"))
        batch_op.drop_index(batch_op.f("ix_account_changes_requested_by_id"))
        batch_op.drop_index(batch_op.f("ix_account_changes_outcome"))
        batch_op.drop_index(batch_op.f("ix_account_changes_new_team_id"))
        batch_op.drop_index(batch_op.f("ix_account_changes_from_team_id"))
        batch_op.drop_index(batch_op.f("ix_account_changes_decided_by_id"))

    op.drop_table("account_changes")
