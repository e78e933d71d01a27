"""Private-pay ledger: balances, refunds, installment plans and their states on a given day."""

from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.rules.errors import InvalidValue, MissingValue, UnknownKey
from coordinator.rules.ledger import (
    Entry,
    Installment,
    InstallmentStatus,
    balance,
    check_refund,
    installment_states,
    plan_summary,
    refundable,
    running_balances,
    split_installments,
)
from coordinator.rules.money import CURRENCIES

D = Decimal
PAID, PARTLY, DUE, OVERDUE = (
    InstallmentStatus.PAID,
    InstallmentStatus.PARTLY_PAID,
    InstallmentStatus.DUE,
    InstallmentStatus.OVERDUE,
)


def entry(id_, kind, amount, on, currency="THB", voided=False):
    return Entry(id=id_, kind=kind, amount=D(amount), currency=currency, on=on, voided=voided)


# DOMAIN.md: a residential month quoted at 280,000 THB, a deposit, a plan for the rest, and
# transport billed separately.
MONTH = [
    entry(1, "payment", "100000", date(2024, 3, 1)),  # deposit before admission
    entry(2, "charge", "280000.00", date(2024, 3, 4)),  # program fee, one month
    entry(3, "charge", "3500", date(2024, 3, 4)),  # airport transport
    entry(4, "payment", "60000", date(2024, 4, 4)),  # first installment
    entry(5, "charge", "1250.50", date(2024, 3, 10)),  # medication
    entry(6, "charge", "1250.50", date(2024, 3, 10), voided=True),  # the same medication keyed twice
    entry(7, "refund", "500", date(2024, 4, 5)),  # part of the deposit handed back
]


def test_the_280000_thb_month():
    # 280,000 + 3,500 + 1,250.50 - 100,000 - 60,000 + 500 = 125,250.50 (the voided line counts for nothing)
    assert balance(MONTH, "THB") == D("125250.50")
    assert str(balance(MONTH, "thb")) == "125250.50"
    # paid 100,000 + 60,000 less 500 handed back
    assert refundable(MONTH, "THB") == D("159500.00")


def test_running_balances_in_date_then_id_order():
    rows = [(e.id, str(b)) for e, b in running_balances(MONTH, "THB")]
    assert rows == [
        (1, "-100000.00"),  # the deposit is a credit until the fee is charged
        (2, "180000.00"),
        (3, "183500.00"),
        (5, "184750.50"),
        (6, "184750.50"),  # voided: balance unchanged, but still listed
        (4, "124750.50"),
        (7, "125250.50"),
    ]
    assert running_balances(MONTH, "THB")[-1][1] == balance(MONTH, "THB")


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([], "0.00"),
        # 280,000 charged, nothing paid
        ([entry(1, "charge", "280000", date(2024, 1, 1))], "280000.00"),
        # paid in full: 280,000 - 280,000
        ([entry(1, "charge", "280000", date(2024, 1, 1)), entry(2, "payment", "280000", date(2024, 1, 2))], "0.00"),
        # overpaid by 1,000, then refunded: 280,000 - 281,000 + 1,000
        (
            [
                entry(1, "charge", "280000", date(2024, 1, 1)),
                entry(2, "payment", "281000", date(2024, 1, 2)),
                entry(3, "refund", "1000", date(2024, 1, 3)),
            ],
            "0.00",
        ),
        # a voided payment does not reduce what is owed
        (
            [entry(1, "charge", "500", date(2024, 1, 1)), entry(2, "payment", "500", date(2024, 1, 2), voided=True)],
            "500.00",
        ),
        # cents add exactly: 0.10 + 0.20 - 0.30
        (
            [
                entry(1, "charge", "0.10", date(2024, 1, 1)),
                entry(2, "charge", "0.20", date(2024, 1, 1)),
                entry(3, "payment", "0.30", date(2024, 1, 1)),
            ],
            "0.00",
        ),
    ],
)
def test_balance_worked_examples(entries, expected):
    assert str(balance(entries, "THB")) == expected


def test_whole_number_and_three_place_currencies():
    yen = [entry(1, "charge", "150000", date(2024, 1, 1), "JPY"), entry(2, "payment", "49999", date(2024, 1, 2), "JPY")]
    assert str(balance(yen, "JPY")) == "100001"
    dinars = [
        entry(1, "charge", "100.125", date(2024, 1, 1), "KWD"),
        entry(2, "payment", "0.001", date(2024, 1, 2), "KWD"),
    ]
    assert str(balance(dinars, "KWD")) == "100.124"


def test_an_account_never_mixes_currencies():
    mixed = [*MONTH, entry(8, "charge", "100", date(2024, 4, 6), "USD")]
    for rule in (balance, running_balances, refundable):
        with pytest.raises(InvalidValue) as err:
            rule(mixed, "THB")
        assert err.value.field == "currency"
        assert err.value.message == "Entry 8 is in USD but the account is in THB; an account never mixes currencies."


def test_a_voided_entry_in_another_currency_is_still_refused():
    with pytest.raises(InvalidValue):
        balance([entry(1, "charge", "100", date(2024, 1, 1), "USD", voided=True)], "THB")


@pytest.mark.parametrize(
    ("bad", "error", "field", "message"),
    [
        (
            Entry(9, "charge", D("-5"), "THB", date(2024, 1, 1)),
            InvalidValue,
            "amount",
            "Entry 9: The THB amount must not be negative.",
        ),
        (
            Entry(9, "charge", D("0"), "THB", date(2024, 1, 1)),
            InvalidValue,
            "amount",
            "Entry 9: The THB amount must be more than zero.",
        ),
        (
            Entry(9, "charge", D("1.005"), "THB", date(2024, 1, 1)),
            InvalidValue,
            "amount",
            "Entry 9: THB amounts have at most 2 decimal places.",
        ),
        (
            Entry(9, "charge", 1.5, "THB", date(2024, 1, 1)),
            InvalidValue,
            "amount",
            "Entry 9: the amount must be a Decimal, not 1.5.",
        ),
        (
            Entry(9, "charge", "100", "THB", date(2024, 1, 1)),
            InvalidValue,
            "amount",
            "Entry 9: the amount must be a Decimal, not '100'.",
        ),
        (
            Entry(9, "charge", D("NaN"), "THB", date(2024, 1, 1)),
            InvalidValue,
            "amount",
            "Entry 9: The THB amount must be a number, not Decimal('NaN').",
        ),
        (
            Entry(9, "discount", D("5"), "THB", date(2024, 1, 1)),
            UnknownKey,
            "kind",
            "Entry 9: 'discount' is not a ledger entry kind; use charge, payment or refund.",
        ),
        (
            Entry(9, "charge", D("5"), "XAU", date(2024, 1, 1)),
            UnknownKey,
            "currency",
            "Entry 9: 'XAU' is not an ISO 4217 currency code; use three letters such as THB or USD.",
        ),
        (Entry(9, "charge", D("5"), "", date(2024, 1, 1)), MissingValue, "currency", "Entry 9: Choose a currency."),
        (
            Entry(9, "charge", D("5"), "THB", datetime(2024, 1, 1, 9)),
            InvalidValue,
            "on",
            "Give the date of entry 9 as a date, not datetime.datetime(2024, 1, 1, 9, 0).",
        ),
        (
            Entry(9, "charge", D("5"), "THB", date(2024, 1, 1), voided=None),
            InvalidValue,
            "voided",
            "Entry 9: voided must be True or False, not None.",
        ),
    ],
)
def test_bad_entries_are_refused_with_the_entry_named(bad, error, field, message):
    with pytest.raises(error) as err:
        balance([MONTH[0], bad], "THB")
    assert (err.value.field, err.value.message) == (field, message)


def test_the_account_currency_must_be_known():
    with pytest.raises(UnknownKey):
        balance([], "BAHT")


def test_refunds_up_to_what_was_paid():
    assert check_refund(MONTH, D("159500"), "THB") == D("159500.00")
    assert check_refund(MONTH, "1,000.50", "THB") == D("1000.50")
    with pytest.raises(InvalidValue) as err:
        check_refund(MONTH, D("159500.01"), "THB")
    assert (err.value.field, err.value.message) == (
        "amount",
        "159,500.01 THB is more than was paid and not yet refunded; at most 159,500.00 THB can be refunded.",
    )


def test_nothing_to_refund_before_any_payment():
    charged = [entry(1, "charge", "280000", date(2024, 1, 1))]
    assert refundable(charged, "THB") == 0
    with pytest.raises(InvalidValue) as err:
        check_refund(charged, D(1), "THB")
    assert "at most 0.00 THB can be refunded" in err.value.message


@pytest.mark.parametrize("bad", [D(0), D(-1), D("0.001"), 1.0])
def test_refund_amount_is_checked_like_any_amount(bad):
    with pytest.raises(InvalidValue) as err:
        check_refund(MONTH, bad, "THB")
    assert err.value.field == "amount"


# (total, count, first due, frequency, currency, [(due, amount)...])
SPLITS = [
    # 180,000 / 3 = 60,000 exactly: the balance after the deposit, monthly
    (
        D(180000),
        3,
        date(2024, 2, 5),
        "monthly",
        "THB",
        [(date(2024, 2, 5), "60000.00"), (date(2024, 3, 5), "60000.00"), (date(2024, 4, 5), "60000.00")],
    ),
    # 100 / 3 = 33.333...: 33.33 twice, the last 100 - 66.66 = 33.34; Jan 31 clamps to Feb 29 (leap year)
    (
        D(100),
        3,
        date(2024, 1, 31),
        "monthly",
        "USD",
        [(date(2024, 1, 31), "33.33"), (date(2024, 2, 29), "33.33"), (date(2024, 3, 31), "33.34")],
    ),
    # 2023 is not a leap year: Feb 28, then back to the 31st, then Apr 30
    (
        D(400),
        4,
        date(2023, 1, 31),
        "monthly",
        "USD",
        [
            (date(2023, 1, 31), "100.00"),
            (date(2023, 2, 28), "100.00"),
            (date(2023, 3, 31), "100.00"),
            (date(2023, 4, 30), "100.00"),
        ],
    ),
    # across the year end: Nov 30, Dec 30, Jan 30
    (
        D(300),
        3,
        date(2024, 11, 30),
        "monthly",
        "EUR",
        [(date(2024, 11, 30), "100.00"), (date(2024, 12, 30), "100.00"), (date(2025, 1, 30), "100.00")],
    ),
    # 1,000 / 6 = 166.666...: 166.66 five times, the last 1,000 - 833.30 = 166.70
    (
        D(1000),
        6,
        date(2024, 1, 1),
        "weekly",
        "USD",
        [
            (date(2024, 1, 1), "166.66"),
            (date(2024, 1, 8), "166.66"),
            (date(2024, 1, 15), "166.66"),
            (date(2024, 1, 22), "166.66"),
            (date(2024, 1, 29), "166.66"),
            (date(2024, 2, 5), "166.70"),
        ],
    ),
    # fortnightly across Feb 29
    (
        D("0.03"),
        3,
        date(2024, 2, 20),
        "fortnightly",
        "USD",
        [(date(2024, 2, 20), "0.01"), (date(2024, 3, 5), "0.01"), (date(2024, 3, 19), "0.01")],
    ),
    # 1,000 JPY / 3 = 333.33...: whole yen, 333, 333, 334
    (
        D(1000),
        3,
        date(2024, 1, 1),
        "monthly",
        "JPY",
        [(date(2024, 1, 1), "333"), (date(2024, 2, 1), "333"), (date(2024, 3, 1), "334")],
    ),
    # 1 KWD / 3: three places, 0.333, 0.333, 0.334
    (
        D(1),
        3,
        date(2024, 1, 1),
        "weekly",
        "KWD",
        [(date(2024, 1, 1), "0.333"), (date(2024, 1, 8), "0.333"), (date(2024, 1, 15), "0.334")],
    ),
    # one installment is the whole total
    (D("280000"), 1, date(2024, 1, 1), "monthly", "THB", [(date(2024, 1, 1), "280000.00")]),
]


@pytest.mark.parametrize(("total", "count", "first", "frequency", "code", "expected"), SPLITS)
def test_split_installments(total, count, first, frequency, code, expected):
    plan = split_installments(total, count, first, frequency, code)
    assert [(i.seq, i.due, str(i.amount)) for i in plan] == [
        (seq, due, amount) for seq, (due, amount) in enumerate(expected, start=1)
    ]
    assert sum(i.amount for i in plan) == total


def test_sixty_monthly_installments_keep_the_31st_where_the_month_has_one():
    plan = split_installments(D(60000), 60, date(2024, 1, 31), "monthly", "USD")
    assert [i.due.day for i in plan[:13]] == [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31]
    assert plan[-1].due == date(2028, 12, 31)


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        # 0.05 THB is 5 satang: ten installments would each be under one satang
        (
            (D("0.05"), 10, date(2024, 1, 1), "weekly", "THB"),
            "count",
            "0.05 THB cannot be split into 10 installments of at least 0.01 THB; choose at most 5.",
        ),
        (
            (D(5), 6, date(2024, 1, 1), "weekly", "JPY"),
            "count",
            "5 JPY cannot be split into 6 installments of at least 1 JPY; choose at most 5.",
        ),
        ((D(100), 0, date(2024, 1, 1), "weekly", "THB"), "count", "Choose from 1 to 60 installments."),
        ((D(100), 61, date(2024, 1, 1), "weekly", "THB"), "count", "Choose from 1 to 60 installments."),
        ((D(100), True, date(2024, 1, 1), "weekly", "THB"), "count", "Choose from 1 to 60 installments."),
        ((D(100), "3", date(2024, 1, 1), "weekly", "THB"), "count", "Choose from 1 to 60 installments."),
        ((D(0), 3, date(2024, 1, 1), "weekly", "THB"), "total", "The THB amount must be more than zero."),
        ((D(-300), 3, date(2024, 1, 1), "weekly", "THB"), "total", "The THB amount must not be negative."),
        ((D("100.001"), 3, date(2024, 1, 1), "weekly", "THB"), "total", "THB amounts have at most 2 decimal places."),
        (
            (100.0, 3, date(2024, 1, 1), "weekly", "THB"),
            "total",
            "The THB amount must be given as text or a Decimal, not a float, so that it stays exact.",
        ),
        (
            (D(100), 3, date(2024, 1, 1), "daily", "THB"),
            "frequency",
            "'daily' is not an installment frequency; choose weekly, fortnightly or monthly.",
        ),
        (
            (D(100), 3, "2024-01-01", "weekly", "THB"),
            "first_due",
            "Give the first due date as a date, not '2024-01-01'.",
        ),
        (
            (D(100), 3, datetime(2024, 1, 1), "weekly", "THB"),
            "first_due",
            "Give the first due date as a date, not datetime.datetime(2024, 1, 1, 0, 0).",
        ),
        (
            (D(100), 3, date(9999, 11, 1), "monthly", "THB"),
            "first_due",
            "The installments would fall after the year 9999; choose an earlier first due date.",
        ),
        (
            (D(100), 3, date(9999, 12, 20), "weekly", "THB"),
            "first_due",
            "The installments would fall after the year 9999; choose an earlier first due date.",
        ),
    ],
)
def test_split_installments_refusals(args, field, message):
    with pytest.raises(UnknownKey if field == "frequency" else InvalidValue) as err:
        split_installments(*args)
    assert (err.value.field, err.value.message) == (field, message)


def test_unknown_plan_currency():
    with pytest.raises(UnknownKey):
        split_installments(D(100), 3, date(2024, 1, 1), "weekly", "XXX")


# 180,000 THB in three monthly installments of 60,000 due Feb 5, Mar 5 and Apr 5.
PLAN = split_installments(D(180000), 3, date(2024, 2, 5), "monthly", "THB")

# (paid toward the plan, today, grace days, [(paid, remaining, status) per installment])
STATES = [
    # nothing paid, before the first due date: all simply due
    (D(0), date(2024, 2, 1), 0, [("0", "60000.00", DUE), ("0", "60000.00", DUE), ("0", "60000.00", DUE)]),
    # on the due date itself nothing is overdue yet
    (D(0), date(2024, 2, 5), 0, [("0", "60000.00", DUE), ("0", "60000.00", DUE), ("0", "60000.00", DUE)]),
    # the day after: the first is overdue
    (D(0), date(2024, 2, 6), 0, [("0", "60000.00", OVERDUE), ("0", "60000.00", DUE), ("0", "60000.00", DUE)]),
    # 7 grace days: Feb 12 is still within them, Feb 13 is not
    (D(0), date(2024, 2, 12), 7, [("0", "60000.00", DUE), ("0", "60000.00", DUE), ("0", "60000.00", DUE)]),
    (D(0), date(2024, 2, 13), 7, [("0", "60000.00", OVERDUE), ("0", "60000.00", DUE), ("0", "60000.00", DUE)]),
    # 90,000 paid: the first in full, 30,000 of the second (oldest first), not yet due
    (
        D(90000),
        date(2024, 3, 1),
        0,
        [("60000.00", "0.00", PAID), ("30000", "30000.00", PARTLY), ("0", "60000.00", DUE)],
    ),
    # the same on Mar 6: the partly paid second one is past due, so it is overdue
    (
        D(90000),
        date(2024, 3, 6),
        0,
        [("60000.00", "0.00", PAID), ("30000", "30000.00", OVERDUE), ("0", "60000.00", DUE)],
    ),
    # everything paid, long after: all paid
    (
        D(180000),
        date(2025, 1, 1),
        0,
        [("60000.00", "0.00", PAID), ("60000.00", "0.00", PAID), ("60000.00", "0.00", PAID)],
    ),
    # 200,000 paid: the plan absorbs 180,000
    (
        D(200000),
        date(2024, 1, 1),
        0,
        [("60000.00", "0.00", PAID), ("60000.00", "0.00", PAID), ("60000.00", "0.00", PAID)],
    ),
]


@pytest.mark.parametrize(("paid", "today", "grace", "expected"), STATES)
def test_installment_states(paid, today, grace, expected):
    states = installment_states(PLAN, paid, today, grace)
    assert [s.seq for s in states] == [1, 2, 3]
    assert [(s.paid, s.remaining, s.status) for s in states] == [(D(p), D(r), st_) for p, r, st_ in expected]


def test_payments_go_to_the_oldest_installment_whatever_the_input_order():
    states = installment_states(list(reversed(PLAN)), D(60000), date(2024, 2, 1))
    assert [(s.seq, s.status) for s in states] == [(1, PAID), (2, DUE), (3, DUE)]


# (paid toward the plan, today, total, paid, remaining, overdue, next due seq, overpaid)
SUMMARIES = [
    # nothing paid on Mar 6: 60,000 (Feb 5) and 60,000 (Mar 5) overdue, next is the oldest
    (D(0), date(2024, 3, 6), "180000", "0", "180000", "120000", 1, "0"),
    # 90,000 paid on Mar 6: the second has 30,000 left and is overdue
    (D(90000), date(2024, 3, 6), "180000", "90000", "90000", "30000", 2, "0"),
    # 90,000 paid on Mar 1: nothing overdue, the second is next
    (D(90000), date(2024, 3, 1), "180000", "90000", "90000", "0", 2, "0"),
    # 185,500 paid: 180,000 absorbed, 5,500 overpaid, nothing next
    (D(185500), date(2024, 6, 1), "180000", "180000", "0", "0", None, "5500"),
]


@pytest.mark.parametrize(
    ("paid", "today", "total", "applied", "remaining", "overdue", "next_seq", "overpaid"), SUMMARIES
)
def test_plan_summary(paid, today, total, applied, remaining, overdue, next_seq, overpaid):
    summary = plan_summary(PLAN, paid, today)
    assert (summary.total, summary.paid, summary.remaining, summary.overdue_amount, summary.overpaid) == (
        D(total),
        D(applied),
        D(remaining),
        D(overdue),
        D(overpaid),
    )
    assert (summary.next_due.seq if summary.next_due else None) == next_seq
    if summary.next_due:
        assert summary.next_due == PLAN[next_seq - 1]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (([], D(0), date(2024, 1, 1)), "installments"),
        (([Installment(1, date(2024, 1, 1), D(0))], D(0), date(2024, 1, 1)), "installments"),
        (([Installment(1, date(2024, 1, 1), 100)], D(0), date(2024, 1, 1)), "installments"),
        (([Installment(1, datetime(2024, 1, 1), D(1))], D(0), date(2024, 1, 1)), "installments"),
        ((["not an installment"], D(0), date(2024, 1, 1)), "installments"),
        ((PLAN, D(-1), date(2024, 1, 1)), "paid_toward_plan"),
        ((PLAN, 1.5, date(2024, 1, 1)), "paid_toward_plan"),
        ((PLAN, D("NaN"), date(2024, 1, 1)), "paid_toward_plan"),
        ((PLAN, D(0), "2024-01-01"), "today"),
        ((PLAN, D(0), date(2024, 1, 1), -1), "grace_days"),
        ((PLAN, D(0), date(2024, 1, 1), 366), "grace_days"),
        ((PLAN, D(0), date(2024, 1, 1), True), "grace_days"),
    ],
)
def test_installment_state_refusals(args, field):
    with pytest.raises(InvalidValue) as err:
        installment_states(*args)
    assert err.value.field == field


# Property tests ------------------------------------------------------------------------------

CODES = sorted(CURRENCIES)
KINDS = ("charge", "payment", "refund")


def grid_amounts(places, low=1, high=10**12):
    """Positive amounts on a currency's minor-unit grid."""
    return st.integers(min_value=low, max_value=high).map(lambda units: Decimal(units).scaleb(-places))


@st.composite
def ledgers(draw):
    """A currency and a list of entries in it, some voided."""
    code = draw(st.sampled_from(CODES))
    places = CURRENCIES[code].minor_units
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(KINDS),
                grid_amounts(places, high=10**9 * 10**places),
                st.dates(date(2020, 1, 1), date(2030, 12, 31)),
                st.booleans(),
            ),
            max_size=30,
        )
    )
    return code, [Entry(n, kind, amount, code, on, voided) for n, (kind, amount, on, voided) in enumerate(rows)]


def total_of(entries, kind):
    return sum((e.amount for e in entries if e.kind == kind and not e.voided), Decimal(0))


@given(ledgers())
def test_balance_is_charges_minus_payments_plus_refunds_exactly(case):
    code, entries = case
    expected = total_of(entries, "charge") - total_of(entries, "payment") + total_of(entries, "refund")
    result = balance(entries, code)
    assert result == expected
    assert -result.as_tuple().exponent == CURRENCIES[code].minor_units
    assert refundable(entries, code) == total_of(entries, "payment") - total_of(entries, "refund")
    rows = running_balances(entries, code)
    assert [e for e, _ in rows] == sorted(entries, key=lambda e: (e.on, e.id))
    assert (rows[-1][1] if rows else Decimal(0)) == expected


@given(ledgers(), st.sampled_from(CODES), st.sampled_from(KINDS))
def test_mixing_currencies_always_raises(case, other, kind):
    code, entries = case
    if other == code:
        other = "USD" if code != "USD" else "EUR"
    stray = Entry(len(entries), kind, Decimal(1), other, date(2024, 1, 1))
    with pytest.raises(InvalidValue) as err:
        balance([*entries, stray], code)
    assert err.value.field == "currency"


@st.composite
def splits(draw):
    code = draw(st.sampled_from(CODES))
    places = CURRENCIES[code].minor_units
    count = draw(st.integers(min_value=1, max_value=60))
    total = draw(grid_amounts(places, low=count, high=10**9 * 10**places))
    first = draw(st.dates(date(2000, 1, 1), date(2090, 12, 31)))
    frequency = draw(st.sampled_from(("weekly", "fortnightly", "monthly")))
    return total, count, first, frequency, code


@given(splits())
def test_split_installments_always_sums_to_the_total(case):
    total, count, first, frequency, code = case
    plan = split_installments(total, count, first, frequency, code)
    assert len(plan) == count
    assert [i.seq for i in plan] == list(range(1, count + 1))
    assert sum(i.amount for i in plan) == total
    assert all(i.amount > 0 for i in plan)
    assert all(i.amount == plan[0].amount for i in plan[:-1]) and plan[-1].amount >= plan[0].amount
    assert plan[0].due == first
    assert all(a.due < b.due for a, b in pairwise(plan))


@given(
    splits(),
    st.integers(min_value=0, max_value=10**13),
    st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    st.integers(min_value=0, max_value=30),
)
def test_plan_payments_are_applied_up_to_the_plan_total(case, paid_units, today, grace):
    total, count, first, frequency, code = case
    plan = split_installments(total, count, first, frequency, code)
    paid = Decimal(paid_units).scaleb(-CURRENCIES[code].minor_units)
    states = installment_states(plan, paid, today, grace)
    assert sum(s.paid for s in states) == min(paid, total)
    assert all(s.paid + s.remaining == s.amount and s.remaining >= 0 for s in states)
    assert all((s.status == PAID) == (s.remaining == 0) for s in states)
    summary = plan_summary(plan, paid, today, grace)
    assert summary.paid + summary.remaining == summary.total == total
    assert summary.overpaid == max(paid - total, 0)
    assert 0 <= summary.overdue_amount <= summary.remaining
