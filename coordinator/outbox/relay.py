"""The relay: hands due reminders to workers, and the sweep that adds daily digests.

`relay_once` claims due reminders (pending and due, or queued longer than the lease because
their job was lost) with FOR UPDATE SKIP LOCKED — so several relays on PostgreSQL never
claim the same row (SQLite has no row locks: run one there) — marks them queued, hands their
ids to `dispatch` and commits. If `dispatch` raises (Redis down), the transaction rolls back
and the rows stay pending: nothing is lost, and the next tick tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from coordinator.extensions import db
from coordinator.models import Reminder, utcnow
from coordinator.rules.reminder_lifecycle import ReminderAction, ReminderStatus, sources, target
from coordinator.services import reminders

log = logging.getLogger("coordinator.relay")
LOST_ERROR = "not finished by a worker (timed out or crashed)"


def _due(now: datetime):
    return sa.and_(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now)


def _lost(now: datetime, lease: timedelta):
    """Queued longer than the lease: its worker was killed, timed out or failed unexpectedly."""
    return sa.and_(Reminder.status == ReminderStatus.QUEUED, Reminder.queued_at < now - lease)


def due_ids(now: datetime, batch: int, lease: timedelta) -> list[int]:
    statement = (
        sa.select(Reminder.id)
        .where(Reminder.status.in_(sources(ReminderAction.RELAY)), sa.or_(_due(now), _lost(now, lease)))
        .order_by(Reminder.due_at, Reminder.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    return list(db.session.scalars(statement))


def relay_once(dispatch: Callable[[Sequence[int]], None] | None, *, now: datetime | None = None) -> list[int]:
    """Claim one batch of due reminders and hand them to `dispatch`; returns the ids handed out.

    With `dispatch` None the ids are only marked queued and returned (the in-process runner
    then delivers them itself, after the commit). Commits (see the package docstring).
    """
    now = now or utcnow()
    config = current_app.config
    try:
        lease = timedelta(seconds=config["REMINDER_LEASE_SECONDS"])
        ids = due_ids(now, config["RELAY_BATCH_SIZE"], lease)
        if ids:
            ids = _count_lost_tries(ids, now, lease, config["REMINDER_MAX_ATTEMPTS"])
            db.session.execute(
                sa.update(Reminder)
                .where(Reminder.id.in_(ids), Reminder.status.in_(sources(ReminderAction.RELAY)))
                .values(status=target(ReminderAction.RELAY), queued_at=now)
                .execution_options(synchronize_session=False)
            )
            if dispatch is not None:
                dispatch(ids)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ids


def _count_lost_tries(ids: list[int], now: datetime, lease: timedelta, max_attempts: int) -> list[int]:
    """A reminder still queued after the lease was not finished by its worker: that counts as a
    try, so a reminder that can never be sent ends as "failed", visible to staff, not in a loop.
    Returns the ids still to hand out."""
    lost = _lost(now, lease)
    db.session.execute(
        sa.update(Reminder)
        .where(
            Reminder.id.in_(ids),
            lost,
            Reminder.status.in_(sources(ReminderAction.GIVE_UP)),
            Reminder.attempts + 1 >= max_attempts,
        )
        .values(
            status=target(ReminderAction.GIVE_UP), failed_at=now, attempts=Reminder.attempts + 1, last_error=LOST_ERROR
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Reminder)
        .where(Reminder.id.in_(ids), lost)
        .values(attempts=Reminder.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return list(
        db.session.scalars(
            sa.select(Reminder.id)
            .where(Reminder.id.in_(ids), Reminder.status.in_(sources(ReminderAction.RELAY)))
            .order_by(Reminder.id)
        )
    )


def sweep(*, now: datetime | None = None) -> int:
    """Periodic housekeeping: today's digests of overdue tasks. Commits."""
    now = now or utcnow()
    created = reminders.schedule_daily_digests(now, ZoneInfo(current_app.config["DISPLAY_TIMEZONE"]))
    db.session.commit()
    return created


def tick(dispatch: Callable[[Sequence[int]], None] | None) -> list[int]:
    """One round of the periodic work: the sweep, then relay batches until nothing is due."""
    sweep()
    handed: list[int] = []
    while True:
        ids = relay_once(dispatch)
        handed += ids
        if len(ids) < current_app.config["RELAY_BATCH_SIZE"]:
            return handed
