"""Records the finance matrix rows' placeholders refer to (see tests/platform/test_access_control.py)."""

from __future__ import annotations


def finance_records(app, staff_member, inquiry_id: int) -> dict:
    return {}
