"""Where an insurance authorization stands."""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum


class AuthorizationStatus(LabelledStrEnum):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DENIED = "denied", "Denied"
    APPEALED = "appealed", "Appealed"
    EXPIRED = "expired", "Expired"
