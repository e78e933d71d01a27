"""API clients: the provider's website and referral partners calling /api/v1 with a key."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.models.base import Base, UTCDateTime, utcnow


class ApiClient(Base):
    """One caller of the API. The key is shown once; we keep its prefix (to find the row) and
    a SHA-256 of the whole key (keys are 32 random bytes, so a slow hash adds nothing)."""

    __tablename__ = "api_client"
    __table_args__ = (sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    key_prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # May read an episode's current level of care (the clinic's own systems; off for a website
    # or a referral partner). Set by an administrator when the key is issued (migration 0021).
    reads_episodes: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
