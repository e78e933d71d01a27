"""The append-only audit log (HIPAA 164.312(b)): who read or changed what, and when."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.models.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """One audited action. Never updated or deleted: database triggers refuse it.

    `detail` is a short, human-readable note with no clinical values in it (no doses,
    scores, diagnoses): the log says *that* a record was read or changed, not what it holds.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_entity", "entity_type", "entity_id", "occurred_at"),
        sa.Index("ix_audit_event_actor", "actor_user_id", "occurred_at"),
        sa.Index("ix_audit_event_occurred_id", "occurred_at", "id"),  # the log's keyset pages (0011)
        sa.CheckConstraint("length(action) > 0", name="action_not_blank"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A staff user, or none for anonymous and system actors (then actor_label says who).
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(64))
    entity_type: Mapped[str | None] = mapped_column(sa.String(64))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    detail: Mapped[str | None] = mapped_column(sa.String(500))
