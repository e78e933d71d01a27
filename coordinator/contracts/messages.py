"""Every input problem has a stable code; this is the one table that words them for staff.

Other readers word the same codes their own way by code, never by matching message text: the
public web form (`blueprints/public/wording.py`) for visitors, the API by returning the code
beside the message. Placeholders (`{limit}`, `{what}`) are filled from the problem's context.

Generic codes (any text, date, number, choice) are listed here; each area's contract module
adds its own with `define()`, which refuses a code that is already taken, so the table stays
one table with one wording per code.
"""

from __future__ import annotations

from collections.abc import Mapping

MESSAGES: dict[str, str] = {
    # the shape of the input
    "unknown_field": "Unknown field: see the API's OpenAPI document for the accepted fields.",
    "not_an_object": "Must be a JSON object of named fields (or null).",
    "not_a_list": "Give a list here.",
    "too_many_items": "List at most {limit} items.",
    "required": "This is required.",
    "invalid": "This value is not valid.",
    # text
    "text_type": "Enter text here.",
    "json_string": "Must be a string (or null).",
    "text_control_character": "This text contains a character that is not allowed.",
    "text_too_long": "Use at most {limit} characters (this has {length}).",
    "text_required": "Enter the {what}.",
    "email_invalid": "Enter an email address such as name@example.com.",
    "phone_invalid": "Enter a phone number of 7 to 15 digits (spaces, +, - and brackets are fine).",
    "identifier_invalid": "Enter the {what} as printed on the card: letters, numbers, dashes and spaces only.",
    # choices
    "choice_unknown": "Choose one of the listed options ({allowed}).",
    "choice_required": "Choose the {what}.",
    "choices_unknown": "Choose {what} from the list; unknown: {unknown}",
    "yes_no": "Answer yes or no.",
    "yes_no_unknown": "Choose yes, no or not known.",
    "json_boolean": "Must be true or false.",
    # dates and times
    "date_invalid": "Enter the {what} as a real date (YYYY-MM-DD).",
    "date_required": "Enter the {what}.",
    "date_in_future": "The {what} cannot be in the future.",
    "date_too_early": "The {what} cannot be before {earliest}.",
    "date_out_of_range": "Enter the {what} as a date between {earliest} and {latest}.",
    "datetime_invalid": "Enter the {what} as a date and time.",
    # numbers and money
    "whole_number_invalid": "Enter the {what} as a whole number from {minimum} to {maximum}.",
    "json_integer": "Must be a whole number (or null).",
    "number_invalid": "Enter the {what} as a number.",
    "json_number": "Must be a finite number, such as 20 or 7.5.",
    "amount_invalid": "Enter the {what} as an amount such as 1500 or 1,500.50.",
    "amount_required": "Enter the {what}.",
    "percent_invalid": "Enter the {what} as a percentage from 0 to 100.",
}


def define(codes: Mapping[str, str]) -> None:
    """Add an area's codes to the table (each code once, across the whole application)."""
    for code, text in codes.items():
        if code in MESSAGES and MESSAGES[code] != text:
            raise ValueError(f"message code {code!r} is defined twice")
        MESSAGES[code] = text


def message(code: str, **context: object) -> str:
    """The staff wording of `code`, with its placeholders filled."""
    text = MESSAGES.get(code, MESSAGES["invalid"])
    try:
        return text.format(**context)
    except (KeyError, IndexError, ValueError):
        return text
