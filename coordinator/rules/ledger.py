"""Private-pay ledger: charges, payments and refunds in one currency, and payment plans.

An account's balance is what the person still owes: charges minus payments plus refunds (a
refund hands paid money back, so that part is owed again). Voided entries stay in the ledger for
the record but count for nothing; they are still checked, so a bad row is never hidden by voiding
it. An account never mixes currencies: one entry in another currency makes every sum refuse,
because adding baht to dollars gives a number that means nothing.

Payment plans split a total into installments due weekly, fortnightly or monthly. Money paid
toward the plan is applied to the oldest installment first, the way people expect a debt to be
paid down.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from coordinator.rules import money
from coordinator.rules.errors import InvalidValue, RuleError, UnknownKey, shown
from coordinator.rules.money import format_money, parse_amount, quantize

# No single ledger entry or plan reaches this in any currency (it is about 60,000 USD even in
# Iranian rials); anything larger is a typing or import error, not a bill.
LEDGER_MAXIMUM = Decimal(10**15)
MAX_INSTALLMENTS = 60
MAX_GRACE_DAYS = 365


class EntryKind(StrEnum):
    """What a ledger entry records."""

    CHARGE = "charge"
    PAYMENT = "payment"
    REFUND = "refund"


# How each kind moves the balance (what the person owes), and what could still be refunded.
_OWED = {EntryKind.CHARGE: 1, EntryKind.PAYMENT: -1, EntryKind.REFUND: 1}
_REFUNDABLE = {EntryKind.PAYMENT: 1, EntryKind.REFUND: -1}


@dataclass(frozen=True)
class Entry:
    """One ledger line: a positive amount whose kind says which way it moves the balance."""

    id: int
    kind: str
    amount: Decimal
    currency: str
    on: date
    voided: bool = False


class Frequency(StrEnum):
    """How far apart installments fall."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


_DAYS_APART = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14}


@dataclass(frozen=True)
class Installment:
    """One installment of a payment plan, numbered from 1 in due order."""

    seq: int
    due: date
    amount: Decimal


class InstallmentStatus(StrEnum):
    """Where an installment stands on a given day.

    OVERDUE wins over PARTLY_PAID: once the due date plus grace days has passed, anything still
    owing is overdue however much of it was paid, because that is what needs chasing.
    """

    PAID = "paid"
    PARTLY_PAID = "partly_paid"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class InstallmentState:
    """An installment with the part of the plan payments applied to it."""

    seq: int
    due: date
    amount: Decimal
    paid: Decimal
    remaining: Decimal
    status: InstallmentStatus


@dataclass(frozen=True)
class PlanSummary:
    """A plan on one day: totals, what is overdue, the next installment to pay, any overpayment.

    `paid` counts only what the plan can absorb; money beyond the plan total is `overpaid`.
    `next_due` is the oldest installment with something still owing (it may be overdue), or None
    when the plan is paid off.
    """

    total: Decimal
    paid: Decimal
    remaining: Decimal
    overdue_amount: Decimal
    next_due: Installment | None
    overpaid: Decimal


def balance(entries: Iterable[Entry], currency: str) -> Decimal:
    """What the person owes: charges - payments + refunds over entries that are not voided."""
    code, checked = _checked_entries(entries, currency)
    return quantize(_net(checked, _OWED), code)


def running_balances(entries: Iterable[Entry], currency: str) -> list[tuple[Entry, Decimal]]:
    """Each entry in (on, id) order with the balance after it; a voided entry leaves it unchanged."""
    code, checked = _checked_entries(entries, currency)
    running = quantize(0, code)
    rows: list[tuple[Entry, Decimal]] = []
    for entry in sorted(checked, key=lambda e: (e.on, e.id)):
        if not entry.voided:
            running += _OWED[EntryKind(entry.kind)] * entry.amount
        rows.append((entry, running))
    return rows


def refundable(entries: Iterable[Entry], currency: str) -> Decimal:
    """Money paid and not yet given back: payments - refunds over entries that are not voided."""
    code, checked = _checked_entries(entries, currency)
    return quantize(_net(checked, _REFUNDABLE), code)


def check_refund(entries: Iterable[Entry], amount: object, currency: str) -> Decimal:
    """The refund amount, checked: a refund can never hand back more than was paid."""
    value = parse_amount(amount, currency, "amount", maximum=LEDGER_MAXIMUM)
    available = refundable(entries, currency)
    if value > available:
        raise InvalidValue(
            "amount",
            f"{format_money(value, currency)} is more than was paid and not yet "
            f"refunded; at most {format_money(max(available, 0), currency)} "
            "can be refunded.",
        )
    return value


def split_installments(
    total: object, count: object, first_due: object, frequency: object, currency: str
) -> list[Installment]:
    """`total` in `count` equal installments, the rounding remainder on the last one.

    Each share is rounded down to the minor unit, so the last installment is the largest and
    never negative, and the amounts add up to exactly the total. Monthly dates keep the day of
    the first due date, moved back to the month's last day where the month is shorter
    (Jan 31, Feb 29, Mar 31, Apr 30).
    """
    unit = money.currency(currency)
    amount = parse_amount(total, unit.code, "total", maximum=LEDGER_MAXIMUM)
    number = _whole_number(count, "count", 1, MAX_INSTALLMENTS, "Choose from 1 to 60 installments.")
    start = _plain_date(first_due, "first_due", "the first due date")
    every = _frequency(frequency)
    minor_total = int(amount.scaleb(unit.minor_units))
    share = Decimal(minor_total // number).scaleb(-unit.minor_units)
    if share == 0:
        raise InvalidValue(
            "count",
            f"{format_money(amount, unit.code)} cannot be split into {number} "
            f"installments of at least {format_money(unit.step, unit.code)}; "
            f"choose at most {minor_total}.",
        )
    amounts = [share] * (number - 1) + [amount - share * (number - 1)]
    dues = _due_dates(start, number, every)
    return [
        Installment(seq, due, quantize(value, unit.code))
        for seq, (due, value) in enumerate(zip(dues, amounts, strict=True), start=1)
    ]


def installment_states(
    installments: Sequence[Installment], paid_toward_plan: object, today: object, grace_days: object = 0
) -> list[InstallmentState]:
    """Each installment, in due order, with plan payments applied oldest first.

    An installment is "paid" when nothing remains; otherwise "overdue" once `today` is more
    than `grace_days` after its due date (on the due date itself it is not yet overdue), else
    "partly_paid" if something was paid toward it, else "due".
    """
    plan = _checked_plan(installments)
    left = _non_negative(paid_toward_plan, "paid_toward_plan", "the amount paid toward the plan")
    day = _plain_date(today, "today", "today's date")
    grace = _whole_number(
        grace_days, "grace_days", 0, MAX_GRACE_DAYS, f"Grace days must be a whole number from 0 to {MAX_GRACE_DAYS}."
    )
    states: list[InstallmentState] = []
    for item in plan:
        paid = min(left, item.amount)
        left -= paid
        states.append(
            InstallmentState(item.seq, item.due, item.amount, paid, item.amount - paid, _status(item, paid, day, grace))
        )
    return states


def plan_summary(
    installments: Sequence[Installment], paid_toward_plan: object, today: object, grace_days: object = 0
) -> PlanSummary:
    """Totals of a plan on `today`; see PlanSummary for what each figure means."""
    states = installment_states(installments, paid_toward_plan, today, grace_days)
    total = sum((s.amount for s in states), Decimal(0))
    paid = sum((s.paid for s in states), Decimal(0))
    overdue = sum((s.remaining for s in states if s.status == InstallmentStatus.OVERDUE), Decimal(0))
    unpaid = next((s for s in states if s.remaining > 0), None)
    return PlanSummary(
        total=total,
        paid=paid,
        remaining=total - paid,
        overdue_amount=overdue,
        next_due=Installment(unpaid.seq, unpaid.due, unpaid.amount) if unpaid else None,
        overpaid=max(Decimal(paid_toward_plan) - total, Decimal(0)),
    )


def _net(entries: list[Entry], signs: dict[EntryKind, int]) -> Decimal:
    """Amounts of entries that are not voided, each times its kind's sign (0 if it has none)."""
    return sum((signs.get(EntryKind(e.kind), 0) * e.amount for e in entries if not e.voided), Decimal(0))


def _checked_entries(entries: Iterable[Entry], code: str) -> tuple[str, list[Entry]]:
    """The account's currency code and its entries, each checked; the first problem is raised."""
    account = money.currency(code).code
    checked = list(entries)
    for entry in checked:
        _check_entry(entry, account)
    return account, checked


def _check_entry(entry: object, account: str) -> None:
    """One entry: a known kind, the account's currency, a positive amount, a date."""
    if not isinstance(entry, Entry):
        raise InvalidValue("entries", f"{shown(entry)} is not a ledger entry.")
    where = f"Entry {entry.id}"
    if entry.kind not in tuple(EntryKind):
        raise UnknownKey(
            "kind", f"{where}: {shown(entry.kind)} is not a ledger entry kind; use charge, payment or refund."
        )
    try:
        own = money.currency(entry.currency).code
    except RuleError as err:
        raise type(err)(err.field, f"{where}: {err.message}") from None
    if own != account:
        raise InvalidValue(
            "currency", f"{where} is in {own} but the account is in {account}; an account never mixes currencies."
        )
    if not isinstance(entry.amount, Decimal):
        raise InvalidValue("amount", f"{where}: the amount must be a Decimal, not {shown(entry.amount)}.")
    try:
        parse_amount(entry.amount, account, "amount", maximum=LEDGER_MAXIMUM)
    except RuleError as err:
        raise type(err)(err.field, f"{where}: {err.message}") from None
    _plain_date(entry.on, "on", f"the date of entry {entry.id}")
    if not isinstance(entry.voided, bool):
        raise InvalidValue("voided", f"{where}: voided must be True or False, not {shown(entry.voided)}.")


def _checked_plan(installments: Sequence[Installment]) -> list[Installment]:
    """The installments in due order; each must have a date and a positive Decimal amount."""
    plan = list(installments)
    if not plan:
        raise InvalidValue("installments", "A payment plan needs at least one installment.")
    for item in plan:
        if not isinstance(item, Installment):
            raise InvalidValue("installments", f"{shown(item)} is not an installment.")
        if not isinstance(item.amount, Decimal) or not item.amount.is_finite() or item.amount <= 0:
            raise InvalidValue(
                "installments",
                f"Installment {item.seq}: the amount must be a positive Decimal, not {shown(item.amount)}.",
            )
        _plain_date(item.due, "installments", f"the due date of installment {item.seq}")
    return sorted(plan, key=lambda i: (i.due, i.seq))


def _status(item: Installment, paid: Decimal, today: date, grace_days: int) -> InstallmentStatus:
    """Status of one installment; see InstallmentStatus for why overdue wins over partly paid."""
    if paid == item.amount:
        return InstallmentStatus.PAID
    if (today - item.due).days > grace_days:
        return InstallmentStatus.OVERDUE
    return InstallmentStatus.PARTLY_PAID if paid > 0 else InstallmentStatus.DUE


def _due_dates(first: date, count: int, frequency: Frequency) -> list[date]:
    """`count` due dates from `first`; monthly ones clamp to the end of shorter months."""
    try:
        if frequency == Frequency.MONTHLY:
            return [_months_after(first, n) for n in range(count)]
        return [first + timedelta(days=_DAYS_APART[frequency] * n) for n in range(count)]
    except (OverflowError, ValueError):
        raise InvalidValue(
            "first_due", "The installments would fall after the year 9999; choose an earlier first due date."
        ) from None


def _months_after(anchor: date, months: int) -> date:
    """The anchor's day `months` later, or that month's last day if the month is shorter."""
    years, month_index = divmod(anchor.month - 1 + months, 12)
    year, month = anchor.year + years, month_index + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def _frequency(value: object) -> Frequency:
    """A known installment frequency."""
    if value not in tuple(Frequency):
        raise UnknownKey(
            "frequency", f"{shown(value)} is not an installment frequency; choose weekly, fortnightly or monthly."
        )
    return Frequency(value)


def _whole_number(value: object, field: str, low: int, high: int, message: str) -> int:
    """An int from `low` to `high` (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValue(field, message)
    return value


def _plain_date(value: object, field: str, what: str) -> date:
    """A calendar date; a datetime is refused because its time of day would be silently dropped."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidValue(field, f"Give {what} as a date, not {shown(value)}.")
    return value


def _non_negative(value: object, field: str, what: str) -> Decimal:
    """A finite Decimal or int of zero or more; floats are refused so sums stay exact."""
    valid = not isinstance(value, bool) and isinstance(value, (Decimal, int)) and Decimal(value).is_finite()
    if not valid or value < 0:
        raise InvalidValue(field, f"Give {what} as a Decimal of zero or more, not {shown(value)}.")
    return Decimal(value)
