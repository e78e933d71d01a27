"""What every normaliser shares: the bounds, coded problems, the parse context, the field wrapper."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from coordinator.contracts.messages import MESSAGES

EARLIEST_DATE = date(1900, 1, 1)


LATEST_DATE = date(2100, 12, 31)


MAX_RECORD_ID = 2**31 - 1


TRUE_WORDS = frozenset({"y", "yes", "on", "true", "1"})


FALSE_WORDS = frozenset({"n", "no", "off", "false", "0", ""})


UNKNOWN_WORDS = frozenset({"", "unknown"})


def problem(code: str, **context: object) -> PydanticCustomError:
    """A coded problem for a normaliser to raise; the table words it."""
    return PydanticCustomError(code, MESSAGES.get(code, MESSAGES["invalid"]), {k: str(v) for k, v in context.items()})


def source(info: ValidationInfo) -> str:
    """ "json" when the value came from a JSON body (types are strict), else "form"."""
    return (info.context or {}).get("source", "form")


def context_value(info: ValidationInfo, name: str) -> Any:
    context = info.context or {}
    if name not in context:
        raise RuntimeError(f"this contract needs {name!r} in its parse context")
    return context[name]


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def normaliser(check: Callable[[Any, ValidationInfo], Any], result: Any, schema: dict, default: Any = None) -> Any:
    # Every field has a default and contracts validate defaults, so a field left out is checked
    # like a blank one: a required field then gets its own worded problem, not a generic one.
    return Annotated[result, BeforeValidator(check), WithJsonSchema(schema), Field(default=default)]


def nullable(schema: dict, required: bool) -> dict:
    if required:
        return schema
    kind = schema.get("type", "string")
    return {**schema, "type": [kind, "null"]} if isinstance(kind, str) else schema
