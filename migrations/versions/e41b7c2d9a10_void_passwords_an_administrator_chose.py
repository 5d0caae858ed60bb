"""Void the passwords an administrator chose before separation of duties (issue 15)

Before this release the admin pages set a new account's password and reset passwords to one the
administrator typed. Such a password is known to the administrator: with it, and a second factor
they enrol themselves, they could open the account's case files alone. An account whose password an
administrator set (create_user or reset_password by someone else in the access log) and that its
owner has not changed since gets an unusable password: the person needs a set-up code, which now
takes a second person to confirm. Accounts set up by the operator (flask create-user) or by the
demo are not touched. One access-log row per voided account says why.

Revision ID: e41b7c2d9a10
Revises: d2ce921e42d0
Create Date: 2026-12-02 02:45:00.000000

"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "e41b7c2d9a10"
down_revision = "d2ce921e42d0"
branch_labels = None
depends_on = None

# Not an argon2 hash: verify_password() answers False for it, whatever is typed.
UNUSABLE = "!voided-admin-chosen-password:"

ADMIN_SET = sa.text(
    """
    SELECT u.id, u.email FROM users u
    WHERE EXISTS (
        SELECT 1 FROM audit_events e
        WHERE e.object_type = 'User' AND e.object_id = u.id
          AND e.action IN ('create_user', 'reset_password') AND e.outcome = 'ok'
          AND e.user_id IS NOT NULL AND e.user_id <> u.id
          AND NOT EXISTS (
              SELECT 1 FROM audit_events c
              WHERE c.action IN ('change_password', 'redeem_setup_code') AND c.outcome = 'ok'
                AND c.user_id = u.id AND c.at > e.at
          )
    )
    """
)


def upgrade():
    bind = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    for user_id, email in bind.execute(ADMIN_SET).all():
        bind.execute(
            sa.text("UPDATE users SET password_hash = :unusable WHERE id = :id"),
            {"unusable": UNUSABLE + secrets.token_hex(16), "id": user_id},
        )
        bind.execute(  # a login opened with that password ends too
            sa.text(
                "UPDATE login_sessions SET ended_at = :at, end_reason = 'password_voided'"
                " WHERE user_id = :id AND ended_at IS NULL"
            ),
            {"at": now, "id": user_id},
        )
        bind.execute(
            sa.text(
                "INSERT INTO audit_events (at, action, outcome, object_type, object_id, detail)"
                " VALUES (:at, 'void_password', 'ok', 'User', :id, :detail)"
            ),
            {
                "at": now,
                "id": user_id,
                "detail": f"{email}: password chosen by an administrator; a confirmed set-up code is needed",
            },
        )


def downgrade():
    pass  # a voided password stays void: the old one was known to someone else
