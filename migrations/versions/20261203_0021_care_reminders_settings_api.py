"""level-of-care reminders, the planned discharge date of an episode, API keys that read episodes

- Three reminder kinds (through the outbox like every other): a level-of-care review due, an
  expected transfer from the partner hospital not recorded, discharge planning due before an
  authorization or the planned stay ends. `reminder.admission_id` names the episode.
- `admission.planned_discharge_on`: the planned end of the stay (set on admission, with the
  placement decision, or edited on the patient page).
- `api_client.reads_episodes`: a key may read an episode's current level only when an
  administrator allowed it (a website's or referral partner's key may not).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 20:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
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
    "break_glass",
    "new_inquiry",
    "waitlist_bed_free",
)
CARE_KINDS = ("level_review_due", "transfer_not_recorded", "discharge_planning_due")
NEW_KINDS = OLD_KINDS + CARE_KINDS


def _kind_type(values):
    return sa.Enum(*values, name="reminder_kind", native_enum=False, create_constraint=True, length=32)


def upgrade():
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind_type(OLD_KINDS), type_=_kind_type(NEW_KINDS), existing_nullable=False
        )
        batch_op.add_column(sa.Column("admission_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reminder_admission_id_admission"), "admission", ["admission_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_reminder_admission_id"), ["admission_id"], unique=False)
    with op.batch_alter_table("admission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_discharge_on", sa.Date(), nullable=True))
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reads_episodes", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    kinds = ", ".join(f"'{kind}'" for kind in CARE_KINDS)
    op.execute(f"DELETE FROM reminder_delivery WHERE reminder_id IN (SELECT id FROM reminder WHERE kind IN ({kinds}))")
    op.execute(f"DELETE FROM notification WHERE reminder_id IN (SELECT id FROM reminder WHERE kind IN ({kinds}))")
    op.execute(f"DELETE FROM reminder WHERE kind IN ({kinds})")
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.drop_column("reads_episodes")
    with op.batch_alter_table("admission", schema=None) as batch_op:
        batch_op.drop_column("planned_discharge_on")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_admission_id"))
        batch_op.drop_constraint(batch_op.f("fk_reminder_admission_id_admission"), type_="foreignkey")
        batch_op.drop_column("admission_id")
        batch_op.alter_column(
            "kind", existing_type=_kind_type(NEW_KINDS), type_=_kind_type(OLD_KINDS), existing_nullable=False
        )
