"""beds, bed assignments and the waitlist of a program; over-capacity reasons on segments

- `bed`: named beds of a program (administrators keep them).
- `bed_assignment`: an episode in a bed over dates; one occupant per bed and one bed per
  episode at a time (partial unique indexes on the open assignment).
- `waitlist_entry`: a patient or an inquiry waiting for a place, with the date a bed was
  offered and the outcome.
- `care_segment.over_capacity_reason`: a move into a full program allowed by the clinical lead.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 20:25:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

HELD = sa.text("ends_on IS NULL")
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
)
NEW_KINDS = OLD_KINDS + ("waitlist_bed_free",)


def _kind_type(values):
    return sa.Enum(*values, name="reminder_kind", native_enum=False, create_constraint=True, length=32)


WAITING = sa.text("outcome IS NULL")


def upgrade():
    op.create_table(
        "bed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_bed_name_not_blank")),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], name=op.f("fk_bed_program_id_program")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bed")),
        sa.UniqueConstraint("program_id", "name", name="uq_bed_program_name"),
    )
    op.create_table(
        "bed_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bed_id", sa.Integer(), nullable=False),
        sa.Column("admission_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_bed_assignment_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["admission_id"], ["admission.id"], name=op.f("fk_bed_assignment_admission_id_admission")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["user_account.id"], name=op.f("fk_bed_assignment_assigned_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["bed_id"], ["bed.id"], name=op.f("fk_bed_assignment_bed_id_bed")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bed_assignment")),
    )
    op.create_index("ix_bed_assignment_bed_dates", "bed_assignment", ["bed_id", "starts_on", "ends_on"])
    op.create_index(
        "uq_bed_assignment_one_occupant",
        "bed_assignment",
        ["bed_id"],
        unique=True,
        postgresql_where=HELD,
        sqlite_where=HELD,
    )
    op.create_index(
        "uq_bed_assignment_one_bed",
        "bed_assignment",
        ["admission_id"],
        unique=True,
        postgresql_where=HELD,
        sqlite_where=HELD,
    )
    op.create_table(
        "waitlist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("inquiry_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("offered_on", sa.Date(), nullable=True),
        sa.Column("offered_bed_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "accepted",
                "declined",
                "withdrawn",
                name="waitlist_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("outcome_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(patient_id IS NULL) <> (inquiry_id IS NULL)", name=op.f("ck_waitlist_entry_patient_or_inquiry")
        ),
        sa.CheckConstraint("(outcome IS NULL) = (outcome_on IS NULL)", name=op.f("ck_waitlist_entry_outcome_and_date")),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["user_account.id"], name=op.f("fk_waitlist_entry_added_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["inquiry_id"], ["inquiry.id"], name=op.f("fk_waitlist_entry_inquiry_id_inquiry")),
        sa.ForeignKeyConstraint(["offered_bed_id"], ["bed.id"], name=op.f("fk_waitlist_entry_offered_bed_id_bed")),
        sa.ForeignKeyConstraint(
            ["outcome_by_id"], ["user_account.id"], name=op.f("fk_waitlist_entry_outcome_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_waitlist_entry_patient_id_patient")),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], name=op.f("fk_waitlist_entry_program_id_program")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entry")),
    )
    op.create_index(
        "ix_waitlist_entry_waiting",
        "waitlist_entry",
        ["program_id", "added_at", "id"],
        postgresql_where=WAITING,
        sqlite_where=WAITING,
    )
    op.create_index("ix_waitlist_entry_patient", "waitlist_entry", ["patient_id"])
    op.create_index("ix_waitlist_entry_inquiry", "waitlist_entry", ["inquiry_id"])
    with op.batch_alter_table("care_segment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("over_capacity_reason", sa.String(length=1000), nullable=True))
    op.create_index("ix_care_segment_program_dates", "care_segment", ["program_id", "starts_on", "ends_on"])
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waitlist_entry_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reminder_waitlist_entry_id_waitlist_entry"), "waitlist_entry", ["waitlist_entry_id"], ["id"]
        )
        batch_op.alter_column(
            "kind", existing_type=_kind_type(OLD_KINDS), type_=_kind_type(NEW_KINDS), existing_nullable=False
        )


def downgrade():
    gone = "SELECT id FROM reminder WHERE kind = 'waitlist_bed_free'"
    op.execute(f"DELETE FROM reminder_delivery WHERE reminder_id IN ({gone})")
    op.execute(f"DELETE FROM notification WHERE reminder_id IN ({gone})")
    op.execute("DELETE FROM reminder WHERE kind = 'waitlist_bed_free'")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind_type(NEW_KINDS), type_=_kind_type(OLD_KINDS), existing_nullable=False
        )
        batch_op.drop_constraint(batch_op.f("fk_reminder_waitlist_entry_id_waitlist_entry"), type_="foreignkey")
        batch_op.drop_column("waitlist_entry_id")
    op.drop_index("ix_care_segment_program_dates", table_name="care_segment")
    with op.batch_alter_table("care_segment", schema=None) as batch_op:
        batch_op.drop_column("over_capacity_reason")
    op.drop_index("ix_waitlist_entry_inquiry", table_name="waitlist_entry")
    op.drop_index("ix_waitlist_entry_patient", table_name="waitlist_entry")
    op.drop_index("ix_waitlist_entry_waiting", table_name="waitlist_entry")
    op.drop_table("waitlist_entry")
    op.drop_index("uq_bed_assignment_one_bed", table_name="bed_assignment")
    op.drop_index("uq_bed_assignment_one_occupant", table_name="bed_assignment")
    op.drop_index("ix_bed_assignment_bed_dates", table_name="bed_assignment")
    op.drop_table("bed_assignment")
    op.drop_table("bed")
