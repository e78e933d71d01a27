"""Where a reminder stands."""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum


class ReminderStatus(LabelledStrEnum):
    PENDING = "pending", "Pending"  # waiting for its due time (or for a retry)
    QUEUED = "queued", "Queued"  # handed to a worker
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"  # its condition resolved before it was sent
    FAILED = "failed", "Failed"  # gave up after the last try; shown to staff
