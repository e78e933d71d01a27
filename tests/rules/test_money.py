"""Money: the ISO 4217 table, parsing typed amounts, rounding and display."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.rules.errors import InvalidValue, MissingValue, UnknownKey
from coordinator.rules.money import (
    COMMON,
    CURRENCIES,
    MAX_INPUT_CHARS,
    currency,
    currency_choices,
    format_money,
    parse_amount,
    quantize,
)

# ISO 4217 List One (2024-06-25), typed in again here so a slip in the module cannot hide.
ZERO_PLACES = (
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "ISK",
    "JPY",
    "KMF",
    "KRW",
    "PYG",
    "RWF",
    "UGX",
    "UYI",
    "VND",
    "VUV",
    "XAF",
    "XOF",
    "XPF",
)
THREE_PLACES = ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")
FOUR_PLACES = ("CLF", "UYW")
FUNDS = ("BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW")
# Minor unit "N.A." (metals, units of account, test and no-currency codes) and codes withdrawn
# before 2024-06-25 (Croatian kuna, old leone, Zimbabwe dollar).
NOT_BILLABLE = (
    "XAU",
    "XAG",
    "XPT",
    "XPD",
    "XDR",
    "XSU",
    "XUA",
    "XBA",
    "XBB",
    "XBC",
    "XBD",
    "XTS",
    "XXX",
    "HRK",
    "SLL",
    "ZWL",
)

OFFICIAL_NAMES = [
    ("THB", "Baht"),
    ("USD", "US Dollar"),
    ("EUR", "Euro"),
    ("GBP", "Pound Sterling"),
    ("AUD", "Australian Dollar"),
    ("SGD", "Singapore Dollar"),
    ("JPY", "Yen"),
    ("KRW", "Won"),
    ("CNY", "Yuan Renminbi"),
    ("CHF", "Swiss Franc"),
    ("OMR", "Rial Omani"),
    ("ISK", "Iceland Krona"),
    ("XOF", "CFA Franc BCEAO"),
    ("XAF", "CFA Franc BEAC"),
    ("XPF", "CFP Franc"),
    ("CLF", "Unidad de Fomento"),
    ("UYW", "Unidad Previsional"),
    ("UYI", "Uruguay Peso en Unidades Indexadas (UI)"),
    ("MXV", "Mexican Unidad de Inversion (UDI)"),
    ("USN", "US Dollar (Next day)"),
    ("BOV", "Mvdol"),
    ("COU", "Unidad de Valor Real"),
    ("CHE", "WIR Euro"),
    ("CHW", "WIR Franc"),
    ("SLE", "Leone"),
    ("ZWG", "Zimbabwe Gold"),
    ("VES", "Bolívar Soberano"),
    ("VED", "Bolívar Soberano"),
    ("TOP", "Pa’anga"),
    ("MRU", "Ouguiya"),
    ("STN", "Dobra"),
    ("BYN", "Belarusian Ruble"),
    ("CUC", "Peso Convertible"),
]


def expected_places(code):
    if code in ZERO_PLACES:
        return 0
    if code in THREE_PLACES:
        return 3
    return 4 if code in FOUR_PLACES else 2


def test_the_table_holds_every_active_code_with_a_minor_unit():
    assert len(CURRENCIES) == 166
    assert all(len(code) == 3 and code.isalpha() and code.isupper() for code in CURRENCIES)
    assert set(FUNDS) <= set(CURRENCIES)


@pytest.mark.parametrize("code", sorted(CURRENCIES))
def test_minor_units_of_every_code(code):
    assert currency(code).minor_units == expected_places(code)


@pytest.mark.parametrize("code", ZERO_PLACES + THREE_PLACES + FOUR_PLACES)
def test_every_minor_unit_exception(code):
    assert CURRENCIES[code].minor_units == expected_places(code) != 2


@pytest.mark.parametrize(("code", "name"), OFFICIAL_NAMES)
def test_official_names(code, name):
    assert currency(code).name == name


@pytest.mark.parametrize("code", NOT_BILLABLE)
def test_codes_without_a_minor_unit_or_withdrawn_are_refused(code):
    with pytest.raises(UnknownKey) as err:
        currency(code)
    assert err.value.field == "currency"
    assert err.value.message == f"'{code}' is not an ISO 4217 currency code; use three letters such as THB or USD."


@pytest.mark.parametrize("typed", ["thb", " THB ", "Thb", "\tthb\n"])
def test_codes_are_case_insensitive_and_trimmed(typed):
    assert currency(typed) == CURRENCIES["THB"]


@pytest.mark.parametrize("bad", ["BAHT", "TH", "US$", "$", "฿", "THB1", None, 764, ["THB"]])
def test_unknown_codes(bad):
    with pytest.raises(UnknownKey) as err:
        currency(bad)
    assert err.value.field == "currency" and "is not an ISO 4217 currency code" in err.value.message


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_code_asks_for_a_currency(blank):
    with pytest.raises(MissingValue) as err:
        currency(blank)
    assert (err.value.field, err.value.message) == ("currency", "Choose a currency.")


def test_choices_put_the_common_currencies_first_then_all_others_by_code():
    choices = currency_choices()
    codes = [c.code for c in choices]
    assert codes[: len(COMMON)] == list(COMMON)
    assert codes[:2] == ["THB", "USD"]
    assert codes[len(COMMON) :] == sorted(set(CURRENCIES) - set(COMMON))
    assert sorted(codes) == sorted(CURRENCIES)
    assert choices[0].label == "THB - Baht"


ACCEPTED = [
    ("280000", "THB", "280000.00"),
    ("280,000", "THB", "280000.00"),
    ("280 000", "THB", "280000.00"),
    ("280\u00a0000", "THB", "280000.00"),  # a no-break space, as pasted from formatted text
    ("280,000.50", "THB", "280000.50"),
    ("  280,000.5  ", "THB", "280000.50"),
    ("1,000,000", "USD", "1000000.00"),
    ("0.01", "USD", "0.01"),
    ("1.50", "USD", "1.50"),
    ("1.500", "USD", "1.50"),  # trailing zeros are not extra places
    ("1,500", "JPY", "1500"),
    ("1500.00", "JPY", "1500"),  # a whole number written with zero decimals
    ("1.234", "BHD", "1.234"),
    ("12.3456", "CLF", "12.3456"),
    ("007", "USD", "7.00"),
    ("1000000000", "USD", "1000000000.00"),  # exactly the default maximum
]


@pytest.mark.parametrize(("text", "code", "expected"), ACCEPTED)
def test_accepted_forms(text, code, expected):
    result = parse_amount(text, code)
    assert result == Decimal(expected) and str(result) == expected


DIGITS_THB = "Enter the THB amount in digits, for example 280,000.50."
REFUSED = [
    ("", "THB", MissingValue, "Enter an amount."),
    ("   ", "THB", MissingValue, "Enter an amount."),
    ("abc", "THB", InvalidValue, DIGITS_THB),
    ("1e5", "THB", InvalidValue, DIGITS_THB),
    ("1E5", "THB", InvalidValue, DIGITS_THB),
    ("NaN", "THB", InvalidValue, DIGITS_THB),
    ("Infinity", "THB", InvalidValue, DIGITS_THB),
    ("inf", "THB", InvalidValue, DIGITS_THB),
    ("THB 280000", "THB", InvalidValue, DIGITS_THB),
    ("฿280,000", "THB", InvalidValue, DIGITS_THB),
    ("280000 THB", "THB", InvalidValue, DIGITS_THB),
    ("28,0000", "THB", InvalidValue, DIGITS_THB),  # separators only between groups of three
    ("2,80,000", "THB", InvalidValue, DIGITS_THB),  # lakh grouping is not accepted
    ("280,000 000", "THB", InvalidValue, DIGITS_THB),  # one separator throughout
    ("280.000,50", "THB", InvalidValue, DIGITS_THB),  # decimal comma
    ("1,00", "THB", InvalidValue, DIGITS_THB),
    (".5", "THB", InvalidValue, DIGITS_THB),
    ("5.", "THB", InvalidValue, DIGITS_THB),
    ("+5", "THB", InvalidValue, DIGITS_THB),
    ("๒๘๐", "THB", InvalidValue, DIGITS_THB),  # Thai digits
    ("1_000", "THB", InvalidValue, DIGITS_THB),
    ("1500.5", "JPY", InvalidValue, "JPY amounts are whole numbers."),
    ("abc", "JPY", InvalidValue, "Enter the JPY amount in digits, for example 280,000."),
    ("abc", "KWD", InvalidValue, "Enter the KWD amount in digits, for example 280,000.500."),
    ("-5", "THB", InvalidValue, "The THB amount must not be negative."),
    ("- 5", "THB", InvalidValue, "The THB amount must not be negative."),
    ("\u22125", "THB", InvalidValue, "The THB amount must not be negative."),  # minus sign
    ("-abc", "THB", InvalidValue, DIGITS_THB),
    ("0", "THB", InvalidValue, "The THB amount must be more than zero."),
    ("0.00", "USD", InvalidValue, "The USD amount must be more than zero."),
    ("1.234", "THB", InvalidValue, "THB amounts have at most 2 decimal places."),
    ("0.001", "USD", InvalidValue, "USD amounts have at most 2 decimal places."),
    ("1.2345", "BHD", InvalidValue, "BHD amounts have at most 3 decimal places."),
    ("1.23456", "CLF", InvalidValue, "CLF amounts have at most 4 decimal places."),
    ("1000000000.01", "USD", InvalidValue, "The USD amount must be at most 1,000,000,000.00 USD."),
    ("2,800,000,000", "THB", InvalidValue, "The THB amount must be at most 1,000,000,000.00 THB."),
    ("1" * (MAX_INPUT_CHARS + 1), "THB", InvalidValue, "The THB amount is too long; enter at most 40 characters."),
]


@pytest.mark.parametrize(("text", "code", "error", "message"), REFUSED)
def test_refused_forms_with_their_messages(text, code, error, message):
    with pytest.raises(error) as err:
        parse_amount(text, code)
    assert (err.value.field, err.value.message) == ("amount", message)


def test_field_and_label_name_the_amount():
    with pytest.raises(InvalidValue) as err:
        parse_amount("-1", "USD", "daily_rate", label="daily rate")
    assert (err.value.field, err.value.message) == ("daily_rate", "The daily rate must not be negative.")
    with pytest.raises(MissingValue) as err:
        parse_amount("", "USD", "copay", label="co-pay")
    assert err.value.message == "Enter the co-pay."


def test_zero_only_when_allowed():
    assert parse_amount("0", "THB", allow_zero=True) == 0
    assert str(parse_amount(Decimal("-0"), "THB", allow_zero=True)) == "0.00"


def test_custom_maximum():
    assert parse_amount("500", "THB", maximum=Decimal(500)) == 500
    with pytest.raises(InvalidValue) as err:
        parse_amount("500.01", "THB", maximum=Decimal(500))
    assert err.value.message == "The THB amount must be at most 500.00 THB."


def test_the_currency_is_checked_first():
    with pytest.raises(UnknownKey) as err:
        parse_amount("100", "XAU")
    assert err.value.field == "currency"


@pytest.mark.parametrize(
    ("value", "code", "expected"),
    [
        (Decimal(280000), "THB", "280000.00"),
        (Decimal("1.5"), "USD", "1.50"),
        (1500, "JPY", "1500"),
        (Decimal("1.2340"), "BHD", "1.234"),
        (7, "KWD", "7.000"),
    ],
)
def test_decimal_and_int_input(value, code, expected):
    assert str(parse_amount(value, code)) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal(-1), "The THB amount must not be negative."),
        (0, "The THB amount must be more than zero."),
        (Decimal("1.001"), "THB amounts have at most 2 decimal places."),
        (Decimal("1E+10"), "The THB amount must be at most 1,000,000,000.00 THB."),
        (10**40, "The THB amount must be at most 1,000,000,000.00 THB."),
    ],
)
def test_decimal_and_int_input_get_the_same_checks(value, message):
    with pytest.raises(InvalidValue) as err:
        parse_amount(value, "THB")
    assert err.value.message == message


@pytest.mark.parametrize(
    "bad",
    [
        1.5,
        280000.0,
        float("nan"),
        True,
        None,
        [1],
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        Decimal("sNaN"),
    ],
)
def test_floats_and_non_numbers_are_refused(bad):
    with pytest.raises(InvalidValue) as err:
        parse_amount(bad, "THB")
    assert err.value.field == "amount"


def test_float_message_says_why():
    with pytest.raises(InvalidValue) as err:
        parse_amount(0.1, "USD")
    assert "not a float" in err.value.message


@pytest.mark.parametrize(
    ("amount", "code", "expected"),
    [
        (Decimal("0.005"), "USD", "0.01"),  # half up, not half even
        (Decimal("0.015"), "USD", "0.02"),
        (Decimal("0.025"), "USD", "0.03"),  # half even would give 0.02
        (Decimal("0.0049"), "USD", "0.00"),
        (Decimal("-0.004"), "USD", "0.00"),  # never "-0.00"
        (Decimal("-0.005"), "USD", "-0.01"),  # half away from zero
        (Decimal("2.5"), "JPY", "3"),
        (Decimal("-2.5"), "JPY", "-3"),
        (Decimal("1.0005"), "BHD", "1.001"),
        (Decimal("1.00005"), "CLF", "1.0001"),
        (Decimal(280000), "THB", "280000.00"),
        (12, "KWD", "12.000"),
        (Decimal("123456789012345678901234567890.125"), "USD", "123456789012345678901234567890.13"),
    ],
)
def test_quantize_rounds_half_up_to_the_minor_unit(amount, code, expected):
    assert str(quantize(amount, code)) == expected


@pytest.mark.parametrize("bad", [1.5, Decimal("NaN"), "1.50", None])
def test_quantize_refuses_non_decimals(bad):
    with pytest.raises(InvalidValue):
        quantize(bad, "USD")


@pytest.mark.parametrize(
    ("amount", "code", "shown"),
    [
        (Decimal(280000), "THB", "280,000.00 THB"),
        (Decimal(8500), "usd", "8,500.00 USD"),
        (Decimal(1500), "JPY", "1,500 JPY"),
        (Decimal("1499.5"), "JPY", "1,500 JPY"),
        (Decimal(-1200), "USD", "-1,200.00 USD"),
        (Decimal("0.5"), "KWD", "0.500 KWD"),
        (Decimal("1234567.891"), "BHD", "1,234,567.891 BHD"),
        (Decimal(0), "EUR", "0.00 EUR"),
        (Decimal("-0.001"), "EUR", "0.00 EUR"),
        (Decimal("12.3456"), "CLF", "12.3456 CLF"),
    ],
)
def test_format_money(amount, code, shown):
    assert format_money(amount, code) == shown


CODES = sorted(CURRENCIES)


@st.composite
def amounts(draw):
    """A code and an amount on its minor-unit grid, from the smallest unit to the maximum."""
    code = draw(st.sampled_from(CODES))
    places = CURRENCIES[code].minor_units
    units = draw(st.integers(min_value=1, max_value=10**9 * 10**places))
    return code, Decimal(units).scaleb(-places)


@given(amounts())
def test_what_format_money_shows_parses_back_to_the_same_amount(case):
    code, amount = case
    shown = format_money(amount, code)
    assert shown.endswith(f" {code}")
    assert parse_amount(shown.removesuffix(f" {code}"), code) == amount


@given(amounts(), st.integers(min_value=1, max_value=9))
def test_one_place_too_many_is_always_refused(case, digit):
    code, amount = case
    places = CURRENCIES[code].minor_units
    text = f"{amount:.{places}f}" + ("." if places == 0 else "") + str(digit)
    with pytest.raises(InvalidValue):
        parse_amount(text, code, maximum=Decimal(10**10))
