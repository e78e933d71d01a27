"""Choice normalisers: one or several members of an enum, yes/no, yes/no/not known, a record id."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import ValidationInfo

from coordinator.contracts.values.core import (
    FALSE_WORDS,
    MAX_RECORD_ID,
    TRUE_WORDS,
    UNKNOWN_WORDS,
    blank,
    normaliser,
    nullable,
    problem,
    source,
)


def choice(enum: type[Enum], *, required: str | None = None, what: str = "option", default=None) -> Any:
    """One member of `enum`, sent as its value. Blank is None (or `default`, or `required`)."""

    def check(value: object, info: ValidationInfo):
        if isinstance(value, enum):
            return value
        if blank(value):
            if required:
                raise problem(required, what=what)
            return default
        if isinstance(value, str) and value in enum._value2member_map_:
            return enum(value)
        if not isinstance(value, str) and source(info) == "json":
            raise problem("json_string")
        raise problem("choice_unknown", allowed=", ".join(str(m.value) for m in enum))

    values = [m.value for m in enum]
    schema = {"type": "string", "enum": values} if required else {"type": ["string", "null"], "enum": [*values, None]}
    return normaliser(check, enum if required or default is not None else enum | None, schema, default)


def choices(enum: type[Enum], *, what: str = "options") -> Any:
    """Several members of `enum` (no repeats, in the enum's order); a single value counts as one."""

    def check(value: object, info: ValidationInfo) -> tuple:
        if blank(value):
            return ()
        if isinstance(value, str):
            if source(info) == "json":
                raise problem("choices_unknown", what=what, unknown="(not a list)")
            value = [value]
        if not isinstance(value, list | tuple) or len(value) > len(enum):
            raise problem("choices_unknown", what=what, unknown="(not a list)")
        unknown = [v for v in value if not isinstance(v, str) or v not in enum._value2member_map_]
        if unknown:
            shown = ", ".join(repr(u) for u in unknown[:5])[:200]
            raise problem("choices_unknown", what=what, unknown=shown)
        wanted = set(value)
        return tuple(m for m in enum if m.value in wanted)

    schema = {
        "type": ["array", "null"],
        "uniqueItems": True,
        "items": {"type": "string", "enum": [m.value for m in enum]},
    }
    return normaliser(check, tuple, schema)


def yes_no(default: bool = False) -> Any:
    """True or False: a ticked box or yes/no words from a form; true or false in JSON. Left out
    (or null) is `default`; a blank form value is False (an unticked box sends nothing)."""

    def check(value: object, info: ValidationInfo) -> bool:
        if isinstance(value, bool):
            return value
        if value is None:
            return default
        if source(info) == "json":
            raise problem("json_boolean")
        if isinstance(value, str) and value.strip().lower() in TRUE_WORDS:
            return True
        if isinstance(value, str) and value.strip().lower() in FALSE_WORDS:
            return False
        raise problem("yes_no")

    return normaliser(check, bool, {"type": ["boolean", "null"], "default": default}, default)


def yes_no_unknown() -> Any:
    """True, False or None (not known): for facts a payer may not have stated."""

    def check(value: object, info: ValidationInfo) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            word = value.strip().lower()
            if word in UNKNOWN_WORDS:
                return None
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
        raise problem("yes_no_unknown")

    return normaliser(check, bool | None, {"type": ["boolean", "null"]})


def record_id(*, what: str = "option", required: str | None = None) -> Any:
    """The id of a record chosen from a list (1..2**31-1); anything else is "choose from the list"."""

    def check(value: object, info: ValidationInfo) -> int | None:
        if blank(value) or value == 0:
            if required:
                raise problem(required, what=what)
            return None
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal() and len(value) <= 10:
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RECORD_ID:
            raise problem("choice_required" if required is None else required, what=what)
        return value

    schema = {"type": "integer", "minimum": 1, "maximum": MAX_RECORD_ID}
    return normaliser(check, int if required else int | None, nullable(schema, bool(required)))
