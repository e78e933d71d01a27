"""The private-pay use cases as the tests call them: each builds its contract from the values a
form would post (`Contract.parse`, so bad input is refused exactly as on the pages) and calls the
service with it. Reads (balances, the ledger view) are called on the services directly."""

from __future__ import annotations

from coordinator.contracts.billing import (
    CancelPlanInput,
    ChargeInput,
    OpenAccountInput,
    PaymentInput,
    PlanInput,
    QuoteInput,
    RefundInput,
    VoidInput,
)
from coordinator.contracts.fee_schedules import FeeScheduleInput
from coordinator.services import billing_accounts, fee_schedules, ledger, payment_plans, quotes


def open_account(actor, inquiry, currency):
    return billing_accounts.open_account(actor, inquiry, OpenAccountInput.parse({"currency": currency}))


def issue_quote(actor, account, program_id, quantity, valid_until=None, notes=None, today=None, *, currency=None):
    data = {"program_id": program_id, "quantity": quantity, "valid_until": valid_until, "notes": notes}
    return quotes.issue_quote(
        actor, account, QuoteInput.parse({**data, "currency": currency}, today=today), today=today
    )


def accept_quote(actor, quote, today=None):
    return quotes.accept_quote(actor, quote, today=today)


def withdraw_quote(actor, quote):
    return quotes.withdraw_quote(actor, quote)


def add_charge(actor, account, category, amount, entry_date, description, reference, *, currency=None, today=None):
    data = {"category": category, "amount": amount, "entry_date": entry_date}
    data |= {"description": description, "reference": reference, "currency": currency}
    return ledger.add_charge(actor, account, ChargeInput.parse(data, today=today))


def record_payment(
    actor,
    account,
    amount,
    entry_date,
    method,
    reference,
    is_deposit=False,
    plan_id=None,
    *,
    description=None,
    currency=None,
    today=None,
):
    data = {"amount": amount, "entry_date": entry_date, "method": method, "reference": reference}
    data |= {"is_deposit": is_deposit, "plan_id": plan_id, "description": description, "currency": currency}
    return ledger.record_payment(actor, account, PaymentInput.parse(data, today=today))


def record_refund(
    actor, account, amount, entry_date, method, reference, plan_id=None, *, description=None, currency=None, today=None
):
    data = {"amount": amount, "entry_date": entry_date, "method": method, "reference": reference}
    data |= {"plan_id": plan_id, "description": description, "currency": currency}
    return ledger.record_refund(actor, account, RefundInput.parse(data, today=today))


def void_entry(actor, entry, reason):
    return ledger.void_entry(actor, entry, VoidInput.parse({"reason": reason}))


def create_plan(actor, account, total, count, frequency, first_due, notes, today=None, *, currency=None):
    data = {"total": total, "count": count, "frequency": frequency, "first_due": first_due, "notes": notes}
    return payment_plans.create_plan(actor, account, PlanInput.parse({**data, "currency": currency}), today=today)


def cancel_plan(actor, plan, reason):
    return payment_plans.cancel_plan(actor, plan, CancelPlanInput.parse({"reason": reason}))


def create_schedule(actor, data):
    return fee_schedules.create_schedule(actor, FeeScheduleInput.parse(data))


def update_schedule(actor, schedule, data):
    return fee_schedules.update_schedule(actor, schedule, FeeScheduleInput.parse(data))
