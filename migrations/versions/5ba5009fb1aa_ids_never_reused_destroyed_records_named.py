"""Ids the access log names are never handed out twice; a destruction stub names its case number

On SQLite a plain INTEGER PRIMARY KEY takes max(id) + 1: after the newest family was destroyed, the next
family got its id and with it the old destruction line in its access log (issue 15). The tables whose ids
the log names are rebuilt with AUTOINCREMENT (batch "move and copy", reflected, so columns, foreign keys,
unique constraints and indexes come along), and each table's high-water mark starts above every id the
log already names, so an id used before this migration is not handed out again either.

Foreign keys are off while migrations run on SQLite (migrations/env.py): dropping the old families
table with them on would delete every session, member and plan (ON DELETE CASCADE). audit_events is not
rebuilt (its append-only triggers would go with the old table): it only gains a column, in place.

PostgreSQL sequences never go back, but they do not see ids written explicitly (a restore, a
hand-made import): there each sequence is raised above every id in its table and the log, never
lowered.

Revision ID: 5ba5009fb1aa
Revises: 150e7c97f3a9
Create Date: 2026-12-02 01:05:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5ba5009fb1aa"
down_revision = "150e7c97f3a9"
branch_labels = None
depends_on = None

# Table -> the object_type the access log names its rows by.
TABLES = {
    "teams": "Team",
    "users": "User",
    "families": "Family",
    "family_members": "FamilyMember",
    "care_sessions": "CareSession",
    "stress_items": "StressItem",
    "plans": "Plan",
    "consent_records": "ConsentRecord",
    "destruction_requests": "DestructionRequest",
}


def _rebuild(table: str, autoincrement: bool) -> None:
    with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass


def _logged(table: str) -> str:
    """The highest id of this table that the access log names (0 when none)."""
    logged = "coalesce((SELECT max(object_id) FROM audit_events WHERE object_type = :type), 0)"
    if table == "families":
        logged = "coalesce((SELECT max(family_id) FROM audit_events), 0)"
    elif table == "users":  # the log names its actors too
        logged = f"{{greatest}}({logged}, coalesce((SELECT max(user_id) FROM audit_events), 0))"
    return logged


def _raise_sequences() -> None:
    """PostgreSQL: each table's sequence above every id in the table or the log; never lowered."""
    bind = op.get_bind()
    for table, object_type in TABLES.items():
        logged = _logged(table).format(greatest="greatest")
        highest = bind.execute(
            sa.text(f"SELECT greatest(coalesce((SELECT max(id) FROM {table}), 0), {logged})"),  # noqa: S608
            {"type": object_type},
        ).scalar_one()
        if highest:
            bind.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence(:table, 'id'),"
                    " greatest(:highest, (SELECT last_value FROM pg_sequences"
                    " WHERE sequencename = split_part(pg_get_serial_sequence(:table, 'id'), '.', 2))))"
                ),
                {"table": table, "highest": highest},
            )


def _raise_high_water_marks() -> None:
    """sqlite_sequence holds the last id handed out; start it above every id in the table or the log."""
    for table, object_type in TABLES.items():
        logged = _logged(table).format(greatest="max")
        op.get_bind().execute(
            sa.text("DELETE FROM sqlite_sequence WHERE name = :table"),
            {"table": table},
        )
        op.get_bind().execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) SELECT :table,"
                f" max(coalesce((SELECT max(id) FROM {table}), 0), {logged})"  # noqa: S608
            ),
            {"table": table, "type": object_type},
        )


def _check_references() -> None:
    """Foreign keys are off during the rebuild: refuse to commit one that left a reference dangling."""
    broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the rebuild left broken foreign keys: {broken[:10]}")


def upgrade():
    # In place (ADD COLUMN): a rebuild of audit_events would drop its append-only triggers.
    with op.batch_alter_table("audit_events", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("record_ref", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_events_record_ref"), ["record_ref"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _raise_sequences()
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        _rebuild(table, autoincrement=True)
    _raise_high_water_marks()
    _check_references()


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for table in reversed(TABLES):
            _rebuild(table, autoincrement=False)
        _check_references()
    with op.batch_alter_table("audit_events", recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_record_ref"))
        batch_op.drop_column("record_ref")
