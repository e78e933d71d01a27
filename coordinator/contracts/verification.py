"""Input contracts for verifications of benefits and the estimate worked out from one.

A verification is a header (what the check found, network, payer's reference, plan year,
currency of the amounts) and one `ServiceLineInput` per service line, each a nested field named
after the line ("sud_residential", "pharmacy", ...), so a problem's path ("sud_residential.copay")
reaches that line's input. A line left wholly blank is not stored.

- `VerificationInput`: a phone or portal check (the method is part of it; a 271 comes through
  the import only).
- `DraftVerificationInput`: correcting a draft made from a 271 (its method stays electronic).
- `ConfirmVerificationInput`: the confirm step (a ticked check, and why a 271 that differs
  from the record is right after all).
- `DiscardVerificationInput`: setting a request or draft aside, with the reason.
- `StayEstimateInput`: the proposed stay the estimate page works out.

Amounts are parsed here (not negative); whether they fit the currency's minor unit and the
column's maximum is `rules/money`'s check, run by the service.
"""

from __future__ import annotations

import re

from pydantic import field_validator

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem
from coordinator.contracts.messages import define
from coordinator.domain.insurance import (
    CopayPer,
    LimitUnit,
    NetworkStatus,
    ServiceLine,
    VerificationMethod,
    VerificationStatus,
)
from coordinator.rules import money
from coordinator.rules.errors import RuleError

NOTES_LIMIT = 2000
PAYER_REFERENCE_LIMIT = 80
PAYER_CONTACT_LIMIT = 120
PAYER_REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-/#]{0,79}$")
# Benefit amounts are stored to the cent (NUMERIC(12, 2)).
MOST_DECIMAL_PLACES = 2
MAX_LIMIT_QUANTITY = 10_000
MAX_ESTIMATE_DAYS = 365
DEFAULT_CURRENCY = "USD"
# The amounts of a service line, with the words messages use for them.
LINE_AMOUNTS = {
    "deductible_individual": "individual deductible",
    "deductible_individual_met": "individual deductible met",
    "deductible_family": "family deductible",
    "deductible_family_met": "family deductible met",
    "oop_individual": "individual out-of-pocket maximum",
    "oop_individual_met": "individual out-of-pocket met",
    "oop_family": "family out-of-pocket maximum",
    "oop_family_met": "family out-of-pocket met",
    "copay": "co-pay",
}
# (total, amount met so far, what the total is called)
MET_PAIRS = (
    ("deductible_individual", "deductible_individual_met", "deductible"),
    ("deductible_family", "deductible_family_met", "deductible"),
    ("oop_individual", "oop_individual_met", "out-of-pocket maximum"),
    ("oop_family", "oop_family_met", "out-of-pocket maximum"),
)

define(
    {
        "verification_status_required": "Choose what the check found.",
        "verification_method_required": "Say how benefits were checked.",
        "verification_method_electronic": "Electronic verifications come from a 271 file: use “Import a 271”.",
        "verification_payer_reference_invalid": "Use letters, digits, spaces and . - / # (at most 80), "
        "as the payer read it out.",
        "verification_plan_year_order": "The plan year cannot end before it begins.",
        "verification_currency_unknown": "{currency} is not an ISO 4217 currency code; use three letters such as THB or USD.",
        "verification_currency_precision": "Benefit amounts are kept to the cent; {currency} uses {places} decimal "
        "places. Record them in USD.",
        "verification_met_exceeds_total": "The amount met cannot be more than the {what} itself ({total}).",
        "verification_copay_per_required": "Say what the co-pay is charged per: visit, day or admission.",
        "verification_limit_unit_required": "Say what the limit counts: days, visits or hours.",
        "verification_percent_precision": "Enter the co-insurance with at most 2 decimal places, e.g. 20 or 12.5.",
        "verification_confirmed": "This verification is confirmed and cannot be changed; "
        "record a new verification instead.",
        "verification_already_confirmed": "This verification is already confirmed.",
        "verification_not_draft": "Only a draft from a 271 can be corrected or confirmed; a request is answered by "
        "recording the check or importing the payer's 271.",
        "verification_not_open": "This verification is confirmed or discarded already; it cannot be discarded.",
        "verification_findings_missing": "It cannot be confirmed yet. {missing}",
        "verification_mismatch_unexplained": "The 271 differs from the record (see above). Explain why it is "
        "right for this patient before confirming, or discard the draft.",
        "verification_confirm_unchecked": "Tick the box to say you checked the draft against the payer's response.",
        "verification_discard_reason_required": "Say why it is being discarded.",
        "estimate_service_line_required": "Choose the service line.",
        "estimate_days_required": "Enter the length of stay in days.",
        "estimate_no_benefits": "This verification has no benefits recorded for {line}.",
    }
)


class ServiceLineInput(Contract):
    """What the payer said about one service line (every field may be left blank)."""

    covered: values.yes_no_unknown()
    deductible_individual: values.amount(what=LINE_AMOUNTS["deductible_individual"])
    deductible_individual_met: values.amount(what=LINE_AMOUNTS["deductible_individual_met"])
    deductible_family: values.amount(what=LINE_AMOUNTS["deductible_family"])
    deductible_family_met: values.amount(what=LINE_AMOUNTS["deductible_family_met"])
    oop_individual: values.amount(what=LINE_AMOUNTS["oop_individual"])
    oop_individual_met: values.amount(what=LINE_AMOUNTS["oop_individual_met"])
    oop_family: values.amount(what=LINE_AMOUNTS["oop_family"])
    oop_family_met: values.amount(what=LINE_AMOUNTS["oop_family_met"])
    copay: values.amount(what=LINE_AMOUNTS["copay"])
    copay_per: values.choice(CopayPer)
    coinsurance_percent: values.percent(what="co-insurance")
    prior_auth_required: values.yes_no_unknown()
    limit_quantity: values.whole_number(what="limit", minimum=1, maximum=MAX_LIMIT_QUANTITY)
    limit_unit: values.choice(LimitUnit)
    limit_period: values.text(60)
    carve_out: values.text(300)
    notes: values.text(500, multiline=True)

    @property
    def is_blank(self) -> bool:
        """Nothing was said about this line (it is not stored)."""
        return all(getattr(self, name) is None for name in type(self).model_fields)

    def problems(self):
        if self.copay and self.copay_per is None:
            yield problem("copay_per", "verification_copay_per_required")
        percent = self.coinsurance_percent
        if percent is not None and -percent.normalize().as_tuple().exponent > MOST_DECIMAL_PLACES:
            yield problem("coinsurance_percent", "verification_percent_precision")
        if self.limit_quantity is not None and self.limit_unit is None:
            yield problem("limit_unit", "verification_limit_unit_required")


class _VerificationFields(Contract):
    """The header and lines both kinds of verification share."""

    status: values.choice(VerificationStatus, required="verification_status_required", what="status")
    network_status: values.choice(NetworkStatus, default=NetworkStatus.UNKNOWN)
    out_of_network_benefits: values.yes_no_unknown()
    payer_reference: values.text(PAYER_REFERENCE_LIMIT)
    payer_contact: values.text(PAYER_CONTACT_LIMIT)
    plan_begin: values.day(what="plan year's first day")
    plan_end: values.day(what="plan year's last day")
    currency: values.text(40)
    notes: values.text(NOTES_LIMIT, multiline=True)
    sud_residential: ServiceLineInput | None = None
    sud_outpatient: ServiceLineInput | None = None
    mental_health: ServiceLineInput | None = None
    pharmacy: ServiceLineInput | None = None

    @field_validator("currency", mode="after")
    @classmethod
    def _currency_kept_to_the_cent(cls, code: str | None) -> str:
        # The ISO table is rules/money's; benefit columns hold cents, so 3-decimal currencies are refused.
        try:
            unit = money.currency(code or DEFAULT_CURRENCY)
        except RuleError:
            raise values.problem("verification_currency_unknown", currency=code) from None
        if unit.minor_units > MOST_DECIMAL_PLACES:
            raise values.problem("verification_currency_precision", currency=unit.code, places=unit.minor_units)
        return unit.code

    def lines(self) -> dict[ServiceLine, ServiceLineInput]:
        """The service lines something was said about, in the form's order."""
        found = {line: getattr(self, line.value) for line in ServiceLine}
        return {line: given for line, given in found.items() if given is not None and not given.is_blank}

    def problems(self):
        if self.payer_reference and not PAYER_REFERENCE_RE.match(self.payer_reference):
            yield problem("payer_reference", "verification_payer_reference_invalid")
        if self.plan_begin and self.plan_end and self.plan_end < self.plan_begin:
            yield problem("plan_end", "verification_plan_year_order")
        # Here rather than on the line: the message shows the total in the verification's currency.
        for line, given in self.lines().items():
            for total, met, what in MET_PAIRS:
                limit, so_far = getattr(given, total), getattr(given, met)
                if limit is not None and so_far is not None and so_far > limit:
                    shown = money.format_money(limit, self.currency)
                    yield problem(f"{line.value}.{met}", "verification_met_exceeds_total", what=what, total=shown)


class VerificationInput(_VerificationFields):
    """A phone or portal check of benefits, confirmed on save by the person who made it."""

    method: values.choice(VerificationMethod, required="verification_method_required", what="method")

    def problems(self):
        yield from super().problems()
        if self.method is VerificationMethod.ELECTRONIC_271:
            yield problem("method", "verification_method_electronic")


class DraftVerificationInput(_VerificationFields):
    """Corrections to a draft made from a 271 (the method stays "electronic")."""


EXPLANATION_LIMIT = 2000
DISCARD_REASON_LIMIT = 500


class ConfirmVerificationInput(Contract):
    """The confirm step: the reviewer ticks that they checked it, and explains a mismatch."""

    checked: values.yes_no()
    explanation: values.text(EXPLANATION_LIMIT, multiline=True, what="explanation")

    def problems(self):
        if not self.checked:
            yield problem("checked", "verification_confirm_unchecked")


class DiscardVerificationInput(Contract):
    """Why a request or a draft is set aside (kept with it and shown)."""

    reason: values.text(
        DISCARD_REASON_LIMIT, required="verification_discard_reason_required", what="reason", multiline=True
    )


class StayEstimateInput(Contract):
    """A proposed stay to estimate under one verification's benefits."""

    service_line: values.choice(ServiceLine, required="estimate_service_line_required")
    daily_rate: values.amount(what="daily rate", required="amount_required")
    days: values.whole_number(
        what="length of stay in days", minimum=1, maximum=MAX_ESTIMATE_DAYS, required="estimate_days_required"
    )
    authorized_days: values.whole_number(what="number of authorized days", minimum=0, maximum=MAX_ESTIMATE_DAYS)
