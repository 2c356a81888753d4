"""the audit log is append-only: the database refuses to change or delete its rows; an
index for a förbund's log, newest first

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:00:00

Triggers, so that no code path (nor a hand-typed UPDATE or DELETE) can rewrite who did
what. PostgreSQL raises restrict_violation from a plpgsql function for UPDATE, DELETE and
TRUNCATE; SQLite aborts UPDATE and DELETE with RAISE(ABORT). Both surface as an
integrity error. DROP TABLE does not fire them, so downgrades past this one still work.
Deleting a user or förbund with events would turn their ids in the log to NULL, an
UPDATE, and is refused too: users are deactivated, never deleted.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

REFUSED = "audit_events is append-only"

POSTGRESQL_UP = (
    f"""
    CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSED}: % refused', TG_OP USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE PROCEDURE audit_events_refuse_change()
    """,
    """
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE PROCEDURE audit_events_refuse_change()
    """,
)
POSTGRESQL_DOWN = (
    "DROP TRIGGER audit_events_no_truncate ON audit_events",
    "DROP TRIGGER audit_events_append_only ON audit_events",
    "DROP FUNCTION audit_events_refuse_change()",
)
SQLITE_UP = tuple(
    f"""
    CREATE TRIGGER audit_events_no_{operation.lower()} BEFORE {operation} ON audit_events
    BEGIN
        SELECT RAISE(ABORT, '{REFUSED}: {operation} refused');
    END
    """
    for operation in ("UPDATE", "DELETE")
)
SQLITE_DOWN = ("DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete")


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_forbund_occurred', ['forbund_id', 'occurred_at'],
                              unique=False)
    for statement in _statements(POSTGRESQL_UP, SQLITE_UP):
        op.execute(statement)


def downgrade():
    for statement in _statements(POSTGRESQL_DOWN, SQLITE_DOWN):
        op.execute(statement)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_forbund_occurred')


def _statements(postgresql, sqlite):
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql
    if dialect == "sqlite":
        return sqlite
    raise NotImplementedError(f"no append-only triggers for {dialect}")
