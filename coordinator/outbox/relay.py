"""The relay: hands due reminders to workers, and the sweep that adds daily digests.

`relay_once` claims due reminders (pending and due, or queued longer than the lease because
their job was lost) with FOR UPDATE SKIP LOCKED — so several relays on PostgreSQL never
claim the same row (SQLite has no row locks: run one there) — marks them queued, hands their
ids to `dispatch` and commits. If `dispatch` raises (Redis down), the transaction rolls back
and the rows stay pending: nothing is lost, and the next tick tries again.

Each queued reminder records its RQ job (`job_id`). With a `find_lost` callable (the workers
pass one that asks RQ) each tick also re-queues at once the reminders whose job is lost: gone
from Redis (a restart without persistence, a flush, a fail-over — that does not count as a
try: nothing was attempted), or failed, stopped, abandoned by a dead worker or running past
its timeout (that counts as a try, like the lease). For those dead jobs the delivery claims
they left "sending" are released, so the next job sends at once instead of after the lease —
except those the sent journal (`journal.py`) records as accepted by the SMTP server: those are
marked sent, so the next job only closes their reminders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from coordinator.domain.reminders import DeliveryStatus
from coordinator.extensions import db
from coordinator.models import Reminder, ReminderDelivery, utcnow
from coordinator.outbox import claims
from coordinator.outbox.journal import journal_for
from coordinator.outbox.queues import job_timeout
from coordinator.rules.reminder_lifecycle import ReminderAction, ReminderStatus, sources, target
from coordinator.services import reminders

log = logging.getLogger("coordinator.relay")
LOST_ERROR = "not finished by a worker (timed out or crashed)"
VANISHED = "vanished"  # what a `find_lost` says of a job no longer in Redis
LOST_CHECK_LIMIT = 5000  # queued reminders whose jobs are checked per tick (oldest first)
# job id -> why it is lost ("vanished", "failed", "stopped", "abandoned", "hung"); omits live jobs
FindLost = Callable[[Sequence[str]], Mapping[str, str]]
Dispatch = Callable[[Sequence[int]], Mapping[int, str] | None]


def _due(now: datetime):
    return sa.and_(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now)


def _lost(now: datetime, lease: timedelta):
    """Queued longer than the lease: its worker was killed, timed out or failed unexpectedly."""
    return sa.and_(Reminder.status == ReminderStatus.QUEUED, Reminder.queued_at < now - lease)


def due_ids(now: datetime, batch: int, lease: timedelta, lost: Sequence[int] = ()) -> list[int]:
    also = [Reminder.id.in_(lost)] if lost else []
    statement = (
        sa.select(Reminder.id)
        .where(Reminder.status.in_(sources(ReminderAction.RELAY)), sa.or_(_due(now), _lost(now, lease), *also))
        .order_by(Reminder.due_at, Reminder.id)
        .limit(batch)
        .with_for_update(
            skip_locked=True, key_share=True
        )  # FOR NO KEY UPDATE: a job's claims (FK locks) do not hide a row
    )
    return list(db.session.scalars(statement))


def lost_jobs(find_lost: FindLost) -> tuple[list[int], list[int]]:
    """Queued reminders whose job is lost: (vanished from Redis, dead). Never raises for Redis:
    the caller's `find_lost` may, and the tick then goes on without it."""
    rows = db.session.execute(
        sa.select(Reminder.id, Reminder.job_id)
        .where(Reminder.status == ReminderStatus.QUEUED, Reminder.job_id.is_not(None))
        .order_by(Reminder.queued_at, Reminder.id)
        .limit(LOST_CHECK_LIMIT)
    ).all()
    if not rows:
        return [], []
    why = find_lost(sorted({job_id for _, job_id in rows}))
    vanished = [rid for rid, job_id in rows if why.get(job_id) == VANISHED]
    dead = [rid for rid, job_id in rows if why.get(job_id) not in (None, VANISHED)]
    if vanished or dead:
        log.warning(
            "relay: %s reminders with jobs gone from Redis, %s with dead jobs; re-queued", len(vanished), len(dead)
        )
    return vanished, dead


def _release_claims(vanished: list[int], dead: list[int], now: datetime) -> None:
    """Free the email claims the lost jobs left "sending": a dead job's at once (claims made
    since the reminder was queued: its own), a vanished job's once its horse cannot be running
    any more (RQ's job timeout and the worker's 60 s have passed)."""
    horse_gone = now - timedelta(seconds=job_timeout(current_app.config) + 60)
    conditions = []
    if dead:
        since_queued = (
            sa.select(Reminder.queued_at).where(Reminder.id == ReminderDelivery.reminder_id).scalar_subquery()
        )
        conditions.append(sa.and_(ReminderDelivery.reminder_id.in_(dead), ReminderDelivery.claimed_at >= since_queued))
    if vanished or dead:
        conditions.append(
            sa.and_(ReminderDelivery.reminder_id.in_([*vanished, *dead]), ReminderDelivery.claimed_at < horse_gone)
        )
    if not conditions:
        return
    left = sa.and_(ReminderDelivery.status == DeliveryStatus.SENDING, sa.or_(*conditions))
    journal = journal_for(current_app)
    if journal is not None:  # what the job had sent before it died stays sent (journal.py)
        rows = db.session.execute(
            sa.select(
                ReminderDelivery.id, ReminderDelivery.reminder_id, ReminderDelivery.user_id, ReminderDelivery.channel
            ).where(left)
        ).all()
        keys = {row.id: (row.reminder_id, row.user_id, row.channel.value) for row in rows}
        accepted = journal.recorded(keys.values())  # a RedisError rolls the tick back: nothing freed
        claims.settle_accepted([(i, accepted[k]) for i, k in keys.items() if k in accepted])
    db.session.execute(sa.delete(ReminderDelivery).where(left).execution_options(synchronize_session=False))


def relay_once(
    dispatch: Dispatch | None, *, now: datetime | None = None, find_lost: FindLost | None = None
) -> list[int]:
    """Claim one batch of due reminders and hand them to `dispatch`; returns the ids handed out.

    `dispatch` may return {reminder id: job id}, recorded on each reminder. With `dispatch`
    None the ids are only marked queued and returned (the in-process runner then delivers them
    itself, after the commit). `find_lost`: see the module docstring. Commits.
    """
    now = now or utcnow()
    config = current_app.config
    try:
        lease = timedelta(seconds=config["REMINDER_LEASE_SECONDS"])
        vanished, dead = lost_jobs(find_lost) if find_lost is not None else ([], [])
        _release_claims(vanished, dead, now)
        ids = due_ids(now, config["RELAY_BATCH_SIZE"], lease, [*vanished, *dead])
        if ids:
            ids = _count_lost_tries(ids, now, lease, config["REMINDER_MAX_ATTEMPTS"], dead, vanished)
            db.session.execute(
                sa.update(Reminder)
                .where(Reminder.id.in_(ids), Reminder.status.in_(sources(ReminderAction.RELAY)))
                .values(status=target(ReminderAction.RELAY), queued_at=now, job_id=None)
                .execution_options(synchronize_session=False)
            )
            jobs = dispatch(ids) if dispatch is not None else None
            _record_jobs(jobs or {})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ids


def _record_jobs(jobs: Mapping[int, str]) -> None:
    by_job: dict[str, list[int]] = {}
    for reminder_id, job_id in jobs.items():
        by_job.setdefault(job_id, []).append(reminder_id)
    for job_id, reminder_ids in by_job.items():
        db.session.execute(
            sa.update(Reminder)
            .where(Reminder.id.in_(reminder_ids))
            .values(job_id=job_id)
            .execution_options(synchronize_session=False)
        )


def _count_lost_tries(
    ids: list[int], now: datetime, lease: timedelta, max_attempts: int, dead=(), vanished=()
) -> list[int]:
    """A reminder still queued after the lease, or whose job died, was not finished by its
    worker: that counts as a try, so a reminder that can never be sent ends as "failed",
    visible to staff, not in a loop. A job that vanished from Redis attempted nothing: no try.
    Returns the ids still to hand out."""
    lost = sa.or_(_lost(now, lease), Reminder.id.in_(dead)) if dead else _lost(now, lease)
    if vanished:
        lost = sa.and_(lost, Reminder.id.not_in(vanished))
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


def tick(dispatch: Dispatch | None, find_lost: FindLost | None = None) -> list[int]:
    """One round of the periodic work: the sweep, then relay batches until nothing is due (lost
    jobs are looked for in the first batch)."""
    sweep()
    handed: list[int] = []
    while True:
        ids = relay_once(dispatch, find_lost=find_lost)
        find_lost = None
        handed += ids
        if len(ids) < current_app.config["RELAY_BATCH_SIZE"]:
            return handed
