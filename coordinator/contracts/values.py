"""One normaliser per kind of value: text, email, password, phone, identifier, choice, yes/no, date,
moment, whole number, number, amount, percentage and record id.

Each is an `Annotated` type for a contract field. It takes what a staff form, the public form or
the JSON API sends (forms send text; JSON must use its own types: a number is a JSON number, a
yes/no is true or false), refuses what it cannot use with a coded Problem, and returns the one
clean value the services use: stripped text or None, a normalised email, a compact identifier, an
enum member, a `date` within sane years, an aware UTC `datetime`, an `int`, a `Decimal`.
Every normaliser also says how it looks in JSON Schema, which the OpenAPI document is made from.

Bounds shared by everything: text refuses control characters (and line breaks outside multi-line
fields); dates lie in EARLIEST_DATE..LATEST_DATE, so a year 9999 is a field error rather than a
database error; record ids are 1..2**31-1 (PostgreSQL integer), anything else is "not found".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from coordinator.contracts.messages import MESSAGES

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
MAX_RECORD_ID = 2**31 - 1
# Multi-line text may hold tabs and line breaks; nothing else below U+0020, no DEL, no lone surrogate.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# A single line (a name, a phone, an id) holds neither.
SINGLE_LINE_BREAKERS = re.compile(r"[\t\n\r\x85\u2028\u2029]")
PHONE_RE = re.compile(r"^[0-9+().\-\s/]{7,40}$")
IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]*$")
TRUE_WORDS = frozenset({"y", "yes", "on", "true", "1"})
FALSE_WORDS = frozenset({"n", "no", "off", "false", "0", ""})
UNKNOWN_WORDS = frozenset({"", "unknown"})
_NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_AMOUNT_TEXT = re.compile(r"^\d{1,3}([, ]\d{3})+(\.\d+)?$|^\d+(\.\d+)?$")
MAX_NUMBER_DIGITS = 30


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


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _normaliser(check: Callable[[Any, ValidationInfo], Any], result: Any, schema: dict, default: Any = None) -> Any:
    # Every field has a default and contracts validate defaults, so a field left out is checked
    # like a blank one: a required field then gets its own worded problem, not a generic one.
    return Annotated[result, BeforeValidator(check), WithJsonSchema(schema), Field(default=default)]


def _nullable(schema: dict, required: bool) -> dict:
    if required:
        return schema
    kind = schema.get("type", "string")
    return {**schema, "type": [kind, "null"]} if isinstance(kind, str) else schema


# --- text --------------------------------------------------------------------------------------


def clean_text(value: object, limit: int, *, multiline: bool = False, json: bool = False) -> str | None:
    """Stripped text (None when blank); PydanticCustomError when it is not usable text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise problem("json_string" if json else "text_type")
    value = value.strip()
    if CONTROL_CHARACTERS.search(value) or (not multiline and SINGLE_LINE_BREAKERS.search(value)):
        raise problem("text_control_character")
    if len(value) > limit:
        raise problem("text_too_long", limit=limit, length=len(value))
    return value or None


def text(limit: int, *, required: str | None = None, what: str = "text", multiline: bool = False) -> Any:
    """Free text of at most `limit` characters. `required` is the problem code when blank."""

    def check(value: object, info: ValidationInfo) -> str | None:
        cleaned = clean_text(value, limit, multiline=multiline, json=source(info) == "json")
        if cleaned is None and required:
            raise problem(required, what=what)
        return cleaned

    schema = {"type": "string", "maxLength": limit}
    if required:
        schema["minLength"] = 1
    return _normaliser(check, str if required else str | None, _nullable(schema, bool(required)))


def email(*, limit: int = 254, required: str | None = None) -> Any:
    """An email address, normalised by email-validator (no deliverability check). The reserved
    `.test` domain is accepted like `example.org` is: neither is anyone's mailbox."""

    def check(value: object, info: ValidationInfo) -> str | None:
        cleaned = clean_text(value, limit, json=source(info) == "json")
        if cleaned is None:
            if required:
                raise problem(required, what="email address")
            return None
        try:
            return validate_email(cleaned, check_deliverability=False, test_environment=True).normalized
        except EmailNotValidError:
            raise problem("email_invalid") from None

    schema = {"type": "string", "format": "email", "maxLength": limit}
    return _normaliser(check, str if required else str | None, _nullable(schema, bool(required)))


def password(*, limit: int = 1024, required: str | None = None, what: str = "a password") -> Any:
    """A password exactly as typed: never stripped or reworded (the hash must match what is typed
    at sign-in). `limit` keeps megabyte inputs away from the hasher; the password policy (length,
    not the email or name) is `coordinator/passwords.py`, applied where the account is known."""

    def check(value: object, info: ValidationInfo) -> str | None:
        if value is not None and not isinstance(value, str):
            raise problem("text_type")
        if not value:
            if required:
                raise problem(required, what=what)
            return None
        if len(value) > limit:
            raise problem("text_too_long", limit=limit, length=len(value))
        return value

    schema = {"type": "string", "maxLength": limit, "writeOnly": True}
    return _normaliser(check, str if required else str | None, _nullable(schema, bool(required)))


def phone(*, limit: int = 40) -> Any:
    """A phone number as typed (7 to 15 digits, with spaces, +, -, brackets, dots or slashes)."""

    def check(value: object, info: ValidationInfo) -> str | None:
        cleaned = clean_text(value, limit, json=source(info) == "json")
        if cleaned is None:
            return None
        if not PHONE_RE.match(cleaned) or not 7 <= len(re.sub(r"\D", "", cleaned)) <= 15:
            raise problem("phone_invalid")
        return cleaned

    return _normaliser(check, str | None, {"type": ["string", "null"], "maxLength": limit})


def phone_digits(value: str | None) -> str | None:
    """The digits of a phone number (the last 15, enough for any E.164 number), for matching."""
    if not value:
        return None
    return re.sub(r"\D", "", value)[-15:] or None


def compact_identifier(value: str | None) -> str | None:
    """An identifier as printed on a card, without any white space ("ABC 123 45" -> "ABC12345")."""
    if value is None:
        return None
    return re.sub(r"\s+", "", value) or None


def identifier(limit: int, *, what: str) -> Any:
    """A member id, group number or similar: letters, digits and dashes, stored without spaces."""

    def check(value: object, info: ValidationInfo) -> str | None:
        compact = compact_identifier(clean_text(value, limit * 2, json=source(info) == "json"))
        if compact is None:
            return None
        if len(compact) > limit:
            raise problem("text_too_long", limit=limit, length=len(compact))
        if not IDENTIFIER_RE.match(compact):
            raise problem("identifier_invalid", what=what)
        return compact

    return _normaliser(
        check,
        str | None,
        {"type": ["string", "null"], "maxLength": limit, "pattern": r"^[A-Za-z0-9 -]*$"},
    )


# --- choices -----------------------------------------------------------------------------------


def choice(enum: type[Enum], *, required: str | None = None, what: str = "option", default=None) -> Any:
    """One member of `enum`, sent as its value. Blank is None (or `default`, or `required`)."""

    def check(value: object, info: ValidationInfo):
        if isinstance(value, enum):
            return value
        if _blank(value):
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
    return _normaliser(check, enum if required or default is not None else enum | None, schema, default)


def choices(enum: type[Enum], *, what: str = "options") -> Any:
    """Several members of `enum` (no repeats, in the enum's order); a single value counts as one."""

    def check(value: object, info: ValidationInfo) -> tuple:
        if _blank(value):
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
    return _normaliser(check, tuple, schema)


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

    return _normaliser(check, bool, {"type": ["boolean", "null"], "default": default}, default)


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

    return _normaliser(check, bool | None, {"type": ["boolean", "null"]})


# --- dates and times ---------------------------------------------------------------------------


def parse_day(value: object, what: str) -> date | None:
    """A calendar date from a `date` or a YYYY-MM-DD string (any year; `day` bounds it)."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        if not isinstance(value, str) or len(value.strip()) != 10:
            raise problem("date_invalid", what=what)
        try:
            value = date.fromisoformat(value.strip())
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
    return _normaliser(check, date if required else date | None, _nullable(schema, bool(required)))


def birth_date(*, what: str = "date of birth") -> Any:
    """A date of birth: a real date, not in the future, not before 1900."""
    return day(what=what, not_future=True, earliest=EARLIEST_DATE)


def moment(*, what: str = "time", required: str | None = None) -> Any:
    """A date and time typed in the clinic's time zone (a datetime-local input: YYYY-MM-DDTHH:MM),
    returned as an aware UTC datetime. The parse context gives the `zone`."""

    def check(value: object, info: ValidationInfo) -> datetime | None:
        if _blank(value):
            if required:
                raise problem(required, what=what)
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                raise problem("datetime_invalid", what=what) from None
        if not isinstance(value, datetime) or not EARLIEST_DATE <= value.date() <= LATEST_DATE:
            raise problem("datetime_invalid", what=what)
        if value.tzinfo is None:
            value = value.replace(tzinfo=context_value(info, "zone"))
        return value.astimezone(UTC)

    schema = {"type": "string", "format": "date-time"}
    return _normaliser(check, datetime if required else datetime | None, _nullable(schema, bool(required)))


def start_of_day(value: date, zone) -> datetime:
    """Midnight at the start of `value` in `zone`, as an aware datetime."""
    return datetime.combine(value, time.min, tzinfo=zone)


# --- numbers -----------------------------------------------------------------------------------


def whole_number(*, what: str, minimum: int = 0, maximum: int, required: str | None = None) -> Any:
    """An integer in minimum..maximum: digits from a form, a JSON integer from the API."""

    def check(value: object, info: ValidationInfo) -> int | None:
        if _blank(value):
            if required:
                raise problem(required, what=what)
            return None
        wrong = problem("whole_number_invalid", what=what, minimum=f"{minimum:,}", maximum=f"{maximum:,}")
        if isinstance(value, bool):
            raise problem("json_integer") if source(info) == "json" else wrong
        if isinstance(value, str):
            if source(info) == "json":
                raise problem("json_integer")
            digits = value.strip()
            if not digits.isascii() or not digits.isdecimal() or len(digits) > 12:
                raise wrong
            value = int(digits)
        if isinstance(value, float) and source(info) == "json":
            raise problem("json_integer")
        if not isinstance(value, int) or not minimum <= value <= maximum:
            raise wrong
        return value

    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    return _normaliser(check, int if required else int | None, _nullable(schema, bool(required)))


def to_decimal(value: object) -> Decimal | None:
    """A finite Decimal from a number or plain decimal text (no exponents, at most 30 digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)  # exact, however long (JSON parsing already caps the digits)
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        stripped = value.strip()
        if len(stripped) > MAX_NUMBER_DIGITS + 2 or not _NUMBER_TEXT.match(stripped):
            return None
        try:
            number = Decimal(stripped)
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def number(*, what: str, required: str | None = None) -> Any:
    """A decimal number (a dose, a strength): text from a form, a JSON number from the API.
    Ranges and precision are the rules' business (they know the medicine and unit)."""

    def check(value: object, info: ValidationInfo) -> Decimal | None:
        if _blank(value):
            if required:
                raise problem(required, what=what)
            return None
        if source(info) == "json" and (isinstance(value, bool | str) or not isinstance(value, int | float)):
            raise problem("json_number")
        parsed = to_decimal(value)
        if parsed is None:
            raise problem("json_number") if source(info) == "json" else problem("number_invalid", what=what)
        return parsed

    schema = {"type": "number"}
    return _normaliser(check, Decimal if required else Decimal | None, _nullable(schema, bool(required)))


def amount(*, what: str = "amount", required: str | None = None) -> Any:
    """A money amount as typed ("280000", "280,000", "280 000.50"), not negative. Whether it fits
    the account's currency (its minor unit, its maximum) is the money rule's business."""

    def check(value: object, info: ValidationInfo) -> Decimal | None:
        if _blank(value):
            if required:
                raise problem(required, what=what)
            return None
        if isinstance(value, str):
            compact = value.strip()
            if not _AMOUNT_TEXT.match(compact):
                raise problem("amount_invalid", what=what)
            value = compact.replace(",", "").replace(" ", "")
        parsed = to_decimal(value)
        if parsed is None or parsed < 0:
            raise problem("amount_invalid", what=what)
        return parsed

    schema = {"type": "string", "pattern": r"^\d[\d, ]*(\.\d+)?$"}
    return _normaliser(check, Decimal if required else Decimal | None, _nullable(schema, bool(required)))


def percent(*, what: str) -> Any:
    """A percentage from 0 to 100 (decimals allowed)."""

    def check(value: object, info: ValidationInfo) -> Decimal | None:
        if _blank(value):
            return None
        parsed = to_decimal(value.strip().rstrip("%") if isinstance(value, str) else value)
        if parsed is None or not 0 <= parsed <= 100:
            raise problem("percent_invalid", what=what)
        return parsed

    return _normaliser(check, Decimal | None, {"type": ["number", "null"], "minimum": 0, "maximum": 100})


def record_id(*, what: str = "option", required: str | None = None) -> Any:
    """The id of a record chosen from a list (1..2**31-1); anything else is "choose from the list"."""

    def check(value: object, info: ValidationInfo) -> int | None:
        if _blank(value) or value == 0:
            if required:
                raise problem(required, what=what)
            return None
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal() and len(value) <= 10:
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RECORD_ID:
            raise problem("choice_required" if required is None else required, what=what)
        return value

    schema = {"type": "integer", "minimum": 1, "maximum": MAX_RECORD_ID}
    return _normaliser(check, int if required else int | None, _nullable(schema, bool(required)))
