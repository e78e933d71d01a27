"""Input contract for an administrator's financial-clearance override: the reason, in words."""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem
from coordinator.contracts.messages import define

REASON_LIMIT = 500
MIN_REASON = 10

define(
    {
        "override_reason_short": "Say why the person is admitted without clearance "
        f"(at least {MIN_REASON} characters).",
    }
)


class ClearanceOverrideInput(Contract):
    """Why a person is cleared to admit without insurance or a deposit (audited)."""

    schema_required = ("override_reason",)

    override_reason: values.text(REASON_LIMIT, required="override_reason_short", multiline=True)

    def problems(self):
        if len(self.override_reason) < MIN_REASON:
            yield problem("override_reason", "override_reason_short")
