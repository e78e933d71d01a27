"""Private pay for one inquiry: its account, quotes, the ledger, payment plans and deposits.

An inquiry has at most one account, opened in one ISO 4217 currency that it keeps for life.
Every quote, ledger entry and plan on it is in that currency: the services refuse an amount
in any other (nothing is ever converted) and store the code on each row. The arithmetic
(balances, refundable money, installment splits and states) lives in coordinator/rules/ledger.py;
this module loads rows, calls those rules and writes rows.

Ledger entries are never edited or deleted: a mistake is voided with a reason and stays listed,
counting for nothing. Changes to one account are serialized by locking its row, so two clerks
refunding at the same moment cannot hand back more than was paid.

Every change is audited here (no amounts, no names in the detail); reads are audited when the
view loads the inquiry through services/finance_access.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from coordinator.clock import clinic_today
from coordinator.domain.audit import AuditAction
from coordinator.domain.billing import ChargeCategory, FeePeriod, LedgerKind, PaymentMethod, PlanFrequency
from coordinator.errors import NotFound, ValidationFailed
from coordinator.extensions import db
from coordinator.models import (
    BillingAccount,
    FeeSchedule,
    Inquiry,
    Installment,
    LedgerEntry,
    PaymentPlan,
    Program,
    Quote,
    User,
    utcnow,
)
from coordinator.rules import ledger, money
from coordinator.rules.errors import RuleError
from coordinator.rules.ledger import LEDGER_MAXIMUM
from coordinator.rules.payment_plan_lifecycle import PlanStatus
from coordinator.rules.quote_lifecycle import QuoteStatus
from coordinator.services import audit, fee_schedules, reminders

DESCRIPTION_LIMIT = 200
REFERENCE_LIMIT = 80
NOTES_LIMIT = 500
REASON_LIMIT = 200
MAX_QUANTITY = 1000
EARLIEST_DATE = date(2000, 1, 1)

_PERIOD_UNITS = {
    FeePeriod.DAY: ("day", "days"),
    FeePeriod.WEEK: ("week", "weeks"),
    FeePeriod.MONTH: ("month", "months"),
    FeePeriod.EPISODE: ("episode", "episodes"),
}


# --- small helpers ---------------------------------------------------------------------------------


def _actor_id(actor) -> int | None:
    return actor.id if isinstance(actor, User) else None


def _lock(account: BillingAccount) -> None:
    """Serialize changes to one account's ledger (PostgreSQL row lock until the caller commits)."""
    db.session.execute(sa.select(BillingAccount.id).where(BillingAccount.id == account.id).with_for_update())


def _rule_error(problems: list, error: RuleError) -> None:
    problems.extend(error.errors)


def _same_currency(account: BillingAccount, currency: object, problems: list) -> None:
    """A currency sent along with an amount must be the account's (forms send it as a hidden field)."""
    if currency is None:
        return
    code = currency.strip().upper() if isinstance(currency, str) else currency
    if code != account.currency:
        problems.append(
            (
                "currency",
                f"This account is in {account.currency}; enter amounts in "
                f"{account.currency}. Amounts are never converted between currencies.",
            )
        )


def _amount(account: BillingAccount, value: object, problems: list, field: str = "amount") -> Decimal | None:
    try:
        return money.parse_amount(value if value is not None else "", account.currency, field, maximum=LEDGER_MAXIMUM)
    except RuleError as error:
        _rule_error(problems, error)
        return None


def _date(value: object, problems: list, field: str, today: date, *, what: str = "date") -> date | None:
    if value is None or value == "":
        problems.append((field, f"Enter the {what}."))
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        problems.append((field, f"Enter the {what} as a date."))
        return None
    if value > today:
        problems.append((field, f"The {what} cannot be in the future."))
        return None
    if value < EARLIEST_DATE:
        problems.append((field, f"The {what} is too far in the past; check the year."))
        return None
    return value


def _text(value: object, problems: list, field: str, limit: int, *, required: str | None = None) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if required:
            problems.append((field, required))
        return None
    if len(text) > limit:
        problems.append((field, f"Use at most {limit} characters (this has {len(text)})."))
        return None
    return text


def _member(enum, value: object, problems: list, field: str, message: str):
    if isinstance(value, enum):
        return value
    if isinstance(value, str) and value in enum._value2member_map_:
        return enum(value)
    problems.append((field, message))
    return None


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 10:
        return int(value.strip())
    return None


def _raise(problems: list) -> None:
    if problems:
        raise ValidationFailed(problems)


def _entries(account_id: int) -> list[LedgerEntry]:
    return list(
        db.session.scalars(
            sa.select(LedgerEntry)
            .where(LedgerEntry.account_id == account_id)
            .order_by(LedgerEntry.entry_date, LedgerEntry.id)
        )
    )


def _rule_entry(row: LedgerEntry, *, voided: bool | None = None) -> ledger.Entry:
    return ledger.Entry(
        id=row.id,
        kind=row.kind.value,
        amount=money.quantize(row.amount, row.currency),
        currency=row.currency,
        on=row.entry_date,
        voided=(row.voided_at is not None) if voided is None else voided,
    )


def _paid_toward(rows: Sequence[LedgerEntry], plan_id: int) -> Decimal:
    """Payments toward the plan less refunds against it, voided entries aside (as services/plan_status.py)."""
    total = Decimal(0)
    for row in rows:
        if row.plan_id == plan_id and row.voided_at is None:
            if row.kind is LedgerKind.PAYMENT:
                total += row.amount
            elif row.kind is LedgerKind.REFUND:
                total -= row.amount
    return total


def _add_entry(actor, account: BillingAccount, action: AuditAction, detail: str, **values) -> LedgerEntry:
    entry = LedgerEntry(account_id=account.id, currency=account.currency, created_by_id=_actor_id(actor), **values)
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, action, "ledger_entry", entry.id, detail=f"inquiry {account.inquiry_id}; {detail}")
    return entry


# --- loading ------------------------------------------------------------------------------------------


def account_for(inquiry: Inquiry) -> BillingAccount | None:
    """The inquiry's private-pay account, or None before one is opened."""
    return db.session.scalar(sa.select(BillingAccount).where(BillingAccount.inquiry_id == inquiry.id))


def account_by_id(account_id: int) -> BillingAccount:
    account = db.session.get(BillingAccount, account_id)
    if account is None:
        raise NotFound("No such account.")
    return account


def load_quote(quote_id: int) -> Quote:
    quote = db.session.get(Quote, quote_id)
    if quote is None:
        raise NotFound("No such quote.")
    return quote


def load_entry(entry_id: int) -> LedgerEntry:
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None:
        raise NotFound("No such ledger entry.")
    return entry


def load_plan(plan_id: int) -> PaymentPlan:
    plan = db.session.get(PaymentPlan, plan_id)
    if plan is None:
        raise NotFound("No such payment plan.")
    return plan


def quote_options(account: BillingAccount) -> list[tuple[Program, FeeSchedule]]:
    """Active programs with an active fee schedule in the account's currency (one query)."""
    rows = db.session.execute(
        sa.select(Program, FeeSchedule)
        .join(FeeSchedule, FeeSchedule.program_id == Program.id)
        .where(Program.is_active.is_(True), FeeSchedule.is_active.is_(True), FeeSchedule.currency == account.currency)
        .order_by(sa.func.lower(Program.name))
    )
    return [(program, schedule) for program, schedule in rows]


def plans_of(account: BillingAccount, *, active_only: bool = False) -> list[PaymentPlan]:
    query = sa.select(PaymentPlan).where(PaymentPlan.account_id == account.id)
    if active_only:
        query = query.where(PaymentPlan.status == PlanStatus.ACTIVE)
    return list(db.session.scalars(query.order_by(PaymentPlan.created_at, PaymentPlan.id)))


def balance_of(account: BillingAccount) -> Decimal:
    """What the person owes now (charges - payments + refunds, voided entries aside)."""
    return ledger.balance([_rule_entry(row) for row in _entries(account.id)], account.currency)


def refundable_of(account: BillingAccount) -> Decimal:
    return ledger.refundable([_rule_entry(row) for row in _entries(account.id)], account.currency)


# --- the account ---------------------------------------------------------------------------------------


def open_account(actor, inquiry: Inquiry, currency: object) -> BillingAccount:
    """Open the inquiry's private-pay account in `currency`, which it keeps for life."""
    existing = account_for(inquiry)
    if existing is not None:
        raise ValidationFailed.single(
            "currency",
            f"This inquiry already has a private-pay account in "
            f"{existing.currency}; an account keeps its currency for life.",
        )
    try:
        code = money.currency(currency if isinstance(currency, str) else "").code
    except RuleError as error:
        raise ValidationFailed(list(error.errors)) from None
    account = BillingAccount(inquiry_id=inquiry.id, currency=code, created_by_id=_actor_id(actor))
    db.session.add(account)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed.single("currency", "This inquiry already has a private-pay account.") from None
    audit.record(
        actor, AuditAction.BILLING_ACCOUNT_OPENED, "billing_account", account.id, detail=f"inquiry {inquiry.id}"
    )
    return account


# --- quotes ------------------------------------------------------------------------------------------


def _quantity_phrase(quantity: int, period: FeePeriod) -> str:
    one, many = _PERIOD_UNITS[period]
    return f"{quantity} {one if quantity == 1 else many}"


def issue_quote(
    actor,
    account: BillingAccount,
    program_id: object,
    quantity: object,
    valid_until: date | None,
    notes: str | None,
    today: date,
    *,
    currency: object = None,
) -> Quote:
    """A quote from the program's active fee schedule in the account's currency, terms copied.

    A program without a schedule in that currency cannot be quoted: amounts are never converted.
    """
    problems: list = []
    _same_currency(account, currency, problems)
    pid = _int(program_id)
    program = db.session.get(Program, pid) if pid is not None else None
    schedule = None
    if program is None or not program.is_active:
        problems.append(("program_id", "Choose a program that accepts admissions."))
    else:
        schedule = fee_schedules.active_schedule(program.id, account.currency)
        if schedule is None:
            others = fee_schedules.currencies_of(program.id)
            found = f" (it has one in {', '.join(others)})" if others else ""
            problems.append(
                (
                    "program_id",
                    f"{program.name} has no fee schedule in {account.currency}{found}. "
                    "Amounts are never converted between currencies: an administrator adds "
                    f"a {account.currency} fee schedule for this program first.",
                )
            )
    count = _int(quantity)
    if count is None or not 1 <= count <= MAX_QUANTITY:
        problems.append(("quantity", f"Enter a whole number from 1 to {MAX_QUANTITY}."))
    if valid_until is not None and (isinstance(valid_until, datetime) or not isinstance(valid_until, date)):
        problems.append(("valid_until", "Enter the date as a date."))
    elif valid_until is not None and valid_until < today:
        problems.append(("valid_until", "A quote cannot expire before today."))
    notes_text = _text(notes, problems, "notes", NOTES_LIMIT)
    total = None
    if schedule is not None and count is not None and not problems:
        unit_amount = money.quantize(schedule.amount, account.currency)
        try:
            total = money.parse_amount(
                money.quantize(unit_amount * count, account.currency),
                account.currency,
                "quantity",
                maximum=LEDGER_MAXIMUM,
            )
        except RuleError as error:
            _rule_error(problems, error)
    _raise(problems)
    quote = Quote(
        account_id=account.id,
        program_id=program.id,
        fee_schedule_id=schedule.id,
        unit_amount=money.quantize(schedule.amount, account.currency),
        period=schedule.period,
        quantity=count,
        total=total,
        currency=account.currency,
        includes=schedule.includes,
        billed_separately=schedule.billed_separately,
        valid_until=valid_until,
        notes=notes_text,
        status=QuoteStatus.ISSUED,
        created_by_id=_actor_id(actor),
    )
    db.session.add(quote)
    db.session.flush()
    audit.record(actor, AuditAction.QUOTE_ISSUED, "quote", quote.id, detail=f"inquiry {account.inquiry_id}")
    return quote


def accept_quote(actor, quote: Quote, today: date) -> LedgerEntry:
    """The patient accepted: the quote's total is charged as a program fee, linked to the quote."""
    account = account_by_id(quote.account_id)
    _lock(account)
    db.session.refresh(quote)
    if quote.status is not QuoteStatus.ISSUED:
        raise ValidationFailed.single(
            None, f"This quote is {quote.status.label.lower()}; only an issued quote can be accepted."
        )
    if quote.valid_until is not None and quote.valid_until < today:
        raise ValidationFailed.single(None, "This quote has expired; issue a new one.")
    if quote.currency != account.currency:  # the database allows it; the ledger never does
        raise ValidationFailed.single(None, "This quote is not in the account's currency.")
    program = db.session.get(Program, quote.program_id)
    name = program.name if program is not None else "Program"
    description = f"Program fee: {name}, {_quantity_phrase(quote.quantity, quote.period)}"
    entry = _add_entry(
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
    quote.status, quote.decided_at = QuoteStatus.ACCEPTED, utcnow()
    audit.record(actor, AuditAction.QUOTE_ACCEPTED, "quote", quote.id, detail=f"inquiry {account.inquiry_id}")
    return entry


def withdraw_quote(actor, quote: Quote) -> Quote:
    account = account_by_id(quote.account_id)
    _lock(account)
    db.session.refresh(quote)
    if quote.status is not QuoteStatus.ISSUED:
        raise ValidationFailed.single(
            None, f"This quote is {quote.status.label.lower()}; only an issued quote can be withdrawn."
        )
    quote.status, quote.decided_at = QuoteStatus.WITHDRAWN, utcnow()
    audit.record(actor, AuditAction.QUOTE_WITHDRAWN, "quote", quote.id, detail=f"inquiry {account.inquiry_id}")
    return quote


# --- the ledger ----------------------------------------------------------------------------------------


def add_charge(
    actor,
    account: BillingAccount,
    category: object,
    amount: object,
    entry_date: date | None,
    description: str | None,
    reference: str | None,
    *,
    currency: object = None,
    today: date | None = None,
) -> LedgerEntry:
    """A charge: a program fee or something billed separately (medication, consultations, transport...)."""
    problems: list = []
    _same_currency(account, currency, problems)
    kind = _member(ChargeCategory, category, problems, "category", "Choose what the charge is for.")
    value = _amount(account, amount, problems)
    on = _date(entry_date, problems, "entry_date", today or clinic_today())
    text = _text(description, problems, "description", DESCRIPTION_LIMIT)
    ref = _text(reference, problems, "reference", REFERENCE_LIMIT)
    _raise(problems)
    _lock(account)
    return _add_entry(
        actor,
        account,
        AuditAction.LEDGER_CHARGE_ADDED,
        kind.value,
        kind=LedgerKind.CHARGE,
        category=kind,
        amount=value,
        entry_date=on,
        description=text or kind.label,
        reference=ref,
    )


def _plan_for(account: BillingAccount, plan_id: object, problems: list, *, active_only: bool) -> PaymentPlan | None:
    if plan_id is None or plan_id == "":
        return None
    pid = _int(plan_id)
    plan = db.session.get(PaymentPlan, pid) if pid is not None else None
    if plan is None or plan.account_id != account.id:
        problems.append(("plan_id", "Choose one of this account's payment plans."))
        return None
    if active_only and plan.status is not PlanStatus.ACTIVE:
        problems.append(("plan_id", "This payment plan was cancelled; payments can go toward active plans only."))
        return None
    return plan


def record_payment(
    actor,
    account: BillingAccount,
    amount: object,
    entry_date: date | None,
    method: object,
    reference: str | None,
    is_deposit: bool = False,
    plan_id: object = None,
    *,
    description: str | None = None,
    currency: object = None,
    today: date | None = None,
) -> LedgerEntry:
    """Money received. A deposit counts toward financial clearance; a payment toward a plan
    settles its installments oldest first."""
    problems: list = []
    _same_currency(account, currency, problems)
    value = _amount(account, amount, problems)
    on = _date(entry_date, problems, "entry_date", today or clinic_today())
    how = _member(PaymentMethod, method, problems, "method", "Choose how it was paid.")
    ref = _text(reference, problems, "reference", REFERENCE_LIMIT)
    text = _text(description, problems, "description", DESCRIPTION_LIMIT)
    plan = _plan_for(account, plan_id, problems, active_only=True)
    _raise(problems)
    _lock(account)
    default = "Deposit" if is_deposit else ("Installment payment" if plan is not None else "Payment")
    detail = "deposit" if is_deposit else ("plan payment" if plan is not None else "payment")
    return _add_entry(
        actor,
        account,
        AuditAction.LEDGER_PAYMENT_RECORDED,
        detail,
        kind=LedgerKind.PAYMENT,
        method=how,
        is_deposit=bool(is_deposit),
        amount=value,
        entry_date=on,
        description=text or default,
        reference=ref,
        plan_id=plan.id if plan is not None else None,
    )


def record_refund(
    actor,
    account: BillingAccount,
    amount: object,
    entry_date: date | None,
    method: object,
    reference: str | None,
    plan_id: object = None,
    *,
    description: str | None = None,
    currency: object = None,
    today: date | None = None,
) -> LedgerEntry:
    """Money handed back: never more than was paid and not yet refunded (nor, against a plan,
    more than was paid toward that plan)."""
    problems: list = []
    _same_currency(account, currency, problems)
    value = _amount(account, amount, problems)
    on = _date(entry_date, problems, "entry_date", today or clinic_today())
    how = _member(PaymentMethod, method, problems, "method", "Choose how the money was given back.")
    ref = _text(reference, problems, "reference", REFERENCE_LIMIT)
    text = _text(description, problems, "description", DESCRIPTION_LIMIT)
    plan = _plan_for(account, plan_id, problems, active_only=False)
    _raise(problems)
    _lock(account)
    rows = _entries(account.id)
    try:
        value = ledger.check_refund([_rule_entry(row) for row in rows], value, account.currency)
    except RuleError as error:
        raise ValidationFailed(list(error.errors)) from None
    if plan is not None and value > _paid_toward(rows, plan.id):
        paid = money.format_money(max(_paid_toward(rows, plan.id), Decimal(0)), account.currency)
        raise ValidationFailed.single(
            "amount", f"Only {paid} was paid toward this plan; a refund against it cannot be larger."
        )
    return _add_entry(
        actor,
        account,
        AuditAction.LEDGER_REFUND_RECORDED,
        "refund",
        kind=LedgerKind.REFUND,
        method=how,
        amount=value,
        entry_date=on,
        description=text or "Refund",
        reference=ref,
        plan_id=plan.id if plan is not None else None,
    )


def void_entry(actor, entry: LedgerEntry, reason: str | None) -> LedgerEntry:
    """Void a mistaken entry with a reason: it stays listed (struck through) and counts for nothing.

    A payment cannot be voided while that would leave more refunded than paid: void the refund first.
    """
    problems: list = []
    why = _text(reason, problems, "reason", REASON_LIMIT, required="Say why this entry is voided.")
    _raise(problems)
    account = account_by_id(entry.account_id)
    _lock(account)
    db.session.refresh(entry)
    if entry.voided_at is not None:
        raise ValidationFailed.single("reason", "This entry is already voided.")
    rows = _entries(account.id)
    after = [_rule_entry(row, voided=True) if row.id == entry.id else _rule_entry(row) for row in rows]
    if entry.kind is LedgerKind.PAYMENT:
        if ledger.refundable(after, account.currency) < 0:
            raise ValidationFailed.single(
                "reason", "Voiding this payment would leave more refunded than paid; void the refund first."
            )
        if entry.plan_id is not None and _paid_toward(rows, entry.plan_id) - entry.amount < 0:
            raise ValidationFailed.single(
                "reason",
                "Voiding this payment would leave more refunded than paid toward its plan; void the refund first.",
            )
    entry.voided_at, entry.voided_by_id, entry.void_reason = utcnow(), _actor_id(actor), why
    db.session.flush()
    audit.record(
        actor,
        AuditAction.LEDGER_ENTRY_VOIDED,
        "ledger_entry",
        entry.id,
        detail=f"inquiry {account.inquiry_id}; {entry.kind.value}",
    )
    return entry


# --- payment plans -------------------------------------------------------------------------------------


def create_plan(
    actor,
    account: BillingAccount,
    total: object,
    count: object,
    frequency: object,
    first_due: date | None,
    notes: str | None,
    today: date,
    *,
    currency: object = None,
) -> PaymentPlan:
    """A plan of `count` installments (1 to 60) splitting `total`, the first due today or later.

    Each installment gets an "overdue" reminder INSTALLMENT_GRACE_DAYS after its due date.
    """
    problems: list = []
    _same_currency(account, currency, problems)
    value = _amount(account, total, problems, "total")
    number = _int(count)
    if number is None or not 1 <= number <= ledger.MAX_INSTALLMENTS:
        problems.append(("count", f"Choose from 1 to {ledger.MAX_INSTALLMENTS} installments."))
    every = _member(PlanFrequency, frequency, problems, "frequency", "Choose weekly, every two weeks or monthly.")
    if first_due is None or first_due == "":
        problems.append(("first_due", "Enter the date the first installment is due."))
    elif isinstance(first_due, datetime) or not isinstance(first_due, date):
        problems.append(("first_due", "Enter the first due date as a date."))
    elif first_due < today:
        problems.append(("first_due", "The first installment cannot be due in the past."))
    notes_text = _text(notes, problems, "notes", NOTES_LIMIT)
    _raise(problems)
    try:
        split = ledger.split_installments(value, number, first_due, every.value, account.currency)
    except RuleError as error:
        raise ValidationFailed(list(error.errors)) from None
    _lock(account)
    plan = PaymentPlan(
        account_id=account.id,
        total=value,
        currency=account.currency,
        frequency=every,
        installment_count=number,
        first_due=first_due,
        status=PlanStatus.ACTIVE,
        notes=notes_text,
        created_by_id=_actor_id(actor),
        installments=[Installment(seq=i.seq, due_date=i.due, amount=i.amount) for i in split],
    )
    db.session.add(plan)
    db.session.flush()
    reminders.payment_plan_changed(plan, account.inquiry_id)
    audit.record(
        actor, AuditAction.PAYMENT_PLAN_CREATED, "payment_plan", plan.id, detail=f"inquiry {account.inquiry_id}"
    )
    return plan


def cancel_plan(actor, plan: PaymentPlan, reason: str | None) -> PaymentPlan:
    """Cancel an active plan with a reason; its overdue reminders are cancelled too. Payments
    already made toward it stay on the ledger."""
    problems: list = []
    why = _text(reason, problems, "reason", REASON_LIMIT, required="Say why the plan is cancelled.")
    _raise(problems)
    account = account_by_id(plan.account_id)
    _lock(account)
    db.session.refresh(plan)
    if plan.status is not PlanStatus.ACTIVE:
        raise ValidationFailed.single("reason", "This payment plan is already cancelled.")
    plan.status, plan.cancelled_at, plan.cancel_reason = PlanStatus.CANCELLED, utcnow(), why
    db.session.flush()
    reminders.payment_plan_changed(plan, account.inquiry_id)
    audit.record(
        actor, AuditAction.PAYMENT_PLAN_CANCELLED, "payment_plan", plan.id, detail=f"inquiry {account.inquiry_id}"
    )
    return plan


# --- reading -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    entry: LedgerEntry
    balance: Decimal  # the balance after this entry (a voided one leaves it unchanged)


@dataclass(frozen=True)
class PlanView:
    plan: PaymentPlan
    installments: list[ledger.InstallmentState]
    summary: ledger.PlanSummary
    paid_toward: Decimal


@dataclass(frozen=True)
class LedgerView:
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
    quotes: list[Quote]

    @property
    def active_plans(self) -> list[PlanView]:
        return [p for p in self.plans if p.plan.status is PlanStatus.ACTIVE]


def ledger_view(account: BillingAccount, today: date, grace_days: int | None = None) -> LedgerView:
    """Everything the account page and the statement show, in four statements whatever the size:
    entries with running balances, totals, deposits, plans with installment states, quotes."""
    code = account.currency
    grace = current_app.config["INSTALLMENT_GRACE_DAYS"] if grace_days is None else grace_days
    rows = _entries(account.id)
    by_id = {row.id: row for row in rows}
    rule_rows = [_rule_entry(row) for row in rows]
    lines = [LedgerLine(by_id[entry.id], running) for entry, running in ledger.running_balances(rule_rows, code)]

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

    plans = plans_of(account)
    installments: dict[int, list[Installment]] = {plan.id: [] for plan in plans}
    if plans:
        for item in db.session.scalars(
            sa.select(Installment)
            .where(Installment.plan_id.in_(list(installments)))
            .order_by(Installment.plan_id, Installment.seq)
        ):
            installments[item.plan_id].append(item)
    plan_views = []
    for plan in plans:
        schedule = [
            ledger.Installment(i.seq, i.due_date, money.quantize(i.amount, code)) for i in installments[plan.id]
        ]
        paid = money.quantize(_paid_toward(rows, plan.id), code)
        applied = max(paid, Decimal(0))
        if schedule:
            states = ledger.installment_states(schedule, applied, today, grace)
            summary = ledger.plan_summary(schedule, applied, today, grace)
            plan_views.append(PlanView(plan, states, summary, paid))
    quotes = list(
        db.session.scalars(
            sa.select(Quote)
            .options(joinedload(Quote.program))
            .where(Quote.account_id == account.id)
            .order_by(Quote.created_at.desc(), Quote.id.desc())
        )
    )
    return LedgerView(
        account=account,
        currency=code,
        lines=lines,
        charges=total(LedgerKind.CHARGE),
        payments=total(LedgerKind.PAYMENT),
        refunds=total(LedgerKind.REFUND),
        balance=ledger.balance(rule_rows, code),
        deposits=total(LedgerKind.PAYMENT, deposits_only=True),
        refundable=ledger.refundable(rule_rows, code),
        plans=plan_views,
        quotes=quotes,
    )


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
