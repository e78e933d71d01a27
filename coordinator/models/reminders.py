"""Reminders as data: the outbox rows, their deliveries, in-app notifications and settings.

A reminder row is written in the same transaction as the change that makes it due; the relay
hands due rows to workers; a delivery row per (reminder, recipient, channel) is claimed before
sending, so a job that runs twice never sends twice.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.domain.reminders import DeliveryChannel, DeliveryStatus, ReminderKind
from coordinator.models.base import Base, UTCDateTime, str_enum, utcnow
from coordinator.models.users import User
from coordinator.rules.reminder_lifecycle import ReminderStatus


class Reminder(Base):
    __tablename__ = "reminder"
    __table_args__ = (
        sa.Index("ix_reminder_status_due", "status", "due_at"),
        sa.Index("ix_reminder_due_id", "due_at", "id"),  # the admins' list's keyset pages (0011)
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReminderKind] = mapped_column(str_enum(ReminderKind, "reminder_kind"))
    status: Mapped[ReminderStatus] = mapped_column(
        str_enum(ReminderStatus, "reminder_status"), default=ReminderStatus.PENDING
    )
    # One reminder per fact: e.g. "first-contact-<inquiry>", "task-due-<task>-<due epoch>".
    dedupe_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    inquiry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inquiry.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("follow_up_task.id"), index=True)
    screening_id: Mapped[int | None] = mapped_column(sa.ForeignKey("screening.id"))
    recipient_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    authorization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorization.id"), index=True)
    installment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("installment.id"), index=True)
    break_glass_id: Mapped[int | None] = mapped_column(sa.ForeignKey("break_glass_access.id"))
    waitlist_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("waitlist_entry.id"))
    # The episode of care a level-of-care reminder is about (migration 0021).
    admission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("admission.id"), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The RQ job it was handed to: the relay re-queues it at once when that job is lost.
    job_id: Mapped[str | None] = mapped_column(sa.String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(120))
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Reminder {self.id} {self.kind} {self.status}>"


class ReminderDelivery(Base):
    """One reminder to one person through one channel; the unique key is the idempotency key."""

    __tablename__ = "reminder_delivery"
    __table_args__ = (sa.UniqueConstraint("reminder_id", "user_id", "channel", name="uq_reminder_delivery_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(sa.ForeignKey("reminder.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    channel: Mapped[DeliveryChannel] = mapped_column(str_enum(DeliveryChannel, "delivery_channel"))
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "delivery_status"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_ref: Mapped[str | None] = mapped_column(sa.String(200))


class Notification(Base):
    """An in-app notification: the bell in the navigation bar."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("reminder_id", "user_id", name="uq_notification_reminder_user"),
        sa.Index("ix_notification_user_unread", "user_id", "read_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    reminder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reminder.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.String(500))
    link: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AppSetting(Base):
    """Settings administrators change at run time (e.g. who is the clinical lead)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str | None] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    updated_by: Mapped[User | None] = relationship(lazy="raise")
