"""What a patient would pay for a proposed stay under one verification's benefits.

`rules/estimate.py` does the arithmetic; this module gathers its inputs from the verification's
line for the chosen service line. Nothing is stored.
"""

from __future__ import annotations

from decimal import Decimal

from coordinator.contracts.base import problem
from coordinator.contracts.verification import StayEstimateInput
from coordinator.domain.insurance import LimitUnit, NetworkStatus, ServiceLine
from coordinator.errors import ValidationFailed
from coordinator.models import BenefitVerification
from coordinator.rules import money
from coordinator.rules.errors import RuleError
from coordinator.rules.estimate import Estimate, EstimateInput, estimate_stay


def _remaining(total: Decimal | None, met: Decimal | None) -> Decimal | None:
    if total is None:
        return None
    return max(total - (met or Decimal(0)), Decimal(0))


def estimate_for(
    verification: BenefitVerification,
    service_line: ServiceLine | str,
    daily_rate: Decimal,
    days: int,
    authorized_days: int | None,
) -> Estimate:
    """What the patient would pay for `days` at `daily_rate` for one service line (stores nothing)."""
    wanted = ServiceLine(service_line)
    line = next((line for line in verification.lines if line.service_line is wanted), None)
    if line is None:
        raise ValidationFailed([problem("service_line", "estimate_no_benefits", line=wanted.label.lower())])
    network = verification.network_status
    facts = EstimateInput(
        currency=verification.currency,
        daily_rate=daily_rate,
        days=days,
        covered=line.covered,
        in_network=None if network is NetworkStatus.UNKNOWN else network is NetworkStatus.IN_NETWORK,
        out_of_network_covered=verification.out_of_network_benefits,
        deductible_remaining=_remaining(line.deductible_individual, line.deductible_individual_met),
        coinsurance_percent=line.coinsurance_percent,
        copay=line.copay,
        copay_per=line.copay_per.value if line.copay_per else None,
        oop_remaining=_remaining(line.oop_individual, line.oop_individual_met),
        covered_days_limit=line.limit_quantity if line.limit_unit is LimitUnit.DAYS else None,
        prior_auth_required=line.prior_auth_required,
        authorized_days=authorized_days,
    )
    try:
        return estimate_stay(facts)
    except RuleError as error:
        raise ValidationFailed(list(error.errors)) from None


def estimate(verification: BenefitVerification, stay: StayEstimateInput) -> Estimate:
    """The estimate for a proposed stay, its daily rate checked for the verification's currency."""
    try:
        daily_rate = money.parse_amount(stay.daily_rate, verification.currency, "daily_rate", label="daily rate")
    except RuleError as error:
        raise ValidationFailed(list(error.errors)) from None
    return estimate_for(verification, stay.service_line, daily_rate, stay.days, stay.authorized_days)
