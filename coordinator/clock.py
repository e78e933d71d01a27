"""The clinic's clock: what "today" and a typed time mean, in the clinic's time zone.

Everything stored is UTC; dates people type and see are in DISPLAY_TIMEZONE. This module is
the one place that knows it, for views, services, contracts, jobs and the CLI alike (each runs
inside an application context).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def clinic_today() -> date:
    """Today's date in the clinic's time zone (never the server's)."""
    return datetime.now(clinic_zone()).date()


def clinic_context() -> dict:
    """The calendar a contract is parsed against: {"today": ..., "zone": ...}."""
    zone = clinic_zone()
    return {"today": datetime.now(zone).date(), "zone": zone}


def as_utc(local: datetime | None) -> datetime | None:
    """A naive datetime typed in clinic time (a datetime-local input), as an aware UTC datetime."""
    return None if local is None else local.replace(tzinfo=clinic_zone()).astimezone(UTC)
