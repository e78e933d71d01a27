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

from coordinator.contracts.values.choices import choice, choices, record_id, yes_no, yes_no_unknown
from coordinator.contracts.values.core import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_RECORD_ID,
    context_value,
    problem,
    source,
)
from coordinator.contracts.values.dates import birth_date, day, moment, parse_day, start_of_day
from coordinator.contracts.values.numbers import amount, number, percent, to_decimal, whole_number
from coordinator.contracts.values.text import (
    ascii_domain,
    clean_text,
    compact_identifier,
    display_domain,
    email,
    identifier,
    password,
    phone,
    phone_digits,
    text,
)

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_RECORD_ID",
    "amount",
    "ascii_domain",
    "birth_date",
    "choice",
    "choices",
    "clean_text",
    "compact_identifier",
    "context_value",
    "day",
    "display_domain",
    "email",
    "identifier",
    "moment",
    "number",
    "parse_day",
    "password",
    "percent",
    "phone",
    "phone_digits",
    "problem",
    "record_id",
    "source",
    "start_of_day",
    "text",
    "to_decimal",
    "whole_number",
    "yes_no",
    "yes_no_unknown",
]
