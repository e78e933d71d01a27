"""Financial clearance: may this person be admitted, and on what basis?

A patient is cleared to admit by the first of these that holds:

1. **Insurance** — a coverage in force on the admission date whose latest *confirmed*
   verification says "verified active" (a 271 draft nobody has reviewed does not count), and,
   for the service line of the level of care, either the payer said no prior authorization is
   needed, or there is an approved (or partially approved) authorization for that level whose
   dates include the admission date. When the verification does not say whether
   authorization is needed, an authorization is required: "unknown" is not "no".
2. **Private pay** — the deposits kept on the private-pay account (not voided, not refunded
   away) reach the deposit the quote in force asks for (from the fee schedule: an amount or a
   share of the first month, or typed on the quote). A deposit without a quote saying what is
   required does not clear: the amount would be anyone's guess.
3. **Override** — an administrator recorded a reason to admit without clearance.

Otherwise the answer lists, in plain words, what is missing. Levels of care map onto the
verification's service lines: residential and partner-hospital detox onto substance-use
residential/inpatient; PHP, IOP and virtual IOP onto substance-use outpatient. Without a
level (before a program is chosen) any substance-use line and any authorization count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from coordinator.domain.care import LevelOfCare
from coordinator.domain.insurance import ServiceLine, VerificationStatus
from coordinator.rules.authorization_lifecycle import AuthorizationStatus
from coordinator.rules.money import format_money

SERVICE_LINE_FOR_LEVEL = {
    LevelOfCare.PARTNER_HOSPITAL_DETOX: ServiceLine.SUD_RESIDENTIAL,
    LevelOfCare.RESIDENTIAL: ServiceLine.SUD_RESIDENTIAL,
    LevelOfCare.PHP: ServiceLine.SUD_OUTPATIENT,
    LevelOfCare.IOP: ServiceLine.SUD_OUTPATIENT,
    LevelOfCare.VIRTUAL_IOP: ServiceLine.SUD_OUTPATIENT,
}
SUD_LINES = (ServiceLine.SUD_RESIDENTIAL, ServiceLine.SUD_OUTPATIENT)
GRANTED = (AuthorizationStatus.APPROVED, AuthorizationStatus.PARTIALLY_APPROVED)


@dataclass(frozen=True)
class CoverageFacts:
    """One coverage and its latest confirmed verification (None: never verified)."""

    label: str  # e.g. "Primary — Blue Harbor Health", for the sentences
    effective_from: date | None
    effective_to: date | None
    verification_status: VerificationStatus | None
    plan_end: date | None = None
    # Prior authorization required, per service line, as the verification recorded it.
    prior_auth: tuple[tuple[ServiceLine, bool | None], ...] = ()


@dataclass(frozen=True)
class AuthorizationFacts:
    level_of_care: LevelOfCare
    status: AuthorizationStatus
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True)
class DepositFacts:
    """The private-pay account's deposits, in its currency."""

    kept: Decimal  # live deposit payments, capped by the money kept (payments less refunds)
    required: Decimal | None  # what the quote in force asks; None: no quote says
    currency: str

    @property
    def enough(self) -> bool:
        return self.required is not None and self.kept > 0 and self.kept >= self.required


@dataclass(frozen=True)
class ClearanceInput:
    on: date
    level_of_care: LevelOfCare | None = None
    coverages: tuple[CoverageFacts, ...] = ()
    authorizations: tuple[AuthorizationFacts, ...] = ()
    deposit: DepositFacts | None = None
    override_reason: str | None = None


@dataclass(frozen=True)
class Clearance:
    cleared: bool
    basis: str | None  # "insurance", "private_pay", "override" or None
    summary: str
    missing: tuple[str, ...] = ()


def _lower_first(label: str) -> str:
    """ "Virtual IOP" → "virtual IOP": lower-case the first letter only, keeping abbreviations."""
    return label[:1].lower() + label[1:]


def _in_force(coverage: CoverageFacts, on: date) -> bool:
    if coverage.effective_from and on < coverage.effective_from:
        return False
    if coverage.effective_to and on > coverage.effective_to:
        return False
    return not (coverage.plan_end and on > coverage.plan_end)


def _lines_for(level: LevelOfCare | None) -> tuple[ServiceLine, ...]:
    return SUD_LINES if level is None else (SERVICE_LINE_FOR_LEVEL[level],)


def _authorization_needed(coverage: CoverageFacts, level: LevelOfCare | None) -> bool:
    """True when any relevant line requires it or does not say; False only on an explicit "no"."""
    recorded = dict(coverage.prior_auth)
    return any(recorded.get(line) is not False for line in _lines_for(level))


def _granted_authorization(facts: ClearanceInput) -> AuthorizationFacts | None:
    for auth in facts.authorizations:
        if auth.status not in GRANTED:
            continue
        if facts.level_of_care is not None and auth.level_of_care is not facts.level_of_care:
            continue
        if auth.start_date and facts.on < auth.start_date:
            continue
        if auth.end_date and facts.on > auth.end_date:
            continue
        return auth
    return None


def _insurance(facts: ClearanceInput) -> tuple[Clearance | None, list[str]]:
    """Clearance through insurance, or None and the reasons it falls short."""
    active = [
        c
        for c in facts.coverages
        if c.verification_status is VerificationStatus.VERIFIED_ACTIVE and _in_force(c, facts.on)
    ]
    if not facts.coverages:
        return None, []
    if not active:
        return None, ["No coverage is verified active for the admission date (a 271 draft counts once confirmed)."]
    level_words = _lower_first(facts.level_of_care.label) if facts.level_of_care else "this level of care"
    for coverage in active:
        if not _authorization_needed(coverage, facts.level_of_care):
            return Clearance(
                True,
                "insurance",
                f"{coverage.label}: verified active; the payer needs no prior authorization for {level_words}.",
            ), []
    auth = _granted_authorization(facts)
    if auth is not None:
        return Clearance(
            True,
            "insurance",
            f"{active[0].label}: verified active; authorization for "
            f"{_lower_first(auth.level_of_care.label)} "
            f"{auth.status.label.lower()}.",
        ), []
    return None, [
        f"Coverage is verified active, but an approved authorization for {level_words} covering "
        f"{facts.on:%d %b %Y} is needed (or a verification saying none is required)."
    ]


def assess(facts: ClearanceInput) -> Clearance:
    """Whether the patient is financially cleared to admit on `facts.on`, and why (or why not)."""
    cleared, missing = _insurance(facts)
    if cleared is not None:
        return cleared
    deposit = facts.deposit
    if deposit is not None and deposit.enough:
        return Clearance(
            True,
            "private_pay",
            f"Private pay: a deposit of {format_money(deposit.kept, deposit.currency)} has been received "
            f"(the quote asks for {format_money(deposit.required, deposit.currency)}).",
        )
    reason = (facts.override_reason or "").strip()
    if reason:
        return Clearance(True, "override", f"Administrator override: {reason}")
    if not facts.coverages:
        missing.append("No insurance is recorded.")
    missing.append(_deposit_missing(deposit))
    return Clearance(False, None, "Not financially cleared.", tuple(missing))


def _deposit_missing(deposit: DepositFacts | None) -> str:
    """What the private-pay way still lacks, in words."""
    if deposit is None or (deposit.kept <= 0 and deposit.required is None):
        return "No private-pay deposit has been received."
    asked = None if deposit.required is None else format_money(deposit.required, deposit.currency)
    if deposit.kept <= 0:
        return f"No private-pay deposit has been received (the quote asks for {asked})."
    kept = format_money(deposit.kept, deposit.currency)
    if asked is None:
        return (
            f"A deposit of {kept} is recorded, but no quote says what deposit is required: "
            "issue a quote (its fee schedule sets the deposit) or type the deposit on it."
        )
    short = format_money(deposit.required - deposit.kept, deposit.currency)
    return f"The deposit received, {kept}, is less than the {asked} the quote asks for ({short} still due)."
