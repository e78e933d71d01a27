"""member ids and group numbers without white space, however they came in

Coverages from the web form and the API kept the spaces a visitor typed ("XQY 123456-789") while
staff-entered ones were stored compact; a 271 carries the compact id, so those coverages showed a
false "member id mismatch" and their 270 carried the spaced id. Every way in now stores the
compact form (contracts/values.identifier); this rewrites the rows stored before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 15:00:00

"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

coverage = sa.table("coverage", sa.column("id", sa.Integer), sa.column("member_id"), sa.column("group_number"))
WHITE_SPACE = re.compile(r"\s+")


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(coverage.c.id, coverage.c.member_id, coverage.c.group_number)).all()
    for row in rows:
        member_id = WHITE_SPACE.sub("", row.member_id) if row.member_id else row.member_id
        group_number = WHITE_SPACE.sub("", row.group_number) if row.group_number else row.group_number
        if (member_id, group_number) != (row.member_id, row.group_number):
            connection.execute(
                coverage.update()
                .where(coverage.c.id == row.id)
                .values(member_id=member_id or None, group_number=group_number or None)
            )


def downgrade():
    # Where the spaces were is not kept; the compact ids are right for every release.
    pass
