"""break-the-glass grants are kept and ended sessions stay ended, for every role but an owner

With the app role of docs/OPERATIONS.md (which owns no table and cannot set
session_replication_role, so it cannot switch triggers off):

- `break_glass_access`: DELETE and TRUNCATE are refused; an UPDATE may mark the grant reviewed
  (reviewed_at, reviewed_by_id) or bring `expires_at` forward (revoking it), but may not change
  who (user_id), what (inquiry_id, scope once it exists), why (reason) or when (created_at, a
  later expires_at). Any other column stays updatable.
- `user_session`: a row whose `ended_at` is set is frozen: it can neither be reopened (ended_at
  back to NULL) nor have its end, owner, token or times rewritten.

SQLite (the laptop) gets the same rules as SQLite triggers, as migration 0001 does for the audit log.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 16:20:00

"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

POSTGRES_GUARDS = """
CREATE FUNCTION break_glass_access_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    fixed text;
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'break_glass_access rows are kept: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- to_jsonb: a column that does not exist (yet) reads as NULL on both sides
    FOREACH fixed IN ARRAY ARRAY['id', 'user_id', 'inquiry_id', 'reason', 'created_at', 'scope'] LOOP
        IF to_jsonb(NEW) -> fixed IS DISTINCT FROM to_jsonb(OLD) -> fixed THEN
            RAISE EXCEPTION 'break_glass_access.% cannot be changed', fixed
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    IF NEW.expires_at IS NULL OR NEW.expires_at > OLD.expires_at THEN
        RAISE EXCEPTION 'break_glass_access.expires_at can only be brought forward'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER break_glass_access_guard BEFORE UPDATE OR DELETE ON break_glass_access
    FOR EACH ROW EXECUTE FUNCTION break_glass_access_guard();
CREATE TRIGGER break_glass_access_no_truncate BEFORE TRUNCATE ON break_glass_access
    FOR EACH STATEMENT EXECUTE FUNCTION break_glass_access_guard();

CREATE FUNCTION user_session_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.ended_at IS NOT NULL AND to_jsonb(NEW) IS DISTINCT FROM to_jsonb(OLD) THEN
        RAISE EXCEPTION 'user_session: an ended session stays ended and unchanged'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER user_session_ended_stays_ended BEFORE UPDATE ON user_session
    FOR EACH ROW EXECUTE FUNCTION user_session_guard();
"""

SQLITE_GUARDS = [
    """CREATE TRIGGER break_glass_access_no_delete BEFORE DELETE ON break_glass_access
       BEGIN SELECT RAISE(ABORT, 'break_glass_access rows are kept: DELETE refused'); END""",
    """CREATE TRIGGER break_glass_access_fixed BEFORE UPDATE ON break_glass_access
       WHEN NEW.id IS NOT OLD.id OR NEW.user_id IS NOT OLD.user_id OR NEW.inquiry_id IS NOT OLD.inquiry_id
         OR NEW.reason IS NOT OLD.reason OR NEW.created_at IS NOT OLD.created_at
         OR NEW.expires_at IS NULL OR NEW.expires_at > OLD.expires_at
       BEGIN SELECT RAISE(ABORT, 'break_glass_access: only review and an earlier expiry may change'); END""",
    """CREATE TRIGGER user_session_ended_stays_ended BEFORE UPDATE ON user_session
       WHEN OLD.ended_at IS NOT NULL AND (
         NEW.ended_at IS NOT OLD.ended_at OR NEW.end_reason IS NOT OLD.end_reason OR NEW.id IS NOT OLD.id
         OR NEW.user_id IS NOT OLD.user_id OR NEW.token_hash IS NOT OLD.token_hash
         OR NEW.created_at IS NOT OLD.created_at OR NEW.last_seen_at IS NOT OLD.last_seen_at
         OR NEW.ip IS NOT OLD.ip OR NEW.user_agent IS NOT OLD.user_agent)
       BEGIN SELECT RAISE(ABORT, 'user_session: an ended session stays ended and unchanged'); END""",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(POSTGRES_GUARDS)
    elif dialect == "sqlite":
        for statement in SQLITE_GUARDS:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS user_session_ended_stays_ended ON user_session")
        op.execute("DROP FUNCTION IF EXISTS user_session_guard()")
        op.execute("DROP TRIGGER IF EXISTS break_glass_access_no_truncate ON break_glass_access")
        op.execute("DROP TRIGGER IF EXISTS break_glass_access_guard ON break_glass_access")
        op.execute("DROP FUNCTION IF EXISTS break_glass_access_guard()")
    elif dialect == "sqlite":
        for name in ("user_session_ended_stays_ended", "break_glass_access_fixed", "break_glass_access_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
