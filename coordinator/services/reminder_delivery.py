"""Delivering one reminder, safely more than once: the body of the `send_reminder` job.

For each recipient and channel a delivery row is claimed first (a unique key per reminder,
user and channel) and committed; only then is the message sent, and the row is marked sent.
A second run of the same job finds the row and sends nothing. A claim left "sending" by a
worker that died is taken over after the lease (REMINDER_LEASE_SECONDS): the only window for a
duplicate is a crash after the SMTP server accepted the message and before "sent" committed.
Transient failures put the reminder back to pending with a backoff; after the last try it is
marked failed with a scrubbed error, for staff to see and retry.
"""
from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from coordinator.channels import Channel, Message, TransientDeliveryError, channels_for, close_all
from coordinator.extensions import db
from coordinator.models import FollowUpTask, Inquiry, Reminder, ReminderDelivery, Screening, User, utcnow
from coordinator.roles import Role
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.services import settings
from coordinator.vocab import DeliveryChannel, DeliveryStatus, ReminderKind, ReminderStatus

log = logging.getLogger("coordinator.reminders")
DONE = (ReminderStatus.SENT, ReminderStatus.CANCELLED, ReminderStatus.FAILED)


def deliver_many(reminder_ids) -> dict[int, str]:
    """Deliver a batch (one job), sharing one SMTP connection; each reminder stands alone."""
    channels = channels_for(current_app.config)
    try:
        return {reminder_id: deliver(reminder_id, channels) for reminder_id in reminder_ids}
    finally:
        close_all(channels)


def deliver(reminder_id: int, channels: list[Channel] | None = None) -> str:
    """Deliver the reminder if it is still wanted; returns what happened (for logs and tests)."""
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None:
        return "missing"
    if reminder.status in DONE:
        return reminder.status.value
    resolved = _resolved_because(reminder)
    if resolved:
        reminder.status, reminder.cancelled_at, reminder.cancel_reason = ReminderStatus.CANCELLED, utcnow(), resolved
        db.session.commit()
        return "cancelled"
    recipients = _recipients(reminder)
    if not recipients:
        return _fail(reminder, "no active recipient")
    own_channels = channels is None
    channels = channels_for(current_app.config) if own_channels else channels
    busy = False
    try:
        for user in recipients:
            message = compose(reminder, user)
            for channel in channels:
                if channel.name is DeliveryChannel.IN_APP:
                    _deliver_in_app(reminder.id, user, message, channel)
                    continue
                claimed = _claim(reminder.id, user.id, channel)
                # One commit makes the claim durable before sending, together with the in-app
                # notification and the previous recipient's "sent": two commits per reminder.
                db.session.commit()
                if not claimed:
                    busy = busy or _held_by_another(reminder.id, user.id, channel)
                    continue
                try:
                    reference = channel.send(user, message, reminder_id=reminder.id)
                except TransientDeliveryError as error:
                    db.session.rollback()
                    _release(reminder_id, user.id, channel)  # nothing was delivered: the next try may claim it
                    return _retry_later(reminder_id, error.code)
                _mark_sent(reminder.id, user.id, channel, reference)
    finally:
        if own_channels:
            close_all(channels)
    if busy:
        db.session.commit()  # what this run did deliver stays delivered
        return "busy"  # another worker holds a claim; it finishes the reminder
    reminder = db.session.get(Reminder, reminder_id)
    reminder.status, reminder.sent_at, reminder.last_error = ReminderStatus.SENT, utcnow(), None
    db.session.commit()
    return "sent"


# --- claims -------------------------------------------------------------------------------------

def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _claim(reminder_id: int, user_id: int, channel: Channel) -> bool:
    """Claim the right to send (the caller commits before sending); False if it was sent or is
    being sent elsewhere."""
    now = utcnow()
    insert = _insert(db.engine.dialect.name)(ReminderDelivery).values(
        reminder_id=reminder_id, user_id=user_id, channel=channel.name, status=DeliveryStatus.SENDING,
        claimed_at=now).on_conflict_do_nothing(index_elements=["reminder_id", "user_id", "channel"])
    # RETURNING, not rowcount: psycopg reports -1 rows for a single-row INSERT ... ON CONFLICT.
    inserted = db.session.execute(insert.returning(ReminderDelivery.id)).scalar() is not None
    if not inserted:
        lease = timedelta(seconds=current_app.config["REMINDER_LEASE_SECONDS"])
        # A claim left by a worker that died: take it over (at-least-once for that one message).
        inserted = db.session.execute(
            sa.update(ReminderDelivery).where(
                ReminderDelivery.reminder_id == reminder_id, ReminderDelivery.user_id == user_id,
                ReminderDelivery.channel == channel.name, ReminderDelivery.status == DeliveryStatus.SENDING,
                ReminderDelivery.claimed_at < now - lease)
            .values(claimed_at=now).returning(ReminderDelivery.id)
            .execution_options(synchronize_session=False)).scalar() is not None
    return inserted


def _held_by_another(reminder_id: int, user_id: int, channel: Channel) -> bool:
    status = db.session.scalar(sa.select(ReminderDelivery.status).where(
        ReminderDelivery.reminder_id == reminder_id, ReminderDelivery.user_id == user_id,
        ReminderDelivery.channel == channel.name))
    return status is DeliveryStatus.SENDING


def _deliver_in_app(reminder_id: int, user: User, message: Message, channel: Channel) -> None:
    """In-app is a database write: claimed, notified and marked sent in one transaction (the
    caller's next commit), so it happens exactly once."""
    claimed = db.session.execute(_insert(db.engine.dialect.name)(ReminderDelivery).values(
        reminder_id=reminder_id, user_id=user.id, channel=channel.name, status=DeliveryStatus.SENT,
        claimed_at=utcnow(), sent_at=utcnow()).on_conflict_do_nothing(
        index_elements=["reminder_id", "user_id", "channel"]).returning(ReminderDelivery.id)).scalar()
    if claimed is not None:
        reference = channel.send(user, message, reminder_id=reminder_id)
        db.session.execute(sa.update(ReminderDelivery).where(ReminderDelivery.id == claimed)
                           .values(provider_ref=reference).execution_options(synchronize_session=False))


def _release(reminder_id: int, user_id: int, channel: Channel) -> None:
    db.session.execute(sa.delete(ReminderDelivery).where(
        ReminderDelivery.reminder_id == reminder_id, ReminderDelivery.user_id == user_id,
        ReminderDelivery.channel == channel.name, ReminderDelivery.status == DeliveryStatus.SENDING)
        .execution_options(synchronize_session=False))
    db.session.commit()


def _mark_sent(reminder_id: int, user_id: int, channel: Channel, reference: str | None) -> None:
    db.session.execute(sa.update(ReminderDelivery).where(
        ReminderDelivery.reminder_id == reminder_id, ReminderDelivery.user_id == user_id,
        ReminderDelivery.channel == channel.name)
        .values(status=DeliveryStatus.SENT, sent_at=utcnow(), provider_ref=(reference or "")[:200] or None)
        .execution_options(synchronize_session=False))


def _retry_later(reminder_id: int, code: str) -> str:
    reminder = db.session.get(Reminder, reminder_id)
    reminder.attempts += 1
    reminder.last_error = code[:300]
    reminder.queued_at = None
    if reminder.attempts >= current_app.config["REMINDER_MAX_ATTEMPTS"]:
        reminder.status, reminder.failed_at = ReminderStatus.FAILED, utcnow()
        log.warning("reminder %s failed after %s tries: %s", reminder.id, reminder.attempts, code)
        outcome = "failed"
    else:
        backoff = current_app.config["REMINDER_BACKOFF_SECONDS"]
        wait = backoff[min(reminder.attempts - 1, len(backoff) - 1)]
        reminder.status, reminder.due_at = ReminderStatus.PENDING, utcnow() + timedelta(seconds=wait)
        log.info("reminder %s will be tried again in %s s: %s", reminder.id, wait, code)
        outcome = "retrying"
    db.session.commit()
    return outcome


def _fail(reminder: Reminder, code: str) -> str:
    reminder.status, reminder.failed_at, reminder.last_error = ReminderStatus.FAILED, utcnow(), code
    db.session.commit()
    return "failed"


# --- what, to whom --------------------------------------------------------------------------------

def _resolved_because(reminder: Reminder) -> str | None:
    """Why the reminder is no longer wanted, or None if it still is (checked just before sending)."""
    if reminder.kind is ReminderKind.FIRST_CONTACT_DUE:
        inquiry = db.session.get(Inquiry, reminder.inquiry_id)
        if inquiry is None or inquiry.first_contact_at is not None:
            return "first contact made"
        if inquiry.merged_into_id is not None or inquiry.status not in (InquiryStatus.NEW, InquiryStatus.CONTACTED):
            return f"inquiry {inquiry.status.label.lower()}"
    if reminder.kind in (ReminderKind.TASK_DUE, ReminderKind.TASK_OVERDUE):
        task = db.session.get(FollowUpTask, reminder.task_id)
        if task is None or task.completed_at is not None:
            return "task done"
        overdue_at = task.due_at + timedelta(minutes=current_app.config["TASK_OVERDUE_MINUTES"])
        if reminder.kind is ReminderKind.TASK_DUE and utcnow() >= overdue_at:
            return "superseded by the overdue reminder"  # caught up late: say it once
    return None


def _active(users) -> list[User]:
    return [u for u in users if u is not None and u.is_active]


def _recipients(reminder: Reminder) -> list[User]:
    if reminder.recipient_user_id is not None:
        return _active([db.session.get(User, reminder.recipient_user_id)])
    if reminder.kind is ReminderKind.FIRST_CONTACT_DUE:
        inquiry = db.session.get(Inquiry, reminder.inquiry_id)
        assignee = db.session.get(User, inquiry.assigned_to_id) if inquiry.assigned_to_id else None
        if assignee is not None and assignee.is_active:
            return [assignee]
        return _users_in_role(Role.ADMISSIONS)  # unassigned: the whole admissions desk
    if reminder.kind is ReminderKind.SAFETY_FLAG:
        return clinical_leads()
    return []


def _users_in_role(role: Role) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.role == role, User.is_active.is_(True))
                                   .order_by(User.id)))


def clinical_leads() -> list[User]:
    """The admin-chosen clinical lead (a user, else everyone in a role; clinicians by default)."""
    user_id = settings.get_value(settings.CLINICAL_LEAD_USER)
    if user_id and user_id.isdecimal():
        user = db.session.get(User, int(user_id))
        if user is not None and user.is_active:
            return [user]
    role = settings.get_value(settings.CLINICAL_LEAD_ROLE) or Role.CLINICIAN.value
    users = _users_in_role(Role(role)) if role in Role._value2member_map_ else []
    return users or _users_in_role(Role.ADMIN)


def compose(reminder: Reminder, user: User) -> Message:
    """The words of a reminder. Neither the email nor the in-app text names a patient, drug,
    program, result or free text staff typed (a task title may hold anything): a neutral
    sentence and a link, behind which access is checked."""
    kind = reminder.kind
    if kind is ReminderKind.FIRST_CONTACT_DUE:
        return Message("Coordinator: an inquiry is waiting for first contact",
                       f"Inquiry #{reminder.inquiry_id} has not been contacted yet. Please open it in Coordinator.",
                       "Inquiry waiting for first contact", f"Inquiry #{reminder.inquiry_id} has not been contacted yet.",
                       f"/inquiries/{reminder.inquiry_id}")
    if kind in (ReminderKind.TASK_DUE, ReminderKind.TASK_OVERDUE):
        task = db.session.get(FollowUpTask, reminder.task_id)
        word = "due" if kind is ReminderKind.TASK_DUE else "overdue"
        return Message(f"Coordinator: a follow-up task is {word}",
                       f"A follow-up task assigned to you is {word}. Please open it in Coordinator.",
                       f"Task {word}", f"A follow-up task is {word} (inquiry #{task.inquiry_id}).",
                       f"/inquiries/{task.inquiry_id}")
    if kind is ReminderKind.SAFETY_FLAG:
        screening = db.session.get(Screening, reminder.screening_id)
        return Message("Coordinator: a result needs same-day review",
                       "A screening result needs a clinician's review today. Please open it in Coordinator.",
                       "Same-day clinical review needed",
                       f"A screening on inquiry #{screening.inquiry_id} needs same-day clinical review.",
                       f"/screening/inquiry/{screening.inquiry_id}/{screening.id}")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpTask).where(
        FollowUpTask.assigned_to_id == user.id, FollowUpTask.completed_at.is_(None),
        FollowUpTask.due_at < utcnow()))
    return Message("Coordinator: your overdue tasks",
                   f"You have {count} overdue follow-up task{'s' if count != 1 else ''}. Please open Coordinator.",
                   "Overdue tasks", f"You have {count} overdue follow-up task{'s' if count != 1 else ''}.", "/")
