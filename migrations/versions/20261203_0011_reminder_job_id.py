"""the RQ job a queued reminder was handed to

The relay re-queues a reminder at once when its job no longer exists in Redis (a restart
without persistence, a flush, a fail-over) or when RQ failed, stopped or abandoned it, instead
of waiting for the lease (issue 18).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("reminder", sa.Column("job_id", sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column("reminder", "job_id")
