"""What an estimate is computed from, and the check of it (`validated`): the facts a verification
of benefits found about one service line, and the proposed stay. Pure: no Flask, no database.
The computation itself is `rules/estimate.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from coordinator.domain.insurance import CopayPer
from coordinator.rules import money
from coordinator.rules.errors import InvalidValue, RuleError, UnknownKey, raise_collected, shown
from coordinator.rules.money import parse_amount

_T = TypeVar("_T")


MAX_DAYS = 365


MAX_PERCENT_PLACES = 4


@dataclass(frozen=True)
class EstimateInput:
    """What benefits verification found; None means "not known" for every optional field."""

    currency: str
    daily_rate: Decimal
    days: int
    covered: bool | None = None
    in_network: bool | None = None
    out_of_network_covered: bool | None = None
    deductible_remaining: Decimal | None = None
    coinsurance_percent: Decimal | None = None
    copay: Decimal | None = None
    copay_per: str | None = None
    oop_remaining: Decimal | None = None
    covered_days_limit: int | None = None
    prior_auth_required: bool | None = None
    authorized_days: int | None = None


def validated(given: EstimateInput) -> EstimateInput:
    """`given` with amounts rounded to the minor unit; every problem, named by field, at once."""
    code = money.currency(given.currency).code
    problems: list[RuleError] = []

    def attempt(check: Callable[[], _T]) -> _T | None:
        """The check's result, or None with its problem collected."""
        try:
            return check()
        except RuleError as err:
            problems.append(err)
            return None

    def amount(name: str, label: str, *, required: bool = False) -> Decimal | None:
        """An amount field checked for the currency; None stays None unless it is required."""
        value = getattr(given, name)
        if value is None and not required:
            return None
        return attempt(lambda: parse_amount(value, code, name, allow_zero=not required, label=label))

    values: dict[str, object] = {
        "currency": code,
        "daily_rate": amount("daily_rate", "daily rate", required=True),
        "days": attempt(
            lambda: _count(given.days, "days", 1, MAX_DAYS, f"The length of stay must be from 1 to {MAX_DAYS} days.")
        ),
        "deductible_remaining": amount("deductible_remaining", "deductible remaining"),
        "coinsurance_percent": attempt(lambda: _percent(given.coinsurance_percent)),
        "copay": amount("copay", "co-pay"),
        "copay_per": attempt(lambda: _copay_per(given.copay_per)),
        "oop_remaining": amount("oop_remaining", "out-of-pocket maximum remaining"),
    }
    for name in ("covered_days_limit", "authorized_days"):
        values[name] = attempt(lambda n=name: _optional_count(getattr(given, n), n))
    for name in ("covered", "in_network", "out_of_network_covered", "prior_auth_required"):
        attempt(lambda n=name: _yes_no_unknown(getattr(given, n), n))
    raise_collected(problems)
    return replace(given, **values)


def _percent(value: object) -> Decimal | None:
    """Co-insurance as a Decimal from 0 to 100, or None when not known.

    At most MAX_PERCENT_PLACES decimal places, so that charges times the percentage stays well
    inside Decimal's 28 digits and is rounded only once, at the end of its line.
    """
    if value is None:
        return None
    valid = not isinstance(value, bool) and isinstance(value, (Decimal, int)) and Decimal(value).is_finite()
    if not valid or not 0 <= value <= 100:
        raise InvalidValue("coinsurance_percent", "Co-insurance must be a percentage from 0 to 100.")
    if Decimal(value).normalize().as_tuple().exponent < -MAX_PERCENT_PLACES:
        raise InvalidValue("coinsurance_percent", f"Co-insurance has at most {MAX_PERCENT_PLACES} decimal places.")
    return Decimal(value)


def _copay_per(value: object) -> CopayPer | None:
    """What the co-pay is charged for, or None when not known."""
    if value is None:
        return None
    if value not in tuple(CopayPer):
        raise UnknownKey("copay_per", f"{shown(value)} is not a co-pay basis; choose day, visit or admission.")
    return CopayPer(value)


def _count(value: object, field: str, low: int, high: int | None, message: str) -> int:
    """A whole number from `low` to `high` (no upper bound when `high` is None)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        raise InvalidValue(field, message)
    return value


def _optional_count(value: object, field: str) -> int | None:
    """A day count of 0 or more, or None when not known."""
    if value is None:
        return None
    return _count(value, field, 0, None, "Enter a whole number of days, 0 or more.")


def _yes_no_unknown(value: object, field: str) -> None:
    """True, False or None (not known); anything else is refused."""
    if value is not None and not isinstance(value, bool):
        raise InvalidValue(field, f"Answer yes, no or not known, not {shown(value)}.")
