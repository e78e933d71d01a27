"""patient list indexes; the patient's own restriction, changed with a reason, no longer copied

The patient's own restriction flag was copied from the admitting inquiry, so lifting the
inquiry's restriction left the patient restricted with no way to lower it. The guard
(`patient_access`) already restricts a patient while any inquiry that admitted them is
restricted, so the own flag now means only "restricted on the patient page": it is cleared here
(nothing could set it any other way), and gets its reason, who and when. Downgrade copies the
inquiries' flags back, as the earlier code did.

The patient list (`services/patient_list.py`) reads the patients a reader may open
`ORDER BY name_key, id` a page at a time by keyset pagination: `ix_patient_name_id` has
exactly those keys. Substring search on the (accent-blind) name key uses a pg_trgm GIN index
on PostgreSQL, a plain index under the same name on SQLite (as migration 0012 does for
inquiries). Patients the reader may not open come after the others by primary key.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 20:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("restriction_reason", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("restriction_changed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("restriction_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_patient_restriction_changed_by_id_user_account"),
            "user_account",
            ["restriction_changed_by_id"],
            ["id"],
        )
    op.execute("UPDATE patient SET is_restricted = false")
    op.create_index("ix_patient_name_id", "patient", ["name_key", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_patient_name_key_trgm",
            "patient",
            ["name_key"],
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
        )
    else:
        op.create_index("ix_patient_name_key_trgm", "patient", ["name_key"])


def downgrade():
    op.execute(
        "UPDATE patient SET is_restricted = true WHERE is_restricted = false AND EXISTS ("
        "SELECT 1 FROM admission a JOIN inquiry i ON i.id = a.inquiry_id"
        " WHERE a.patient_id = patient.id AND i.is_restricted)"
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_patient_restriction_changed_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("restriction_changed_at")
        batch_op.drop_column("restriction_changed_by_id")
        batch_op.drop_column("restriction_reason")
    op.drop_index("ix_patient_name_key_trgm", table_name="patient")
    op.drop_index("ix_patient_name_id", table_name="patient")
