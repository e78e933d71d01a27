"""Insurance estimate: about what a patient would pay for a proposed stay, and why.

Admissions verifies benefits with the payer and then has to tell the family, in plain words,
what the stay would cost them. The rules, each also written into the estimate's assumptions:

1. Charges are the expected allowed amount per day times the days of the stay.
2. Not covered or coverage inactive (`covered` False) -> the patient pays everything. Coverage
   not verified (`covered` None) is treated the same way, with a warning: nothing is promised
   from the insurer until benefits are verified.
3. Out of network -> the patient pays everything, with a warning, unless out-of-network care is
   known to be covered (`out_of_network_covered` True). An unknown network status counts as out
   of network. When out-of-network care is covered, the cost-sharing figures entered are taken
   to be the out-of-network ones.
4. Covered days = the smallest of the days of the stay, the days left under the plan's day limit
   and, when prior authorization is required and days have been authorized, the authorized days.
   Days beyond them are not covered: the patient pays them in full, outside the out-of-pocket
   maximum.
5. For covered days the patient pays the deductible first (at most the covered charges), then
   the co-insurance percentage of the rest, plus the co-pay (per day or per visit: once for each
   covered day, one visit a day; per admission: once). That share never exceeds the covered
   charges, nor the out-of-pocket maximum remaining when it is known. The insurer pays the rest
   of the covered charges.
6. Unknown figures never stop an estimate; each is stated with the direction it may be off:
   deductible, co-insurance or co-pay unknown -> counted as 0 ("may be low"); out-of-pocket
   maximum unknown -> no cap ("may be high"); co-pay unit unknown -> per day ("may be high");
   day limit unknown -> no limit ("may be low"); prior authorization unknown -> assumed not
   needed; required but no days authorized yet -> all days assumed authorized (both warned).
7. Each line is rounded half-up to the currency's minor unit only at its end; the patient total
   is the sum of the lines, and the insurer total is the charges less the patient total, so
   every figure adds up exactly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from coordinator.rules.estimate_input import CopayPer, EstimateInput, validated  # noqa: F401  (the rule's inputs)
from coordinator.rules.money import format_money, quantize

_T = TypeVar("_T")
SEPARATELY_BILLED = (
    "Items billed separately, such as medication, extra psychiatric consultations, "
    "hospital visits and transport, are not included."
)
NOT_A_GUARANTEE = (
    "This is an estimate, not a guarantee of payment: the insurer decides what it pays when it processes the claim."
)


@dataclass(frozen=True)
class EstimateLine:
    """One part of what the patient pays; a negative amount is a cap taking some back."""

    label: str
    amount: Decimal


@dataclass(frozen=True)
class Estimate:
    """The estimate: totals, the patient's lines (summing to patient_total), and why.

    patient_total + insurer_total == total_charges exactly.
    """

    currency: str
    days: int
    covered_days: int
    patient_total: Decimal
    insurer_total: Decimal
    total_charges: Decimal
    lines: tuple[EstimateLine, ...]
    assumptions: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass
class _Notes:
    """Assumptions and warnings gathered while the estimate is worked out, in order."""

    assumptions: list[str] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)


def estimate_stay(given: EstimateInput) -> Estimate:
    """The estimate for `given`, after every field is checked (all problems reported at once)."""
    data = validated(given)
    code = data.currency
    total = quantize(data.daily_rate * data.days, code)
    notes = _Notes()
    notes.assumptions.append(
        f"Charges: {format_money(data.daily_rate, code)} a day (the expected allowed "
        f"amount) for {_days(data.days)} = {format_money(total, code)}."
    )
    barrier = _why_not_covered(data, notes)
    if barrier is not None:
        lines: list[EstimateLine] = [EstimateLine(barrier, total)]
        covered_days = 0
    else:
        covered_days, uncovered_reason = _covered_days(data, notes)
        lines = _covered_lines(data, covered_days, notes)
        if covered_days < data.days:
            lines.append(_uncovered_line(data, covered_days, uncovered_reason, notes))
    notes.assumptions += [SEPARATELY_BILLED, NOT_A_GUARANTEE]
    patient = sum((line.amount for line in lines), quantize(0, code))
    return Estimate(
        currency=code,
        days=data.days,
        covered_days=covered_days,
        patient_total=patient,
        insurer_total=total - patient,
        total_charges=total,
        lines=tuple(lines),
        assumptions=tuple(notes.assumptions),
        warnings=tuple(notes.warnings),
    )


def describe(estimate: Estimate) -> list[str]:
    """Plain-language sentences for the family: the totals, uncovered days, then each warning.

    The assumptions are listed separately by whoever shows the estimate.
    """
    code = estimate.currency
    headline = (
        f"You would pay about {format_money(estimate.patient_total, code)} of "
        f"{format_money(estimate.total_charges, code)} in charges for {_days(estimate.days)}."
    )
    sentences = [headline]
    if estimate.insurer_total > 0:
        sentences.append(f"Your insurance would pay about {format_money(estimate.insurer_total, code)}.")
    else:
        sentences.append("Your insurance would pay nothing under these assumptions.")
    if 0 < estimate.covered_days < estimate.days:
        sentences.append(
            f"The plan would cover {estimate.covered_days} of the {_days(estimate.days)}; "
            f"you would pay for the other {_days(estimate.days - estimate.covered_days)} in full."
        )
    return sentences + list(estimate.warnings)


def _why_not_covered(data: EstimateInput, notes: _Notes) -> str | None:
    """The line label when the patient pays everything (rules 2 and 3), else None."""
    if data.covered is None:
        notes.warnings.append("Coverage has not been verified; until it is, the estimate assumes you pay all charges.")
        return "Coverage not verified: you pay all charges"
    if data.covered is False:
        notes.assumptions.append("The plan does not cover this care, or the coverage is not active.")
        return "Not covered: you pay all charges"
    if data.in_network is None:
        notes.warnings.append(
            "Whether the program is in the plan's network is not known; it is treated as out of network."
        )
    if data.in_network:
        notes.assumptions.append("The program is in network.")
        return None
    if data.out_of_network_covered is not True:
        notes.warnings.append(
            "Out of network, and the plan is not known to cover out-of-network care: you would pay all charges."
        )
        return "Out of network, no out-of-network benefits: you pay all charges"
    notes.assumptions.append(
        "Out of network, but the plan covers out-of-network care; the cost-sharing "
        "figures entered are taken to be the out-of-network ones."
    )
    notes.warnings.append(
        "An out-of-network program may bill more than the plan's allowed amount "
        "(balance billing); any such difference is not included."
    )
    return None


def _covered_days(data: EstimateInput, notes: _Notes) -> tuple[int, str]:
    """Covered days (rule 4) and what limits them."""
    limits = [(data.days, "")]
    if data.covered_days_limit is None:
        notes.warnings.append("The plan's day limit is not known; no limit is applied, so the estimate may be low.")
    else:
        notes.assumptions.append(f"The plan's day limit leaves {_days(data.covered_days_limit)} at this level of care.")
        limits.append((data.covered_days_limit, "the plan's day limit"))
    limits += _authorization(data, notes)
    covered = min(days for days, _ in limits)
    reasons = " and ".join(reason for days, reason in limits if days == covered and reason)
    return covered, reasons


def _authorization(data: EstimateInput, notes: _Notes) -> list[tuple[int, str]]:
    """The authorized-days limit, if one applies, with the notes prior authorization calls for."""
    if data.prior_auth_required is None:
        notes.warnings.append(
            "Whether prior authorization is needed is not known; the estimate assumes "
            "it is not. If it is needed and not obtained, the plan may pay nothing."
        )
    elif data.prior_auth_required is False:
        notes.assumptions.append("No prior authorization is needed.")
    elif data.authorized_days is None:
        notes.warnings.append(
            f"Prior authorization is needed and no days are authorized yet; the "
            f"estimate assumes all {_days(data.days)} will be. Without authorization "
            "the plan may pay nothing."
        )
    else:
        notes.assumptions.append(
            f"Prior authorization: {_days(data.authorized_days)} authorized. The "
            "insurer may authorize more on review; only these are counted."
        )
        return [(data.authorized_days, "the authorized days")]
    if data.authorized_days is not None:
        notes.assumptions.append(
            "The authorized days are not applied because prior authorization is not marked as needed."
        )
    return []


def _covered_lines(data: EstimateInput, covered_days: int, notes: _Notes) -> list[EstimateLine]:
    """The patient's share of the covered days (rule 5), one line per part, capped if needed."""
    if covered_days == 0:
        return []
    code = data.currency
    charges = data.daily_rate * covered_days
    deductible = min(_known(data.deductible_remaining, "deductible remaining", notes), charges)
    percent = data.coinsurance_percent
    if percent is None:
        notes.warnings.append("The co-insurance is not known; it is counted as 0%, so the estimate may be low.")
        percent = Decimal(0)
    coinsurance = (charges - deductible) * percent / 100
    lines = [
        EstimateLine("Deductible", quantize(deductible, code)),
        EstimateLine(
            f"Co-insurance {_percent_text(percent)}% of {format_money(charges - deductible, code)}",
            quantize(coinsurance, code),
        ),
    ]
    copay_line = _copay_line(data, covered_days, notes)
    if copay_line is not None:
        lines.append(copay_line)
    notes.assumptions.append(
        "For covered days you pay the deductible first, then co-insurance on the "
        "rest, plus any co-pay, but never more than the covered charges or the "
        "out-of-pocket maximum remaining."
    )
    cap, cap_label = _cap(data, charges, notes)
    share = sum((line.amount for line in lines), Decimal(0))
    if share > cap:
        lines.append(EstimateLine(cap_label, cap - share))
    return lines


def _copay_line(data: EstimateInput, covered_days: int, notes: _Notes) -> EstimateLine | None:
    """The co-pay for the covered days, or None when there is none (or it is not known)."""
    code = data.currency
    if data.copay is None:
        notes.warnings.append("The co-pay is not known; it is counted as none, so the estimate may be low.")
        return None
    if data.copay == 0:
        return None
    per = data.copay_per
    if per is None:
        notes.warnings.append(
            "Whether the co-pay is per day, per visit or per admission is not known; it is "
            "counted per day, so the estimate may be high."
        )
        per = CopayPer.DAY
    if per == CopayPer.ADMISSION:
        return EstimateLine(f"Co-pay {format_money(data.copay, code)} per admission", data.copay)
    unit = "day" if per == CopayPer.DAY else "visit (one a day)"
    return EstimateLine(
        f"Co-pay {format_money(data.copay, code)} per {unit} for {_days(covered_days)}",
        quantize(data.copay * covered_days, code),
    )


def _cap(data: EstimateInput, charges: Decimal, notes: _Notes) -> tuple[Decimal, str]:
    """The most the patient pays for covered days, and the label of the line that enforces it."""
    oop = data.oop_remaining
    if oop is None:
        notes.warnings.append(
            "The out-of-pocket maximum remaining is not known; no cap is applied, so the estimate may be high."
        )
        return charges, "Your share cannot be more than the covered charges"
    shown_oop = format_money(oop, data.currency)
    notes.assumptions.append(f"Out-of-pocket maximum remaining: {shown_oop}.")
    if oop < charges:
        return oop, f"Out-of-pocket maximum: your share of covered days stops at {shown_oop}"
    return charges, "Your share cannot be more than the covered charges"


def _uncovered_line(data: EstimateInput, covered_days: int, reason: str, notes: _Notes) -> EstimateLine:
    """Days beyond the covered days, paid in full outside the out-of-pocket maximum (rule 4)."""
    extra = data.days - covered_days
    notes.assumptions.append(
        "Days that are not covered are paid in full and do not count toward the out-of-pocket maximum."
    )
    return EstimateLine(
        f"{_days(extra)} beyond {reason}, not covered: you pay "
        f"{format_money(data.daily_rate, data.currency)} a day in full",
        quantize(data.daily_rate * extra, data.currency),
    )


def _known(value: Decimal | None, what: str, notes: _Notes) -> Decimal:
    """`value`, or 0 with a warning that the estimate may be low because it is not known."""
    if value is None:
        notes.warnings.append(f"The {what} is not known; it is counted as 0, so the estimate may be low.")
        return Decimal(0)
    return value


def _percent_text(percent: Decimal) -> str:
    """20 for 20.00, 12.5 for 12.50: no trailing zeros, never exponent notation."""
    return f"{percent.normalize():f}"


def _days(count: int) -> str:
    """A day count in words: "1 day", "14 days"."""
    return f"{count} day" if count == 1 else f"{count} days"
