"""Lockout window; TOTP set-up secret on the login (issue 15)

users.failures_since: when the current count of failed passwords and codes began, so that the count
starts over when its first failure is older than LOGIN_FAILURE_WINDOW_MINUTES.
login_sessions.totp_setup_secret: the secret being set up in that login, which the signed (not
encrypted) session cookie held before.

Revision ID: 7e7fb2db8c67
Revises: 5ba5009fb1aa
Create Date: 2026-12-02 01:08:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7e7fb2db8c67"
down_revision = "5ba5009fb1aa"
branch_labels = None
depends_on = None


def upgrade():
    # Adding a nullable column is an ALTER TABLE on SQLite too: no table rebuild, so no cascade risk.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failures_since", sa.DateTime(), nullable=True))
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_setup_secret", sa.String(length=64), nullable=True))


def downgrade():
    # Dropped in place (SQLite 3.35+): a batch rebuild of users would, with foreign keys on, cascade.
    op.drop_column("login_sessions", "totp_setup_secret")
    op.drop_column("users", "failures_since")
