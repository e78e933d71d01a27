"""Where a reminder stands, and the one table of how it may move.

A reminder is written pending (services/reminders.py); the relay hands it to a worker (queued);
the worker sends it (sent), tries again later (back to pending with a backoff) or gives up after
the last try (failed). Its condition resolving (first contact made, task done, ...) cancels it
while it is open; staff may cancel or retry an open or failed one; scheduling the same fact again
reopens a cancelled one (a task moved back to its earlier due time). A sent reminder never
changes again.

Decisions recorded here:
- a queued reminder may be relayed again: its worker did not finish within the lease (killed,
  timed out), which counts as a try;
- delivering, trying later and giving up are allowed from pending as well as queued, because
  staff may make a queued reminder due again ("Send now") while a worker is sending it;
- a resolved condition cancels only open reminders (a failed one stays for staff to see), while
  staff may also cancel a failed one;
- time conditions (due, lease expired, attempts left) are the relay's and the worker's business;
  the table says only which statuses each action may start from.

Jobs change statuses with conditional UPDATEs, so a job never undoes a cancel made while it ran:
their `WHERE status IN (...)` is `sources(action)` and the new status `target(action)`, both
read from this table.
"""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.transitions import Lifecycle


class ReminderStatus(LabelledStrEnum):
    PENDING = "pending", "Pending"  # waiting for its due time (or for a retry)
    QUEUED = "queued", "Queued"  # handed to a worker
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"  # its condition resolved before it was sent
    FAILED = "failed", "Failed"  # gave up after the last try; shown to staff


class ReminderAction(LabelledStrEnum):
    """What the relay, a worker, a domain change or staff do to a reminder."""

    RELAY = "relay", "Hand to a worker"
    DELIVER = "deliver", "Mark sent"
    RETRY_LATER = "retry_later", "Try again later"
    GIVE_UP = "give_up", "Give up"
    RESOLVE = "resolve", "Cancel as no longer needed"
    CANCEL = "cancel", "Cancel"
    RETRY = "retry", "Retry now"
    REOPEN = "reopen", "Reopen"


S, A = ReminderStatus, ReminderAction
TRANSITIONS: dict[tuple[ReminderStatus, ReminderAction], ReminderStatus] = {
    (S.PENDING, A.RELAY): S.QUEUED,
    (S.QUEUED, A.RELAY): S.QUEUED,
    (S.PENDING, A.DELIVER): S.SENT,
    (S.QUEUED, A.DELIVER): S.SENT,
    (S.PENDING, A.RETRY_LATER): S.PENDING,
    (S.QUEUED, A.RETRY_LATER): S.PENDING,
    (S.PENDING, A.GIVE_UP): S.FAILED,
    (S.QUEUED, A.GIVE_UP): S.FAILED,
    (S.PENDING, A.RESOLVE): S.CANCELLED,
    (S.QUEUED, A.RESOLVE): S.CANCELLED,
    (S.PENDING, A.CANCEL): S.CANCELLED,
    (S.QUEUED, A.CANCEL): S.CANCELLED,
    (S.FAILED, A.CANCEL): S.CANCELLED,
    (S.PENDING, A.RETRY): S.PENDING,
    (S.QUEUED, A.RETRY): S.PENDING,
    (S.FAILED, A.RETRY): S.PENDING,
    (S.CANCELLED, A.REOPEN): S.PENDING,
}
del S, A
LIFECYCLE = Lifecycle("reminder", TRANSITIONS)


def sources(action: ReminderAction) -> tuple[ReminderStatus, ...]:
    """The statuses `action` may start from, in the enum's order: a conditional UPDATE's
    `WHERE status IN (...)`."""
    return tuple(status for status in ReminderStatus if (status, action) in TRANSITIONS)


def target(action: ReminderAction) -> ReminderStatus:
    """The status `action` leads to (the same from every source, which the table guarantees)."""
    (status,) = {to for (_, act), to in TRANSITIONS.items() if act is action}
    return status
