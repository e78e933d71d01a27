"""Delivering reminders, safely more than once: the body of the `send_reminders` job.

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
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from coordinator.channels import Channel, Message, TransientDeliveryError, channels_for, close_all
from coordinator.domain.reminders import DeliveryChannel, DeliveryStatus, ReminderKind
from coordinator.extensions import db
from coordinator.models import (
    Authorization,
    FollowUpTask,
    Inquiry,
    Installment,
    Reminder,
    ReminderDelivery,
    Screening,
    User,
    utcnow,
)
from coordinator.roles import Role
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.rules.reminder_lifecycle import ReminderStatus
from coordinator.services import plan_status, reminders, settings

log = logging.getLogger("coordinator.reminders")
DONE = (ReminderStatus.SENT, ReminderStatus.CANCELLED, ReminderStatus.FAILED)


def deliver(reminder_id: int, channels: list[Channel] | None = None) -> str:
    """Deliver one reminder if it is still wanted; returns what happened (for logs and tests)."""
    return deliver_many([reminder_id], channels)[reminder_id]


def deliver_many(reminder_ids, channels: list[Channel] | None = None) -> dict[int, str]:
    """Deliver a batch (one job) over one SMTP connection; each reminder stands on its own.

    Phase 1 decides and claims: reminders no longer wanted are cancelled, in-app notifications
    are written, email deliveries are claimed — one commit, so every claim is durable before
    any email leaves. Phase 2 sends each claimed email and commits its "sent" at once (a crash
    can duplicate at most the one message in flight). Phase 3 closes the reminders.
    """
    own_channels = channels is None
    channels = channels_for(current_app.config) if own_channels else channels
    ids = [int(i) for i in reminder_ids]
    outcomes: dict[int, str] = {}
    plans: list[_Plan] = []
    try:
        reminders = _load(ids)
        targets = []  # (reminder, user, message) for reminders still wanted
        for reminder_id in ids:
            reminder = reminders.get(reminder_id)
            if reminder is None:
                outcomes[reminder_id] = "missing"
            elif reminder.status in DONE:
                outcomes[reminder_id] = reminder.status.value
            elif resolved := _resolved_because(reminder):
                reminder.status, reminder.cancelled_at = ReminderStatus.CANCELLED, utcnow()
                reminder.cancel_reason = resolved
                outcomes[reminder_id] = "cancelled"
            elif not (recipients := _recipients(reminder)):
                reminder.status, reminder.failed_at = ReminderStatus.FAILED, utcnow()
                reminder.last_error = "no active recipient"
                outcomes[reminder_id] = "failed"
            else:
                plans.append(_Plan(reminder_id))
                targets += [(reminder, user, compose(reminder, user)) for user in recipients]
        by_id = {plan.reminder_id: plan for plan in plans}
        for channel in channels:
            if channel.name is DeliveryChannel.IN_APP:
                _deliver_in_app(targets, channel)
                continue
            claimed = _claim_all([(r.id, u.id) for r, u, _ in targets], channel)
            for reminder, user, message in targets:
                if (reminder.id, user.id) in claimed:
                    by_id[reminder.id].sends.append((user, message, channel))
                elif _held_by_another(reminder.id, user.id, channel):
                    by_id[reminder.id].busy = True
        db.session.commit()
        failed: dict[int, str] = {}
        server_down: str | None = None  # after a connection failure the rest of the batch waits too
        for plan in plans:
            for user, message, channel in plan.sends:
                if plan.reminder_id in failed or server_down:
                    _release(plan.reminder_id, user.id, channel)
                    failed.setdefault(plan.reminder_id, server_down or "")
                    continue
                try:
                    reference = channel.send(user, message, reminder_id=plan.reminder_id)
                except TransientDeliveryError as error:
                    db.session.rollback()
                    failed[plan.reminder_id] = error.code
                    _release(plan.reminder_id, user.id, channel)  # nothing delivered: the next try may claim it
                    if not error.code.startswith("SMTP "):
                        server_down = error.code
                    continue
                _mark_sent(plan.reminder_id, user.id, channel, reference)
                db.session.commit()
            if plan.reminder_id in failed:
                outcomes[plan.reminder_id] = _retry_later(plan.reminder_id, failed[plan.reminder_id])
        for plan in plans:
            if plan.reminder_id not in failed:
                # busy: another worker holds a claim and finishes the reminder
                outcomes[plan.reminder_id] = "busy" if plan.busy else _close(plan.reminder_id)
        db.session.commit()
        return outcomes
    finally:
        if own_channels:
            close_all(channels)


@dataclass
class _Plan:
    reminder_id: int
    sends: list = field(default_factory=list)  # (user, message, channel) with a claim held
    busy: bool = False


def _load(ids: list[int]) -> dict[int, Reminder]:
    """The batch's reminders, with the inquiries, tasks and users they need, in four queries."""
    reminders = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Reminder).where(Reminder.id.in_(ids)).execution_options(populate_existing=True)
        )
    }
    inquiry_ids = {r.inquiry_id for r in reminders.values() if r.inquiry_id}
    task_ids = {r.task_id for r in reminders.values() if r.task_id}
    inquiries = list(db.session.scalars(sa.select(Inquiry).where(Inquiry.id.in_(inquiry_ids)))) if inquiry_ids else []
    if task_ids:
        list(db.session.scalars(sa.select(FollowUpTask).where(FollowUpTask.id.in_(task_ids))))
    user_ids = {r.recipient_user_id for r in reminders.values() if r.recipient_user_id}
    user_ids |= {i.assigned_to_id for i in inquiries if i.assigned_to_id}
    if user_ids:
        list(db.session.scalars(sa.select(User).where(User.id.in_(user_ids))))
    return reminders  # the rest sits in the session's identity map for db.session.get()


# --- claims -------------------------------------------------------------------------------------


def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _claim_all(pairs: list[tuple[int, int]], channel: Channel) -> set[tuple[int, int]]:
    """Claim the right to send for (reminder, user) pairs in one statement (the caller commits
    before sending); a pair missing from the result was sent, or is being sent, elsewhere."""
    if not pairs:
        return set()
    now = utcnow()
    rows = [
        {"reminder_id": r, "user_id": u, "channel": channel.name, "status": DeliveryStatus.SENDING, "claimed_at": now}
        for r, u in pairs
    ]
    insert = (
        _insert(db.engine.dialect.name)(ReminderDelivery)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["reminder_id", "user_id", "channel"])
    )
    claimed = {
        tuple(row)
        for row in db.session.execute(insert.returning(ReminderDelivery.reminder_id, ReminderDelivery.user_id))
    }
    lease = timedelta(seconds=current_app.config["REMINDER_LEASE_SECONDS"])
    for reminder_id, user_id in set(pairs) - claimed:
        # A claim left by a worker that died: take it over (at-least-once for that one message).
        taken = db.session.execute(
            sa.update(ReminderDelivery)
            .where(
                ReminderDelivery.reminder_id == reminder_id,
                ReminderDelivery.user_id == user_id,
                ReminderDelivery.channel == channel.name,
                ReminderDelivery.status == DeliveryStatus.SENDING,
                ReminderDelivery.claimed_at < now - lease,
            )
            .values(claimed_at=now)
            .returning(ReminderDelivery.id)
            .execution_options(synchronize_session=False)
        ).scalar()
        if taken is not None:
            claimed.add((reminder_id, user_id))
    return claimed


def _claim(reminder_id: int, user_id: int, channel: Channel) -> bool:
    return (reminder_id, user_id) in _claim_all([(reminder_id, user_id)], channel)


def _held_by_another(reminder_id: int, user_id: int, channel: Channel) -> bool:
    status = db.session.scalar(
        sa.select(ReminderDelivery.status).where(
            ReminderDelivery.reminder_id == reminder_id,
            ReminderDelivery.user_id == user_id,
            ReminderDelivery.channel == channel.name,
        )
    )
    return status is DeliveryStatus.SENDING


def _deliver_in_app(targets: list, channel) -> None:
    """In-app is a database write: delivery rows (as sent) and notifications go in the same
    transaction as the batch's claims, so each happens exactly once."""
    if not targets:
        return
    now = utcnow()
    rows = [
        {
            "reminder_id": r.id,
            "user_id": u.id,
            "channel": channel.name,
            "status": DeliveryStatus.SENT,
            "claimed_at": now,
            "sent_at": now,
        }
        for r, u, _ in targets
    ]
    fresh = {
        tuple(row)
        for row in db.session.execute(
            _insert(db.engine.dialect.name)(ReminderDelivery)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["reminder_id", "user_id", "channel"])
            .returning(ReminderDelivery.reminder_id, ReminderDelivery.user_id)
        )
    }
    channel.send_many([(u, m, r.id) for r, u, m in targets if (r.id, u.id) in fresh])


def _release(reminder_id: int, user_id: int, channel: Channel) -> None:
    db.session.execute(
        sa.delete(ReminderDelivery)
        .where(
            ReminderDelivery.reminder_id == reminder_id,
            ReminderDelivery.user_id == user_id,
            ReminderDelivery.channel == channel.name,
            ReminderDelivery.status == DeliveryStatus.SENDING,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _mark_sent(reminder_id: int, user_id: int, channel: Channel, reference: str | None) -> None:
    db.session.execute(
        sa.update(ReminderDelivery)
        .where(
            ReminderDelivery.reminder_id == reminder_id,
            ReminderDelivery.user_id == user_id,
            ReminderDelivery.channel == channel.name,
        )
        .values(status=DeliveryStatus.SENT, sent_at=utcnow(), provider_ref=(reference or "")[:200] or None)
        .execution_options(synchronize_session=False)
    )


def _close(reminder_id: int) -> str:
    """Mark sent unless someone cancelled it meanwhile (a conditional update: never undo a cancel)."""
    done = db.session.execute(
        sa.update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status.in_((ReminderStatus.QUEUED, ReminderStatus.PENDING)))
        .values(status=ReminderStatus.SENT, sent_at=utcnow(), last_error=None)
        .returning(Reminder.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    return "sent" if done is not None else "cancelled"


def _retry_later(reminder_id: int, code: str) -> str:
    reminder = db.session.get(Reminder, reminder_id, populate_existing=True)
    if reminder.status not in (ReminderStatus.QUEUED, ReminderStatus.PENDING):
        db.session.commit()
        return reminder.status.value  # cancelled (or handled) meanwhile: leave it so
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


# --- what, to whom --------------------------------------------------------------------------------


def _resolved_because(reminder: Reminder) -> str | None:
    """Why the reminder is no longer wanted, or None if it still is (checked just before sending)."""
    if reminder.kind is ReminderKind.FIRST_CONTACT_DUE:
        inquiry = db.session.get(Inquiry, reminder.inquiry_id)
        if inquiry is None or inquiry.first_contact_at is not None:
            return "first contact made"
        if inquiry.merged_into_id is not None or inquiry.status not in (InquiryStatus.NEW, InquiryStatus.CONTACTED):
            return f"inquiry {inquiry.status.label.lower()}"
    if reminder.kind is ReminderKind.DAILY_DIGEST and not _overdue_count(reminder.recipient_user_id):
        return "no overdue tasks any more"
    if reminder.kind in (ReminderKind.TASK_DUE, ReminderKind.TASK_OVERDUE):
        task = db.session.get(FollowUpTask, reminder.task_id)
        if task is None or task.completed_at is not None:
            return "task done"
        overdue_at = task.due_at + timedelta(minutes=current_app.config["TASK_OVERDUE_MINUTES"])
        if reminder.kind is ReminderKind.TASK_DUE and utcnow() >= overdue_at:
            return "superseded by the overdue reminder"  # caught up late: say it once
    if reminder.kind in (ReminderKind.AUTH_REVIEW_DUE, ReminderKind.AUTH_ENDING):
        return _authorization_resolved(reminder)
    if reminder.kind is ReminderKind.INSTALLMENT_OVERDUE:
        installment = db.session.get(Installment, reminder.installment_id)
        if installment is None or not plan_status.installment_unpaid(installment):
            return "installment paid or plan cancelled"
    return None


def _authorization_resolved(reminder: Reminder) -> str | None:
    auth = db.session.get(Authorization, reminder.authorization_id)
    if auth is None:
        return "authorization gone"
    if reminder.kind is ReminderKind.AUTH_REVIEW_DUE and auth.status not in reminders.REVIEWED_AUTHORIZATIONS:
        return f"authorization {auth.status.label.lower()}"
    if reminder.kind is ReminderKind.AUTH_ENDING and auth.status not in reminders.GRANTED_AUTHORIZATIONS:
        return f"authorization {auth.status.label.lower()}"
    return None


def _active(users) -> list[User]:
    return [u for u in users if u is not None and u.is_active]


def _recipients(reminder: Reminder) -> list[User]:
    """Who gets the reminder. For a restricted inquiry only people who may open it: its
    assignee and administrators (never the whole desk, never a link to break the glass)."""
    users = _candidates(reminder)
    inquiry = db.session.get(Inquiry, reminder.inquiry_id) if reminder.inquiry_id else None
    if inquiry is not None and inquiry.is_restricted:
        users = [u for u in users if u.role is Role.ADMIN or u.id == inquiry.assigned_to_id]
        if not users:
            assignee = db.session.get(User, inquiry.assigned_to_id) if inquiry.assigned_to_id else None
            users = _active([assignee]) or _users_in_role(Role.ADMIN)
    return users


def _candidates(reminder: Reminder) -> list[User]:
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
    if reminder.kind in BILLING_KINDS:
        return _users_in_role(Role.BILLING) or _users_in_role(Role.ADMIN)
    return []


BILLING_KINDS = (ReminderKind.AUTH_REVIEW_DUE, ReminderKind.AUTH_ENDING, ReminderKind.INSTALLMENT_OVERDUE)


def _users_in_role(role: Role) -> list[User]:
    return list(
        db.session.scalars(sa.select(User).where(User.role == role, User.is_active.is_(True)).order_by(User.id))
    )


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


def _overdue_count(user_id: int | None) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(FollowUpTask)
        .where(
            FollowUpTask.assigned_to_id == user_id, FollowUpTask.completed_at.is_(None), FollowUpTask.due_at < utcnow()
        )
    )


def compose(reminder: Reminder, user: User) -> Message:
    """The words of a reminder. Neither the email nor the in-app text names a patient, drug,
    program, result or free text staff typed (a task title may hold anything): a neutral
    sentence and a link, behind which access is checked."""
    kind = reminder.kind
    if kind is ReminderKind.FIRST_CONTACT_DUE:
        return Message(
            "Coordinator: an inquiry is waiting for first contact",
            f"Inquiry #{reminder.inquiry_id} has not been contacted yet. Please open it in Coordinator.",
            "Inquiry waiting for first contact",
            f"Inquiry #{reminder.inquiry_id} has not been contacted yet.",
            f"/inquiries/{reminder.inquiry_id}",
        )
    if kind in (ReminderKind.TASK_DUE, ReminderKind.TASK_OVERDUE):
        task = db.session.get(FollowUpTask, reminder.task_id)
        word = "due" if kind is ReminderKind.TASK_DUE else "overdue"
        return Message(
            f"Coordinator: a follow-up task is {word}",
            f"A follow-up task assigned to you is {word}. Please open it in Coordinator.",
            f"Task {word}",
            f"A follow-up task is {word} (inquiry #{task.inquiry_id}).",
            f"/inquiries/{task.inquiry_id}",
        )
    if kind is ReminderKind.SAFETY_FLAG:
        screening = db.session.get(Screening, reminder.screening_id)
        return Message(
            "Coordinator: a result needs same-day review",
            "A screening result needs a clinician's review today. Please open it in Coordinator.",
            "Same-day clinical review needed",
            f"A screening on inquiry #{screening.inquiry_id} needs same-day clinical review.",
            f"/screening/inquiry/{screening.inquiry_id}/{screening.id}",
        )
    if kind in BILLING_KINDS:
        return _compose_billing(reminder)
    count = _overdue_count(user.id)
    return Message(
        "Coordinator: your overdue tasks",
        f"You have {count} overdue follow-up task{'s' if count != 1 else ''}. Please open Coordinator.",
        "Overdue tasks",
        f"You have {count} overdue follow-up task{'s' if count != 1 else ''}.",
        "/",
    )


_BILLING_WORDS = {
    ReminderKind.AUTH_REVIEW_DUE: (
        "an authorization review is coming up",
        "Authorization review coming up",
        "has an authorization due for review soon",
    ),
    ReminderKind.AUTH_ENDING: (
        "an authorization's last covered day is near",
        "Authorization ending soon",
        "has an authorization whose last covered day is near",
    ),
    ReminderKind.INSTALLMENT_OVERDUE: (
        "an installment is overdue",
        "Installment overdue",
        "has a payment-plan installment past its due date",
    ),
}


def _compose_billing(reminder: Reminder) -> Message:
    """Billing reminders name the inquiry number only: no payer, amount, program or patient."""
    subject, title, phrase = _BILLING_WORDS[reminder.kind]
    number = reminder.inquiry_id
    return Message(
        f"Coordinator: {subject}",
        f"Inquiry #{number} {phrase}. Please open it in Coordinator.",
        title,
        f"Inquiry #{number} {phrase}.",
        f"/finance/inquiry/{number}",
    )
