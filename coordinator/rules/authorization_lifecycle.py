"""Where an insurance authorization stands, and the moves a utilization-review clerk makes.

Staff choose the next status on the authorization form, so the action is the status moved to
(`moves`). Decisions recorded here:

- a request (`pending`) is decided: approved, partially approved or denied;
- `approved` and `partially_approved` move into each other (a concurrent review grants more
  days, or fewer than first asked), and either ends as `expired` once its days are used up;
- only a refusal is appealed: `denied`, and `partially_approved` for the days not granted
  (a full approval has nothing to appeal);
- an appeal is decided like a request: approved, partially approved or denied;
- `expired` is final: further care needs a new authorization;
- keeping the status while changing other fields (dates, units, a review note) is not a move:
  the service skips the check, so an expired authorization can still be annotated;
- a new authorization may be recorded in any status (staff often learn the decision first).
"""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.transitions import Lifecycle, moves


class AuthorizationStatus(LabelledStrEnum):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DENIED = "denied", "Denied"
    APPEALED = "appealed", "Appealed"
    EXPIRED = "expired", "Expired"


S = AuthorizationStatus
TRANSITIONS = moves(
    {
        S.PENDING: (S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED),
        S.APPROVED: (S.PARTIALLY_APPROVED, S.EXPIRED),
        S.PARTIALLY_APPROVED: (S.APPROVED, S.APPEALED, S.EXPIRED),
        S.DENIED: (S.APPEALED,),
        S.APPEALED: (S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED),
    }
)
del S
LIFECYCLE = Lifecycle("authorization", TRANSITIONS, field="status")
GRANTED = frozenset({AuthorizationStatus.APPROVED, AuthorizationStatus.PARTIALLY_APPROVED})


def statuses_from(current: AuthorizationStatus | None) -> tuple[AuthorizationStatus, ...]:
    """What the status may be after an edit (the current one and its moves; any for a new
    authorization), in the enum's order."""
    return tuple(
        status
        for status in AuthorizationStatus
        if current is None or status is current or LIFECYCLE.allows(current, status)
    )
