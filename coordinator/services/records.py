"""Loading one record by id: ids outside PostgreSQL's integer range are simply not found."""

from __future__ import annotations

from typing import TypeVar

from coordinator.contracts.values import MAX_RECORD_ID
from coordinator.errors import NotFound
from coordinator.extensions import db

T = TypeVar("T")


def valid_id(record_id: object) -> bool:
    """Whether `record_id` could name a row at all (an int in 1..2**31-1)."""
    return not isinstance(record_id, bool) and isinstance(record_id, int) and 1 <= record_id <= MAX_RECORD_ID


def find(model: type[T], record_id: object, **options) -> T | None:
    """The row of `model` with this id, or None (also for ids that are not 1..2**31-1)."""
    return db.session.get(model, record_id, **options) if valid_id(record_id) else None


def load(model: type[T], record_id: object, **options) -> T:
    """The row of `model` with this id, or NotFound (a 404 page for the view that asked)."""
    row = find(model, record_id, **options)
    if row is None:
        raise NotFound(f"There is no such {model.__name__.lower()}.")
    return row
