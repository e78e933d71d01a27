"""Billing's search for a person: by name, phone, member id or account number (a GET form:
anything odd is dropped and the search starts over)."""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract
from coordinator.contracts.values.cursor import list_cursor

SEARCH_LIMIT = 100


class FinanceSearch(Contract):
    """What billing typed, and where in the results the page starts."""

    q: values.text(SEARCH_LIMIT)
    cursor: list_cursor()
