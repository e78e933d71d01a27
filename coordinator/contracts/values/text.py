"""Text normalisers: free text, email, password, phone, and identifiers printed on cards."""

from __future__ import annotations

import re
from typing import Any

import idna
from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationInfo

from coordinator.contracts.values.core import normaliser, nullable, problem, source

# Multi-line text may hold tabs and line breaks; nothing else below U+0020, no DEL, no lone surrogate.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


# A single line (a name, a phone, an id) holds neither.
SINGLE_LINE_BREAKERS = re.compile(r"[\t\n\r\x85\u2028\u2029]")


PHONE_RE = re.compile(r"^[0-9+().\-\s/]{7,40}$")


IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]*$")


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
    return normaliser(check, str if required else str | None, nullable(schema, bool(required)))


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
    return normaliser(check, str if required else str | None, nullable(schema, bool(required)))


def ascii_domain(address: str | None) -> str | None:
    """The punycode (ASCII) form of an email address's internationalized domain, or None when the
    domain is plain ASCII. Addresses are stored in their display form (`ana@bücher.example`); staff
    see both, so a look-alike domain (Cyrillic "а" for Latin "a") cannot pass for another.
    "?" when a stored domain cannot be encoded."""
    if not address or "@" not in address:
        return None
    domain = address.rpartition("@")[2]
    if domain.isascii():
        return None
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return "?"


def display_domain(address: str) -> str:
    """The address with its domain in the display form addresses are stored in: a punycode domain
    (`xn--bcher-kva.example`, what a browser's email input sends for `bücher.example`) decoded, so
    both forms find the same account. Unchanged when the domain is not valid IDNA."""
    local, at, domain = address.rpartition("@")
    if not at or not domain.isascii() or "xn--" not in domain.lower():
        return address
    try:
        return f"{local}@{idna.decode(domain.lower())}"
    except (idna.IDNAError, UnicodeError):
        return address


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
    return normaliser(check, str if required else str | None, nullable(schema, bool(required)))


def phone(*, limit: int = 40) -> Any:
    """A phone number as typed (7 to 15 digits, with spaces, +, -, brackets, dots or slashes)."""

    def check(value: object, info: ValidationInfo) -> str | None:
        cleaned = clean_text(value, limit, json=source(info) == "json")
        if cleaned is None:
            return None
        if not PHONE_RE.match(cleaned) or not 7 <= len(re.sub(r"\D", "", cleaned)) <= 15:
            raise problem("phone_invalid")
        return cleaned

    return normaliser(check, str | None, {"type": ["string", "null"], "maxLength": limit})


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

    return normaliser(
        check,
        str | None,
        {"type": ["string", "null"], "maxLength": limit, "pattern": r"^[A-Za-z0-9 -]*$"},
    )
