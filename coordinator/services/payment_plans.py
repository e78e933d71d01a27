"""Payment plans: a total split into installments (the remainder on the last; month ends
clamp), settled oldest first by the payments recorded toward the plan, and cancelled with a
reason as `rules/payment_plan_lifecycle.py` allows.

Each installment has an INSTALLMENT_OVERDUE reminder due INSTALLMENT_GRACE_DAYS after its due
date (`reminders.payment_plan_changed`), which checks at send time whether it is still unpaid
(`plan_status.py`, the same allocation the account page shows). Every change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from coordinator.clock import clinic_today
from coordinator.contracts.base import problem
from coordinator.contracts.billing import CancelPlanInput, PlanInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.billing import LedgerKind
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import BillingAccount, Installment, LedgerEntry, PaymentPlan, utcnow
from coordinator.rules import ledger as ledger_rules
from coordinator.rules import money
from coordinator.rules.errors import RuleError
from coordinator.rules.payment_plan_lifecycle import LIFECYCLE, PlanAction, PlanStatus, takes_payments
from coordinator.services import audit, records, reminders
from coordinator.services.billing_accounts import (
    actor_id,
    amount_in,
    currency_problems,
    load_account,
    lock,
    refuse,
    transition,
)


@dataclass(frozen=True)
class PlanView:
    """A plan as the account page and the statement show it, on one day."""

    plan: PaymentPlan
    installments: list[ledger_rules.InstallmentState]
    summary: ledger_rules.PlanSummary
    paid_toward: Decimal

    @property
    def is_active(self) -> bool:
        return takes_payments(self.plan.status)

    @property
    def can_cancel(self) -> bool:
        return can_cancel(self.plan)


def load_plan(plan_id: int) -> PaymentPlan:
    """The payment plan with this id, or NotFound."""
    return records.load(PaymentPlan, plan_id)


def plans_of(account: BillingAccount, *, active_only: bool = False) -> list[PaymentPlan]:
    """The account's plans, oldest first (only those taking payments, when asked)."""
    query = sa.select(PaymentPlan).where(PaymentPlan.account_id == account.id)
    if active_only:
        query = query.where(PaymentPlan.status == PlanStatus.ACTIVE)
    return list(db.session.scalars(query.order_by(PaymentPlan.created_at, PaymentPlan.id)))


def can_cancel(plan: PaymentPlan) -> bool:
    """Whether the plan may still be cancelled (only an active one)."""
    return LIFECYCLE.allows(plan.status, PlanAction.CANCEL)


def paid_toward(rows: Sequence[LedgerEntry], plan_id: int) -> Decimal:
    """Payments toward the plan less refunds against it, voided entries aside (the rule
    `plan_status.paid_toward` applies in SQL, for the reminders)."""
    total = Decimal(0)
    for row in rows:
        if row.plan_id == plan_id and row.voided_at is None:
            if row.kind is LedgerKind.PAYMENT:
                total += row.amount
            elif row.kind is LedgerKind.REFUND:
                total -= row.amount
    return total


def plan_for_entry(account: BillingAccount, plan_id: int | None, problems: list, *, payment: bool):
    """The account's plan a payment goes toward (it must take payments) or a refund is made
    against (any of the account's plans); None when none was chosen or after adding the problem."""
    if plan_id is None:
        return None
    plan = records.find(PaymentPlan, plan_id)
    if plan is None or plan.account_id != account.id:
        problems.append(problem("plan_id", "plan_not_the_accounts"))
        return None
    if payment and not takes_payments(plan.status):
        problems.append(problem("plan_id", "plan_closed"))
        return None
    return plan


def create_plan(actor, account: BillingAccount, data: PlanInput, *, today: date | None = None) -> PaymentPlan:
    """A plan of `data.count` installments splitting `data.total`, the first due today or later,
    each with its overdue reminder; the caller commits."""
    today = today or clinic_today()
    problems = currency_problems(account, data)
    total = amount_in(account, data.total, "total", problems)
    if data.first_due < today:
        problems.append(problem("first_due", "plan_first_due_past"))
    refuse(problems)
    try:
        split = ledger_rules.split_installments(
            total, data.count, data.first_due, data.frequency.value, account.currency
        )
    except RuleError as error:
        raise ValidationFailed(list(error.errors)) from None
    lock(account)
    plan = PaymentPlan(
        account_id=account.id,
        total=total,
        currency=account.currency,
        frequency=data.frequency,
        installment_count=data.count,
        first_due=data.first_due,
        status=PlanStatus.ACTIVE,
        notes=data.notes,
        created_by_id=actor_id(actor),
        installments=[Installment(seq=i.seq, due_date=i.due, amount=i.amount) for i in split],
    )
    db.session.add(plan)
    db.session.flush()
    reminders.payment_plan_changed(plan, account.inquiry_id)
    audit.record(
        actor, AuditAction.PAYMENT_PLAN_CREATED, "payment_plan", plan.id, detail=f"inquiry {account.inquiry_id}"
    )
    return plan


def cancel_plan(actor, plan: PaymentPlan, data: CancelPlanInput) -> PaymentPlan:
    """Cancel an active plan with a reason, and its overdue reminders; payments already made
    toward it stay on the ledger. The caller commits."""
    account = load_account(plan.account_id)
    lock(account)
    db.session.refresh(plan)
    plan.status = transition(LIFECYCLE, plan.status, PlanAction.CANCEL)
    plan.cancelled_at, plan.cancel_reason = utcnow(), data.reason
    db.session.flush()
    reminders.payment_plan_changed(plan, account.inquiry_id)
    audit.record(
        actor, AuditAction.PAYMENT_PLAN_CANCELLED, "payment_plan", plan.id, detail=f"inquiry {account.inquiry_id}"
    )
    return plan


def plan_views(account: BillingAccount, rows: Sequence[LedgerEntry], today: date, grace_days: int) -> list[PlanView]:
    """Every plan of the account with its installments' states on `today` (two statements)."""
    code = account.currency
    plans = plans_of(account)
    installments: dict[int, list[Installment]] = {plan.id: [] for plan in plans}
    if plans:
        for item in db.session.scalars(
            sa.select(Installment)
            .where(Installment.plan_id.in_(list(installments)))
            .order_by(Installment.plan_id, Installment.seq)
        ):
            installments[item.plan_id].append(item)
    views = []
    for plan in plans:
        schedule = [
            ledger_rules.Installment(i.seq, i.due_date, money.quantize(i.amount, code)) for i in installments[plan.id]
        ]
        paid = money.quantize(paid_toward(rows, plan.id), code)
        applied = max(paid, Decimal(0))
        if schedule:
            states = ledger_rules.installment_states(schedule, applied, today, grace_days)
            summary = ledger_rules.plan_summary(schedule, applied, today, grace_days)
            views.append(PlanView(plan, states, summary, paid))
    return views
