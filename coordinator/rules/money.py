"""Money: ISO 4217 currencies, parsing typed amounts, rounding and display.

Every amount in Coordinator carries a currency (a residential program quotes about 280,000 THB a
month, about 8,500 USD), and how many decimal places an amount may have depends on it: yen and
won are whole numbers, dinars have three places, the Chilean Unidad de Fomento four. Amounts are
always `Decimal`; a float is refused wherever an amount comes in, because binary fractions cannot
hold 0.10 exactly.

The currency table is ISO 4217 List One as published on 2024-06-25 (SIX, the maintenance
agency): every active code including the funds codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI,
UYW), with the official English names. Codes whose minor unit is "N.A." are left out on purpose,
because no amount here can be billed in them: the precious metals XAU, XAG, XPT and XPD, the
units of account XDR, XSU, XUA and XBA-XBD, the test code XTS and XXX (no currency). Codes
withdrawn before that list (HRK, SLL, ZWL) are not active and are refused too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import MAX_PREC, ROUND_CEILING, ROUND_HALF_UP, Context, Decimal

from coordinator.rules.errors import InvalidValue, MissingValue, UnknownKey, shown


@dataclass(frozen=True)
class Currency:
    """An ISO 4217 currency: code, official name and the number of decimal places it uses."""

    code: str
    name: str
    minor_units: int

    @property
    def step(self) -> Decimal:
        """The smallest amount, e.g. 0.01 for THB and 1 for JPY."""
        return Decimal(1).scaleb(-self.minor_units)

    @property
    def label(self) -> str:
        """What a select box shows, e.g. "THB - Baht"."""
        return f"{self.code} - {self.name}"


# (code, official name, minor units) from ISO 4217 List One, 2024-06-25.
_TABLE: tuple[tuple[str, str, int], ...] = (
    ("AED", "UAE Dirham", 2),
    ("AFN", "Afghani", 2),
    ("ALL", "Lek", 2),
    ("AMD", "Armenian Dram", 2),
    ("ANG", "Netherlands Antillean Guilder", 2),
    ("AOA", "Kwanza", 2),
    ("ARS", "Argentine Peso", 2),
    ("AUD", "Australian Dollar", 2),
    ("AWG", "Aruban Florin", 2),
    ("AZN", "Azerbaijan Manat", 2),
    ("BAM", "Convertible Mark", 2),
    ("BBD", "Barbados Dollar", 2),
    ("BDT", "Taka", 2),
    ("BGN", "Bulgarian Lev", 2),
    ("BHD", "Bahraini Dinar", 3),
    ("BIF", "Burundi Franc", 0),
    ("BMD", "Bermudian Dollar", 2),
    ("BND", "Brunei Dollar", 2),
    ("BOB", "Boliviano", 2),
    ("BOV", "Mvdol", 2),
    ("BRL", "Brazilian Real", 2),
    ("BSD", "Bahamian Dollar", 2),
    ("BTN", "Ngultrum", 2),
    ("BWP", "Pula", 2),
    ("BYN", "Belarusian Ruble", 2),
    ("BZD", "Belize Dollar", 2),
    ("CAD", "Canadian Dollar", 2),
    ("CDF", "Congolese Franc", 2),
    ("CHE", "WIR Euro", 2),
    ("CHF", "Swiss Franc", 2),
    ("CHW", "WIR Franc", 2),
    ("CLF", "Unidad de Fomento", 4),
    ("CLP", "Chilean Peso", 0),
    ("CNY", "Yuan Renminbi", 2),
    ("COP", "Colombian Peso", 2),
    ("COU", "Unidad de Valor Real", 2),
    ("CRC", "Costa Rican Colon", 2),
    ("CUC", "Peso Convertible", 2),
    ("CUP", "Cuban Peso", 2),
    ("CVE", "Cabo Verde Escudo", 2),
    ("CZK", "Czech Koruna", 2),
    ("DJF", "Djibouti Franc", 0),
    ("DKK", "Danish Krone", 2),
    ("DOP", "Dominican Peso", 2),
    ("DZD", "Algerian Dinar", 2),
    ("EGP", "Egyptian Pound", 2),
    ("ERN", "Nakfa", 2),
    ("ETB", "Ethiopian Birr", 2),
    ("EUR", "Euro", 2),
    ("FJD", "Fiji Dollar", 2),
    ("FKP", "Falkland Islands Pound", 2),
    ("GBP", "Pound Sterling", 2),
    ("GEL", "Lari", 2),
    ("GHS", "Ghana Cedi", 2),
    ("GIP", "Gibraltar Pound", 2),
    ("GMD", "Dalasi", 2),
    ("GNF", "Guinean Franc", 0),
    ("GTQ", "Quetzal", 2),
    ("GYD", "Guyana Dollar", 2),
    ("HKD", "Hong Kong Dollar", 2),
    ("HNL", "Lempira", 2),
    ("HTG", "Gourde", 2),
    ("HUF", "Forint", 2),
    ("IDR", "Rupiah", 2),
    ("ILS", "New Israeli Sheqel", 2),
    ("INR", "Indian Rupee", 2),
    ("IQD", "Iraqi Dinar", 3),
    ("IRR", "Iranian Rial", 2),
    ("ISK", "Iceland Krona", 0),
    ("JMD", "Jamaican Dollar", 2),
    ("JOD", "Jordanian Dinar", 3),
    ("JPY", "Yen", 0),
    ("KES", "Kenyan Shilling", 2),
    ("KGS", "Som", 2),
    ("KHR", "Riel", 2),
    ("KMF", "Comorian Franc", 0),
    ("KPW", "North Korean Won", 2),
    ("KRW", "Won", 0),
    ("KWD", "Kuwaiti Dinar", 3),
    ("KYD", "Cayman Islands Dollar", 2),
    ("KZT", "Tenge", 2),
    ("LAK", "Lao Kip", 2),
    ("LBP", "Lebanese Pound", 2),
    ("LKR", "Sri Lanka Rupee", 2),
    ("LRD", "Liberian Dollar", 2),
    ("LSL", "Loti", 2),
    ("LYD", "Libyan Dinar", 3),
    ("MAD", "Moroccan Dirham", 2),
    ("MDL", "Moldovan Leu", 2),
    ("MGA", "Malagasy Ariary", 2),
    ("MKD", "Denar", 2),
    ("MMK", "Kyat", 2),
    ("MNT", "Tugrik", 2),
    ("MOP", "Pataca", 2),
    ("MRU", "Ouguiya", 2),
    ("MUR", "Mauritius Rupee", 2),
    ("MVR", "Rufiyaa", 2),
    ("MWK", "Malawi Kwacha", 2),
    ("MXN", "Mexican Peso", 2),
    ("MXV", "Mexican Unidad de Inversion (UDI)", 2),
    ("MYR", "Malaysian Ringgit", 2),
    ("MZN", "Mozambique Metical", 2),
    ("NAD", "Namibia Dollar", 2),
    ("NGN", "Naira", 2),
    ("NIO", "Cordoba Oro", 2),
    ("NOK", "Norwegian Krone", 2),
    ("NPR", "Nepalese Rupee", 2),
    ("NZD", "New Zealand Dollar", 2),
    ("OMR", "Rial Omani", 3),
    ("PAB", "Balboa", 2),
    ("PEN", "Sol", 2),
    ("PGK", "Kina", 2),
    ("PHP", "Philippine Peso", 2),
    ("PKR", "Pakistan Rupee", 2),
    ("PLN", "Zloty", 2),
    ("PYG", "Guarani", 0),
    ("QAR", "Qatari Rial", 2),
    ("RON", "Romanian Leu", 2),
    ("RSD", "Serbian Dinar", 2),
    ("RUB", "Russian Ruble", 2),
    ("RWF", "Rwanda Franc", 0),
    ("SAR", "Saudi Riyal", 2),
    ("SBD", "Solomon Islands Dollar", 2),
    ("SCR", "Seychelles Rupee", 2),
    ("SDG", "Sudanese Pound", 2),
    ("SEK", "Swedish Krona", 2),
    ("SGD", "Singapore Dollar", 2),
    ("SHP", "Saint Helena Pound", 2),
    ("SLE", "Leone", 2),
    ("SOS", "Somali Shilling", 2),
    ("SRD", "Surinam Dollar", 2),
    ("SSP", "South Sudanese Pound", 2),
    ("STN", "Dobra", 2),
    ("SVC", "El Salvador Colon", 2),
    ("SYP", "Syrian Pound", 2),
    ("SZL", "Lilangeni", 2),
    ("THB", "Baht", 2),
    ("TJS", "Somoni", 2),
    ("TMT", "Turkmenistan New Manat", 2),
    ("TND", "Tunisian Dinar", 3),
    ("TOP", "Pa’anga", 2),
    ("TRY", "Turkish Lira", 2),
    ("TTD", "Trinidad and Tobago Dollar", 2),
    ("TWD", "New Taiwan Dollar", 2),
    ("TZS", "Tanzanian Shilling", 2),
    ("UAH", "Hryvnia", 2),
    ("UGX", "Uganda Shilling", 0),
    ("USD", "US Dollar", 2),
    ("USN", "US Dollar (Next day)", 2),
    ("UYI", "Uruguay Peso en Unidades Indexadas (UI)", 0),
    ("UYU", "Peso Uruguayo", 2),
    ("UYW", "Unidad Previsional", 4),
    ("UZS", "Uzbekistan Sum", 2),
    ("VED", "Bolívar Soberano", 2),
    ("VES", "Bolívar Soberano", 2),
    ("VND", "Dong", 0),
    ("VUV", "Vatu", 0),
    ("WST", "Tala", 2),
    ("XAF", "CFA Franc BEAC", 0),
    ("XCD", "East Caribbean Dollar", 2),
    ("XOF", "CFA Franc BCEAO", 0),
    ("XPF", "CFP Franc", 0),
    ("YER", "Yemeni Rial", 2),
    ("ZAR", "Rand", 2),
    ("ZMW", "Zambian Kwacha", 2),
    ("ZWG", "Zimbabwe Gold", 2),
)
CURRENCIES: dict[str, Currency] = {code: Currency(code, name, units) for code, name, units in _TABLE}

# Offered first in select boxes: the programs quote in baht, their clients mostly pay in these.
COMMON: tuple[str, ...] = ("THB", "USD", "EUR", "GBP", "AUD", "SGD", "CAD", "NZD", "HKD", "JPY", "CHF")

MAX_INPUT_CHARS = 40
DEFAULT_MAXIMUM = Decimal(1_000_000_000)

# Digits with an optional fraction; thousands separators ("," or a space, the same one throughout)
# only between groups of exactly three. ASCII digits only: Decimal() would also take Thai digits.
_NUMBER = re.compile(
    r"(?P<whole>[0-9]{1,3}(?P<sep>[, \u00a0\u202f])[0-9]{3}(?:(?P=sep)[0-9]{3})*|[0-9]+)"
    r"(?:\.(?P<fraction>[0-9]+))?"
)
_MINUS_SIGNS = ("-", "\u2212")
# Rounding and place-counting must never lose digits to the default 28-digit precision.
_EXACT = Context(prec=MAX_PREC, rounding=ROUND_HALF_UP)


def currency(code: object) -> Currency:
    """The active ISO 4217 currency for a code typed in any case, with surrounding spaces."""
    text = code.strip().upper() if isinstance(code, str) else None
    if text == "":
        raise MissingValue("currency", "Choose a currency.")
    found = CURRENCIES.get(text) if text else None
    if found is None:
        given = code.strip() if isinstance(code, str) else code
        raise UnknownKey(
            "currency", f"{shown(given)} is not an ISO 4217 currency code; use three letters such as THB or USD."
        )
    return found


def currency_choices() -> tuple[Currency, ...]:
    """Every currency for a select box: the COMMON ones first, then the rest sorted by code."""
    rest = (CURRENCIES[code] for code in sorted(CURRENCIES) if code not in COMMON)
    return (*(CURRENCIES[code] for code in COMMON), *rest)


def _decimal_places(amount: Decimal) -> int:
    """Places the value really needs: 1.50 needs 1, 1500 needs 0 (trailing zeros don't count)."""
    return max(0, -amount.normalize(_EXACT).as_tuple().exponent)


def quantize(amount: Decimal | int, code: str) -> Decimal:
    """`amount` rounded half-up to the currency's minor unit (never -0)."""
    unit = currency(code)
    value = _decimal_or_int(amount, "amount", f"{unit.code} amount")
    rounded = value.quantize(unit.step, rounding=ROUND_HALF_UP, context=_EXACT)
    return abs(rounded) if rounded.is_zero() else rounded


def format_money(amount: Decimal | int, code: str) -> str:
    """An amount for people to read: "280,000.00 THB", "1,500 JPY", "-1,200.00 USD"."""
    unit = currency(code)
    return f"{quantize(amount, unit.code):,.{unit.minor_units}f} {unit.code}"


def parse_amount(
    text: object,
    code: str,
    field: str = "amount",
    *,
    allow_zero: bool = False,
    maximum: Decimal = DEFAULT_MAXIMUM,
    label: str | None = None,
) -> Decimal:
    """A typed amount (or a Decimal or int) checked for `code` and rounded to its minor unit.

    Accepts "280000", "280,000", "280 000" and "280,000.50"; refuses anything else with a
    message for the form field `field`. `label` names the amount in messages ("The daily rate
    must not be negative."); without it the message names the currency ("The THB amount ...").
    """
    unit = currency(code)
    subject = label or f"{unit.code} amount"
    if isinstance(text, str):
        value = _from_text(text, unit, field, subject, missing=f"Enter the {label}." if label else "Enter an amount.")
    else:
        value = _decimal_or_int(text, field, subject)
    return _checked(value, unit, field, subject, allow_zero=allow_zero, maximum=maximum)


def _decimal_or_int(value: object, field: str, subject: str) -> Decimal:
    """A finite Decimal from a Decimal or an int; floats and everything else are refused."""
    if isinstance(value, float):
        raise InvalidValue(
            field, f"The {subject} must be given as text or a Decimal, not a float, so that it stays exact."
        )
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise InvalidValue(field, f"The {subject} must be a number, not {shown(value)}.")
    number = Decimal(value)
    if not number.is_finite():
        raise InvalidValue(field, f"The {subject} must be a number, not {shown(value)}.")
    return number


def _from_text(text: str, unit: Currency, field: str, subject: str, *, missing: str) -> Decimal:
    """The number in typed text: digits, optional thousands separators, optional decimals."""
    stripped = text.strip()
    if not stripped:
        raise MissingValue(field, missing)
    if len(stripped) > MAX_INPUT_CHARS:
        raise InvalidValue(field, f"The {subject} is too long; enter at most {MAX_INPUT_CHARS} characters.")
    negative = stripped.startswith(_MINUS_SIGNS)
    match = _NUMBER.fullmatch(stripped[1:].lstrip() if negative else stripped)
    if match is None:
        example = "280,000" + ("." + "5".ljust(unit.minor_units, "0") if unit.minor_units else "")
        raise InvalidValue(field, f"Enter the {subject} in digits, for example {example}.")
    if negative:
        raise InvalidValue(field, f"The {subject} must not be negative.")
    whole = match["whole"].replace(match["sep"] or ",", "")
    return Decimal(f"{whole}.{match['fraction']}" if match["fraction"] else whole)


def _checked(
    value: Decimal, unit: Currency, field: str, subject: str, *, allow_zero: bool, maximum: Decimal
) -> Decimal:
    """Sign, zero, maximum and decimal places checked; the value rounded to the minor unit."""
    if value < 0:
        raise InvalidValue(field, f"The {subject} must not be negative.")
    if value == 0 and not allow_zero:
        raise InvalidValue(field, f"The {subject} must be more than zero.")
    if value > maximum:
        raise InvalidValue(field, f"The {subject} must be at most {format_money(maximum, unit.code)}.")
    if _decimal_places(value) > unit.minor_units:
        raise InvalidValue(
            field,
            f"{unit.code} amounts are whole numbers."
            if unit.minor_units == 0
            else f"{unit.code} amounts have at most {unit.minor_units} decimal places.",
        )
    return quantize(value, unit.code)


def share_up(amount: Decimal, percent: Decimal, code: str) -> Decimal:
    """`percent` of `amount`, rounded UP to the currency's minor unit (a deposit of 25% of
    280,000.01 THB is 70,000.01, never a fraction of a satang short), computed exactly."""
    unit = currency(code)
    exact = _EXACT.divide(_EXACT.multiply(Decimal(amount), Decimal(percent)), Decimal(100))
    return exact.quantize(unit.step, rounding=ROUND_CEILING, context=_EXACT)
