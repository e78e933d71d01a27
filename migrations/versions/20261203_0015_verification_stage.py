"""a verification's stage: requested, 271 draft, confirmed or discarded; why a mismatched 271 was confirmed

A visitor's "please verify my insurance" used to look like a 271 draft and could be confirmed
empty. `benefit_verification.stage` now says what a row is; existing rows get theirs from what
they hold: confirmed when `confirmed_at` is set, a draft when it came from a 271, else a
request. `identity_271` keeps who and which payer the 271 names (compared with the record
before confirming), `mismatch_explanation` why staff confirmed one that differs, and
`discard_reason`, `discarded_by_id` and `discarded_at` who set a request or draft aside and why.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-03 19:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None

STAGES = ("requested", "draft", "confirmed", "discarded")
CHECKS = {
    "stage_matches_confirmation": "(stage = 'confirmed' AND confirmed_at IS NOT NULL) "
    "OR (stage <> 'confirmed' AND confirmed_at IS NULL)",
    "discarded_with_reason": "stage <> 'discarded' OR (discarded_at IS NOT NULL "
    "AND length(trim(coalesce(discard_reason, ''))) > 0)",
}


def upgrade():
    with op.batch_alter_table("benefit_verification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", sa.String(32), nullable=True))
        batch_op.add_column(sa.Column("identity_271", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("mismatch_explanation", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("discard_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("discarded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE benefit_verification SET stage = CASE "
        "WHEN confirmed_at IS NOT NULL THEN 'confirmed' "
        "WHEN method = 'electronic_271' THEN 'draft' ELSE 'requested' END"
    )
    with op.batch_alter_table("benefit_verification", schema=None) as batch_op:
        batch_op.alter_column("stage", existing_type=sa.String(32), nullable=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_benefit_verification_verification_stage"), "stage IN ('" + "', '".join(STAGES) + "')"
        )
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f"ck_benefit_verification_{name}"), condition)
        batch_op.create_foreign_key(
            batch_op.f("fk_benefit_verification_discarded_by_id_user_account"),
            "user_account",
            ["discarded_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("benefit_verification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_benefit_verification_discarded_by_id_user_account"), type_="foreignkey")
        for name in CHECKS:
            batch_op.drop_constraint(batch_op.f(f"ck_benefit_verification_{name}"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_benefit_verification_verification_stage"), type_="check")
        batch_op.drop_column("discarded_at")
        batch_op.drop_column("discarded_by_id")
        batch_op.drop_column("discard_reason")
        batch_op.drop_column("mismatch_explanation")
        batch_op.drop_column("identity_271")
        batch_op.drop_column("stage")
