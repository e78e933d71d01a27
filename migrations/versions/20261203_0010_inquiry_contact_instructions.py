"""free-text contact instructions on an inquiry ("please text, don't call at work")

What a caller asks about being reached had nowhere to go but the presenting concerns, where a
merge or an edit could lose it. It gets its own column, shown beside the contact details and
kept (both texts) when two inquiries are merged.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 16:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("inquiry", sa.Column("contact_instructions", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("inquiry", "contact_instructions")
