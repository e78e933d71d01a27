"""Build an X12 270 eligibility inquiry (005010X279A1) from plain values.

Layout (DOMAIN.md Part 2, 6.1): ISA / GS*HS / ST*270 / BHT*0022*13, then the HL tree 2000A payer
(NM1*PR), 2000B provider (NM1*1P with the NPI), 2000C subscriber (NM1*IL with the member id, REF*6P
group, DMG) and, for a dependent, 2000D (NM1*03, DMG, INS*N*relationship). The TRN trace, the
DTP*291 service date and the EQ service types go in the *patient's* loop: 2000C/2110C when the
subscriber is the patient, 2000D/2110D for a dependent, as in the TR3 examples.

Choices a reader needs to know:
- Every value is checked before anything is written, and the first problem raises X12BuildError
  naming the field, so nothing half-built ever leaves this module.
- Names are free text: delimiters (* ~ ^ :), control characters and accents are removed and the
  result is upper-cased and cut to the TR3 maximum (NM103 60, NM104 35). Identifiers are not free
  text: one containing a delimiter or longer than its maximum (NM109 80, REF02 50) is refused
  rather than altered, because a changed member id only earns an AAA*72 rejection.
- ISA09/ISA10 and GS04/GS05/BHT04/BHT05 are written in UTC (X12 has no time zone field).
- BHT03 carries the trace number so the 271's BHT03 and TRN both point back to this request.
- TRN03 (trace assigning entity) is "9" + nine digits from the sender id: its last nine digits,
  zero-padded; a sender id with no digits uses its CRC-32 modulo 10**9. Stable per sender, always
  valid, and readable when the sender id is numeric (the usual case).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

from coordinator.rules.errors import RuleError
from coordinator.x12.codes import (
    DEPENDENT_RELATIONSHIPS,
    IMPLEMENTATION_GUIDE,
    INTERCHANGE_VERSION,
    SERVICE_TYPES,
    SUD_INQUIRY_SERVICE_TYPES,
)

ELEMENT, SEGMENT, REPETITION, COMPONENT = "*", "~", "^", ":"
MAX_CONTROL = 999_999_999
_DELIMITERS = frozenset(ELEMENT + SEGMENT + REPETITION + COMPONENT)
_NPI_PREFIX = "80840"


class X12BuildError(RuleError):
    """A value that cannot go into a 270: `field` names it, `message` says how to fix it."""


@dataclass(frozen=True)
class Person:
    """A subscriber or dependent as the payer knows them; relationship_code only for dependents."""

    last_name: str
    first_name: str
    birth_date: date | None = None
    gender: str | None = None
    relationship_code: str | None = None


@dataclass(frozen=True)
class EligibilityRequest:
    """Everything one 270 needs: envelope ids, parties, the patient and the service types asked."""

    sender_id: str
    receiver_id: str
    interchange_control: int
    group_control: int
    transaction_control: str
    created_at: datetime
    payer_name: str
    payer_id: str
    provider_name: str
    provider_npi: str
    subscriber: Person
    dependent: Person | None
    member_id: str
    group_number: str | None
    trace_number: str
    service_types: tuple[str, ...] = SUD_INQUIRY_SERVICE_TYPES
    service_date: date | None = None
    usage: str = "P"


def build_270(request: EligibilityRequest) -> str:
    """The 270 as text: one segment per line, each ending with '~' then a newline."""
    validate_request(request)
    stamp = request.created_at.astimezone(UTC)
    body = _transaction_body(request, stamp)
    transaction = [
        _segment("ST", "270", request.transaction_control, IMPLEMENTATION_GUIDE),
        *body,
    ]
    transaction.append(_segment("SE", str(len(transaction) + 1), request.transaction_control))
    segments = [
        _isa(request, stamp),
        _segment(
            "GS",
            "HS",
            _id(request.sender_id),
            _id(request.receiver_id),
            stamp.strftime("%Y%m%d"),
            stamp.strftime("%H%M"),
            str(request.group_control),
            "X",
            IMPLEMENTATION_GUIDE,
        ),
        *transaction,
        _segment("GE", "1", str(request.group_control)),
        _segment("IEA", "1", f"{request.interchange_control:09d}"),
    ]
    return "".join(segment + SEGMENT + "\n" for segment in segments)


def validate_request(request: EligibilityRequest) -> None:
    """Raise X12BuildError for the first value that cannot be sent; return None when all can."""
    _check_envelope(request)
    _check_parties(request)
    _check_person("subscriber", request.subscriber, dependent=False)
    if request.dependent is not None:
        _check_person("dependent", request.dependent, dependent=True)
    _check_identifier("member_id", "member id", request.member_id, 80)
    if request.group_number is not None:
        _check_identifier("group_number", "group number", request.group_number, 50)
    _check_identifier("trace_number", "trace number", request.trace_number, 50)
    _check_service_types(request.service_types)


def npi_is_valid(npi: str) -> bool:
    """True for 10 digits whose last is the Luhn check digit of '80840' + the first nine."""
    if not re.fullmatch(r"\d{10}", npi):
        return False
    return _luhn_check_digit(_NPI_PREFIX + npi[:9]) == int(npi[9])


def clean_text(value: str) -> str:
    """Free text made safe for X12: accents folded, white space (tabs, line breaks) turned into
    single spaces, delimiters and other control characters removed, upper-cased."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    spaced = "".join(" " if c.isspace() else c for c in folded)
    kept = "".join(c for c in spaced if c.isprintable() and c not in _DELIMITERS)
    return " ".join(kept.split()).upper()


def trace_originator(sender_id: str) -> str:
    """TRN03: '9' + nine digits derived from the sender id (see the module docstring)."""
    digits = re.sub(r"\D", "", sender_id)
    if digits:
        return "9" + digits[-9:].zfill(9)
    return f"9{zlib.crc32(sender_id.encode('utf-8')) % 10**9:09d}"


def _check_envelope(request: EligibilityRequest) -> None:
    """Envelope ids and control numbers: present, in range, and fitting their fixed widths."""
    _check_identifier("sender_id", "sender id", request.sender_id, 15)
    _check_identifier("receiver_id", "receiver id", request.receiver_id, 15)
    for field, value in (
        ("interchange_control", request.interchange_control),
        ("group_control", request.group_control),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CONTROL:
            raise X12BuildError(
                field, f"The control number must be a whole number from 1 to {MAX_CONTROL:,}, got {value!r}."
            )
    control = request.transaction_control
    if not isinstance(control, str) or not re.fullmatch(r"[A-Za-z0-9]{4,9}", control):
        raise X12BuildError(
            "transaction_control", "The transaction control number (ST02) must be 4 to 9 letters or digits."
        )
    created = request.created_at
    if not isinstance(created, datetime) or created.utcoffset() is None:
        raise X12BuildError("created_at", "The creation time must be a date and time with a time zone.")
    if request.usage not in ("P", "T"):
        raise X12BuildError("usage", "Usage (ISA15) must be P (production) or T (test).")


def _check_parties(request: EligibilityRequest) -> None:
    """Payer and provider: names that survive cleaning, a payer id, and a real NPI."""
    _check_name("payer_name", "payer name", request.payer_name)
    _check_identifier("payer_id", "payer id", request.payer_id, 80)
    _check_name("provider_name", "provider name", request.provider_name)
    npi = (request.provider_npi or "").strip()
    if not re.fullmatch(r"\d{10}", npi):
        raise X12BuildError("provider_npi", "The NPI must be exactly 10 digits.")
    if not npi_is_valid(npi):
        raise X12BuildError(
            "provider_npi",
            f"The NPI {npi} fails its check digit (Luhn with prefix 80840): check it for a typing mistake.",
        )


def _check_person(prefix: str, person: Person, *, dependent: bool) -> None:
    """Names, birth date, gender and (for a dependent only) the relationship code."""
    _check_name(f"{prefix}.last_name", f"{prefix}'s last name", person.last_name)
    _check_name(f"{prefix}.first_name", f"{prefix}'s first name", person.first_name)
    if person.birth_date is not None and not isinstance(person.birth_date, date):
        raise X12BuildError(f"{prefix}.birth_date", f"The {prefix}'s birth date must be a date.")
    if person.gender not in (None, "M", "F", "U"):
        raise X12BuildError(f"{prefix}.gender", f"The {prefix}'s gender must be M, F or U (unknown), or left empty.")
    allowed = ", ".join(f"{code} {name.lower()}" for code, name in DEPENDENT_RELATIONSHIPS.items())
    if dependent and person.relationship_code not in DEPENDENT_RELATIONSHIPS:
        raise X12BuildError(
            f"{prefix}.relationship_code", f"Choose the dependent's relationship to the subscriber: {allowed}."
        )
    if not dependent and person.relationship_code is not None:
        raise X12BuildError(
            f"{prefix}.relationship_code", "A relationship code is only for a dependent, not the subscriber."
        )


def _check_name(field: str, what: str, value: str | None) -> None:
    """A name must keep at least one character after cleaning."""
    if not clean_text(value or ""):
        raise X12BuildError(
            field, f"The {what} is empty once characters X12 cannot carry are removed: enter it in plain letters."
        )


def _check_identifier(field: str, what: str, value: str | None, max_length: int) -> None:
    """An identifier is sent exactly as given, so it must already be sendable."""
    text = (value or "").strip()
    if not text:
        raise X12BuildError(field, f"The {what} is missing.")
    if any(c in _DELIMITERS or not c.isprintable() for c in text):
        raise X12BuildError(
            field, f"The {what} contains a character X12 reserves (* ~ ^ : or a control character): remove it."
        )
    if not text.isascii():
        raise X12BuildError(field, f"The {what} may only contain plain ASCII letters, digits and punctuation.")
    if len(text) > max_length:
        raise X12BuildError(field, f"The {what} is {len(text)} characters long; X12 allows at most {max_length}.")


def _check_service_types(service_types: tuple[str, ...]) -> None:
    """At least one service type, each one we know (the EQ01 list is closed)."""
    if not service_types:
        raise X12BuildError("service_types", "Choose at least one service type to ask about.")
    for code in service_types:
        if code not in SERVICE_TYPES:
            raise X12BuildError(
                "service_types", f"Unknown service type code {code!r}: use a code from the service type list."
            )


def _luhn_check_digit(digits: str) -> int:
    """The Luhn check digit for `digits` (doubling every second digit from the right)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def _isa(request: EligibilityRequest, stamp: datetime) -> str:
    """The fixed-width ISA: every element padded to its width, 106 characters with '~'."""
    return _segment(
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        _id(request.sender_id).ljust(15),
        "ZZ",
        _id(request.receiver_id).ljust(15),
        stamp.strftime("%y%m%d"),
        stamp.strftime("%H%M"),
        REPETITION,
        INTERCHANGE_VERSION,
        f"{request.interchange_control:09d}",
        "0",
        request.usage,
        COMPONENT,
    )


def _transaction_body(request: EligibilityRequest, stamp: datetime) -> list[str]:
    """BHT and the HL tree, ST and SE excluded."""
    patient_is_dependent = request.dependent is not None
    segments = [
        _segment("BHT", "0022", "13", _id(request.trace_number), stamp.strftime("%Y%m%d"), stamp.strftime("%H%M")),
        _segment("HL", "1", "", "20", "1"),
        _name("PR", "2", request.payer_name, "", "PI", request.payer_id),
        _segment("HL", "2", "1", "21", "1"),
        _name("1P", "2", request.provider_name, "", "XX", request.provider_npi.strip()),
        _segment("HL", "3", "2", "22", "1" if patient_is_dependent else "0"),
    ]
    if not patient_is_dependent:
        segments.append(_trace(request))
    segments.append(
        _name("IL", "1", request.subscriber.last_name, request.subscriber.first_name, "MI", request.member_id)
    )
    if request.group_number is not None:
        segments.append(_segment("REF", "6P", _id(request.group_number)))
    segments.extend(_demographics(request.subscriber))
    if patient_is_dependent:
        segments.extend(_dependent_loop(request))
    else:
        segments.extend(_inquiry(request))
    return segments


def _dependent_loop(request: EligibilityRequest) -> list[str]:
    """2000D/2100D/2110D for a dependent patient."""
    dependent = request.dependent
    return [
        _segment("HL", "4", "3", "23", "0"),
        _trace(request),
        _name("03", "1", dependent.last_name, dependent.first_name),
        *_demographics(dependent),
        _segment("INS", "N", dependent.relationship_code),
        *_inquiry(request),
    ]


def _inquiry(request: EligibilityRequest) -> list[str]:
    """The patient's optional DTP*291 service date and the EQ with every service type."""
    segments = []
    if request.service_date is not None:
        segments.append(_segment("DTP", "291", "D8", request.service_date.strftime("%Y%m%d")))
    unique = dict.fromkeys(request.service_types)
    segments.append(_segment("EQ", REPETITION.join(unique)))
    return segments


def _trace(request: EligibilityRequest) -> str:
    """TRN*1: our trace number and the originator id derived from the sender id."""
    return _segment("TRN", "1", _id(request.trace_number), trace_originator(request.sender_id))


def _demographics(person: Person) -> list[str]:
    """DMG when a birth date is known (gender only travels with it)."""
    if person.birth_date is None:
        return []
    return [_segment("DMG", "D8", person.birth_date.strftime("%Y%m%d"), person.gender or "")]


def _name(entity: str, kind: str, last: str, first: str, qualifier: str = "", identifier: str = "") -> str:
    """NM1 with cleaned, truncated names and an identifier sent as given."""
    return _segment(
        "NM1", entity, kind, clean_text(last)[:60], clean_text(first)[:35], "", "", "", qualifier, _id(identifier)
    )


def _id(value: str) -> str:
    """An already validated identifier, without surrounding spaces."""
    return value.strip()


def _segment(segment_id: str, *elements: str) -> str:
    """Join elements with '*', dropping trailing empty ones as X12 requires."""
    values = list(elements)
    while values and values[-1] == "":
        values.pop()
    return ELEMENT.join([segment_id, *values])
