"""Readers for the elements of one segment (EB, AAA, DTP, REF, NM1, PER, dates, times, numbers),
each checking what it reads and raising X12ParseError through `Segment.error`."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from coordinator.rules.errors import shown
from coordinator.x12.codes import (
    CONTACT_QUALIFIERS,
    ELIGIBILITY_CODES,
    FOLLOW_UP_ACTIONS,
    REJECT_REASONS,
    label,
)
from coordinator.x12.envelope import Delimiters, Segment
from coordinator.x12.results import Rejection

_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
_SERVICE_TYPE = re.compile(r"[A-Z0-9]{1,2}")
_TIME = re.compile(r"(\d{2})(\d{2})(?:(\d{2})\d{0,2})?")


def read_eb(segment: Segment, member_level: str, delimiters: Delimiters) -> dict:
    """The fields of a Benefit from one EB segment, every coded element checked."""
    code = segment.get(1)
    if not code:
        raise segment.error("EB01 (eligibility or benefit code) is missing.")
    if code not in ELIGIBILITY_CODES:
        raise segment.error(f"EB01 {shown(code)} is not an eligibility or benefit code.")
    service_types = tuple(s for s in segment.get(3).split(delimiters.repetition) if s)
    for service_type in service_types:
        if not _SERVICE_TYPE.fullmatch(service_type):
            raise segment.error(f"EB03 {shown(service_type)} is not a service type code.")
    percent = _decimal(segment, 8, "a percent")
    if percent is not None and not 0 <= percent <= 1:
        raise segment.error(f"EB08 {shown(segment.get(8))} is not a percent between 0 and 1 (X12 writes 20% as 0.2).")
    return {
        "member_level": member_level,
        "code": code,
        "label": ELIGIBILITY_CODES[code],
        "coverage_level": segment.get(2) or None,
        "service_types": service_types,
        "insurance_type": segment.get(4) or None,
        "plan_description": segment.get(5) or None,
        "time_period": segment.get(6) or None,
        "amount": _decimal(segment, 7, "an amount"),
        "percent": percent,
        "quantity_qualifier": segment.get(9) or None,
        "quantity": _decimal(segment, 10, "a quantity"),
        "auth_required": _choice(segment, 11, ("Y", "N", "U")),
        "in_network": _choice(segment, 12, ("Y", "N", "W", "U")),
        "procedure": segment.get(13) or None,
    }


def read_rejection(segment: Segment, level: str) -> Rejection:
    """An AAA: AAA01 Y/N, AAA03 the reason, AAA04 the follow-up action."""
    if segment.get(1) not in ("Y", "N"):
        raise segment.error(f"AAA01 {shown(segment.get(1))} must be Y or N (valid request indicator).")
    code = segment.get(3)
    if not code:
        raise segment.error("AAA03 (reject reason) is missing.")
    follow_up_code = segment.get(4) or None
    return Rejection(
        level,
        code,
        label(REJECT_REASONS, code) or f"Reject reason {code}",
        follow_up_code,
        label(FOLLOW_UP_ACTIONS, follow_up_code),
    )


def _decimal(segment: Segment, position: int, what: str) -> Decimal | None:
    """An X12 numeric element as Decimal; refuses anything that is not a plain number."""
    value = segment.get(position)
    if not value:
        return None
    if not _NUMBER.fullmatch(value):
        raise segment.error(f"{segment.id}{position:02d} {shown(value)} is not {what}.")
    return Decimal(value)


def _choice(segment: Segment, position: int, allowed: tuple[str, ...]) -> str | None:
    """A one-letter coded element from a closed list."""
    value = segment.get(position)
    if value and value not in allowed:
        raise segment.error(f"{segment.id}{position:02d} {shown(value)} must be {_or(allowed)}.")
    return value or None


def _or(words: tuple[str, ...]) -> str:
    """'Y, N or U'."""
    return ", ".join(words[:-1]) + " or " + words[-1]


def read_date(segment: Segment, position: int, value: str) -> date:
    """A CCYYMMDD date."""
    try:
        if re.fullmatch(r"\d{8}", value):
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        pass
    raise segment.error(f"{segment.id}{position:02d} {shown(value)} is not a date (CCYYMMDD).")


def timestamp(segment: Segment, date_position: int, time_position: int) -> datetime:
    """BHT04 date and BHT05 time (HHMM, HHMMSS or with fractions) as a naive datetime."""
    day = read_date(segment, date_position, segment.get(date_position))
    value = segment.get(time_position)
    match = _TIME.fullmatch(value)
    try:
        if match:
            hour, minute, second = (int(part or 0) for part in match.groups())
            return datetime(day.year, day.month, day.day, hour, minute, second)
    except ValueError:
        pass
    raise segment.error(f"{segment.id}{time_position:02d} {shown(value)} is not a time (HHMM or HHMMSS).")


def dated(segment: Segment) -> tuple[str, tuple[date, date | None]]:
    """A DTP: qualifier and (start, end), end None for a single D8 date."""
    qualifier, kind, value = segment.get(1), segment.get(2), segment.get(3)
    if not qualifier:
        raise segment.error("DTP01 (date qualifier) is missing.")
    if kind == "D8":
        return qualifier, (read_date(segment, 3, value), None)
    if kind == "RD8":
        start, _, end = value.partition("-")
        first, last = read_date(segment, 3, start), read_date(segment, 3, end)
        if last < first:
            raise segment.error(f"DTP03 {shown(value)} ends before it starts.")
        return qualifier, (first, last)
    raise segment.error(f"DTP02 {shown(kind)} must be D8 (a date) or RD8 (a date range).")


def reference(segment: Segment) -> tuple[str, str]:
    """A REF: qualifier and identifier, both required."""
    if not segment.get(1) or not segment.get(2):
        raise segment.error("a REF needs a qualifier in REF01 and a value in REF02.")
    return segment.get(1), segment.get(2)


def full_name(segment: Segment) -> str | None:
    """NM1 name: 'FIRST LAST' for a person (NM102 1), NM103 for an organisation."""
    if segment.get(2) == "1":
        return " ".join(part for part in (segment.get(4), segment.get(3)) if part) or None
    return segment.get(3) or None


def contact(segment: Segment) -> str:
    """A PER as one line: 'NAME: phone 800-555-0100 ext 12, fax ...'."""
    parts: list[str] = []
    for position in (3, 5, 7):
        qualifier, value = segment.get(position), segment.get(position + 1)
        if not value:
            continue
        if qualifier == "EX" and parts:
            parts[-1] += f" ext {value}"
        else:
            what = CONTACT_QUALIFIERS.get(qualifier, qualifier or "contact")
            parts.append(f"{what} {_phone(value) if qualifier in ('TE', 'FX') else value}")
    name = segment.get(2)
    return f"{name}: {', '.join(parts)}" if name and parts else (name or ", ".join(parts))


def _phone(value: str) -> str:
    """800-555-0100 for a 10-digit US number, the value as sent otherwise."""
    if re.fullmatch(r"\d{10}", value):
        return f"{value[:3]}-{value[3:6]}-{value[6:]}"
    return value
