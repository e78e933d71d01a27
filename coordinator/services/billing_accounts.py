"""Private-pay accounts: opening one, loading it, locking it, and the money rules every change
on it shares (the account's currency, amounts checked for it, the rows of its ledger).

An inquiry has at most one account, opened in one ISO 4217 currency that it keeps for life.
Every quote, ledger entry and plan on it is in that currency: an amount typed for another is
refused (nothing is ever converted) and the code is stored on each row. Changes to one account
are serialized by locking its row, so two clerks refunding at the same moment cannot hand back
more than was paid. Quotes, the ledger and payment plans are in `quotes.py`, `ledger.py` and
`payment_plans.py`; the arithmetic is in `rules/ledger.py` and `rules/money.py`.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from coordinator.contracts.base import problem
from coordinator.contracts.billing import OpenAccountInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.billing import LedgerKind
from coordinator.errors import Problem, ValidationFailed
from coordinator.extensions import db
from coordinator.models import BillingAccount, Inquiry, LedgerEntry, Quote, User
from coordinator.rules import ledger as ledger_rules
from coordinator.rules import money
from coordinator.rules.clearance import DepositFacts
from coordinator.rules.errors import RuleError
from coordinator.rules.ledger import LEDGER_MAXIMUM
from coordinator.rules.quote_lifecycle import QuoteStatus
from coordinator.rules.transitions import Lifecycle
from coordinator.services import audit, records


def actor_id(actor) -> int | None:
    """The user's id for `created_by` columns (None when the actor is not a signed-in user)."""
    return actor.id if isinstance(actor, User) else None


def account_for(inquiry: Inquiry) -> BillingAccount | None:
    """The inquiry's private-pay account, or None before one is opened."""
    return db.session.scalar(sa.select(BillingAccount).where(BillingAccount.inquiry_id == inquiry.id))


def load_account(account_id: int) -> BillingAccount:
    """The account with this id, or NotFound."""
    return records.load(BillingAccount, account_id)


def inquiry_id_of(record) -> int:
    """The inquiry a quote, ledger entry or plan belongs to (through its account)."""
    return load_account(record.account_id).inquiry_id


def lock(account: BillingAccount) -> None:
    """Serialize changes to one account's ledger (a row lock held until the request commits)."""
    db.session.execute(sa.select(BillingAccount.id).where(BillingAccount.id == account.id).with_for_update())


def open_account(actor, inquiry: Inquiry, data: OpenAccountInput) -> BillingAccount:
    """Open the inquiry's private-pay account in the chosen currency, for life; the caller commits."""
    existing = account_for(inquiry)
    if existing is not None:
        raise ValidationFailed([problem("currency", "account_exists", currency=existing.currency)])
    account = BillingAccount(inquiry_id=inquiry.id, currency=data.currency, created_by_id=actor_id(actor))
    db.session.add(account)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # opened by someone else at the same moment
        other = account_for(inquiry)
        code = other.currency if other is not None else data.currency
        raise ValidationFailed([problem("currency", "account_exists", currency=code)]) from None
    audit.record(
        actor, AuditAction.BILLING_ACCOUNT_OPENED, "billing_account", account.id, detail=f"inquiry {inquiry.id}"
    )
    return account


# --- what every change shares -------------------------------------------------------------------


def currency_problems(account: BillingAccount, data) -> list[Problem]:
    """A form filled in for another currency than the account's is refused (never converted)."""
    if data.currency is not None and data.currency != account.currency:
        return [problem("currency", "currency_not_the_accounts", currency=account.currency)]
    return []


def amount_in(account: BillingAccount, amount: Decimal, field: str, problems: list) -> Decimal | None:
    """`amount` checked for the account's currency (more than zero, its minor unit, the ledger
    maximum) and rounded to it; None after adding the problem to `problems`."""
    try:
        return money.parse_amount(amount, account.currency, field, maximum=LEDGER_MAXIMUM)
    except RuleError as error:
        problems.extend(error.errors)
        return None


def refuse(problems: list) -> None:
    """Raise ValidationFailed with every problem found, if any."""
    if problems:
        raise ValidationFailed(problems)


def transition(lifecycle: Lifecycle, status, action):
    """The status after `action`, or ValidationFailed saying what is allowed instead."""
    try:
        return lifecycle.next(status, action)
    except RuleError as error:
        raise ValidationFailed.single(None, error.message) from None


def add_entry(actor, account: BillingAccount, action: AuditAction, detail: str, **columns) -> LedgerEntry:
    """Write one ledger row in the account's currency and audit it (no amounts, no names); the
    caller has checked the values and locked the account."""
    entry = LedgerEntry(account_id=account.id, currency=account.currency, created_by_id=actor_id(actor), **columns)
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, action, "ledger_entry", entry.id, detail=f"inquiry {account.inquiry_id}; {detail}")
    return entry


def entries(account_id: int) -> list[LedgerEntry]:
    """The account's ledger, oldest first (voided entries included)."""
    return list(
        db.session.scalars(
            sa.select(LedgerEntry)
            .where(LedgerEntry.account_id == account_id)
            .order_by(LedgerEntry.entry_date, LedgerEntry.id)
        )
    )


def rule_entry(row: LedgerEntry, *, voided: bool | None = None) -> ledger_rules.Entry:
    """A ledger row as `rules/ledger.py` reads it (`voided` to ask "what if it were voided")."""
    return ledger_rules.Entry(
        id=row.id,
        kind=row.kind.value,
        amount=money.quantize(row.amount, row.currency),
        currency=row.currency,
        on=row.entry_date,
        voided=(row.voided_at is not None) if voided is None else voided,
    )


def balance_of(account: BillingAccount) -> Decimal:
    """What the person owes now (charges - payments + refunds, voided entries aside)."""
    return ledger_rules.balance([rule_entry(row) for row in entries(account.id)], account.currency)


def refundable_of(account: BillingAccount) -> Decimal:
    """Money paid and not yet handed back (voided entries aside)."""
    return ledger_rules.refundable([rule_entry(row) for row in entries(account.id)], account.currency)


def deposit_received(inquiry_id: int) -> bool:
    """Whether a private-pay deposit counts toward financial clearance.

    True when the inquiry's account has at least one deposit payment that is not voided, and
    the money kept (payments less refunds, voided entries aside) is above zero — a deposit
    handed back in full no longer clears anyone. One statement.
    """
    live = LedgerEntry.voided_at.is_(None)
    deposits = sa.func.count().filter(LedgerEntry.kind == LedgerKind.PAYMENT, LedgerEntry.is_deposit.is_(True), live)
    kept = sa.func.coalesce(
        sa.func.sum(
            sa.case(
                (sa.and_(LedgerEntry.kind == LedgerKind.PAYMENT, live), LedgerEntry.amount),
                (sa.and_(LedgerEntry.kind == LedgerKind.REFUND, live), -LedgerEntry.amount),
                else_=0,
            )
        ),
        0,
    )
    row = db.session.execute(
        sa.select(deposits, kept)
        .select_from(LedgerEntry)
        .join(BillingAccount, BillingAccount.id == LedgerEntry.account_id)
        .where(BillingAccount.inquiry_id == inquiry_id)
    ).one()
    return row[0] > 0 and Decimal(row[1]) > 0


def deposit_standing(inquiry_id: int) -> DepositFacts | None:
    """The deposits kept on the inquiry's account and the deposit its quote in force asks for
    (the newest accepted quote, else the newest issued one), or None without an account.

    Kept = the live deposit payments, but never more than the money kept overall (payments
    less refunds): a deposit handed back no longer counts. Two statements."""
    account = db.session.scalar(sa.select(BillingAccount).where(BillingAccount.inquiry_id == inquiry_id))
    if account is None:
        return None
    live = LedgerEntry.voided_at.is_(None)
    paid = LedgerEntry.kind == LedgerKind.PAYMENT

    def total(*conditions):
        return sa.func.coalesce(sa.func.sum(LedgerEntry.amount).filter(live, *conditions), 0)

    deposits, payments, refunds = db.session.execute(
        sa.select(
            total(paid, LedgerEntry.is_deposit.is_(True)), total(paid), total(LedgerEntry.kind == LedgerKind.REFUND)
        )
        .select_from(LedgerEntry)
        .where(LedgerEntry.account_id == account.id)
    ).one()
    kept = max(Decimal(0), min(Decimal(deposits), Decimal(payments) - Decimal(refunds)))
    required = db.session.scalar(
        sa.select(Quote.deposit_required)
        .where(Quote.account_id == account.id, Quote.status.in_((QuoteStatus.ACCEPTED, QuoteStatus.ISSUED)))
        .order_by((Quote.status == QuoteStatus.ACCEPTED).desc(), Quote.created_at.desc(), Quote.id.desc())
        .limit(1)
    )
    return DepositFacts(
        money.quantize(kept, account.currency),
        None if required is None else money.quantize(required, account.currency),
        account.currency,
    )
