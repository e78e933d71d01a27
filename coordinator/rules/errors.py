"""Errors raised by the pure rules.

Every error names the form field it belongs to and carries a message written for the person
filling in the form, so a view can put it next to that field without rewording it.
"""

from __future__ import annotations

from collections.abc import Sequence


class RuleError(ValueError):
    """Invalid input to a rule: `field` names the form field, `message` is shown beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message

    @property
    def errors(self) -> tuple[tuple[str, str], ...]:
        """All (field, message) pairs, so views handle one error and many the same way."""
        return ((self.field, self.message),)


class InvalidValue(RuleError):
    """A value of the wrong type or outside its allowed range or set."""


class MissingValue(RuleError):
    """A required value was not given."""


class UnknownKey(RuleError):
    """A key (drug, criterion, item, flag, status, action) that the rule does not know."""


class InvalidTransition(RuleError):
    """A workflow action that the transition table does not allow from the current status."""


class MissingReason(RuleError):
    """A transition that must be explained was attempted without a reason."""


class RuleErrors(RuleError):
    """Several field problems found in one pass, so a form can show them all at once."""

    def __init__(self, problems: Sequence[RuleError]) -> None:
        if not problems:
            raise ValueError("RuleErrors needs at least one problem")
        self.problems = tuple(problems)
        super().__init__(self.problems[0].field, " ".join(p.message for p in self.problems))

    @property
    def errors(self) -> tuple[tuple[str, str], ...]:
        """Every (field, message) pair from every collected problem."""
        return tuple(pair for problem in self.problems for pair in problem.errors)


def shown(value: object, limit: int = 40) -> str:
    """`repr(value)` cut to `limit` characters, so a message never echoes a huge input back."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def raise_collected(problems: Sequence[RuleError]) -> None:
    """Raise nothing, the single problem, or a RuleErrors holding all of them."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise RuleErrors(problems)
