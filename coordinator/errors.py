"""Domain errors that services raise and views translate into messages."""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse; its message is safe to show to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationFailed(DomainError):
    """One or more field problems, collected so the form can show each next to its field."""

    def __init__(self, reasons: list[tuple[str | None, str]]):
        self.reasons = list(reasons)
        super().__init__("; ".join(message for _, message in self.reasons))

    @classmethod
    def single(cls, field: str | None, message: str) -> ValidationFailed:
        return cls([(field, message)])


class NotPermitted(DomainError):
    """The actor may not do this to this record."""


class NotFound(DomainError):
    """The record does not exist (or is not visible to the actor)."""


class InvalidTransition(DomainError):
    """A state change the lifecycle table does not allow."""
