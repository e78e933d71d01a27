"""Domain errors that services raise; one handler per kind turns them into an answer.

`NotFound` becomes a 404 page, `NotPermitted` a 403 page (both roll the request back, keeping
the audit rows of the refusal: see `coordinator/transaction.py`), and `ValidationFailed` the
messages next to a form's fields (`blueprints/forms.submit`) or the API's 422 `fields`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class DomainError(Exception):
    """A request the rules refuse; its message is safe to show to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Problem(NamedTuple):
    """One thing wrong with the input: where (a field path such as `regimen-0-dose` or
    `insurance.member_id`, None for the whole input), what to say, and a stable code that
    other wordings (the public form's, the API's) are keyed by."""

    field: str | None
    message: str
    code: str = "invalid"


class ValidationFailed(DomainError):
    """One or more field problems, collected so the form can show each next to its field."""

    def __init__(self, problems: Iterable[Problem | tuple]):
        self.problems = [p if isinstance(p, Problem) else Problem(*p) for p in problems]
        super().__init__("; ".join(p.message for p in self.problems))

    @property
    def reasons(self) -> list[tuple[str | None, str]]:
        """(field, message) pairs."""
        return [(p.field, p.message) for p in self.problems]

    def renamed(self, rename) -> ValidationFailed:
        """The same problems with each field path passed through `rename`."""
        return ValidationFailed([Problem(rename(p.field), p.message, p.code) for p in self.problems])

    @classmethod
    def single(cls, field: str | None, message: str, code: str = "invalid") -> ValidationFailed:
        return cls([Problem(field, message, code)])


class NotPermitted(DomainError):
    """The actor may not do this to this record."""


class RestrictedRecord(NotPermitted):
    """A restricted record the actor may open only by breaking the glass with a reason.

    `area` names where that is offered ("inquiry" for the record, "finances" for its
    insurance and payments), so the refusal page can link to it."""

    def __init__(self, message: str, *, area: str, record_id: int):
        super().__init__(message)
        self.area = area
        self.record_id = record_id


class NotFound(DomainError):
    """The record does not exist (or is not visible to the actor)."""


class InvalidTransition(DomainError):
    """A state change the lifecycle table does not allow."""
