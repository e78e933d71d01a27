"""The private-pay ledger: charges, payments (deposits, payments toward a plan), refunds and
voids, and the view of it that the account page and the statement show.

Entries are never edited or deleted: a mistake is voided with a reason and stays listed,
counting for nothing. A refund never hands back more than was paid (nor, against a plan, more
than was paid toward it); every change locks the account first, so two clerks at the same
moment cannot get past that together. Every change is audited (no amounts, no names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app

from coordinator.contracts.base import problem
from coordinator.contracts.billing import ChargeInput, PaymentInput, RefundInput, VoidInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.billing import LedgerKind
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import BillingAccount, LedgerEntry, utcnow
from coordinator.rules import ledger as ledger_rules
from coordinator.rules import money
from coordinator.rules.errors import RuleError
from coordinator.services import audit, records
from coordinator.services.billing_accounts import (
    actor_id,
    add_entry,
    amount_in,
    currency_problems,
    entries,
    load_account,
    lock,
    refuse,
    rule_entry,
)
from coordinator.services.payment_plans import PlanView, paid_toward, plan_for_entry, plan_views
from coordinator.services.quotes import QuoteLine, quote_lines


@dataclass(frozen=True)
class LedgerLine:
    """One ledger row with the running balance after it."""

    entry: LedgerEntry
    balance: Decimal  # the balance after this entry (a voided one leaves it unchanged)


@dataclass(frozen=True)
class LedgerView:
    """Everything the account page and the statement show, read on one day."""

    account: BillingAccount
    currency: str
    lines: list[LedgerLine]
    charges: Decimal
    payments: Decimal
    refunds: Decimal
    balance: Decimal
    deposits: Decimal
    refundable: Decimal
    plans: list[PlanView]
    quotes: list[QuoteLine]

    @property
    def active_plans(self) -> list[PlanView]:
        return [p for p in self.plans if p.is_active]


def load_entry(entry_id: int) -> LedgerEntry:
    """The ledger entry with this id, or NotFound."""
    return records.load(LedgerEntry, entry_id)


def add_charge(actor, account: BillingAccount, data: ChargeInput) -> LedgerEntry:
    """A charge: a program fee or something billed separately (medication, consultations,
    transport...); the caller commits."""
    problems = currency_problems(account, data)
    amount = amount_in(account, data.amount, "amount", problems)
    refuse(problems)
    lock(account)
    return add_entry(
        actor,
        account,
        AuditAction.LEDGER_CHARGE_ADDED,
        data.category.value,
        kind=LedgerKind.CHARGE,
        category=data.category,
        amount=amount,
        entry_date=data.entry_date,
        description=data.description or data.category.label,
        reference=data.reference,
    )


def record_payment(actor, account: BillingAccount, data: PaymentInput) -> LedgerEntry:
    """Money received. A deposit counts toward financial clearance; a payment toward a plan
    settles its installments oldest first. The caller commits."""
    problems = currency_problems(account, data)
    amount = amount_in(account, data.amount, "amount", problems)
    plan = plan_for_entry(account, data.plan_id, problems, payment=True)
    refuse(problems)
    lock(account)
    default = "Deposit" if data.is_deposit else ("Installment payment" if plan is not None else "Payment")
    detail = "deposit" if data.is_deposit else ("plan payment" if plan is not None else "payment")
    return add_entry(
        actor,
        account,
        AuditAction.LEDGER_PAYMENT_RECORDED,
        detail,
        kind=LedgerKind.PAYMENT,
        method=data.method,
        is_deposit=data.is_deposit,
        amount=amount,
        entry_date=data.entry_date,
        description=data.description or default,
        reference=data.reference,
        plan_id=plan.id if plan is not None else None,
    )


def record_refund(actor, account: BillingAccount, data: RefundInput) -> LedgerEntry:
    """Money handed back: never more than was paid and not yet refunded (nor, against a plan,
    more than was paid toward that plan). The caller commits."""
    problems = currency_problems(account, data)
    amount = amount_in(account, data.amount, "amount", problems)
    plan = plan_for_entry(account, data.plan_id, problems, payment=False)
    refuse(problems)
    lock(account)
    rows = entries(account.id)
    try:
        amount = ledger_rules.check_refund([rule_entry(row) for row in rows], amount, account.currency)
    except RuleError as error:
        raise ValidationFailed(list(error.errors)) from None
    if plan is not None and amount > paid_toward(rows, plan.id):
        paid = money.format_money(max(paid_toward(rows, plan.id), Decimal(0)), account.currency)
        raise ValidationFailed([problem("amount", "refund_over_plan", paid=paid)])
    return add_entry(
        actor,
        account,
        AuditAction.LEDGER_REFUND_RECORDED,
        "refund",
        kind=LedgerKind.REFUND,
        method=data.method,
        amount=amount,
        entry_date=data.entry_date,
        description=data.description or "Refund",
        reference=data.reference,
        plan_id=plan.id if plan is not None else None,
    )


def void_entry(actor, entry: LedgerEntry, data: VoidInput) -> LedgerEntry:
    """Void a mistaken entry with a reason: it stays listed (struck through) and counts for
    nothing. A payment cannot be voided while that would leave more refunded than paid (void the
    refund first). The caller commits."""
    account = load_account(entry.account_id)
    lock(account)
    db.session.refresh(entry)
    if entry.voided_at is not None:
        raise ValidationFailed([problem("reason", "already_voided")])
    rows = entries(account.id)
    if entry.kind is LedgerKind.PAYMENT:
        after = [rule_entry(row, voided=True) if row.id == entry.id else rule_entry(row) for row in rows]
        if ledger_rules.refundable(after, account.currency) < 0:
            raise ValidationFailed([problem("reason", "void_leaves_refund")])
        if entry.plan_id is not None and paid_toward(rows, entry.plan_id) - entry.amount < 0:
            raise ValidationFailed([problem("reason", "void_leaves_plan_refund")])
    entry.voided_at, entry.voided_by_id, entry.void_reason = utcnow(), actor_id(actor), data.reason
    db.session.flush()
    audit.record(
        actor,
        AuditAction.LEDGER_ENTRY_VOIDED,
        "ledger_entry",
        entry.id,
        detail=f"inquiry {account.inquiry_id}; {entry.kind.value}",
    )
    return entry


def ledger_view(account: BillingAccount, today: date, grace_days: int | None = None) -> LedgerView:
    """Everything the account page and the statement show, in four statements whatever the size:
    entries with running balances, totals, deposits, plans with installment states, quotes."""
    code = account.currency
    grace = current_app.config["INSTALLMENT_GRACE_DAYS"] if grace_days is None else grace_days
    rows = entries(account.id)
    by_id = {row.id: row for row in rows}
    rule_rows = [rule_entry(row) for row in rows]
    running = ledger_rules.running_balances(rule_rows, code)

    def total(kind: LedgerKind, *, deposits_only: bool = False) -> Decimal:
        return money.quantize(
            sum(
                (
                    e.amount
                    for e, row in zip(rule_rows, rows, strict=True)
                    if not e.voided and e.kind == kind.value and (row.is_deposit or not deposits_only)
                ),
                Decimal(0),
            ),
            code,
        )

    return LedgerView(
        account=account,
        currency=code,
        lines=[LedgerLine(by_id[entry.id], balance) for entry, balance in running],
        charges=total(LedgerKind.CHARGE),
        payments=total(LedgerKind.PAYMENT),
        refunds=total(LedgerKind.REFUND),
        balance=ledger_rules.balance(rule_rows, code),
        deposits=total(LedgerKind.PAYMENT, deposits_only=True),
        refundable=ledger_rules.refundable(rule_rows, code),
        plans=plan_views(account, rows, today, grace),
        quotes=quote_lines(account, today),
    )
