"""break-the-glass grants name their scope; a reminder kind tells admins and the assignee

A grant now opens one part of a restricted record: "clinical" (the inquiry, its notes,
screenings, tasks and timeline) or "finance" (its insurance and payment pages). Before, one
grant opened both for whoever's role reads them.

Existing grants get one scope each, never both, so no grant opens more than before:
- billing users' grants → "finance" (billing never read the clinical record, so that is
  all those grants ever opened);
- everyone else's → "clinical" (the inquiry page's form was the way in for them; someone who
  really needed the finances of a record asks again, for "finance", which is audited and
  reviewed like any grant).
Grants last BREAK_GLASS_HOURS (8 by default), so at most a working day of live grants is
narrowed; the expired rows keep their place in the review list with the scope they are given.

`reminder.break_glass_id` and the reminder kind "break_glass" carry the notification of a new
grant through the outbox (in-app and email), like every other reminder.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "first_contact_due",
    "task_due",
    "task_overdue",
    "safety_flag",
    "daily_digest",
    "auth_review_due",
    "auth_ending",
    "installment_overdue",
)
NEW_KINDS = OLD_KINDS + ("break_glass",)
SCOPES = ("clinical", "finance")


def _kind_type(values):
    return sa.Enum(*values, name="reminder_kind", native_enum=False, create_constraint=True, length=32)


def _scope_type():
    return sa.Enum(*SCOPES, name="break_glass_scope", native_enum=False, create_constraint=True, length=32)


# Migration 0007's guards on SQLite, which a batch rebuild of the table drops: they are made
# again after it, naming `scope` among the columns that never change once the column exists.
SQLITE_DROP_GUARDS = ("break_glass_access_no_delete", "break_glass_access_fixed")
SQLITE_GUARDS = (
    """CREATE TRIGGER break_glass_access_no_delete BEFORE DELETE ON break_glass_access
       BEGIN SELECT RAISE(ABORT, 'break_glass_access rows are kept: DELETE refused'); END""",
    """CREATE TRIGGER break_glass_access_fixed BEFORE UPDATE ON break_glass_access
       WHEN NEW.id IS NOT OLD.id OR NEW.user_id IS NOT OLD.user_id OR NEW.inquiry_id IS NOT OLD.inquiry_id
         OR NEW.reason IS NOT OLD.reason OR NEW.created_at IS NOT OLD.created_at{scope}
         OR NEW.expires_at IS NULL OR NEW.expires_at > OLD.expires_at
       BEGIN SELECT RAISE(ABORT, 'break_glass_access: only review and an earlier expiry may change'); END""",
)


def _sqlite_guards(*, with_scope: bool):
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in SQLITE_DROP_GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    scope = " OR NEW.scope IS NOT OLD.scope" if with_scope else ""
    for statement in SQLITE_GUARDS:
        op.execute(statement.replace("{scope}", scope))


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("break_glass_access", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=32), nullable=True))
    # 0007's guard refuses any change of scope; this one-off fill runs as the owner, with it off.
    if postgresql:
        op.execute("ALTER TABLE break_glass_access DISABLE TRIGGER break_glass_access_guard")
    op.execute(
        "UPDATE break_glass_access SET scope = CASE WHEN user_id IN "
        "(SELECT id FROM user_account WHERE role = 'billing') THEN 'finance' ELSE 'clinical' END"
    )
    if postgresql:
        op.execute("ALTER TABLE break_glass_access ENABLE TRIGGER break_glass_access_guard")
    with op.batch_alter_table("break_glass_access", schema=None) as batch_op:
        batch_op.alter_column(
            "scope", existing_type=sa.String(length=32), type_=_scope_type(), existing_nullable=True, nullable=False
        )
    _sqlite_guards(with_scope=True)
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("break_glass_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reminder_break_glass_id_break_glass_access"),
            "break_glass_access",
            ["break_glass_id"],
            ["id"],
        )
        batch_op.alter_column(
            "kind", existing_type=_kind_type(OLD_KINDS), type_=_kind_type(NEW_KINDS), existing_nullable=False
        )


def downgrade():
    op.execute(
        "DELETE FROM reminder_delivery WHERE reminder_id IN (SELECT id FROM reminder WHERE kind = 'break_glass')"
    )
    op.execute("DELETE FROM notification WHERE reminder_id IN (SELECT id FROM reminder WHERE kind = 'break_glass')")
    op.execute("DELETE FROM reminder WHERE kind = 'break_glass'")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind_type(NEW_KINDS), type_=_kind_type(OLD_KINDS), existing_nullable=False
        )
        batch_op.drop_constraint(batch_op.f("fk_reminder_break_glass_id_break_glass_access"), type_="foreignkey")
        batch_op.drop_column("break_glass_id")
    with op.batch_alter_table("break_glass_access", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_break_glass_access_break_glass_scope"), type_="check")
        batch_op.drop_column("scope")
    _sqlite_guards(with_scope=False)
