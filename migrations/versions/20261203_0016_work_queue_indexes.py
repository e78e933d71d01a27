"""indexes for the home pages' queues and billing's search

Billing's home lists, a few rows each with a capped count: inquiries nobody is assigned to
(newest first, for every role's home), verification requests and 271 drafts waiting for
someone (oldest first), authorizations ending soon and installments falling due; billing's
search also finds a person by member id. Each list reads by keyset with exactly these keys.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 19:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UNASSIGNED = sa.text("assigned_to_id IS NULL AND merged_into_id IS NULL")
UNCONFIRMED = sa.text("confirmed_at IS NULL")


def upgrade():
    op.create_index(
        "ix_inquiry_live_unassigned_arrived",
        "inquiry",
        ["arrived_at", "id"],
        postgresql_where=UNASSIGNED,
        sqlite_where=UNASSIGNED,
    )
    op.create_index(
        "ix_benefit_verification_unconfirmed",
        "benefit_verification",
        ["created_at", "id"],
        postgresql_where=UNCONFIRMED,
        sqlite_where=UNCONFIRMED,
    )
    op.create_index("ix_authorization_end_id", "authorization", ["end_date", "id"])
    op.create_index("ix_installment_due_id", "installment", ["due_date", "id"])
    op.create_index("ix_coverage_member_id", "coverage", ["member_id"])


def downgrade():
    op.drop_index("ix_coverage_member_id", table_name="coverage")
    op.drop_index("ix_installment_due_id", table_name="installment")
    op.drop_index("ix_authorization_end_id", table_name="authorization")
    op.drop_index("ix_benefit_verification_unconfirmed", table_name="benefit_verification")
    op.drop_index("ix_inquiry_live_unassigned_arrived", table_name="inquiry")
