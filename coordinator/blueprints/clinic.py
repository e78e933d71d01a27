"""Request helpers every blueprint shares: who is signed in, and the clinic's clock.

Dates people type and see are in the clinic's time zone (DISPLAY_TIMEZONE); everything
stored is UTC. These helpers are the one place that converts between them.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user


def me():
    """The signed-in staff user (the real object, not Flask-Login's proxy)."""
    return current_user._get_current_object()


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def today() -> date:
    """Today's date in the clinic's time zone."""
    return datetime.now(zone()).date()


def as_utc(local: datetime | None) -> datetime | None:
    """A naive datetime typed in clinic time (a datetime-local input), as an aware datetime."""
    return None if local is None else local.replace(tzinfo=zone())
