"""One small helper for every status that moves: a table of allowed moves and one check.

A lifecycle is a dict `{(status, action): next_status}`. Where staff simply choose the next
status (an authorization moves from pending to approved), the action *is* the target status:
build the table with `moves({from: (to, ...)})`.

    QUOTES = Lifecycle("quote", {(ISSUED, ACCEPT): ACCEPTED, (ISSUED, WITHDRAW): WITHDRAWN})
    QUOTES.next(quote.status, ACCEPT)      # -> ACCEPTED, or InvalidTransition naming what is allowed

Services call `next` before they change anything and store what it returns; the database
CHECK-constrains the column to the enum; a parametrized test walks every (status, action)
pair, allowed and forbidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Generic, TypeVar

from coordinator.rules.errors import InvalidTransition

S = TypeVar("S", bound=Enum)
A = TypeVar("A", bound=Enum)


def moves(allowed: Mapping[S, Iterable[S]]) -> dict[tuple[S, S], S]:
    """A table where the action is the status moved to: `{from: (to, ...)}`."""
    return {(source, target): target for source, targets in allowed.items() for target in targets}


class Lifecycle(Generic[S, A]):
    """The allowed moves of one kind of record, and the check that refuses every other."""

    def __init__(self, noun: str, table: Mapping[tuple[S, A], S], *, field: str = "status"):
        self.noun = noun
        self.field = field
        self.table: dict[tuple[S, A], S] = dict(table)

    def next(self, status: S, action: A) -> S:
        """The status after `action`, or InvalidTransition saying what is allowed instead."""
        target = self.table.get((status, action))
        if target is None:
            raise InvalidTransition(self.field, self.refusal(status, action))
        return target

    def allows(self, status: S, action: A) -> bool:
        return (status, action) in self.table

    def actions_from(self, status: S) -> tuple[A, ...]:
        """What may be done from `status`, in table order (empty when it is final)."""
        return tuple(action for (source, action) in self.table if source == status)

    def is_final(self, status: S) -> bool:
        return not self.actions_from(status)

    def refusal(self, status: S, action: A) -> str:
        """The plain-language message for a move the table does not allow."""
        current = _words(status).lower()
        allowed = self.actions_from(status)
        if not allowed:
            return f"This {self.noun} is {current}: it cannot change any more."
        return (
            f"This {self.noun} is {current}: “{_words(action)}” is not possible now. "
            f"Allowed: {', '.join(_words(a) for a in allowed)}."
        )


def _words(member: Enum) -> str:
    label = getattr(member, "label", None)
    return label or str(member.value).replace("_", " ").capitalize()
