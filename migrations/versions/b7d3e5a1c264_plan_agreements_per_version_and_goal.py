"""Plan agreements per version and per goal (issue 16)

Who agreed to a plan version, how, when, and per goal whether they agree, in their own words; or the
reason a version was agreed without a parent. Append-only in the app.

Plans already marked "agreed" before this release get one entry of the legacy kind, dated on the
day they were marked as discussed: it claims no person and no way of agreeing, because none was recorded.
A later version that only carried its predecessor's mark (the same date, or a date before the version
existed: the old edit form copied both) gets no entry and becomes "not yet discussed".

Revision ID: b7d3e5a1c264
Revises: b7d4e2a91c3f
Create Date: 2026-12-02 05:40:00.000000

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "b7d3e5a1c264"
down_revision = "b7d4e2a91c3f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("response", "no_parent", "legacy", name="agreementkind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column(
            "party",
            sa.Enum("parent", "youth", "foster", "other", name="agreementparty", native_enum=False, length=10),
            nullable=True,
        ),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "way",
            sa.Enum("in_person", "phone", "online", "paper", name="agreementway", native_enum=False, length=10),
            nullable=True,
        ),
        sa.Column("agrees", sa.Boolean(), nullable=True),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum("unreachable", "no_authority", "other", name="noparentreason", native_enum=False, length=12),
            nullable=True,
        ),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_plan_agreements_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["family_members.id"],
            name=op.f("fk_plan_agreements_member_id_family_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_agreements_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_plan_agreements_recorded_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_agreements")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("plan_agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_agreements_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_agreements_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_agreements_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_agreements_recorded_by_id"), ["recorded_by_id"], unique=False)

    op.create_table(
        "plan_agreement_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("agrees", sa.Boolean(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["plan_agreements.id"],
            name=op.f("fk_plan_agreement_goals_agreement_id_plan_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_plan_agreement_goals_goal_id_goals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_agreement_goals")),
    )
    with op.batch_alter_table("plan_agreement_goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_agreement_goals_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_agreement_goals_goal_id"), ["goal_id"], unique=False)

    # Plans marked agreed before now: one legacy entry each, on the day they were marked discussed (or made).
    # But the old edit form copied status and discussed_on into each new version: a later version whose
    # date is its predecessor's, or is before the version existed, was never agreed itself. It becomes
    # "not yet discussed", so the record claims no agreement that did not happen.
    now = datetime.now(UTC).replace(tzinfo=None)
    bind = op.get_bind()
    # Typed columns: SQLite hands dates back as text otherwise.
    plans = sa.table(
        "plans",
        sa.column("id", sa.Integer),
        sa.column("family_id", sa.Integer),
        sa.column("number", sa.Integer),
        sa.column("status", sa.String),
        sa.column("discussed_on", sa.Date),
        sa.column("created_at", sa.DateTime),
        sa.column("version", sa.Integer),
    )
    versions = bind.execute(
        sa.select(plans.c.id, plans.c.family_id, plans.c.status, plans.c.discussed_on, plans.c.created_at).order_by(
            plans.c.family_id, plans.c.number
        )
    ).all()
    entries = sa.table(
        "plan_agreements",
        sa.column("plan_id", sa.Integer),
        sa.column("family_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("name", sa.String),
        sa.column("words", sa.Text),
        sa.column("reason_text", sa.Text),
        sa.column("agreed_on", sa.Date),
        sa.column("recorded_at", sa.DateTime),
    )
    rows = []
    inherited = []
    previous = None  # the version before, in the same family
    for plan_id, family_id, status, discussed_on, created_at in versions:
        earlier = previous if previous is not None and previous[0] == family_id else None
        previous = (family_id, discussed_on)
        if status != "agreed":
            continue
        if earlier is not None and (
            discussed_on == earlier[1] or (discussed_on is not None and discussed_on < created_at.date())
        ):
            inherited.append(plan_id)
            continue
        rows.append(
            {
                "plan_id": plan_id,
                "family_id": family_id,
                "kind": "legacy",
                "name": "",
                "words": "",
                "reason_text": "",
                "agreed_on": discussed_on or created_at.date(),
                "recorded_at": now,
            }
        )
    if rows:
        op.bulk_insert(entries, rows)
    if inherited:
        # A new version number too: a form opened on the "agreed" row must not save over the draft unseen.
        bind.execute(
            plans.update()
            .where(plans.c.id.in_(inherited))
            .values(status="draft", discussed_on=None, version=plans.c.version + 1)
        )


def downgrade():
    # The plans' status keeps only what the old app knew: draft or agreed.
    op.execute("UPDATE plans SET status = 'agreed' WHERE status = 'no_parent'")
    op.execute("UPDATE plans SET status = 'draft' WHERE status = 'discussed'")
    with op.batch_alter_table("plan_agreement_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_agreement_goals_goal_id"))
        batch_op.drop_index(batch_op.f("ix_plan_agreement_goals_agreement_id"))
    op.drop_table("plan_agreement_goals")
    with op.batch_alter_table("plan_agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_agreements_recorded_by_id"))
        batch_op.drop_index(batch_op.f("ix_plan_agreements_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_agreements_member_id"))
        batch_op.drop_index(batch_op.f("ix_plan_agreements_family_id"))
    op.drop_table("plan_agreements")
