"""Errors of the pure rules (`coordinator/rules/errors.py`) as coded problems.

A rule words its own message for the person at the form: it knows the item, the medicine and the
scores it allows ("Question 2 (Feeling down...): '4' is not allowed; choose 0, 1, 2 or 3."). So
these codes say only what kind of problem it is, for readers that go by code (the API), and carry
the rule's wording in `{detail}` instead of a wording of their own.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic_core import InitErrorDetails, PydanticCustomError

from coordinator.contracts.messages import define
from coordinator.errors import Problem, ValidationFailed
from coordinator.rules.errors import MissingValue, RuleError, UnknownKey

MISSING, UNKNOWN, INVALID = "rule_missing_value", "rule_unknown_key", "rule_invalid_value"

define({MISSING: "{detail}", UNKNOWN: "{detail}", INVALID: "{detail}"})


def _each(err: RuleError) -> Iterator[RuleError]:
    nested = getattr(err, "problems", None)
    if nested is None:
        yield err
    else:
        for inner in nested:
            yield from _each(inner)


def _code(err: RuleError) -> str:
    if isinstance(err, MissingValue):
        return MISSING
    return UNKNOWN if isinstance(err, UnknownKey) else INVALID


def rule_problems(err: RuleError) -> list[Problem]:
    """Every problem a rule raised, in order, each under the field the rule named."""
    return [Problem(e.field, e.message, _code(e)) for e in _each(err)]


def rule_failure(err: RuleError) -> ValidationFailed:
    """A rule's refusal as the ValidationFailed a service raises."""
    return ValidationFailed(rule_problems(err))


def rule_line_errors(err: RuleError, loc: tuple) -> list[InitErrorDetails]:
    """A rule's problems as pydantic line errors under `loc`, for a normaliser to raise together."""
    return [
        InitErrorDetails(
            type=PydanticCustomError(_code(e), "{detail}", {"detail": e.message}),
            loc=(*loc, e.field),
            input=None,
        )
        for e in _each(err)
    ]
