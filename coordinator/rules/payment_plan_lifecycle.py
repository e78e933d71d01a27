"""Where a payment plan stands."""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum


class PlanStatus(LabelledStrEnum):
    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"
