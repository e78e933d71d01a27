"""Where a payment plan stands and the moves it may make: active -> cancelled (final).

Only an active plan takes payments and raises overdue reminders; a cancelled plan keeps the
payments made toward it on the ledger (they may still be refunded against it).
"""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.transitions import Lifecycle


class PlanStatus(LabelledStrEnum):
    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"


class PlanAction(LabelledStrEnum):
    CANCEL = "cancel", "Cancel"


TRANSITIONS: dict[tuple[PlanStatus, PlanAction], PlanStatus] = {
    (PlanStatus.ACTIVE, PlanAction.CANCEL): PlanStatus.CANCELLED,
}
LIFECYCLE = Lifecycle("payment plan", TRANSITIONS)


def takes_payments(status: PlanStatus) -> bool:
    """Whether payments may go toward a plan in this status (a cancelled plan is closed)."""
    return not LIFECYCLE.is_final(status)
