"""Job functions. Arguments are ids only; every job is safe to run twice.

Each job hands its ids to `coordinator.outbox`, whose delivery protocol commits its own steps
(claims before sending, each "sent" at once: see `coordinator/outbox/__init__.py`), so a job has
nothing left to commit; it only gives the database connection back.
"""

from __future__ import annotations

from coordinator.extensions import db


def send_reminder(reminder_id: int) -> str:
    """Deliver one reminder (kept for jobs enqueued by older releases; the relay sends batches)."""
    from coordinator.outbox.delivery import deliver

    try:
        return deliver(int(reminder_id))
    finally:
        db.session.remove()


def send_reminders(reminder_ids: list[int]) -> dict[str, str]:
    """Deliver a batch of reminders over one SMTP connection; each is claimed on its own."""
    from coordinator.outbox.delivery import deliver_many

    try:
        outcomes = deliver_many([int(i) for i in reminder_ids])
        return {str(k): v for k, v in outcomes.items()}
    finally:
        db.session.remove()
