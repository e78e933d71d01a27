"""patients, episodes of care, ASAM assessments, placement decisions and level-of-care segments

Every admission becomes an episode of a patient: each existing admission gets its own patient
(with a medical record number from the new counter) and one open segment at its program's
level from the admission date. Staff can merge no patients here; a returning person admitted
before this release keeps two records, which is what the clinic had before.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 19:09:43

"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mrn_counter",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_mrn_counter_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mrn_counter")),
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.String(length=160), nullable=False),
        sa.Column("name_key", sa.String(length=160), nullable=False),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column(
            "sex",
            sa.Enum(
                "female",
                "male",
                "intersex",
                "unknown",
                name="patient_sex",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("is_restricted", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(trim(full_name)) > 0", name=op.f("ck_patient_full_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_patient_created_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("mrn", name=op.f("uq_patient_mrn")),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.create_index("ix_patient_name_dob", ["name_key", "dob"], unique=False)

    op.create_table(
        "asam_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("admission_id", sa.Integer(), nullable=False),
        sa.Column(
            "edition",
            sa.Enum(
                "third_2013", "fourth_2023", name="asam_edition", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "occasion",
            sa.Enum(
                "admission",
                "review",
                "step_down",
                "step_up",
                name="assessment_occasion",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("rating_1", sa.SmallInteger(), nullable=False),
        sa.Column("rating_2", sa.SmallInteger(), nullable=False),
        sa.Column("rating_3", sa.SmallInteger(), nullable=False),
        sa.Column("rating_4", sa.SmallInteger(), nullable=False),
        sa.Column("rating_5", sa.SmallInteger(), nullable=False),
        sa.Column("rating_6", sa.SmallInteger(), nullable=False),
        sa.Column("notes_1", sa.Text(), nullable=True),
        sa.Column("notes_2", sa.Text(), nullable=True),
        sa.Column("notes_3", sa.Text(), nullable=True),
        sa.Column("notes_4", sa.Text(), nullable=True),
        sa.Column("notes_5", sa.Text(), nullable=True),
        sa.Column("notes_6", sa.Text(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assessed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("rating_1 BETWEEN 0 AND 4", name=op.f("ck_asam_assessment_rating_1_range")),
        sa.CheckConstraint("rating_2 BETWEEN 0 AND 4", name=op.f("ck_asam_assessment_rating_2_range")),
        sa.CheckConstraint("rating_3 BETWEEN 0 AND 4", name=op.f("ck_asam_assessment_rating_3_range")),
        sa.CheckConstraint("rating_4 BETWEEN 0 AND 4", name=op.f("ck_asam_assessment_rating_4_range")),
        sa.CheckConstraint("rating_5 BETWEEN 0 AND 4", name=op.f("ck_asam_assessment_rating_5_range")),
        sa.CheckConstraint("rating_6 BETWEEN 0 AND 4", name=op.f("ck_asam_assessment_rating_6_range")),
        sa.ForeignKeyConstraint(
            ["admission_id"], ["admission.id"], name=op.f("fk_asam_assessment_admission_id_admission")
        ),
        sa.ForeignKeyConstraint(
            ["assessed_by_id"], ["user_account.id"], name=op.f("fk_asam_assessment_assessed_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asam_assessment")),
    )
    with op.batch_alter_table("asam_assessment", schema=None) as batch_op:
        batch_op.create_index("ix_asam_assessment_admission_time", ["admission_id", "assessed_at"], unique=False)

    op.create_table(
        "care_segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("admission_id", sa.Integer(), nullable=False),
        sa.Column(
            "level_of_care",
            sa.Enum(
                "partner_hospital_detox",
                "residential",
                "php",
                "iop",
                "virtual_iop",
                name="level_of_care",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("on_leave", sa.Boolean(), nullable=False),
        sa.Column(
            "move",
            sa.Enum(
                "admission",
                "step_down",
                "step_up",
                "transfer",
                "leave_of_absence",
                "return_from_leave",
                name="segment_move",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("hospital_name", sa.String(length=160), nullable=True),
        sa.Column("hospital_contact", sa.String(length=200), nullable=True),
        sa.Column("expected_transfer_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_care_segment_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["admission_id"], ["admission.id"], name=op.f("fk_care_segment_admission_id_admission")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_care_segment_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], name=op.f("fk_care_segment_program_id_program")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_segment")),
    )
    with op.batch_alter_table("care_segment", schema=None) as batch_op:
        batch_op.create_index("ix_care_segment_admission_start", ["admission_id", "starts_on"], unique=False)
        batch_op.create_index("ix_care_segment_level_dates", ["level_of_care", "starts_on", "ends_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_segment_program_id"), ["program_id"], unique=False)
        batch_op.create_index(
            "uq_care_segment_one_open",
            ["admission_id"],
            unique=True,
            postgresql_where=sa.text("ends_on IS NULL"),
            sqlite_where=sa.text("ends_on IS NULL"),
        )

    op.create_table(
        "placement_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("admission_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column(
            "asam_edition",
            sa.Enum(
                "third_2013", "fourth_2023", name="asam_edition", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "recommended_level_of_care",
            sa.Enum(
                "partner_hospital_detox",
                "residential",
                "php",
                "iop",
                "virtual_iop",
                name="recommended_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recommended_asam_level", sa.String(length=10), nullable=False),
        sa.Column("detox_first", sa.Boolean(), nullable=False),
        sa.Column("recommendation", sa.JSON(), nullable=False),
        sa.Column(
            "chosen_level_of_care",
            sa.Enum(
                "partner_hospital_detox",
                "residential",
                "php",
                "iop",
                "virtual_iop",
                name="chosen_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("chosen_asam_level", sa.String(length=10), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(chosen_level_of_care = recommended_level_of_care AND chosen_asam_level = recommended_asam_level)"
            " OR (detox_first AND chosen_level_of_care = 'partner_hospital_detox')"
            " OR length(trim(coalesce(reason, ''))) > 0",
            name=op.f("ck_placement_decision_reason_when_differs"),
        ),
        sa.ForeignKeyConstraint(
            ["admission_id"], ["admission.id"], name=op.f("fk_placement_decision_admission_id_admission")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["asam_assessment.id"], name=op.f("fk_placement_decision_assessment_id_asam_assessment")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"], name=op.f("fk_placement_decision_decided_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], name=op.f("fk_placement_decision_program_id_program")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_decision")),
    )
    with op.batch_alter_table("placement_decision", schema=None) as batch_op:
        batch_op.create_index("ix_placement_decision_admission_time", ["admission_id", "decided_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_placement_decision_assessment_id"), ["assessment_id"], unique=False)

    with op.batch_alter_table("admission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("patient_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("discharged_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "discharge_kind",
                sa.Enum(
                    "planned",
                    "against_medical_advice",
                    "administrative",
                    "transfer_out",
                    name="discharge_kind",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("discharge_reason", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("discharged_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_admission_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            "uq_admission_one_active_per_patient",
            ["patient_id"],
            unique=True,
            postgresql_where=sa.text("status = 'active'"),
            sqlite_where=sa.text("status = 'active'"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_admission_discharged_by_id_user_account"), "user_account", ["discharged_by_id"], ["id"]
        )
        batch_op.create_foreign_key(batch_op.f("fk_admission_patient_id_patient"), "patient", ["patient_id"], ["id"])
        batch_op.create_check_constraint(
            batch_op.f("ck_admission_discharge_date_and_kind"), "(discharged_on IS NULL) = (discharge_kind IS NULL)"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_admission_discharge_only_when_discharged"), "discharged_on IS NULL OR status = 'discharged'"
        )
    _backfill_patients()
    with op.batch_alter_table("admission", schema=None) as batch_op:
        batch_op.alter_column("patient_id", existing_type=sa.Integer(), nullable=False)


def _mrn(number: int) -> str:
    # The same format as coordinator/rules/mrn.py at this revision (copied: migrations do not
    # import application code that may change later).
    body = f"{number:06d}"
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return f"MRN-{body}-{(10 - total % 10) % 10}"


def _backfill_patients():
    """One patient per existing admission, and its first segment; then the counter."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT a.id, a.admit_date, a.status, a.program_id, a.admitted_by_id, a.created_at,"
            " i.patient_name, i.patient_name_key, i.patient_dob, i.patient_sex, i.is_restricted, p.level_of_care"
            " FROM admission a JOIN inquiry i ON i.id = a.inquiry_id JOIN program p ON p.id = a.program_id"
            " ORDER BY a.id"
        )
    ).all()
    number = 0
    for row in rows:
        number += 1
        patient_id = bind.execute(
            sa.text(
                "INSERT INTO patient (mrn, full_name, name_key, dob, sex, is_restricted, created_by_id, created_at)"
                " VALUES (:mrn, :name, :key, :dob, :sex, :restricted, :by, :at) RETURNING id"
            ),
            {
                "mrn": _mrn(number),
                "name": row.patient_name,
                "key": row.patient_name_key or re.sub(r"\s+", " ", row.patient_name.strip().lower()),
                "dob": row.patient_dob,
                "sex": row.patient_sex,
                "restricted": row.is_restricted,
                "by": row.admitted_by_id,
                "at": row.created_at,
            },
        ).scalar_one()
        bind.execute(sa.text("UPDATE admission SET patient_id = :p WHERE id = :a"), {"p": patient_id, "a": row.id})
        bind.execute(
            sa.text(
                "INSERT INTO care_segment (admission_id, level_of_care, program_id, on_leave, move, starts_on,"
                " ends_on, created_by_id, created_at)"
                " VALUES (:a, :level, :program, false, 'admission', :start, NULL, :by, :at)"
            ),
            {
                "a": row.id,
                "level": row.level_of_care,
                "program": row.program_id,
                "start": row.admit_date,
                "by": row.admitted_by_id,
                "at": row.created_at,
            },
        )
    bind.execute(sa.text("INSERT INTO mrn_counter (id, last_value) VALUES (1, :n)"), {"n": number})


def downgrade():
    with op.batch_alter_table("admission", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_admission_discharge_only_when_discharged"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_admission_discharge_date_and_kind"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_admission_discharge_kind"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_admission_patient_id_patient"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_admission_discharged_by_id_user_account"), type_="foreignkey")
        batch_op.drop_index(
            "uq_admission_one_active_per_patient",
            postgresql_where=sa.text("status = 'active'"),
            sqlite_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_admission_patient_id"))
        batch_op.drop_column("discharged_by_id")
        batch_op.drop_column("discharge_reason")
        batch_op.drop_column("discharge_kind")
        batch_op.drop_column("discharged_on")
        batch_op.drop_column("patient_id")

    with op.batch_alter_table("placement_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_decision_assessment_id"))
        batch_op.drop_index("ix_placement_decision_admission_time")

    op.drop_table("placement_decision")
    with op.batch_alter_table("care_segment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_care_segment_one_open",
            postgresql_where=sa.text("ends_on IS NULL"),
            sqlite_where=sa.text("ends_on IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_care_segment_program_id"))
        batch_op.drop_index("ix_care_segment_level_dates")
        batch_op.drop_index("ix_care_segment_admission_start")

    op.drop_table("care_segment")
    with op.batch_alter_table("asam_assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_asam_assessment_admission_time")

    op.drop_table("asam_assessment")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_name_dob")

    op.drop_table("patient")
    op.drop_table("mrn_counter")
