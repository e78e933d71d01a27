"""Insurance estimate: worked cases by hand, the assumptions and warnings, and invariants."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.rules.errors import InvalidValue, RuleErrors, UnknownKey
from coordinator.rules.estimate import (
    NOT_A_GUARANTEE,
    SEPARATELY_BILLED,
    EstimateInput,
    EstimateLine,
    describe,
    estimate_stay,
)
from coordinator.rules.money import CURRENCIES, quantize

D = Decimal

# A PPO, in network: 1,500 USD a day for 14 days, 1,000 deductible left, 20% co-insurance, no
# co-pay, 4,000 out-of-pocket maximum left, no prior authorization needed, day limit not known.
PPO = {
    "currency": "USD",
    "daily_rate": D(1500),
    "days": 14,
    "covered": True,
    "in_network": True,
    "out_of_network_covered": None,
    "deductible_remaining": D(1000),
    "coinsurance_percent": D(20),
    "copay": D(0),
    "copay_per": None,
    "oop_remaining": D(4000),
    "covered_days_limit": None,
    "prior_auth_required": False,
    "authorized_days": None,
}


def run(**changes):
    return estimate_stay(EstimateInput(**{**PPO, **changes}))


# (changes to PPO, patient total, insurer total, total charges, covered days)
WORKED = [
    # 1,500 x 14 = 21,000; deductible 1,000 + 20% x 20,000 = 5,000, capped at the 4,000 OOP left
    ({}, "4000.00", "17000.00", "21000.00", 14),
    # 10 days left under the limit: 15,000 covered; 1,000 + 20% x 14,000 = 3,800 (under 4,000);
    # 4 days x 1,500 = 6,000 uncovered, paid in full outside the OOP: 3,800 + 6,000 = 9,800
    ({"covered_days_limit": 10}, "9800.00", "11200.00", "21000.00", 10),
    # as above with 2,000 OOP left: 3,800 capped at 2,000, + 6,000 = 8,000
    ({"covered_days_limit": 10, "oop_remaining": D(2000)}, "8000.00", "13000.00", "21000.00", 10),
    # prior auth for 7 days (limit 10): 10,500 covered; 1,000 + 20% x 9,500 = 2,900; 7 x 1,500 = 10,500
    (
        {"covered_days_limit": 10, "prior_auth_required": True, "authorized_days": 7},
        "13400.00",
        "7600.00",
        "21000.00",
        7,
    ),
    # prior auth needed, no days authorized yet: all 14 assumed authorized, as the first case
    ({"prior_auth_required": True}, "4000.00", "17000.00", "21000.00", 14),
    # authorized days are not applied when prior auth is not needed
    ({"authorized_days": 5}, "4000.00", "17000.00", "21000.00", 14),
    # co-pay 100 a day, OOP unknown: 1,000 + 4,000 + 100 x 14 = 6,400
    ({"copay": D(100), "copay_per": "day", "oop_remaining": None}, "6400.00", "14600.00", "21000.00", 14),
    # co-pay 250 per admission, 10,000 OOP left: 1,000 + 4,000 + 250 = 5,250
    ({"copay": D(250), "copay_per": "admission", "oop_remaining": D(10000)}, "5250.00", "15750.00", "21000.00", 14),
    # co-pay 50 per visit, one visit a day: 1,000 + 4,000 + 50 x 14 = 5,700
    ({"copay": D(50), "copay_per": "visit", "oop_remaining": None}, "5700.00", "15300.00", "21000.00", 14),
    # co-pay basis unknown: counted per day, 1,000 + 4,000 + 1,400 = 6,400
    ({"copay": D(100), "oop_remaining": None}, "6400.00", "14600.00", "21000.00", 14),
    # 500 x 3 = 1,500 charges with 2,000 deductible left: the deductible takes all 1,500
    ({"daily_rate": D(500), "days": 3, "deductible_remaining": D(2000)}, "1500.00", "0.00", "1500.00", 3),
    # nothing known about cost-sharing: each counted as 0, no OOP cap; the patient pays 0
    (
        {"deductible_remaining": None, "coinsurance_percent": None, "copay": None, "oop_remaining": None},
        "0.00",
        "21000.00",
        "21000.00",
        14,
    ),
    # not covered or inactive: the patient pays all 21,000
    ({"covered": False}, "21000.00", "0.00", "21000.00", 0),
    # coverage not verified: treated as not covered
    ({"covered": None}, "21000.00", "0.00", "21000.00", 0),
    # out of network, out-of-network cover unknown or absent: all 21,000
    ({"in_network": False}, "21000.00", "0.00", "21000.00", 0),
    ({"in_network": False, "out_of_network_covered": False}, "21000.00", "0.00", "21000.00", 0),
    # network status unknown and no out-of-network cover: treated as out of network
    ({"in_network": None}, "21000.00", "0.00", "21000.00", 0),
    # out of network but covered: 3,000 + 40% x 18,000 = 10,200, capped at the 8,000 OOP left
    (
        {
            "in_network": False,
            "out_of_network_covered": True,
            "deductible_remaining": D(3000),
            "coinsurance_percent": D(40),
            "oop_remaining": D(8000),
        },
        "8000.00",
        "13000.00",
        "21000.00",
        14,
    ),
    # network unknown, out-of-network covered: the figures entered apply, as the first case
    ({"in_network": None, "out_of_network_covered": True}, "4000.00", "17000.00", "21000.00", 14),
    # 333.33 x 3 = 999.99; 12.5% x 999.99 = 124.99875 -> 125.00; insurer 999.99 - 125.00 = 874.99
    (
        {
            "daily_rate": D("333.33"),
            "days": 3,
            "deductible_remaining": D(0),
            "coinsurance_percent": D("12.5"),
            "oop_remaining": None,
        },
        "125.00",
        "874.99",
        "999.99",
        3,
    ),
    # yen: 15,000 x 10 = 150,000; 10,000 + 30% x 140,000 = 52,000 (under 100,000 OOP)
    (
        {
            "currency": "JPY",
            "daily_rate": D(15000),
            "days": 10,
            "deductible_remaining": D(10000),
            "coinsurance_percent": D(30),
            "oop_remaining": D(100000),
        },
        "52000",
        "98000",
        "150000",
        10,
    ),
    # yen: 15% x 1,001 = 150.15 -> 150 whole yen; insurer 851
    (
        {
            "currency": "JPY",
            "daily_rate": D(1001),
            "days": 1,
            "deductible_remaining": D(0),
            "coinsurance_percent": D(15),
            "oop_remaining": None,
        },
        "150",
        "851",
        "1001",
        1,
    ),
    # yen: 50% x 1,001 = 500.5 -> 501, rounded half up; insurer 500
    (
        {
            "currency": "JPY",
            "daily_rate": D(1001),
            "days": 1,
            "deductible_remaining": D(0),
            "coinsurance_percent": D(50),
            "oop_remaining": None,
        },
        "501",
        "500",
        "1001",
        1,
    ),
    # dinars: 100.125 x 3 = 300.375; 10% = 30.0375 -> 30.038; insurer 270.337
    (
        {
            "currency": "KWD",
            "daily_rate": D("100.125"),
            "days": 3,
            "deductible_remaining": D(0),
            "coinsurance_percent": D(10),
            "oop_remaining": None,
        },
        "30.038",
        "270.337",
        "300.375",
        3,
    ),
    # co-pay above the charges: 100 x 2 = 200 charges, co-pay 150 x 2 = 300 -> capped at 200
    (
        {
            "daily_rate": D(100),
            "days": 2,
            "deductible_remaining": D(0),
            "coinsurance_percent": D(0),
            "copay": D(150),
            "copay_per": "day",
            "oop_remaining": None,
        },
        "200.00",
        "0.00",
        "200.00",
        2,
    ),
    # out-of-pocket maximum already reached: the patient pays nothing for covered days
    ({"oop_remaining": D(0)}, "0.00", "21000.00", "21000.00", 14),
    # no days left under the limit: 14 x 1,500 paid in full
    ({"covered_days_limit": 0}, "21000.00", "0.00", "21000.00", 0),
    # prior auth needed and 0 days authorized: the same
    ({"prior_auth_required": True, "authorized_days": 0}, "21000.00", "0.00", "21000.00", 0),
    # 100% co-insurance, no cap: the patient pays everything even though covered
    ({"coinsurance_percent": D(100), "oop_remaining": None}, "21000.00", "0.00", "21000.00", 14),
]


@pytest.mark.parametrize(("changes", "patient", "insurer", "total", "covered_days"), WORKED)
def test_worked_cases(changes, patient, insurer, total, covered_days):
    result = run(**changes)
    assert (str(result.patient_total), str(result.insurer_total), str(result.total_charges)) == (
        patient,
        insurer,
        total,
    )
    assert result.covered_days == covered_days
    assert sum(line.amount for line in result.lines) == result.patient_total
    assert result.patient_total + result.insurer_total == result.total_charges


def test_ppo_lines_and_description():
    result = run()
    assert result.lines == (
        EstimateLine("Deductible", D("1000.00")),
        EstimateLine("Co-insurance 20% of 20,000.00 USD", D("4000.00")),
        EstimateLine("Out-of-pocket maximum: your share of covered days stops at 4,000.00 USD", D("-1000.00")),
    )
    assert describe(result) == [
        "You would pay about 4,000.00 USD of 21,000.00 USD in charges for 14 days.",
        "Your insurance would pay about 17,000.00 USD.",
        "The plan's day limit is not known; no limit is applied, so the estimate may be low.",
    ]
    assert result.assumptions[0] == (
        "Charges: 1,500.00 USD a day (the expected allowed amount) for 14 days = 21,000.00 USD."
    )
    assert "Out-of-pocket maximum remaining: 4,000.00 USD." in result.assumptions
    assert result.assumptions[-2:] == (SEPARATELY_BILLED, NOT_A_GUARANTEE)


def test_day_limit_lines_and_description():
    result = run(covered_days_limit=10)
    assert result.lines == (
        EstimateLine("Deductible", D("1000.00")),
        EstimateLine("Co-insurance 20% of 14,000.00 USD", D("2800.00")),
        EstimateLine(
            "4 days beyond the plan's day limit, not covered: you pay 1,500.00 USD a day in full", D("6000.00")
        ),
    )
    assert describe(result) == [
        "You would pay about 9,800.00 USD of 21,000.00 USD in charges for 14 days.",
        "Your insurance would pay about 11,200.00 USD.",
        "The plan would cover 10 of the 14 days; you would pay for the other 4 days in full.",
    ]
    assert "The plan's day limit leaves 10 days at this level of care." in result.assumptions
    assert (
        "Days that are not covered are paid in full and do not count toward the out-of-pocket maximum."
        in result.assumptions
    )


def test_limit_and_authorization_tied_name_both():
    result = run(covered_days_limit=13, prior_auth_required=True, authorized_days=13)
    assert result.lines[-1].label.startswith("1 day beyond the plan's day limit and the authorized days")


def test_copay_lines():
    assert run(copay=D(100), copay_per="day").lines[2] == EstimateLine(
        "Co-pay 100.00 USD per day for 14 days", D("1400.00")
    )
    assert run(copay=D(50), copay_per="visit").lines[2] == EstimateLine(
        "Co-pay 50.00 USD per visit (one a day) for 14 days", D("700.00")
    )
    assert run(copay=D(250), copay_per="admission").lines[2] == EstimateLine(
        "Co-pay 250.00 USD per admission", D("250.00")
    )


def test_copay_above_the_charges_is_taken_back_by_a_cap_line():
    result = run(
        daily_rate=D(100),
        days=2,
        deductible_remaining=D(0),
        coinsurance_percent=D(0),
        copay=D(150),
        copay_per="day",
        oop_remaining=None,
    )
    assert result.lines[-1] == EstimateLine("Your share cannot be more than the covered charges", D("-100.00"))


def test_not_covered_is_one_line_for_everything():
    assert run(covered=False).lines == (EstimateLine("Not covered: you pay all charges", D("21000.00")),)
    assert describe(run(covered=False))[1] == "Your insurance would pay nothing under these assumptions."


@pytest.mark.parametrize(
    ("changes", "warning"),
    [
        (
            {"deductible_remaining": None},
            "The deductible remaining is not known; it is counted as 0, so the estimate may be low.",
        ),
        (
            {"coinsurance_percent": None},
            "The co-insurance is not known; it is counted as 0%, so the estimate may be low.",
        ),
        ({"copay": None}, "The co-pay is not known; it is counted as none, so the estimate may be low."),
        (
            {"copay": D(10)},
            (
                "Whether the co-pay is per day, per visit or per admission is not known; it is counted per day, "
                "so the estimate may be high."
            ),
        ),
        (
            {"oop_remaining": None},
            "The out-of-pocket maximum remaining is not known; no cap is applied, so the estimate may be high.",
        ),
        ({}, "The plan's day limit is not known; no limit is applied, so the estimate may be low."),
        (
            {"prior_auth_required": None},
            (
                "Whether prior authorization is needed is not known; the estimate assumes it is not. If it is "
                "needed and not obtained, the plan may pay nothing."
            ),
        ),
        (
            {"prior_auth_required": True},
            (
                "Prior authorization is needed and no days are authorized yet; the estimate assumes all 14 days "
                "will be. Without authorization the plan may pay nothing."
            ),
        ),
        ({"covered": None}, "Coverage has not been verified; until it is, the estimate assumes you pay all charges."),
        (
            {"in_network": False},
            "Out of network, and the plan is not known to cover out-of-network care: you would pay all charges.",
        ),
        (
            {"in_network": None},
            "Whether the program is in the plan's network is not known; it is treated as out of network.",
        ),
        (
            {"in_network": False, "out_of_network_covered": True},
            (
                "An out-of-network program may bill more than the plan's allowed amount (balance billing); any "
                "such difference is not included."
            ),
        ),
    ],
)
def test_every_unknown_is_warned_about(changes, warning):
    result = run(**changes)
    assert warning in result.warnings
    assert warning in describe(result)


def test_known_figures_give_no_warnings():
    assert run(covered_days_limit=30).warnings == ()


def test_authorized_days_without_prior_auth_are_noted_not_applied():
    result = run(authorized_days=5)
    assert result.covered_days == 14
    assert (
        "The authorized days are not applied because prior authorization is not marked as needed." in result.assumptions
    )


def test_amounts_are_rounded_to_the_input_currency():
    result = run(currency="usd", daily_rate="1,500")
    assert result.currency == "USD" and str(result.total_charges) == "21000.00"


def test_every_problem_is_reported_at_once_by_field():
    with pytest.raises(RuleErrors) as err:
        run(
            daily_rate=D(-1),
            days=0,
            deductible_remaining=D("1.234"),
            coinsurance_percent=D(101),
            copay=-5,
            copay_per="week",
            oop_remaining=1.5,
            covered_days_limit=-1,
            authorized_days="7",
            covered="yes",
            in_network=1,
            out_of_network_covered="no",
            prior_auth_required="maybe",
        )
    assert [field for field, _ in err.value.errors] == [
        "daily_rate",
        "days",
        "deductible_remaining",
        "coinsurance_percent",
        "copay",
        "copay_per",
        "oop_remaining",
        "covered_days_limit",
        "authorized_days",
        "covered",
        "in_network",
        "out_of_network_covered",
        "prior_auth_required",
    ]
    messages = dict(err.value.errors)
    assert messages["daily_rate"] == "The daily rate must not be negative."
    assert messages["days"] == "The length of stay must be from 1 to 365 days."
    assert messages["deductible_remaining"] == "USD amounts have at most 2 decimal places."
    assert messages["coinsurance_percent"] == "Co-insurance must be a percentage from 0 to 100."
    assert messages["copay"] == "The co-pay must not be negative."
    assert messages["copay_per"] == "'week' is not a co-pay basis; choose day, visit or admission."
    assert "not a float" in messages["oop_remaining"]
    assert messages["covered_days_limit"] == "Enter a whole number of days, 0 or more."
    assert messages["covered"] == "Answer yes, no or not known, not 'yes'."


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"daily_rate": D(0)}, "daily_rate", InvalidValue),
        ({"daily_rate": None}, "daily_rate", InvalidValue),
        ({"days": 366}, "days", InvalidValue),
        ({"days": True}, "days", InvalidValue),
        ({"days": 14.0}, "days", InvalidValue),
        ({"coinsurance_percent": D(-1)}, "coinsurance_percent", InvalidValue),
        ({"coinsurance_percent": 20.0}, "coinsurance_percent", InvalidValue),
        ({"coinsurance_percent": D("NaN")}, "coinsurance_percent", InvalidValue),
        ({"coinsurance_percent": D("12.34567")}, "coinsurance_percent", InvalidValue),
        ({"copay_per": "DAY"}, "copay_per", UnknownKey),
        ({"authorized_days": -1}, "authorized_days", InvalidValue),
        ({"currency": "XAU"}, "currency", UnknownKey),
    ],
)
def test_single_refusals(changes, field, error):
    with pytest.raises(error) as err:
        run(**changes)
    assert err.value.field == field


@pytest.mark.parametrize("percent", [D(0), D(100), D("33.3333"), D("12.50000"), D("1E+1"), 55])
def test_percent_edges_are_accepted(percent):
    assert run(coinsurance_percent=percent, oop_remaining=None).total_charges == D(21000)


# Property tests ------------------------------------------------------------------------------

CODES = ("USD", "THB", "EUR", "JPY", "KWD", "CLF")


def maybe(strategy):
    return st.none() | strategy


@st.composite
def inputs(draw):
    """Any valid input, unknowns included."""
    code = draw(st.sampled_from(CODES))
    places = CURRENCIES[code].minor_units

    def amount(low):
        return st.integers(min_value=low, max_value=10**7 * 10**places).map(lambda u: D(u).scaleb(-places))

    return EstimateInput(
        currency=code,
        daily_rate=draw(amount(1)),
        days=draw(st.integers(min_value=1, max_value=365)),
        covered=draw(maybe(st.booleans())),
        in_network=draw(maybe(st.booleans())),
        out_of_network_covered=draw(maybe(st.booleans())),
        deductible_remaining=draw(maybe(amount(0))),
        coinsurance_percent=draw(maybe(st.integers(min_value=0, max_value=10**6).map(lambda u: D(u).scaleb(-4)))),
        copay=draw(maybe(amount(0))),
        copay_per=draw(maybe(st.sampled_from(("day", "visit", "admission")))),
        oop_remaining=draw(maybe(amount(0))),
        covered_days_limit=draw(maybe(st.integers(min_value=0, max_value=400))),
        prior_auth_required=draw(maybe(st.booleans())),
        authorized_days=draw(maybe(st.integers(min_value=0, max_value=400))),
    )


@given(inputs())
def test_totals_always_add_up_exactly(data):
    result = estimate_stay(data)
    code = data.currency
    assert result.total_charges == data.daily_rate * data.days
    assert result.patient_total + result.insurer_total == result.total_charges
    assert 0 <= result.patient_total <= result.total_charges
    assert sum(line.amount for line in result.lines) == result.patient_total
    for amount in (
        result.patient_total,
        result.insurer_total,
        result.total_charges,
        *(line.amount for line in result.lines),
    ):
        assert amount == quantize(amount, code)
        assert -amount.as_tuple().exponent == CURRENCIES[code].minor_units
    assert 0 <= result.covered_days <= data.days
    assert NOT_A_GUARANTEE in result.assumptions


@given(inputs())
def test_patient_share_never_exceeds_the_oop_left_when_every_day_is_covered(data):
    result = estimate_stay(data)
    if data.oop_remaining is not None and result.covered_days == data.days:
        assert result.patient_total <= data.oop_remaining


@given(inputs())
def test_not_covered_means_the_patient_pays_everything(data):
    result = estimate_stay(data)
    if data.covered is not True or (data.in_network is not True and data.out_of_network_covered is not True):
        assert result.patient_total == result.total_charges and result.insurer_total == 0
        assert result.covered_days == 0
