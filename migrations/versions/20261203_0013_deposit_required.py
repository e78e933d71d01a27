"""the deposit a quote asks for, from the fee schedule (an amount or a share of the first month)

Any deposit used to clear a private-pay patient, even 1 THB. A fee schedule now states the
deposit (an amount, or a percent of the first month's fee), a quote copies it (or the amount
typed on the quote), and financial clearance compares the deposits kept against it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


FEE_CHECKS = {
    "one_deposit_rule": "deposit_amount IS NULL OR deposit_percent IS NULL",
    "deposit_amount_positive": "deposit_amount IS NULL OR deposit_amount > 0",
    "deposit_percent_range": "deposit_percent IS NULL OR (deposit_percent > 0 AND deposit_percent <= 100)",
}


def upgrade():
    # Batch mode: SQLite (laptops, the migration test) cannot add a CHECK constraint in place.
    with op.batch_alter_table("fee_schedule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deposit_amount", sa.Numeric(18, 4), nullable=True))
        batch_op.add_column(sa.Column("deposit_percent", sa.Numeric(5, 2), nullable=True))
        for name, condition in FEE_CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f"ck_fee_schedule_{name}"), condition)
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deposit_required", sa.Numeric(18, 4), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_quote_deposit_required_positive"), "deposit_required IS NULL OR deposit_required > 0"
        )


def downgrade():
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_quote_deposit_required_positive"), type_="check")
        batch_op.drop_column("deposit_required")
    with op.batch_alter_table("fee_schedule", schema=None) as batch_op:
        for name in FEE_CHECKS:
            batch_op.drop_constraint(batch_op.f(f"ck_fee_schedule_{name}"), type_="check")
        batch_op.drop_column("deposit_percent")
        batch_op.drop_column("deposit_amount")
