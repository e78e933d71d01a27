"""Whether a payment plan's installments are paid, for the overdue reminders at send time:
payments toward a plan settle its installments oldest first (the same allocation the account
page and statement show through `payment_plans.plan_views`). It only reads."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from coordinator.domain.billing import LedgerKind
from coordinator.extensions import db
from coordinator.models import Installment, LedgerEntry, PaymentPlan
from coordinator.rules.payment_plan_lifecycle import takes_payments


def paid_toward(plan_id: int) -> Decimal:
    """Payments recorded against the plan, less refunds recorded against it (voided entries
    aside): `payment_plans.paid_toward` in one SQL statement."""
    signed = sa.case((LedgerEntry.kind == LedgerKind.REFUND, -LedgerEntry.amount), else_=LedgerEntry.amount)
    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(signed), 0)).where(
            LedgerEntry.plan_id == plan_id,
            LedgerEntry.voided_at.is_(None),
            LedgerEntry.kind.in_((LedgerKind.PAYMENT, LedgerKind.REFUND)),
        )
    )
    return Decimal(total)


def installment_unpaid(installment: Installment) -> bool:
    """True while the plan takes payments and the payments toward it do not yet cover this
    installment and every earlier one."""
    plan = db.session.get(PaymentPlan, installment.plan_id)
    if plan is None or not takes_payments(plan.status):
        return False
    owed_through = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Installment.amount), 0)).where(
            Installment.plan_id == plan.id, Installment.seq <= installment.seq
        )
    )
    return paid_toward(plan.id) < Decimal(owed_through)
