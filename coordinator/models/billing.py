"""Private pay: fee schedules, accounts, quotes, the ledger, payment plans and installments.

Money is NUMERIC(18, 4) in the database (room for currencies with up to four minor units)
and Decimal in Python, quantized to the currency's minor unit by the services. An account
has one ISO 4217 currency for life; every entry, quote and plan on it carries the same code,
checked by the services and kept in each row so a mismatch can never hide.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.domain.billing import ChargeCategory, FeePeriod, LedgerKind, PaymentMethod, PlanFrequency
from coordinator.models.base import Base, UTCDateTime, str_enum, utcnow
from coordinator.models.programs import Program
from coordinator.models.users import User
from coordinator.rules.payment_plan_lifecycle import PlanStatus
from coordinator.rules.quote_lifecycle import QuoteStatus

Money = sa.Numeric(18, 4)


def _currency_check() -> sa.CheckConstraint:
    return sa.CheckConstraint("length(currency) = 3 AND upper(currency) = currency", name="currency_code")


class FeeSchedule(Base):
    """What a program costs a private-pay patient, in one currency, kept by administrators."""

    __tablename__ = "fee_schedule"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "currency", name="uq_fee_schedule_program_currency"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("deposit_amount IS NULL OR deposit_percent IS NULL", name="one_deposit_rule"),
        sa.CheckConstraint("deposit_amount IS NULL OR deposit_amount > 0", name="deposit_amount_positive"),
        sa.CheckConstraint(
            "deposit_percent IS NULL OR (deposit_percent > 0 AND deposit_percent <= 100)", name="deposit_percent_range"
        ),
        _currency_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    period: Mapped[FeePeriod] = mapped_column(str_enum(FeePeriod, "fee_period"))
    # The deposit a quote from this schedule asks for: an amount, or a share of the first month.
    deposit_amount: Mapped[Decimal | None] = mapped_column(Money)
    deposit_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    includes: Mapped[str | None] = mapped_column(sa.Text)
    billed_separately: Mapped[str | None] = mapped_column(sa.Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    program: Mapped[Program] = relationship(lazy="raise")


class BillingAccount(Base):
    """A prospective or admitted patient's private-pay account: one per inquiry, one currency."""

    __tablename__ = "billing_account"
    __table_args__ = (_currency_check(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"), unique=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Quote(Base):
    """A price given to a prospective patient, with the fee schedule's terms copied at the time."""

    __tablename__ = "quote"
    __table_args__ = (
        sa.CheckConstraint("unit_amount > 0 AND total > 0", name="amounts_positive"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("deposit_required IS NULL OR deposit_required > 0", name="deposit_required_positive"),
        _currency_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_account.id"), index=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id"))
    fee_schedule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fee_schedule.id"))
    unit_amount: Mapped[Decimal] = mapped_column(Money)
    period: Mapped[FeePeriod] = mapped_column(str_enum(FeePeriod, "quote_period"))
    quantity: Mapped[int]
    total: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    # The deposit asked before admission (financial clearance compares the deposits kept with it).
    deposit_required: Mapped[Decimal | None] = mapped_column(Money)
    includes: Mapped[str | None] = mapped_column(sa.Text)
    billed_separately: Mapped[str | None] = mapped_column(sa.Text)
    valid_until: Mapped[date | None] = mapped_column(sa.Date)
    notes: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[QuoteStatus] = mapped_column(str_enum(QuoteStatus, "quote_status"), default=QuoteStatus.ISSUED)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    program: Mapped[Program] = relationship(lazy="raise")


class PaymentPlan(Base):
    """An agreed schedule of installments toward an amount owed."""

    __tablename__ = "payment_plan"
    __table_args__ = (
        sa.CheckConstraint("total > 0", name="total_positive"),
        sa.CheckConstraint("installment_count BETWEEN 1 AND 60", name="installment_count_range"),
        _currency_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_account.id"), index=True)
    total: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    frequency: Mapped[PlanFrequency] = mapped_column(str_enum(PlanFrequency, "plan_frequency"))
    installment_count: Mapped[int]
    first_due: Mapped[date]
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus, "plan_status"), default=PlanStatus.ACTIVE)
    notes: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(200))

    installments: Mapped[list[Installment]] = relationship(
        back_populates="plan", order_by="Installment.seq", lazy="raise", cascade="all, delete-orphan"
    )


class Installment(Base):
    __tablename__ = "installment"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "seq", name="uq_installment_plan_seq"),
        sa.Index("ix_installment_due_id", "due_date", "id"),  # billing's "installments due" queue (0016)
        sa.CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("payment_plan.id"), index=True)
    seq: Mapped[int]
    due_date: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money)

    plan: Mapped[PaymentPlan] = relationship(back_populates="installments", lazy="raise")


class LedgerEntry(Base):
    """A charge, payment or refund. Entries are never edited or deleted; a mistake is voided
    with a reason and stays visible, struck through, on the ledger and the statement."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("(kind = 'charge') = (category IS NOT NULL)", name="charges_have_category"),
        sa.CheckConstraint("kind <> 'charge' OR method IS NULL", name="charges_have_no_method"),
        sa.CheckConstraint("is_deposit = false OR kind = 'payment'", name="deposits_are_payments"),
        sa.CheckConstraint("(voided_at IS NULL) = (void_reason IS NULL)", name="void_has_reason"),
        sa.Index("ix_ledger_entry_account_date", "account_id", "entry_date", "id"),
        _currency_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_account.id"))
    kind: Mapped[LedgerKind] = mapped_column(str_enum(LedgerKind, "ledger_kind"))
    category: Mapped[ChargeCategory | None] = mapped_column(str_enum(ChargeCategory, "charge_category"))
    method: Mapped[PaymentMethod | None] = mapped_column(str_enum(PaymentMethod, "payment_method"))
    is_deposit: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    entry_date: Mapped[date]
    description: Mapped[str] = mapped_column(sa.String(200))
    reference: Mapped[str | None] = mapped_column(sa.String(80))
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payment_plan.id"), index=True)
    quote_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quote.id"))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    void_reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="raise")
