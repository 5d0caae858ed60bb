"""The access log is append-only in the database itself

audit_events rows can be inserted, never updated; deleting them is refused unless a row in
audit_purge_authorizations, written in the same transaction by app.services.audit_log, names
them: one family's rows (its record is destroyed), or rows without a family (and purge stubs)
older than a cut-off (the retention period has passed). On PostgreSQL TRUNCATE is refused too,
and a deferred trigger refuses to commit a transaction that leaves an authorization behind.

Careful: on SQLite a batch migration that copies audit_events ("move and copy") drops these
triggers with the old table; such a migration must create them again.

Revision ID: 9556741d4484
Revises: f2eef9c94411
Create Date: 2026-11-25 09:21:29.784121

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9556741d4484'
down_revision = 'f2eef9c94411'
branch_labels = None
depends_on = None

# Which rows an authorization lets go; OLD is the audit row about to be deleted.
PERMITTED = """
    EXISTS (SELECT 1 FROM audit_purge_authorizations a
            WHERE a.family_id = OLD.family_id
               OR (a.older_than IS NOT NULL AND OLD.at < a.older_than
                   AND (OLD.family_id IS NULL OR OLD.action = 'purge_family')))
"""

SQLITE_UP = [
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: rows cannot be changed'); END""",
    f"""CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
       WHEN NOT {PERMITTED}
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: rows go only by an authorised purge'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_events_no_update", "DROP TRIGGER IF EXISTS audit_events_no_delete"]

POSTGRESQL_UP = [
    f"""CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF {PERMITTED} THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION 'audit_events is append-only: rows go only by an authorised purge'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    # Row triggers do not fire on TRUNCATE: refuse it with a statement trigger.
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
       FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
    # An authorization lives only inside the purge's own transaction.
    """CREATE OR REPLACE FUNCTION audit_purge_authorization_spent() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM audit_purge_authorizations WHERE id = NEW.id) THEN
            RAISE EXCEPTION 'an audit purge authorization must be removed before commit'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE CONSTRAINT TRIGGER audit_purge_authorizations_spent AFTER INSERT ON audit_purge_authorizations
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_purge_authorization_spent()""",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS audit_purge_authorizations_spent ON audit_purge_authorizations",
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_no_delete ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_no_update ON audit_events",
    "DROP FUNCTION IF EXISTS audit_purge_authorization_spent()",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if dialect == "postgresql":
        return POSTGRESQL_UP if up else POSTGRESQL_DOWN
    raise NotImplementedError(f"no append-only triggers for {dialect}: add them before using it")


def upgrade():
    op.create_table('audit_purge_authorizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=True),
    sa.Column('older_than', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_purge_authorizations'))
    )
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade():
    for statement in _statements(up=False):
        op.execute(statement)
    op.drop_table('audit_purge_authorizations')
