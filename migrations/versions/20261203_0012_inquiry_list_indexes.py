"""indexes for the inquiry list: one per order (partial: merged rows are never listed), trigram search

The audit log pages by (occurred_at, id) and the reminders list by (due_at, id): an index each.

The list reads `WHERE merged_into_id IS NULL ORDER BY <sort keys>, id` a page at a time by
keyset (seek) pagination; each order gets a partial index with exactly those keys, so a page
costs the same at 2,000 or 200,000 inquiries. Substring search (`LIKE '%term%'`) on names,
emails and phone digits uses pg_trgm GIN indexes on PostgreSQL (a trusted extension: the
migration owner may create it). SQLite, for laptops, gets plain indexes under the same names
and keeps searching with LIKE.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

LIVE = sa.text("merged_into_id IS NULL")
ORDERS = {
    "ix_inquiry_live_arrived": ["arrived_at", "id"],
    "ix_inquiry_live_status_arrived": ["status", "arrived_at", "id"],
    "ix_inquiry_live_moved": ["status_changed_at", "id"],
    "ix_inquiry_live_name": ["patient_name_key", "id"],
}
# The restricted rows a reader may not see come after the others as one block by number.
RESTRICTED = sa.text("is_restricted AND merged_into_id IS NULL")
SEARCHED = (
    "patient_name_key",
    "caller_name_key",
    "patient_email_key",
    "caller_email_key",
    "patient_phone_digits",
    "caller_phone_digits",
)


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, columns in ORDERS.items():
        op.create_index(name, "inquiry", columns, postgresql_where=LIVE, sqlite_where=LIVE)
    op.create_index(
        "ix_inquiry_live_restricted", "inquiry", ["id"], postgresql_where=RESTRICTED, sqlite_where=RESTRICTED
    )
    op.create_index("ix_audit_event_occurred_id", "audit_event", ["occurred_at", "id"])
    op.create_index("ix_reminder_due_id", "reminder", ["due_at", "id"])
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        if postgresql:
            op.create_index(
                f"ix_inquiry_{column}_trgm",
                "inquiry",
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
        else:
            op.create_index(f"ix_inquiry_{column}_trgm", "inquiry", [column])


def downgrade():
    for column in SEARCHED:
        op.drop_index(f"ix_inquiry_{column}_trgm", table_name="inquiry")
    op.drop_index("ix_inquiry_live_restricted", table_name="inquiry")
    op.drop_index("ix_audit_event_occurred_id", table_name="audit_event")
    op.drop_index("ix_reminder_due_id", table_name="reminder")
    for name in ORDERS:
        op.drop_index(name, table_name="inquiry")
    # pg_trgm stays: other objects may use it, and dropping an extension is an owner's decision.
