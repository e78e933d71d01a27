"""Date and time normalisers: a calendar date, a date of birth, a moment typed in clinic time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationInfo

from coordinator.contracts.values.core import (
    EARLIEST_DATE,
    LATEST_DATE,
    blank,
    context_value,
    normaliser,
    nullable,
    problem,
    source,
)

# The one shape a date or a moment may be sent in: what an HTML date or datetime-local input sends,
# and what the API documents. Python 3.11's fromisoformat accepts far more (19800101, ISO week dates
# 1980-W01-1, a bare date as a moment, UTC offsets, a space for the "T"), so the text is matched
# first, whole: ASCII digits only (no \d, which matches other scripts' digits), nothing around it.
DAY_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


MOMENT_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?")


def parse_day(value: object, what: str) -> date | None:
    """A calendar date from a `date` or a string that is exactly YYYY-MM-DD (any year; `day` bounds
    it). White space around it is refused, not stripped: no date input sends it."""
    if blank(value):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        if not isinstance(value, str) or not DAY_FORMAT.fullmatch(value):
            raise problem("date_invalid", what=what)
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise problem("date_invalid", what=what) from None
    return value


def day(
    *, what: str = "date", required: str | None = None, not_future: bool = False, earliest: date | None = None
) -> Any:
    """A date in the clinic's calendar (YYYY-MM-DD). `not_future` compares with the parse
    context's `today`; `earliest` refuses older dates with "cannot be before"."""

    def check(value: object, info: ValidationInfo) -> date | None:
        if value is not None and source(info) == "json" and not isinstance(value, str):
            raise problem("json_string")
        parsed = parse_day(value, what)
        if parsed is None:
            if required:
                raise problem(required, what=what)
            return None
        if not_future and parsed > context_value(info, "today"):
            raise problem("date_in_future", what=what)
        if earliest is not None and parsed < earliest:
            raise problem("date_too_early", what=what, earliest=earliest.year)
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            raise problem("date_out_of_range", what=what, earliest=EARLIEST_DATE.year, latest=LATEST_DATE.year)
        return parsed

    schema = {"type": "string", "format": "date"}
    return normaliser(check, date if required else date | None, nullable(schema, bool(required)))


def birth_date(*, what: str = "date of birth") -> Any:
    """A date of birth: a real date, not in the future, not before 1900."""
    return day(what=what, not_future=True, earliest=EARLIEST_DATE)


def moment(*, what: str = "time", required: str | None = None) -> Any:
    """A date and time typed in the clinic's time zone, exactly as a datetime-local input sends it
    (YYYY-MM-DDTHH:MM, or with :SS and a fraction), returned as an aware UTC datetime. The parse
    context gives the `zone`. Python callers may pass a `datetime` (naive means clinic time)."""

    def check(value: object, info: ValidationInfo) -> datetime | None:
        if blank(value):
            if required:
                raise problem(required, what=what)
            return None
        if isinstance(value, str):
            if not MOMENT_FORMAT.fullmatch(value):
                raise problem("datetime_invalid", what=what)
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise problem("datetime_invalid", what=what) from None
        if not isinstance(value, datetime) or not EARLIEST_DATE <= value.date() <= LATEST_DATE:
            raise problem("datetime_invalid", what=what)
        if value.tzinfo is None:
            value = value.replace(tzinfo=context_value(info, "zone"))
        return value.astimezone(UTC)

    schema = {"type": "string", "format": "date-time"}
    return normaliser(check, datetime if required else datetime | None, nullable(schema, bool(required)))


def start_of_day(value: date, zone) -> datetime:
    """Midnight at the start of `value` in `zone`, as an aware datetime."""
    return datetime.combine(value, time.min, tzinfo=zone)
