"""Shared mechanics of the scored questionnaires (COWS, PHQ-9, GAD-7) and checklists.

Each questionnaire module keeps its own items, allowed scores and bands (the clinical facts);
this module only validates answers against them and looks a total up in a band table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TypeVar

from coordinator.rules.errors import InvalidValue, MissingValue, RuleError, UnknownKey, raise_collected, shown

# No answer has more digits than this; int() of a much longer string raises ValueError
# (Python's 4300-digit limit) instead of failing as a wrong answer.
MAX_ANSWER_DIGITS = 6

_E = TypeVar("_E", bound=StrEnum)


def as_int(value: object) -> int | None:
    """A whole-number answer from a form string or an int; None for anything else."""
    # Radio buttons post strings; bools are ints in Python but never an answer.
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= MAX_ANSWER_DIGITS:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def band_for(total: object, bands: Sequence[tuple[_E, int, int]], *, scale: str) -> _E:
    """The band whose inclusive (low, high) range holds `total`; bands cover 0..max."""
    maximum = bands[-1][2]
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= maximum:
        raise InvalidValue("total", f"A {scale} total must be a whole number from 0 to {maximum}.")
    return next(band for band, low, high in bands if low <= total <= high)


def validate_answers(
    answers: object,
    items: Sequence[tuple[str, str, Sequence[int]]],
    *,
    scale: str,
    noun: str = "question",
) -> tuple[tuple[str, int], ...]:
    """Check every (key, text, allowed scores) item was answered with an allowed score.

    Unknown keys, missing answers and disallowed scores are all reported at once, each named by
    the item's key so a form can show the message beside that item.
    """
    if not isinstance(answers, Mapping):
        raise InvalidValue("answers", f"{scale} answers must be given {noun} by {noun}.")
    known = {key for key, _, _ in items}
    problems: list[RuleError] = [
        UnknownKey(str(key), f"{shown(key)} is not a {scale} {noun}.") for key in answers if key not in known
    ]
    scores: list[tuple[str, int]] = []
    for number, (key, text, allowed) in enumerate(items, start=1):
        raw = answers.get(key)
        score = as_int(raw)
        where = f"{noun.capitalize()} {number} ({text})"
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            problems.append(MissingValue(key, f"{where}: choose an answer."))
        elif score not in allowed:
            choices = ", ".join(map(str, allowed[:-1])) + f" or {allowed[-1]}"
            problems.append(InvalidValue(key, f"{where}: {shown(raw)} is not allowed; choose {choices}."))
        else:
            scores.append((key, score))
    raise_collected(problems)
    return tuple(scores)


def parse_choices(keys: object, enum: type[_E], field: str, what: str) -> tuple[_E, ...]:
    """Checklist answers as enum members in the enum's order; unknown keys are refused."""
    # A bare string would iterate character by character and produce baffling "unknown" keys.
    if isinstance(keys, (str, bytes)) or not isinstance(keys, Iterable):
        raise InvalidValue(field, f"Choose the {what} as a list of options.")
    given = list(keys)
    known = {m.value for m in enum}
    unknown = sorted({shown(k) for k in given if not isinstance(k, str) or k not in known})
    if unknown:
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise UnknownKey(field, f"Unknown {what}: {', '.join(unknown[:5])}{more}.")
    chosen = set(given)
    return tuple(m for m in enum if m.value in chosen)
