"""Demo insurance and private-pay records, made through the real services (never in production).

Payers and fee schedules first; then, as each demo inquiry reaches "verifying", either a
coverage with a phone verification (two in three) or a private-pay account with a quote
(one in three); and before an admission, what clears it: an approved authorization with a
review date, or the accepted quote, a deposit, a payment plan and a transport charge.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from coordinator.contracts.authorization import AuthorizationInput
from coordinator.contracts.billing import ChargeInput, OpenAccountInput, PaymentInput, PlanInput, QuoteInput
from coordinator.contracts.coverage import CoverageInput
from coordinator.contracts.fee_schedules import FeeScheduleInput
from coordinator.contracts.verification import VerificationInput
from coordinator.domain.care import LevelOfCare
from coordinator.extensions import db
from coordinator.models import Inquiry, Payer, Program, User
from coordinator.services import (
    authorizations,
    billing_accounts,
    coverages,
    fee_schedules,
    ledger,
    payment_plans,
    quotes,
    verifications,
)

PAYERS = [
    ("Blue Harbor Health", "BHH01", "+1 800 555 0101"),
    ("Cascade Mutual", "CSM02", "+1 800 555 0102"),
    ("Pacific Shield", "PSH03", "+1 800 555 0103"),
    ("Allianz Care (international)", None, "+353 1 630 1301"),
]
# (level of care, amount, currency, period): what each kind of program costs privately.
FEES = {
    LevelOfCare.RESIDENTIAL: [("280000", "THB", "month"), ("8500", "USD", "month")],
    LevelOfCare.PHP: [("60000", "THB", "week")],
    LevelOfCare.IOP: [("35000", "THB", "week")],
    LevelOfCare.VIRTUAL_IOP: [("25000", "THB", "week")],
    LevelOfCare.PARTNER_HOSPITAL_DETOX: [("18000", "THB", "day")],
}
QUANTITY = {"month": 1, "week": 4, "day": 7}


def seed_reference_data(admin: User, programs: list[Program]) -> None:
    """Payers and fee schedules, once."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Payer)):
        return
    for name, code, phone in PAYERS:
        db.session.add(Payer(name=name, payer_code=code, phone=phone))
    for program in programs:
        for amount, currency, period in FEES[program.level_of_care]:
            terms = {
                "program_id": program.id,
                "amount": amount,
                "currency": currency,
                "period": period,
                "deposit_percent": "25",
                "includes": fee_schedules.DEFAULT_INCLUDES,
                "billed_separately": fee_schedules.DEFAULT_BILLED_SEPARATELY,
            }
            fee_schedules.create_schedule(admin, FeeScheduleInput.parse(terms))
    db.session.flush()


def pays_privately(n: int) -> bool:
    return n % 3 == 0


def start_verification(inquiry: Inquiry, desk: User, billing_user: User, program: Program, n: int, today: date) -> None:
    """What admissions does on reaching "verifying": check insurance, or quote a private-pay stay."""
    if pays_privately(n):
        account = billing_accounts.open_account(billing_user, inquiry, OpenAccountInput.parse({"currency": "THB"}))
        quote = {
            "program_id": program.id,
            "quantity": QUANTITY[FEES[program.level_of_care][0][2]],
            "valid_until": quotes.default_valid_until(today),
            "notes": "Quoted on the phone; transport from Bangkok airport billed separately.",
        }
        quotes.issue_quote(billing_user, account, QuoteInput.parse(quote), today=today)
        return
    payers = db.session.scalars(sa.select(Payer).order_by(Payer.id)).all()
    payer = payers[n % (len(payers) - 1)]
    coverage = coverages.add_coverage(
        desk,
        inquiry,
        CoverageInput.parse(
            {
                "rank": "primary",
                "payer_id": str(payer.id),
                "plan_type": "ppo" if n % 2 else "hmo",
                "plan_name": "Gold PPO 1500" if n % 2 else "Select HMO",
                "member_id": f"{payer.payer_code}{700000 + n * 37}",
                "group_number": f"GRP{4400 + n}",
                "relationship_to_subscriber": "self",
                "effective_from": date(today.year, 1, 1).isoformat(),
            },
            today=today,
        ),
    )
    if n % 7 != 1:  # the others show on billing's "not yet verified" list
        _verify(desk, coverage, n, today)


def _verify(desk: User, coverage, n: int, today: date) -> None:
    """A phone verification: active PPO/HMO benefits, residential needing prior authorization."""
    verifications.record_verification(
        desk,
        coverage,
        VerificationInput.parse(
            {
                "status": "verified_active",
                "method": "phone",
                "network_status": "in_network",
                "out_of_network_benefits": "yes",
                "payer_reference": f"REF-{2026}{n:04d}",
                "payer_contact": "Dana at provider services",
                "plan_begin": date(today.year, 1, 1).isoformat(),
                "plan_end": date(today.year, 12, 31).isoformat(),
                "currency": "USD",
                "sud_residential": {
                    "covered": "yes",
                    "deductible_individual": "1500",
                    "deductible_individual_met": "500",
                    "oop_individual": "6000",
                    "oop_individual_met": "1200",
                    "coinsurance_percent": "20",
                    "prior_auth_required": "yes",
                    "limit_quantity": "30",
                    "limit_unit": "days",
                    "limit_period": "calendar year",
                },
                "sud_outpatient": {
                    "covered": "yes",
                    "copay": "25",
                    "copay_per": "visit",
                    "coinsurance_percent": "10",
                    "prior_auth_required": "no",
                },
                "pharmacy": {"covered": "yes", "copay": "15", "copay_per": "visit"},
            },
            today=today,
        ),
    )


def clear_for_admission(
    inquiry: Inquiry, desk: User, billing_user: User, program: Program, admit_date: date, n: int, today: date
) -> None:
    """What makes a demo admission financially cleared."""
    if pays_privately(n):
        account = billing_accounts.account_for(inquiry)
        quote = quotes.quote_lines(account, today)[0].quote
        quotes.accept_quote(billing_user, quote, today=admit_date)  # accepted on the day of admission
        deposit = {
            "amount": "100000",
            "entry_date": admit_date,
            "method": "bank_transfer",
            "reference": f"TT-{n:05d}",
            "is_deposit": True,
            "description": "Deposit",
        }
        ledger.record_payment(billing_user, account, PaymentInput.parse(deposit))
        remaining = billing_accounts.balance_of(account)
        if remaining > 0:
            plan = {
                "total": remaining,
                "count": 3,
                "frequency": "monthly",
                "first_due": today + timedelta(days=7),
                "notes": "Agreed with the family on the phone.",
            }
            payment_plans.create_plan(billing_user, account, PlanInput.parse(plan), today=today)
        if n % 2:
            transport = {
                "category": "transport",
                "amount": "3500",
                "entry_date": admit_date,
                "description": "Hospital transport (partner hospital visit)",
            }
            ledger.add_charge(billing_user, account, ChargeInput.parse(transport))
        return
    coverage = coverages.coverages_for(inquiry)[0]
    if not verifications.latest_verifications([coverage.id], confirmed_only=True):
        _verify(desk, coverage, n, today)
    authorizations.record_authorization(
        desk,
        inquiry,
        AuthorizationInput.parse(
            {
                "level_of_care": program.level_of_care.value,
                "coverage_id": str(coverage.id),
                "status": "approved",
                "auth_number": f"AUTH-{88000 + n}",
                "unit": "days",
                "requested_units": "14",
                "approved_units": "14",
                "start_date": admit_date.isoformat(),
                "next_review_date": (admit_date + timedelta(days=10)).isoformat(),
                "payer_contact": "UR nurse, behavioral health",
            },
            today=today,
        ),
        today,
    )
