"""Number normalisers: whole numbers, decimals, money amounts as typed, percentages."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationInfo

from coordinator.contracts.values.core import blank, normaliser, nullable, problem, source

_NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


_AMOUNT_TEXT = re.compile(r"^\d{1,3}([, ]\d{3})+(\.\d+)?$|^\d+(\.\d+)?$")


MAX_NUMBER_DIGITS = 30


def whole_number(*, what: str, minimum: int = 0, maximum: int, required: str | None = None) -> Any:
    """An integer in minimum..maximum: digits from a form, a JSON integer from the API."""

    def check(value: object, info: ValidationInfo) -> int | None:
        if blank(value):
            if required:
                raise problem(required, what=what)
            return None
        wrong = problem("whole_number_invalid", what=what, minimum=f"{minimum:,}", maximum=f"{maximum:,}")
        if isinstance(value, bool):
            raise problem("json_integer") if source(info) == "json" else wrong
        if isinstance(value, str):
            if source(info) == "json":
                raise problem("json_integer")
            digits = value.strip()
            if not digits.isascii() or not digits.isdecimal() or len(digits) > 12:
                raise wrong
            value = int(digits)
        if isinstance(value, float) and source(info) == "json":
            raise problem("json_integer")
        if not isinstance(value, int) or not minimum <= value <= maximum:
            raise wrong
        return value

    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    return normaliser(check, int if required else int | None, nullable(schema, bool(required)))


def to_decimal(value: object) -> Decimal | None:
    """A finite Decimal from a number or plain decimal text (no exponents, at most 30 digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)  # exact, however long (JSON parsing already caps the digits)
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        stripped = value.strip()
        if len(stripped) > MAX_NUMBER_DIGITS + 2 or not _NUMBER_TEXT.match(stripped):
            return None
        try:
            number = Decimal(stripped)
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def number(*, what: str, required: str | None = None) -> Any:
    """A decimal number (a dose, a strength): text from a form, a JSON number from the API.
    Ranges and precision are the rules' business (they know the medicine and unit)."""

    def check(value: object, info: ValidationInfo) -> Decimal | None:
        if blank(value):
            if required:
                raise problem(required, what=what)
            return None
        if source(info) == "json" and (isinstance(value, bool | str) or not isinstance(value, int | float)):
            raise problem("json_number")
        parsed = to_decimal(value)
        if parsed is None:
            raise problem("json_number") if source(info) == "json" else problem("number_invalid", what=what)
        return parsed

    schema = {"type": "number"}
    return normaliser(check, Decimal if required else Decimal | None, nullable(schema, bool(required)))


def amount(*, what: str = "amount", required: str | None = None) -> Any:
    """A money amount as typed ("280000", "280,000", "280 000.50"), not negative. Whether it fits
    the account's currency (its minor unit, its maximum) is the money rule's business."""

    def check(value: object, info: ValidationInfo) -> Decimal | None:
        if blank(value):
            if required:
                raise problem(required, what=what)
            return None
        if isinstance(value, str):
            compact = value.strip()
            if not _AMOUNT_TEXT.match(compact):
                raise problem("amount_invalid", what=what)
            value = compact.replace(",", "").replace(" ", "")
        parsed = to_decimal(value)
        if parsed is None or parsed < 0:
            raise problem("amount_invalid", what=what)
        return parsed

    schema = {"type": "string", "pattern": r"^\d[\d, ]*(\.\d+)?$"}
    return normaliser(check, Decimal if required else Decimal | None, nullable(schema, bool(required)))


def percent(*, what: str) -> Any:
    """A percentage from 0 to 100 (decimals allowed)."""

    def check(value: object, info: ValidationInfo) -> Decimal | None:
        if blank(value):
            return None
        parsed = to_decimal(value.strip().rstrip("%") if isinstance(value, str) else value)
        if parsed is None or not 0 <= parsed <= 100:
            raise problem("percent_invalid", what=what)
        return parsed

    return normaliser(check, Decimal | None, {"type": ["number", "null"], "minimum": 0, "maximum": 100})
