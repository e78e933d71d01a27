"""Delivery rows: the right to send one reminder to one person through one channel.

A row (unique per reminder, user and channel) is inserted as "sending" with ON CONFLICT DO
NOTHING and committed before the message goes out; a second run of the same job finds it and
sends nothing. The row becomes "sent" once the channel accepted the message, or is deleted
(released) when nothing was delivered, so the next try may claim it. A claim left "sending" by
a job the relay saw die is deleted by the relay (`outbox/relay.py`); any other is taken over
after the lease (REMINDER_LEASE_SECONDS). Either way the sent journal (`journal.py`) is read
first: a message it records as accepted is marked sent, never handed to another try. The only
window for a duplicate is a crash after the SMTP server accepted the message and before its
journal entry (or, without Redis, its "sent" commit) was written: one call, straight after.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy.dialects import postgresql, sqlite

from coordinator.domain.reminders import DeliveryStatus
from coordinator.extensions import db
from coordinator.models import ReminderDelivery, utcnow
from coordinator.outbox.channels import Channel
from coordinator.outbox.journal import SentJournal, journal_for

log = logging.getLogger("coordinator.reminders")


def _insert():
    return postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert


_DELIVERY = ReminderDelivery.__table__


def _claim_insert():
    """INSERT ... ON CONFLICT DO NOTHING of delivery rows, run with a list of rows: one statement
    on the wire (SQLAlchemy's insertmanyvalues), compiled once and cached, unlike a VALUES
    list built per batch (which cost a compile, ~1.5 ms a reminder, every time)."""
    return _insert()(_DELIVERY).on_conflict_do_nothing(index_elements=["reminder_id", "user_id", "channel"])


def _target(reminder_id: int, user_id: int, channel: Channel):
    return sa.and_(
        ReminderDelivery.reminder_id == reminder_id,
        ReminderDelivery.user_id == user_id,
        ReminderDelivery.channel == channel.name,
    )


def claim_all(
    pairs: list[tuple[int, int]], channel: Channel, journal: SentJournal | None = None
) -> dict[tuple[int, int], int]:
    """Claim the right to send for (reminder, user) pairs in one statement (the caller commits
    before sending); returns {pair: delivery id} for those claimed. A pair missing from the
    result was sent, or is being sent, elsewhere. `journal`: the app's by default."""
    if not pairs:
        return {}
    now = utcnow()
    rows = [
        {"reminder_id": r, "user_id": u, "channel": channel.name, "status": DeliveryStatus.SENDING, "claimed_at": now}
        for r, u in pairs
    ]
    claimed = {
        (row.reminder_id, row.user_id): row.id
        for row in db.session.execute(
            _claim_insert().returning(_DELIVERY.c.id, _DELIVERY.c.reminder_id, _DELIVERY.c.user_id), rows
        )
    }
    others = sorted(set(pairs) - set(claimed))
    if not others:
        return claimed
    lease = timedelta(seconds=current_app.config["REMINDER_LEASE_SECONDS"])
    stale = db.session.execute(
        sa.select(ReminderDelivery.id, ReminderDelivery.reminder_id, ReminderDelivery.user_id).where(
            sa.tuple_(ReminderDelivery.reminder_id, ReminderDelivery.user_id).in_(others),
            ReminderDelivery.channel == channel.name,
            ReminderDelivery.status == DeliveryStatus.SENDING,
            ReminderDelivery.claimed_at < now - lease,
        )
    ).all()
    if not stale:
        return claimed
    # Claims left by a worker that died. What the journal says was accepted is marked sent;
    # the rest is taken over (at-least-once for the one message a crash may have been sending).
    journal = journal_for(current_app) if journal is None else journal
    try:
        accepted = journal.recorded((r.reminder_id, r.user_id, channel.name.value) for r in stale) if journal else {}
    except RedisError as error:
        log.warning("claims: sent journal unreadable (%s); stale claims left for later", type(error).__name__)
        return claimed
    settle_accepted(
        [
            (row.id, accepted[(row.reminder_id, row.user_id, channel.name.value)])
            for row in stale
            if _key(row, channel) in accepted
        ]
    )
    for row in stale:
        if _key(row, channel) in accepted:
            continue
        taken = db.session.execute(
            sa.update(ReminderDelivery)
            .where(
                ReminderDelivery.id == row.id,
                ReminderDelivery.status == DeliveryStatus.SENDING,
                ReminderDelivery.claimed_at < now - lease,
            )
            .values(claimed_at=now)
            .returning(ReminderDelivery.id)
            .execution_options(synchronize_session=False)
        ).scalar()
        if taken is not None:
            claimed[(row.reminder_id, row.user_id)] = taken
    return claimed


def _key(row, channel: Channel) -> tuple[int, int, str]:
    return (row.reminder_id, row.user_id, channel.name.value)


def settle_accepted(found: list[tuple[int, str]]) -> None:
    """Claims left "sending" whose message the journal records as accepted: (delivery id,
    reference) each, marked sent (only while still "sending")."""
    for delivery_id, reference in found:
        db.session.execute(
            sa.update(ReminderDelivery)
            .where(ReminderDelivery.id == delivery_id, ReminderDelivery.status == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.SENT, sent_at=utcnow(), provider_ref=reference[:200] or None)
            .execution_options(synchronize_session=False)
        )


def claim(reminder_id: int, user_id: int, channel: Channel) -> bool:
    """Claim one (reminder, user) pair; False when it is sent or being sent elsewhere."""
    return (reminder_id, user_id) in claim_all([(reminder_id, user_id)], channel)


def held_by_another(reminder_id: int, user_id: int, channel: Channel) -> bool:
    """Another worker holds a live claim on this pair (it will finish the reminder)."""
    status = db.session.scalar(sa.select(ReminderDelivery.status).where(_target(reminder_id, user_id, channel)))
    return status is DeliveryStatus.SENDING


def write_in_app(targets: list, channel) -> None:
    """In-app is a database write: delivery rows (as sent) and notifications go in the same
    transaction as the batch's claims, so each happens exactly once. `targets` holds
    (reminder, user, message) triples."""
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
        for row in db.session.execute(_claim_insert().returning(_DELIVERY.c.reminder_id, _DELIVERY.c.user_id), rows)
    }
    channel.send_many([(u, m, r.id) for r, u, m in targets if (r.id, u.id) in fresh])


def release(reminder_id: int, user_id: int, channel: Channel) -> None:
    """Nothing was delivered: drop the claim and commit, so the next try may claim it."""
    db.session.execute(
        sa.delete(ReminderDelivery)
        .where(_target(reminder_id, user_id, channel), ReminderDelivery.status == DeliveryStatus.SENDING)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def mark_sent(reminder_id: int, user_id: int, channel: Channel, reference: str | None) -> None:
    """The channel accepted the message (the caller commits at once)."""
    db.session.execute(
        sa.update(ReminderDelivery)
        .where(_target(reminder_id, user_id, channel))
        .values(status=DeliveryStatus.SENT, sent_at=utcnow(), provider_ref=(reference or "")[:200] or None)
        .execution_options(synchronize_session=False)
    )


def mark_sent_many(marks: list[tuple[int, object, str | None]]) -> None:
    """Several accepted messages at once: (delivery id, accepted at, reference) each, in one
    executemany (the caller commits)."""
    if marks:
        db.session.execute(
            sa.update(_DELIVERY)
            .where(_DELIVERY.c.id == sa.bindparam("delivery_id"))
            .values(status=DeliveryStatus.SENT, sent_at=sa.bindparam("at"), provider_ref=sa.bindparam("ref")),
            [{"delivery_id": i, "at": at, "ref": (ref or "")[:200] or None} for i, at, ref in marks],
        )
