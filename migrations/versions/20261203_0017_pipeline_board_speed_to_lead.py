"""the pipeline board's indexes; admissions users on duty and the round-robin's turn; "new inquiry" reminders

- Two partial indexes serve the board's columns when filtered by assignee or by source
  (`WHERE merged_into_id IS NULL AND status = ? AND assigned_to_id = ? ORDER BY arrived_at, id
  LIMIT n`): each column costs the same however many inquiries there are.
- `user_account.on_duty`: an admissions user taking new inquiries now (they toggle it);
  `user_account.round_robin_at`: when they were last given one by the round-robin, which picks
  the on-duty user given one longest ago (services/round_robin.py).
- The reminder kind "new_inquiry" tells the admissions desk at once that a web or API inquiry
  arrived, through the outbox like every other reminder.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 19:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

LIVE = sa.text("merged_into_id IS NULL")
BOARD_INDEXES = {
    "ix_inquiry_live_assignee_status_arrived": ["assigned_to_id", "status", "arrived_at", "id"],
    "ix_inquiry_live_source_status_arrived": ["referral_source", "status", "arrived_at", "id"],
}
OLD_KINDS = (
    "first_contact_due",
    "task_due",
    "task_overdue",
    "safety_flag",
    "daily_digest",
    "auth_review_due",
    "auth_ending",
    "installment_overdue",
    "break_glass",
)
NEW_KINDS = OLD_KINDS + ("new_inquiry",)


def _kind_type(values):
    return sa.Enum(*values, name="reminder_kind", native_enum=False, create_constraint=True, length=32)


def upgrade():
    for name, columns in BOARD_INDEXES.items():
        op.create_index(name, "inquiry", columns, postgresql_where=LIVE, sqlite_where=LIVE)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_duty", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("round_robin_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind_type(OLD_KINDS), type_=_kind_type(NEW_KINDS), existing_nullable=False
        )


def downgrade():
    op.execute(
        "DELETE FROM reminder_delivery WHERE reminder_id IN (SELECT id FROM reminder WHERE kind = 'new_inquiry')"
    )
    op.execute("DELETE FROM notification WHERE reminder_id IN (SELECT id FROM reminder WHERE kind = 'new_inquiry')")
    op.execute("DELETE FROM reminder WHERE kind = 'new_inquiry'")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind_type(NEW_KINDS), type_=_kind_type(OLD_KINDS), existing_nullable=False
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("round_robin_at")
        batch_op.drop_column("on_duty")
    for name in BOARD_INDEXES:
        op.drop_index(name, table_name="inquiry")
