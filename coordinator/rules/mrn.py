"""Medical record numbers the clinic prints: a prefix, a zero-padded sequence number and a
Luhn check digit, so a mistyped number is caught before it finds the wrong chart.

"MRN-000042-2": the 42nd patient. The sequence comes from the database (`services/patients`);
this module only formats and checks.
"""

from __future__ import annotations

import re

PREFIX = "MRN"
WIDTH = 6
_SHAPE = re.compile(rf"^{PREFIX}-(\d{{{WIDTH},9}})-(\d)$")


def luhn_digit(digits: str) -> int:
    """The Luhn check digit for a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def format_mrn(number: int) -> str:
    """The printed record number for sequence `number` (1 .. 999,999,999)."""
    if not 1 <= number <= 999_999_999:
        raise ValueError("record number out of range")
    body = f"{number:0{WIDTH}d}"
    return f"{PREFIX}-{body}-{luhn_digit(body)}"


def is_valid(text: str) -> bool:
    """Whether `text` is a well-formed record number with a right check digit."""
    match = _SHAPE.match(text.strip().upper())
    return bool(match) and luhn_digit(match.group(1)) == int(match.group(2))
