"""Delivering reminders, safely more than once: the body of the `send_reminders` job.

For each recipient and channel a delivery row is claimed first (`claims.py`) and committed;
only then is the message sent; its acceptance goes into the sent journal at once (`journal.py`)
and the rows of the whole batch are marked sent in one commit. A second run of the same job
finds the rows and sends nothing. Transient failures put the reminder back to pending with a backoff;
after the last try it is marked failed with a scrubbed error, for staff to see and retry.
Status changes follow `rules/reminder_lifecycle.py`; the final ones are conditional, so a
cancel made while the job ran stays cancelled.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError

from coordinator.domain.reminders import DeliveryChannel
from coordinator.extensions import db
from coordinator.models import Reminder, utcnow
from coordinator.outbox import claims, recipients
from coordinator.outbox.channels import Channel, TransientDeliveryError, channels_for, close_all
from coordinator.outbox.compose import compose
from coordinator.outbox.journal import journal_for
from coordinator.rules.reminder_lifecycle import LIFECYCLE, ReminderAction, sources, target

log = logging.getLogger("coordinator.reminders")
_APP_JOURNAL = object()  # deliver_many's default: the app's sent journal (None on a laptop)


def deliver(reminder_id: int, channels: list[Channel] | None = None) -> str:
    """Deliver one reminder if it is still wanted; returns what happened (for logs and tests)."""
    return deliver_many([reminder_id], channels)[reminder_id]


def deliver_many(reminder_ids, channels: list[Channel] | None = None, journal=_APP_JOURNAL) -> dict[int, str]:
    """Deliver a batch (one job) over one SMTP connection; each reminder stands on its own.

    Phase 1 decides and claims: reminders no longer wanted are cancelled, in-app notifications
    are written, email deliveries are claimed — one commit, so every claim is durable before
    any email leaves. Phase 2 sends each claimed email and records its acceptance in the sent
    journal at once (`journal.py`: a crash can duplicate at most the one message in flight);
    without a journal each "sent" is committed at once instead. Phase 3 marks the sent
    deliveries and closes the reminders in one commit. `journal`: the app's (None: none).
    """
    own_channels = channels is None
    channels = channels_for(current_app.config) if own_channels else channels
    journal = journal_for(current_app) if journal is _APP_JOURNAL else journal
    try:
        outcomes, plans = _decide_and_claim([int(i) for i in reminder_ids], channels, journal)
        db.session.commit()
        marks = _Marks(journal)
        failed = _send_claimed(plans, outcomes, marks)
        marks.write()
        done = [p.reminder_id for p in plans if p.reminder_id not in failed and not p.busy]
        closed = _close(done)
        for plan in plans:
            if plan.reminder_id not in failed:
                # busy: another worker holds a claim and finishes the reminder
                outcomes[plan.reminder_id] = (
                    "busy" if plan.busy else ("sent" if plan.reminder_id in closed else "cancelled")
                )
        db.session.commit()
        marks.forget()
        return outcomes
    finally:
        if own_channels:
            close_all(channels)


@dataclass
class _Plan:
    reminder_id: int
    sends: list = field(default_factory=list)  # (user, message, channel, delivery id) with a claim held
    busy: bool = False


class _Marks:
    """The batch's accepted messages: journaled one by one, written to the database together.
    Without a journal (or once Redis fails) each is written and committed at once."""

    def __init__(self, journal) -> None:
        self.journal = journal
        self.pending: list[tuple[int, object, str | None]] = []  # (delivery id, accepted at, reference)
        self.journaled: list = []

    def add(self, reminder_id: int, user, channel: Channel, delivery_id: int, reference: str | None) -> None:
        self.pending.append((delivery_id, utcnow(), reference))
        if self.journal is not None:
            key = (reminder_id, user.id, channel.name.value)
            try:
                self.journal.record(key, reference)
                self.journaled.append(key)
                return
            except RedisError as error:
                log.warning("sent journal unavailable (%s); committing each sent mark", type(error).__name__)
                self.journal = None
        self.write()
        db.session.commit()

    def write(self) -> None:
        claims.mark_sent_many(self.pending)
        self.pending = []

    def forget(self) -> None:
        if self.journal is not None and self.journaled:
            with contextlib.suppress(RedisError):  # else the entries expire (journal.TTL_SECONDS)
                self.journal.forget(self.journaled)


def _decide_and_claim(ids: list[int], channels: list[Channel], journal) -> tuple[dict[int, str], list[_Plan]]:
    """Phase 1, uncommitted: settle the reminders not to send, write in-app notifications and
    claim the emails of the rest. Returns the settled outcomes and a plan per reminder to send."""
    outcomes: dict[int, str] = {}
    plans: list[_Plan] = []
    batch = recipients.load_batch(ids)
    targets = []  # (reminder, user, message) for reminders still wanted
    for reminder_id in ids:
        reminder = batch.reminders.get(reminder_id)
        if reminder is None:
            outcomes[reminder_id] = "missing"
        elif not LIFECYCLE.allows(reminder.status, ReminderAction.DELIVER):
            outcomes[reminder_id] = reminder.status.value  # sent, cancelled or failed already
        elif resolved := recipients.resolved_because(reminder, batch):
            reminder.status = LIFECYCLE.next(reminder.status, ReminderAction.RESOLVE)
            reminder.cancelled_at, reminder.cancel_reason = utcnow(), resolved
            outcomes[reminder_id] = "cancelled"
        elif not (users := recipients.recipients(reminder, batch)):
            reminder.status = LIFECYCLE.next(reminder.status, ReminderAction.GIVE_UP)
            reminder.failed_at, reminder.last_error = utcnow(), "no active recipient"
            outcomes[reminder_id] = "failed"
        else:
            plans.append(_Plan(reminder_id))
            targets += [(reminder, user, compose(reminder, user, batch)) for user in users]
    by_id = {plan.reminder_id: plan for plan in plans}
    for channel in channels:
        if channel.name is DeliveryChannel.IN_APP:
            claims.write_in_app(targets, channel)
            continue
        claimed = claims.claim_all([(r.id, u.id) for r, u, _ in targets], channel, journal)
        for reminder, user, message in targets:
            if (reminder.id, user.id) in claimed:
                by_id[reminder.id].sends.append((user, message, channel, claimed[(reminder.id, user.id)]))
            elif claims.held_by_another(reminder.id, user.id, channel):
                by_id[reminder.id].busy = True
    return outcomes, plans


def _send_claimed(plans: list[_Plan], outcomes: dict[int, str], marks: _Marks) -> dict[int, str]:
    """Phase 2: send each claimed message and record its acceptance at once. A reminder with a
    failed send is released and retried later; returns {reminder id: error code} for those."""
    failed: dict[int, str] = {}
    server_down: str | None = None  # after a connection failure the rest of the batch waits too
    for plan in plans:
        for user, message, channel, delivery_id in plan.sends:
            if plan.reminder_id in failed or server_down:
                claims.release(plan.reminder_id, user.id, channel)
                failed.setdefault(plan.reminder_id, server_down or "")
                continue
            try:
                reference = channel.send(user, message, reminder_id=plan.reminder_id)
            except TransientDeliveryError as error:
                failed[plan.reminder_id] = error.code
                claims.release(plan.reminder_id, user.id, channel)  # nothing delivered: the next try may claim it
                if not error.code.startswith("SMTP "):
                    server_down = error.code
                continue
            marks.add(plan.reminder_id, user, channel, delivery_id, reference)
        if plan.reminder_id in failed:
            outcomes[plan.reminder_id] = _retry_later(plan.reminder_id, failed[plan.reminder_id])
    return failed


def _close(reminder_ids: list[int]) -> set[int]:
    """Mark these sent unless someone cancelled one meanwhile (a conditional update: never undo
    a cancel); returns the ids marked sent."""
    if not reminder_ids:
        return set()
    return set(
        db.session.scalars(
            sa.update(Reminder)
            .where(Reminder.id.in_(reminder_ids), Reminder.status.in_(sources(ReminderAction.DELIVER)))
            .values(status=target(ReminderAction.DELIVER), sent_at=utcnow(), last_error=None)
            .returning(Reminder.id)
            .execution_options(synchronize_session=False)
        )
    )


def _retry_later(reminder_id: int, code: str) -> str:
    """Back to pending with a backoff, or failed after the last try; commits. The row is locked
    while it is decided, so a cancel made meanwhile is never overwritten."""
    reminder = db.session.get(Reminder, reminder_id, populate_existing=True, with_for_update=True)
    if not LIFECYCLE.allows(reminder.status, ReminderAction.RETRY_LATER):
        db.session.commit()
        return reminder.status.value  # cancelled (or handled) meanwhile: leave it so
    reminder.attempts += 1
    reminder.last_error = code[:300]
    reminder.queued_at = None
    if reminder.attempts >= current_app.config["REMINDER_MAX_ATTEMPTS"]:
        reminder.status = LIFECYCLE.next(reminder.status, ReminderAction.GIVE_UP)
        reminder.failed_at = utcnow()
        log.warning("reminder %s failed after %s tries: %s", reminder.id, reminder.attempts, code)
        outcome = "failed"
    else:
        backoff = current_app.config["REMINDER_BACKOFF_SECONDS"]
        wait = backoff[min(reminder.attempts - 1, len(backoff) - 1)]
        reminder.status = LIFECYCLE.next(reminder.status, ReminderAction.RETRY_LATER)
        reminder.due_at = utcnow() + timedelta(seconds=wait)
        log.info("reminder %s will be tried again in %s s: %s", reminder.id, wait, code)
        outcome = "retrying"
    db.session.commit()
    return outcome
