"""Private-pay quotes: issued from a program's fee schedule in the account's currency (terms
copied, so a later change to the schedule never changes a quote given), then accepted (the
total is charged as a program fee) or withdrawn, as `rules/quote_lifecycle.py` allows.

A program without an active schedule in the account's currency cannot be quoted: amounts are
never converted. Every change is audited (no amounts, no names in the detail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.clock import clinic_today
from coordinator.contracts.base import problem
from coordinator.contracts.billing import DESCRIPTION_LIMIT, QuoteInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.billing import ChargeCategory, FeePeriod, LedgerKind
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import BillingAccount, FeeSchedule, LedgerEntry, Program, Quote, utcnow
from coordinator.rules import money, quote_lifecycle
from coordinator.rules.quote_lifecycle import LIFECYCLE, QuoteAction, QuoteStatus
from coordinator.services import audit, fee_schedules, records
from coordinator.services.billing_accounts import (
    actor_id,
    add_entry,
    amount_in,
    currency_problems,
    load_account,
    lock,
    refuse,
    transition,
)

_PERIOD_UNITS = {
    FeePeriod.DAY: ("day", "days"),
    FeePeriod.WEEK: ("week", "weeks"),
    FeePeriod.MONTH: ("month", "months"),
    FeePeriod.EPISODE: ("episode", "episodes"),
}


@dataclass(frozen=True)
class QuoteLine:
    """A quote as the account page lists it: whether it has expired and what may be done today."""

    quote: Quote
    expired: bool
    actions: tuple[QuoteAction, ...]

    @property
    def can_accept(self) -> bool:
        return QuoteAction.ACCEPT in self.actions

    @property
    def can_withdraw(self) -> bool:
        return QuoteAction.WITHDRAW in self.actions


def load_quote(quote_id: int) -> Quote:
    """The quote with this id, or NotFound."""
    return records.load(Quote, quote_id)


def load_quote_for_paper(quote_id: int) -> Quote:
    """The quote with its program, for the printable quote, or NotFound."""
    found = records.load(Quote, quote_id)
    return db.session.get(Quote, found.id, options=[joinedload(Quote.program)], populate_existing=True)


def is_expired(quote: Quote, today: date) -> bool:
    """Whether an issued quote's "valid until" day has passed."""
    return quote_lifecycle.is_expired(quote.status, quote.valid_until, today)


def quote_options(account: BillingAccount) -> list[tuple[Program, FeeSchedule]]:
    """Active programs with an active fee schedule in the account's currency (one query)."""
    rows = db.session.execute(
        sa.select(Program, FeeSchedule)
        .join(FeeSchedule, FeeSchedule.program_id == Program.id)
        .where(Program.is_active.is_(True), FeeSchedule.is_active.is_(True), FeeSchedule.currency == account.currency)
        .order_by(sa.func.lower(Program.name))
    )
    return [(program, schedule) for program, schedule in rows]


def default_valid_until(today: date | None = None) -> date:
    """The "valid until" day a new quote's form offers (staff may change or clear it)."""
    return quote_lifecycle.default_valid_until(today or clinic_today())


def quote_lines(account: BillingAccount, today: date) -> list[QuoteLine]:
    """The account's quotes, newest first, each with its expiry and the actions open today."""
    quotes = db.session.scalars(
        sa.select(Quote)
        .options(joinedload(Quote.program))
        .where(Quote.account_id == account.id)
        .order_by(Quote.created_at.desc(), Quote.id.desc())
    )
    return [
        QuoteLine(
            quote,
            quote_lifecycle.is_expired(quote.status, quote.valid_until, today),
            quote_lifecycle.actions(quote.status, quote.valid_until, today),
        )
        for quote in quotes
    ]


def _schedule_for(account: BillingAccount, data: QuoteInput, problems: list) -> FeeSchedule | None:
    """The program's active schedule in the account's currency, or None after saying why not."""
    program = records.find(Program, data.program_id)
    if program is None or not program.is_active:
        problems.append(problem("program_id", "quote_program_required"))
        return None
    schedule = fee_schedules.active_schedule(program.id, account.currency)
    if schedule is None:
        others = fee_schedules.currencies_of(program.id)
        problems.append(
            problem(
                "program_id",
                "quote_no_schedule",
                program=program.name,
                currency=account.currency,
                others=f" (it has one in {', '.join(others)})" if others else "",
            )
        )
    return schedule


def issue_quote(actor, account: BillingAccount, data: QuoteInput, *, today: date | None = None) -> Quote:
    """A quote from the program's active fee schedule in the account's currency, terms copied;
    the caller commits."""
    today = today or clinic_today()
    problems = currency_problems(account, data)
    schedule = _schedule_for(account, data, problems)
    if data.valid_until is not None and data.valid_until < today:
        problems.append(problem("valid_until", "quote_expires_in_past"))
    refuse(problems)
    unit_amount = money.quantize(schedule.amount, account.currency)
    total = amount_in(account, money.quantize(unit_amount * data.quantity, account.currency), "quantity", problems)
    deposit = _deposit_required(account, schedule, data, problems)
    refuse(problems)
    quote = Quote(
        account_id=account.id,
        program_id=schedule.program_id,
        fee_schedule_id=schedule.id,
        unit_amount=unit_amount,
        period=schedule.period,
        quantity=data.quantity,
        total=total,
        currency=account.currency,
        deposit_required=deposit,
        includes=schedule.includes,
        billed_separately=schedule.billed_separately,
        valid_until=data.valid_until,
        notes=data.notes,
        status=QuoteStatus.ISSUED,
        created_by_id=actor_id(actor),
    )
    db.session.add(quote)
    db.session.flush()
    audit.record(actor, AuditAction.QUOTE_ISSUED, "quote", quote.id, detail=f"inquiry {account.inquiry_id}")
    return quote


# How many of a fee's periods make the first month (an episode's fee is due whole).
_PERIODS_IN_FIRST_MONTH = {FeePeriod.DAY: 30, FeePeriod.WEEK: 4, FeePeriod.MONTH: 1, FeePeriod.EPISODE: 1}


def _deposit_required(account: BillingAccount, schedule: FeeSchedule, data: QuoteInput, problems: list):
    """The deposit the quote asks for: the amount typed on the quote, else the schedule's amount,
    else its percent of the first month (the fee × the periods of the first month, at most the
    quantity quoted), rounded up to the currency's minor unit; None when neither says."""
    if data.deposit_amount is not None:
        return amount_in(account, data.deposit_amount, "deposit_amount", problems)
    if schedule.deposit_amount is not None:
        return money.quantize(schedule.deposit_amount, account.currency)
    if schedule.deposit_percent is not None:
        periods = min(data.quantity, _PERIODS_IN_FIRST_MONTH[schedule.period])
        first_month = money.quantize(schedule.amount, account.currency) * periods
        return money.share_up(first_month, schedule.deposit_percent, account.currency)
    return None


def _quantity_phrase(quantity: int, period: FeePeriod) -> str:
    one, many = _PERIOD_UNITS[period]
    return f"{quantity} {one if quantity == 1 else many}"


def accept_quote(actor, quote: Quote, *, today: date | None = None) -> LedgerEntry:
    """The patient accepted: the quote's total is charged (dated `today`) as a program fee linked
    to the quote; the caller commits."""
    today = today or clinic_today()
    account = load_account(quote.account_id)
    lock(account)
    db.session.refresh(quote)
    status = transition(LIFECYCLE, quote.status, QuoteAction.ACCEPT)
    if quote_lifecycle.is_expired(quote.status, quote.valid_until, today):
        raise ValidationFailed([problem(None, "quote_expired")])
    if quote.currency != account.currency:  # the database allows it; the ledger never does
        raise ValidationFailed([problem(None, "quote_other_currency")])
    program = db.session.get(Program, quote.program_id)
    name = program.name if program is not None else "Program"
    description = f"Program fee: {name}, {_quantity_phrase(quote.quantity, quote.period)}"
    entry = add_entry(
        actor,
        account,
        AuditAction.LEDGER_CHARGE_ADDED,
        "program_fee from quote",
        kind=LedgerKind.CHARGE,
        category=ChargeCategory.PROGRAM_FEE,
        amount=quote.total,
        entry_date=today,
        description=description[:DESCRIPTION_LIMIT],
        quote_id=quote.id,
    )
    quote.status, quote.decided_at = status, utcnow()
    audit.record(actor, AuditAction.QUOTE_ACCEPTED, "quote", quote.id, detail=f"inquiry {account.inquiry_id}")
    return entry


def withdraw_quote(actor, quote: Quote) -> Quote:
    """Withdraw an issued quote (expired or not); the caller commits."""
    account = load_account(quote.account_id)
    lock(account)
    db.session.refresh(quote)
    quote.status, quote.decided_at = transition(LIFECYCLE, quote.status, QuoteAction.WITHDRAW), utcnow()
    audit.record(actor, AuditAction.QUOTE_WITHDRAWN, "quote", quote.id, detail=f"inquiry {account.inquiry_id}")
    return quote
