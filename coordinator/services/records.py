"""Loading one record by id: ids outside PostgreSQL's integer range are simply not found."""

from __future__ import annotations

from typing import TypeVar

from coordinator.contracts.values import MAX_RECORD_ID
from coordinator.errors import NotFound
from coordinator.extensions import db

T = TypeVar("T")


def find(model: type[T], record_id: object) -> T | None:
    """The row of `model` with this id, or None (also for ids that are not 1..2**31-1)."""
    if isinstance(record_id, bool) or not isinstance(record_id, int) or not 1 <= record_id <= MAX_RECORD_ID:
        return None
    return db.session.get(model, record_id)


def load(model: type[T], record_id: object) -> T:
    """The row of `model` with this id, or NotFound (a 404 page for the view that asked)."""
    row = find(model, record_id)
    if row is None:
        raise NotFound(f"There is no such {model.__name__.lower()}.")
    return row
