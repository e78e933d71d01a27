"""Input contracts for private pay: opening an account, quotes, ledger entries and payment plans.

Amounts are parsed here for their syntax only (`values.amount`: "280,000", "1 500.50", not
negative). Whether an amount fits the account's currency (its minor unit, the ledger maximum,
more than zero) is the service's business through `rules/money`, because only the service knows
the account. Forms also send the account's currency back as a hidden field (`currency`); the
service refuses an amount typed for another account's currency.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem
from coordinator.contracts.messages import define
from coordinator.domain.billing import ChargeCategory, PaymentMethod, PlanFrequency
from coordinator.rules import money
from coordinator.rules.ledger import MAX_INSTALLMENTS

CURRENCY_LIMIT = 10
DESCRIPTION_LIMIT = 200
REFERENCE_LIMIT = 80
NOTES_LIMIT = 500
REASON_LIMIT = 200
MAX_QUANTITY = 1000
# Ledger entries are dated by people, from paper receipts too: never later than today, and
# never before the year 2000 (an earlier year is a typing mistake, not an old receipt).
EARLIEST_ENTRY = date(2000, 1, 1)

define(
    {
        "billing_currency_required": "Choose a currency.",
        "billing_currency_unknown": "This is not an ISO 4217 currency code; use three letters such as THB or USD.",
        "currency_not_the_accounts": "This account is in {currency}; enter amounts in {currency}. "
        "Amounts are never converted between currencies.",
        "account_exists": "This inquiry already has a private-pay account in {currency}; "
        "an account keeps its currency for life.",
        "quote_program_required": "Choose a program that accepts admissions.",
        "quote_quantity_required": "Enter how many days, weeks, months or episodes the quote is for.",
        "quote_no_schedule": "{program} has no fee schedule in {currency}{others}. Amounts are never "
        "converted between currencies: an administrator adds a {currency} fee schedule for this program first.",
        "quote_expires_in_past": "A quote cannot expire before today.",
        "quote_expired": "This quote has expired; issue a new one.",
        "quote_other_currency": "This quote is not in the account's currency.",
        "charge_category_required": "Choose what the charge is for.",
        "payment_method_required": "Choose how it was paid.",
        "refund_method_required": "Choose how the money was given back.",
        "plan_not_the_accounts": "Choose one of this account's payment plans.",
        "plan_closed": "This payment plan was cancelled; payments can go toward active plans only.",
        "refund_over_plan": "Only {paid} was paid toward this plan; a refund against it cannot be larger.",
        "void_reason_required": "Say why this entry is voided.",
        "already_voided": "This entry is already voided.",
        "void_leaves_refund": "Voiding this payment would leave more refunded than paid; void the refund first.",
        "void_leaves_plan_refund": "Voiding this payment would leave more refunded than paid toward its plan; "
        "void the refund first.",
        "plan_count_required": f"Choose from 1 to {MAX_INSTALLMENTS} installments.",
        "plan_frequency_required": "Choose weekly, every two weeks or monthly.",
        "plan_first_due_past": "The first installment cannot be due in the past.",
        "plan_cancel_reason_required": "Say why the plan is cancelled.",
    }
)


def _upper(code: str | None) -> str | None:
    return code.upper() if code else code


# A currency code as typed (" usd " is USD); whether it exists is checked where it must.
CurrencyCode = Annotated[values.text(CURRENCY_LIMIT), AfterValidator(_upper)]


def currency_problems(field: str, code: str | None):
    """A currency that must be chosen and must be an active ISO 4217 code."""
    if code is None:
        yield problem(field, "billing_currency_required")
    elif code not in money.CURRENCIES:
        yield problem(field, "billing_currency_unknown")


def entry_day(what: str = "date"):
    """The date of a ledger entry: required, not in the future, not before 2000."""
    return values.day(what=what, required="date_required", not_future=True, earliest=EARLIEST_ENTRY)


class OpenAccountInput(Contract):
    """The currency a new private-pay account is opened in (it keeps it for life)."""

    schema_required = ("currency",)

    currency: CurrencyCode

    def problems(self):
        yield from currency_problems("currency", self.currency)


class _InAccountCurrency(Contract):
    # The account's currency as the form was filled in for it (absent from the API and jobs).
    currency: CurrencyCode


class QuoteInput(_InAccountCurrency):
    """A quote for a number of the program's fee periods; its terms come from the fee schedule."""

    schema_required = ("program_id", "quantity")

    program_id: values.record_id(what="program", required="quote_program_required")
    quantity: values.whole_number(what="quantity", minimum=1, maximum=MAX_QUANTITY, required="quote_quantity_required")
    valid_until: values.day(what="expiry date")
    # The deposit asked before admission; empty: the fee schedule's deposit rule.
    deposit_amount: values.amount(what="deposit")
    notes: values.text(NOTES_LIMIT, multiline=True)


class ChargeInput(_InAccountCurrency):
    """A charge: a program fee or something billed separately."""

    schema_required = ("category", "amount", "entry_date")

    category: values.choice(ChargeCategory, required="charge_category_required")
    amount: values.amount(required="amount_required")
    entry_date: entry_day()
    description: values.text(DESCRIPTION_LIMIT)
    reference: values.text(REFERENCE_LIMIT)


class PaymentInput(_InAccountCurrency):
    """Money received: possibly a deposit, possibly toward one of the account's plans."""

    schema_required = ("amount", "entry_date", "method")

    amount: values.amount(required="amount_required")
    entry_date: entry_day()
    method: values.choice(PaymentMethod, required="payment_method_required")
    is_deposit: values.yes_no()
    plan_id: values.record_id(what="payment plan")
    reference: values.text(REFERENCE_LIMIT)
    description: values.text(DESCRIPTION_LIMIT)


class RefundInput(_InAccountCurrency):
    """Money handed back, possibly against one of the account's plans."""

    schema_required = ("amount", "entry_date", "method")

    amount: values.amount(required="amount_required")
    entry_date: entry_day()
    method: values.choice(PaymentMethod, required="refund_method_required")
    plan_id: values.record_id(what="payment plan")
    reference: values.text(REFERENCE_LIMIT)
    description: values.text(DESCRIPTION_LIMIT)


class VoidInput(Contract):
    """Why a ledger entry is voided (it stays listed and counts for nothing)."""

    schema_required = ("reason",)

    reason: values.text(REASON_LIMIT, required="void_reason_required")


class PlanInput(_InAccountCurrency):
    """A payment plan: a total split into installments, the first due today or later."""

    schema_required = ("total", "count", "frequency", "first_due")

    total: values.amount(what="total", required="amount_required")
    count: values.whole_number(
        what="number of installments", minimum=1, maximum=MAX_INSTALLMENTS, required="plan_count_required"
    )
    frequency: values.choice(PlanFrequency, required="plan_frequency_required")
    first_due: values.day(what="first due date", required="date_required")
    notes: values.text(NOTES_LIMIT, multiline=True)


class CancelPlanInput(Contract):
    """Why a payment plan is cancelled."""

    schema_required = ("reason",)

    reason: values.text(REASON_LIMIT, required="plan_cancel_reason_required")
