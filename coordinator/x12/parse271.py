"""Read an X12 271 eligibility response (005010X279A1) into plain frozen dataclasses.

pyx12 ships no 5010 270/271 map (DOMAIN.md Part 2, 6.4), so its low-level `X12Reader` only
tokenizes: it finds the delimiters in the ISA, splits segments and checks the envelope
(SE/GE/IEA counts and control numbers), reporting those problems in a list (`pop_errors`) rather
than raising. We turn each of them into an X12ParseError, and the loop logic is ours:

    ISA GS*HB ST*271 BHT
      HL*20  2000A/2100A  NM1 (payer), PER, AAA
      HL*21  2000B/2100B  NM1 (provider), REF, N3, N4, PRV, AAA
      HL*22  2000C/2100C  TRN, NM1*IL, REF, N3, N4, AAA, PRV, DMG, INS, HI, DTP, MPI
               2110C  EB starts a benefit; HSD REF DTP AAA MSG III belong to it;
                      LS ... LE wraps its 2120C entities (NM1 N3 N4 PER PRV)
      HL*23  2000D/2100D  the same shape for one dependent (NM1*03)
    SE GE IEA

Rules a reader needs to know:
- Every problem raises X12ParseError with a message for a person; its `segment_number` is the
  segment's position in the file counting the ISA as 1 (the line number when the file has one
  segment per line), and the message starts "Segment N (ID)".
- Exactly one interchange, one functional group, one 271 transaction, one information source,
  one receiver, one subscriber and at most one dependent: anything more is refused with a
  message saying so (a clearinghouse batch must be split first).
- The subscriber loop may be absent only when the payer or receiver loop carries an AAA
  rejection (the payer stopped before reaching the member), so `subscriber` can be None then.
- Codes outside our partial tables (service types, insurance types, time periods) are kept
  as sent with no label; closed lists (EB01, EB11, EB12, AAA01, TRN01) are checked.
- Amounts, percents and quantities are Decimal, never float; a percent must be 0-1 (0.2 = 20%).
- Segments that a verification draft never needs (N3, N4, PRV, HI, MPI, III) are checked for
  position and then skipped; HSD delivery patterns are kept as their raw text.
- `created_at` is BHT04/BHT05 as the payer wrote it, without a time zone (X12 has none).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import pyx12.errors
from pyx12.x12file import X12Reader

from coordinator.rules.errors import RuleError, shown
from coordinator.x12.codes import (
    CONTACT_QUALIFIERS,
    ELIGIBILITY_CODES,
    FOLLOW_UP_ACTIONS,
    IMPLEMENTATION_GUIDE,
    INTERCHANGE_VERSION,
    REJECT_REASONS,
    label,
)

ISA_LENGTH = 106
_ISA_SEPARATOR_POSITIONS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
_SERVICE_TYPE = re.compile(r"[A-Z0-9]{1,2}")
_TIME = re.compile(r"(\d{2})(\d{2})(?:(\d{2})\d{0,2})?")
_LEVELS = {"20": "information source", "21": "information receiver", "22": "subscriber", "23": "dependent"}
_PARENT_LEVEL = {"21": "20", "22": "21", "23": "22"}
_TRAILERS = {"ST": "SE", "GS": "GE", "ISA": "IEA"}


class X12ParseError(RuleError):
    """A 271 that cannot be read; the message says where and why, for the person uploading it."""

    def __init__(self, message: str, segment_number: int | None = None, segment_id: str | None = None) -> None:
        super().__init__("file", message)
        self.segment_number = segment_number
        self.segment_id = segment_id


@dataclass(frozen=True)
class Party:
    """The payer (2100A) or the information receiver (2100B)."""

    name: str | None
    id: str | None
    contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class TraceNumber:
    """A TRN: type 1 is the current trace (assigned by the payer or clearinghouse), type 2 the
    trace of our 270 echoed back."""

    type_code: str
    reference: str
    originator: str | None


@dataclass(frozen=True)
class Rejection:
    """An AAA request-validation error and what the payer asks us to do about it."""

    level: str
    code: str
    reason: str
    follow_up_code: str | None
    follow_up: str | None


@dataclass(frozen=True)
class Member:
    """The subscriber (2100C) or dependent (2100D) as the payer returned them."""

    last_name: str | None
    first_name: str | None
    member_id: str | None
    birth_date: date | None
    gender: str | None
    group_number: str | None
    plan_number: str | None
    trace_numbers: tuple[TraceNumber, ...]
    dates: dict[str, tuple[date, date | None]]
    rejections: tuple[Rejection, ...]
    relationship_code: str | None = None
    references: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Entity:
    """A benefit-related entity (2120C/D): who to contact, or who provides the service."""

    entity_code: str
    name: str | None
    identifier: str | None
    contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Benefit:
    """One EB segment with the segments of its 2110 loop."""

    member_level: str
    code: str
    label: str
    coverage_level: str | None
    service_types: tuple[str, ...]
    insurance_type: str | None
    plan_description: str | None
    time_period: str | None
    amount: Decimal | None
    percent: Decimal | None
    quantity_qualifier: str | None
    quantity: Decimal | None
    auth_required: str | None
    in_network: str | None
    procedure: str | None = None
    messages: tuple[str, ...] = ()
    dates: dict[str, tuple[date, date | None]] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    entities: tuple[Entity, ...] = ()
    delivery: tuple[str, ...] = ()

    @property
    def entity(self) -> Entity | None:
        """The first 2120 entity, which is the one a payer names for EB*U contacts."""
        return self.entities[0] if self.entities else None


@dataclass(frozen=True)
class EligibilityResponse:
    """A whole 271: envelope ids, the parties, the member(s), all rejections and benefits."""

    sender_id: str
    receiver_id: str
    interchange_control: int
    transaction_control: str
    created_at: datetime
    reference: str | None
    payer: Party
    receiver: Party | None
    subscriber: Member | None
    dependent: Member | None
    rejections: tuple[Rejection, ...]
    benefits: tuple[Benefit, ...]


@dataclass(frozen=True)
class Delimiters:
    """The separators the ISA declares; repetition is None for a 4010 interchange."""

    element: str
    component: str
    repetition: str | None
    segment: str
    version: str


@dataclass(frozen=True)
class Segment:
    """One segment: its position in the file (ISA = 1), id and elements (index 1 = XX01)."""

    number: int
    id: str
    elements: tuple[str, ...]

    def get(self, position: int) -> str:
        """Element XXnn as text, '' when the segment stops before it."""
        return self.elements[position - 1] if position <= len(self.elements) else ""

    @property
    def where(self) -> str:
        """'Segment N (ID)', the start of every message about this segment."""
        return f"Segment {self.number} ({self.id})"

    def error(self, detail: str) -> X12ParseError:
        """An X12ParseError about this segment: 'Segment N (ID): detail'."""
        return X12ParseError(f"{self.where}: {detail}", self.number, self.id)


def parse_271(data: bytes | str) -> EligibilityResponse:
    """Parse one 271; raise X12ParseError (never anything else) for input it cannot read."""
    text = _decode(data)
    delimiters = read_delimiters(text)
    pieces = _check_segments(text, delimiters)
    builder = _Builder(delimiters)
    for segment in _tokenize(text, delimiters, pieces):
        builder.add(segment)
    return builder.finish()


def read_delimiters(text: str) -> Delimiters:
    """Check the fixed-width ISA and read the delimiters it declares."""
    if not text.startswith("ISA"):
        raise X12ParseError("This is not an X12 file: it must start with an ISA segment.")
    if len(text) < ISA_LENGTH:
        raise X12ParseError(
            "Segment 1 (ISA): the file is too short to hold the 106-character ISA segment; it may have been cut off.",
            1,
            "ISA",
        )
    element = text[3]
    if any(text[p] != element for p in _ISA_SEPARATOR_POSITIONS) or text[: ISA_LENGTH - 1].count(element) != len(
        _ISA_SEPARATOR_POSITIONS
    ):
        raise X12ParseError(
            "Segment 1 (ISA): the ISA must be exactly 106 characters with "
            "fixed-width elements (ISA06 and ISA08 padded with spaces to 15 "
            "characters).",
            1,
            "ISA",
        )
    version = text[84:89]
    if version not in ("00401", INTERCHANGE_VERSION):
        raise X12ParseError(
            f"Segment 1 (ISA): ISA12 {shown(version)} is not an X12 version "
            f"this reader knows; a 005010X279A1 file uses 00501.",
            1,
            "ISA",
        )
    repetition = text[82] if version == INTERCHANGE_VERSION else None
    delimiters = Delimiters(element, text[104], repetition, text[105], version)
    declared = [c for c in (element, delimiters.component, repetition, delimiters.segment) if c]
    if len(set(declared)) != len(declared) or any(c.isalnum() or c == " " for c in declared):
        raise X12ParseError(
            "Segment 1 (ISA): the element, component, repetition and segment "
            "delimiters declared in the ISA must be different punctuation "
            "characters.",
            1,
            "ISA",
        )
    return delimiters


def _decode(data: bytes | str) -> str:
    """Bytes to text (UTF-8, ASCII being a subset), without a BOM or leading white space."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise X12ParseError(
                f"This file is not text: byte 0x{exc.object[exc.start]:02X} at "
                f"position {exc.start} is not valid UTF-8. Is it a PDF, a "
                f"picture or a compressed file?"
            ) from None
    if not isinstance(data, str):
        raise X12ParseError("The file must be given as bytes or text.")
    text = data.removeprefix("\ufeff").lstrip()
    if not text:
        raise X12ParseError("The file is empty.")
    return text


def _check_segments(text: str, delimiters: Delimiters) -> list[str]:
    """Split on the segment terminator and refuse blank segments, binary characters and a file
    that stops mid-segment (pyx12 would silently stop reading at any of them)."""
    pieces = text.split(delimiters.segment)
    allowed = {"\r", "\n", delimiters.element, delimiters.component, delimiters.segment}
    for number, piece in enumerate(pieces[:-1], start=1):
        if not piece.strip():
            raise X12ParseError(
                f"Segment {number} is empty: two segment terminators ({delimiters.segment!r}) follow each other.",
                number,
            )
        for char in piece:
            if unicodedata.category(char) == "Cc" and char not in allowed:
                raise X12ParseError(
                    f"Segment {number} contains the control character "
                    f"U+{ord(char):04X}: this looks like binary data, not an "
                    f"X12 text file.",
                    number,
                )
    if pieces[-1].strip():
        raise X12ParseError(
            f"The file ends in the middle of a segment ({shown(pieces[-1].strip())}): it may have been cut off.",
            len(pieces),
        )
    return pieces


def _tokenize(text: str, delimiters: Delimiters, pieces: list[str]) -> Iterator[Segment]:
    """Segments from pyx12's reader, with its envelope findings raised as X12ParseError.

    pyx12's findings for a segment are raised only after the consumer has handled it, so our
    own, more specific judgement of the same segment (such as "more than one transaction")
    comes first."""
    try:
        reader = X12Reader(io.StringIO(text))
    except pyx12.errors.X12Error as exc:
        raise X12ParseError(f"Segment 1 (ISA) could not be read: {exc}.", 1, "ISA") from None
    segments = iter(reader)
    number = 0
    while True:
        try:
            raw = next(segments)
        except StopIteration:
            break
        except (pyx12.errors.X12Error, pyx12.errors.EngineError, IndexError):
            raise _unreadable(number + 1, pieces, delimiters) from None
        number += 1
        segment = _segment(number, raw, delimiters)
        yield segment
        _raise_reader_errors(reader, segment)
    reader.cleanup()
    if reader.pop_errors() and reader.loops:
        missing = [_TRAILERS[kind] for kind, _ in reversed(reader.loops)]
        raise X12ParseError(
            f"The file is incomplete: it ends without the {_and(missing)} "
            f"trailer segment{'s' if len(missing) > 1 else ''} (was it cut off?)."
        )


def _segment(number: int, raw: pyx12.segment.Segment, delimiters: Delimiters) -> Segment:
    """Our immutable copy of a pyx12 segment, after checking its identifier."""
    segment_id = raw.get_seg_id() or ""
    if not _SEGMENT_ID.fullmatch(segment_id):
        raise X12ParseError(
            f"Segment {number}: {shown(segment_id)} is not a segment identifier "
            f"(a capital letter and one or two more capitals or digits).",
            number,
        )
    elements = tuple(composite.format(delimiters.component) for composite in raw.elements)
    return Segment(number, segment_id, elements)


def _unreadable(number: int, pieces: list[str], delimiters: Delimiters) -> X12ParseError:
    """pyx12 raised on an envelope segment it could not place: say which one."""
    piece = pieces[number - 1].strip() if number <= len(pieces) else ""
    segment_id = piece.split(delimiters.element, 1)[0]
    return X12ParseError(
        f"Segment {number} ({segment_id}) could not be read: the envelope "
        f"(ISA, GS, ST ... SE, GE, IEA) is out of order.",
        number,
        segment_id,
    )


def _raise_reader_errors(reader: X12Reader, segment: Segment) -> None:
    """Turn the first envelope problem pyx12 noted for this segment into an X12ParseError."""
    for kind, code, message, _value, _line in reader.pop_errors():
        if (kind, code) in _LEFT_TO_US:
            continue
        raise _reader_problem(kind, code, reader, segment) or segment.error(f"{message}.")


# pyx12 findings we check ourselves (segment ids, empty segments, a second ISA/GS/ST) or
# tolerate (a leading space, trailing element separators).
_LEFT_TO_US = frozenset({("seg", "1"), ("seg", "8"), ("seg", "SEG1"), ("isa", "025"), ("gs", "6"), ("st", "23")})


def _reader_problem(kind: str, code: str, reader: X12Reader, segment: Segment) -> X12ParseError | None:
    """Our wording for the pyx12 findings we know; None for any other."""
    number, segment_id = segment.number, segment.id
    mismatched = {
        ("isa", "001"): "The interchange control numbers in ISA13 and IEA02 differ.",
        ("gs", "4"): "The group control numbers in GS06 and GE02 differ.",
        ("st", "3"): "The transaction control numbers in ST02 and SE02 differ.",
    }
    if (kind, code) in mismatched:
        return X12ParseError(mismatched[(kind, code)], number, segment_id)
    counted = {
        ("st", "4"): lambda: f"says {segment.get(1)} segments, the transaction has {reader.seg_count + 1}.",
        ("gs", "5"): lambda: f"GE01 says {segment.get(1)} transaction sets, the group has {reader.st_count}.",
        ("isa", "021"): lambda: (
            f"IEA01 says {segment.get(1)} functional groups, the interchange has {reader.gs_count}."
        ),
        ("seg", "HL1"): lambda: (
            f"HL01 is {segment.get(1)!r} but this is HL number "
            f"{reader.hl_count} of the transaction (HL01 counts 1, 2, 3...)."
        ),
        ("seg", "HL2"): lambda: f"HL02 {segment.get(2)!r} does not name an earlier HL level.",
        ("gs", "3"): lambda: "the transaction is not closed by an SE before this GE.",
        ("isa", "024"): lambda: "the functional group is not closed by a GE before this IEA.",
    }
    if (kind, code) in counted:
        return segment.error(counted[(kind, code)]())
    return None


def _and(words: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass
class _MemberDraft:
    """A member being read; frozen into a Member when its loop ends."""

    started_at: int
    name_seen: bool = False
    last_name: str | None = None
    first_name: str | None = None
    member_id: str | None = None
    birth_date: date | None = None
    gender: str | None = None
    relationship_code: str | None = None
    traces: list[TraceNumber] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict)
    dates: dict[str, tuple[date, date | None]] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)

    def freeze(self) -> Member:
        """The finished, immutable Member."""
        group = self.references.get("6P") or self.references.get("1L")
        return Member(
            self.last_name,
            self.first_name,
            self.member_id,
            self.birth_date,
            self.gender,
            group,
            self.references.get("18"),
            tuple(self.traces),
            dict(self.dates),
            tuple(self.rejections),
            self.relationship_code,
            dict(self.references),
        )


@dataclass
class _BenefitDraft:
    """An EB and its loop being read; frozen into a Benefit when the next loop starts."""

    fields: dict
    messages: list[str] = field(default_factory=list)
    dates: dict[str, tuple[date, date | None]] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    entities: list[Entity] = field(default_factory=list)
    delivery: list[str] = field(default_factory=list)

    def freeze(self) -> Benefit:
        """The finished, immutable Benefit."""
        return Benefit(
            **self.fields,
            messages=tuple(self.messages),
            dates=dict(self.dates),
            references=dict(self.references),
            entities=tuple(self.entities),
            delivery=tuple(self.delivery),
        )


@dataclass
class _PartyDraft:
    """The payer or receiver being read."""

    started_at: int
    name_seen: bool = False
    name: str | None = None
    id: str | None = None
    contacts: list[str] = field(default_factory=list)

    def freeze(self) -> Party:
        """The finished, immutable Party."""
        return Party(self.name, self.id, tuple(self.contacts))


_LOOP_NAMES = {
    "header": "the transaction header (before the first HL)",
    "source": "the information source (payer) loop 2000A/2100A",
    "receiver": "the information receiver (provider) loop 2000B/2100B",
    "subscriber": "the subscriber loop 2000C/2100C",
    "dependent": "the dependent loop 2000D/2100D",
    "benefit": "an eligibility or benefit loop (2110C/D, after an EB)",
    "entity": "a benefit-related entity loop (2120C/D, between LS and LE)",
    "after_entity": "the place after an LE, where only EB, HL or SE may follow",
}
_ALLOWED = {
    "header": frozenset(),
    "source": frozenset({"NM1", "PER", "AAA"}),
    "receiver": frozenset({"NM1", "REF", "N3", "N4", "AAA", "PRV"}),
    "subscriber": frozenset({"TRN", "NM1", "REF", "N3", "N4", "AAA", "PRV", "DMG", "INS", "HI", "DTP", "MPI", "EB"}),
    "benefit": frozenset({"EB", "HSD", "REF", "DTP", "AAA", "MSG", "III", "LS"}),
    "entity": frozenset({"NM1", "N3", "N4", "PER", "PRV", "LE"}),
    "after_entity": frozenset({"EB"}),
}
_ALLOWED["dependent"] = _ALLOWED["subscriber"]
_SKIPPED = frozenset({"N3", "N4", "PRV", "HI", "MPI", "III"})
_ENVELOPE_NEXT = {"ISA": "GS", "GS": "ST", "ST": "BHT", "SE": "GE", "GE": "IEA"}
_LEVEL_LOOPS = {"20": "source", "21": "receiver", "22": "subscriber", "23": "dependent"}
_LEVEL_NAMES = {_LEVEL_LOOPS[code]: name for code, name in _LEVELS.items()}


class _Builder:
    """The loop state machine: `add` each segment in order, then `finish`.

    `level` is the HL loop open ("source", "receiver", "subscriber", "dependent"); `loop` is
    the finer position inside it ("benefit" after an EB, "entity" inside LS ... LE, ...).
    """

    def __init__(self, delimiters: Delimiters) -> None:
        self.delimiters = delimiters
        self.last_envelope: str | None = None
        self.level: str | None = None
        self.loop = "header"
        self.envelope: dict[str, object] = {}
        self.hl_levels: dict[str, str] = {}
        self.parties: dict[str, _PartyDraft] = {}
        self.members: dict[str, _MemberDraft] = {}
        self.benefit: _BenefitDraft | None = None
        self.benefits: list[Benefit] = []
        self.rejections: list[Rejection] = []
        self.open_ls: Segment | None = None
        self.response: EligibilityResponse | None = None

    def add(self, segment: Segment) -> None:
        """Route one segment to the envelope or to the loop it belongs to."""
        if segment.id in ("ISA", "GS", "ST", "BHT", "SE", "GE", "IEA"):
            getattr(self, f"_envelope_{segment.id.lower()}")(segment)
        elif self.last_envelope != "BHT":
            raise self._out_of_envelope(segment)
        elif segment.id == "HL":
            self._hl(segment)
        else:
            self._body(segment)

    def finish(self) -> EligibilityResponse:
        """The response, once the IEA has closed the interchange."""
        if self.last_envelope != "IEA" or self.response is None:
            raise X12ParseError("The file is incomplete: it ends without the IEA trailer segment (was it cut off?).")
        return self.response

    def _out_of_envelope(self, segment: Segment) -> X12ParseError:
        """A segment where the envelope expects something else."""
        if self.last_envelope == "IEA":
            return X12ParseError(
                f"{segment.where} comes after the IEA trailer, which must end the file.", segment.number, segment.id
            )
        expected = _ENVELOPE_NEXT.get(self.last_envelope or "", "BHT")
        return segment.error(f"out of order: expected {expected} here.")

    def _expect_after(self, segment: Segment, previous: str) -> None:
        """Refuse an envelope segment that does not follow `previous`."""
        if self.last_envelope != previous:
            raise self._out_of_envelope(segment)
        self.last_envelope = segment.id

    def _only_one(self, segment: Segment, what: str) -> X12ParseError:
        """The one-of-each limitation, worded so the person knows what to do."""
        return segment.error(
            f"this file holds more than one {what}; Coordinator reads "
            f"exactly one 271 transaction per file, so split the batch first."
        )

    def _envelope_isa(self, segment: Segment) -> None:
        if self.last_envelope is not None:
            raise self._only_one(segment, "interchange (ISA)")
        control = segment.get(13)
        if not re.fullmatch(r"\d{9}", control):
            raise segment.error(f"ISA13 {shown(control)} must be a 9-digit interchange control number.")
        self.envelope.update(
            sender_id=segment.get(6).strip(), receiver_id=segment.get(8).strip(), interchange_control=int(control)
        )
        self.last_envelope = "ISA"

    def _envelope_gs(self, segment: Segment) -> None:
        if self.last_envelope == "GE":
            raise self._only_one(segment, "functional group (GS)")
        self._expect_after(segment, "ISA")
        if segment.get(1) == "HS":
            raise X12ParseError(
                "This is a 270 (an eligibility request), not a 271 response.", segment.number, segment.id
            )
        if segment.get(1) != "HB":
            raise segment.error(
                f"GS01 is {shown(segment.get(1))}, but a 271 eligibility "
                f"response travels in a functional group with GS01 HB."
            )
        if segment.get(8) != IMPLEMENTATION_GUIDE:
            found = segment.get(8)[:40] or "nothing"
            raise X12ParseError(
                f"Expected implementation guide {IMPLEMENTATION_GUIDE} in GS08, found {found}.",
                segment.number,
                segment.id,
            )
        if self.delimiters.version != INTERCHANGE_VERSION:
            raise X12ParseError(
                f"Segment 1 (ISA): ISA12 is {self.delimiters.version}, but "
                f"{IMPLEMENTATION_GUIDE} requires {INTERCHANGE_VERSION}.",
                1,
                "ISA",
            )

    def _envelope_st(self, segment: Segment) -> None:
        if self.last_envelope == "SE":
            raise self._only_one(segment, "transaction set (ST)")
        self._expect_after(segment, "GS")
        if segment.get(1) == "270":
            raise X12ParseError(
                "This is a 270 (an eligibility request), not a 271 response.", segment.number, segment.id
            )
        if segment.get(1) != "271":
            raise X12ParseError(
                f"This is transaction set {segment.get(1)[:10] or '(blank)'}, not a 271 eligibility response.",
                segment.number,
                segment.id,
            )
        if segment.get(3) not in ("", IMPLEMENTATION_GUIDE):
            raise segment.error(f"ST03 is {shown(segment.get(3))}, expected {IMPLEMENTATION_GUIDE}.")
        self.envelope["transaction_control"] = segment.get(2)

    def _envelope_bht(self, segment: Segment) -> None:
        if self.last_envelope != "ST":
            raise segment.error("a BHT belongs directly after the ST, once.")
        self.last_envelope = "BHT"
        if segment.get(1) != "0022":
            raise segment.error(f"BHT01 is {shown(segment.get(1))}; an eligibility response has 0022.")
        if segment.get(2) not in ("11", "06"):
            raise segment.error(f"BHT02 is {shown(segment.get(2))}; a 271 has 11 (response) or 06 (confirmation).")
        self.envelope["reference"] = segment.get(3) or None
        self.envelope["created_at"] = _timestamp(segment, 4, 5)

    def _envelope_se(self, segment: Segment) -> None:
        if self.last_envelope != "BHT":
            raise self._out_of_envelope(segment)
        self._close_level(segment)
        self.response = self._response(segment)
        self.last_envelope = "SE"

    def _envelope_ge(self, segment: Segment) -> None:
        self._expect_after(segment, "SE")

    def _envelope_iea(self, segment: Segment) -> None:
        self._expect_after(segment, "GE")

    def _hl(self, segment: Segment) -> None:
        """Close the current level and open the one HL03 names, checking the hierarchy."""
        self._close_level(segment)
        hl_id, parent, level = segment.get(1), segment.get(2), segment.get(3)
        if level not in _LEVELS:
            raise segment.error(
                f"HL03 {shown(level)} is not a 271 level (20 information "
                f"source, 21 information receiver, 22 subscriber, 23 "
                f"dependent)."
            )
        if level in self.hl_levels.values():
            raise segment.error(
                f"this response has more than one {_LEVELS[level]} "
                f"(HL*…*{level}); Coordinator reads one of each per 271."
            )
        expected_parent = _PARENT_LEVEL.get(level)
        if expected_parent is None and parent:
            raise segment.error("the information source (HL03 20) is the top level: HL02 must be empty.")
        if expected_parent is not None and self.hl_levels.get(parent) != expected_parent:
            raise segment.error(
                f"a {_LEVELS[level]} (HL03 {level}) must sit under the "
                f"{_LEVELS[expected_parent]} level (HL03 {expected_parent}); "
                f"HL02 is {shown(parent)}."
            )
        self.hl_levels[hl_id] = level
        self.level = self.loop = _LEVEL_LOOPS[level]
        if level in ("20", "21"):
            self.parties[self.level] = _PartyDraft(segment.number)
        else:
            self.members[self.level] = _MemberDraft(segment.number)

    def _close_level(self, segment: Segment) -> None:
        """End the open benefit, refuse an unclosed LS, and require the level's NM1."""
        if self.loop == "entity":
            raise self._unclosed_ls(segment)
        self._close_benefit()
        draft = self.parties.get(self.level) or self.members.get(self.level)
        if draft is not None and not draft.name_seen:
            raise segment.error(
                f"the {_LEVEL_NAMES[self.level]} loop that starts at segment "
                f"{draft.started_at} has no NM1 name segment."
            )

    def _unclosed_ls(self, segment: Segment) -> X12ParseError:
        """An LS still open where its loop must already have ended."""
        return segment.error(f"the LS loop opened at segment {self.open_ls.number} is not closed by LE.")

    def _close_benefit(self) -> None:
        """Freeze the benefit being read, if any."""
        if self.benefit is not None:
            self.benefits.append(self.benefit.freeze())
            self.benefit = None

    def _body(self, segment: Segment) -> None:
        """A segment inside the HL tree: check it may appear here, then read it."""
        if segment.id == "EB" and self.loop in ("header", "source", "receiver"):
            raise X12ParseError(
                f"{segment.where} appears before any subscriber (HL*…*22) loop.", segment.number, segment.id
            )
        if segment.id == "EB" and self.loop == "entity":
            raise self._unclosed_ls(segment)
        if segment.id not in _ALLOWED[self.loop]:
            raise X12ParseError(
                f"{segment.where} is not allowed in {_LOOP_NAMES[self.loop]}.", segment.number, segment.id
            )
        if segment.id not in _SKIPPED:
            kind = "member" if self.loop in ("subscriber", "dependent") else self.loop
            _HANDLERS[(kind, segment.id)](self, segment)

    def _response(self, segment: Segment) -> EligibilityResponse:
        """Freeze everything read, checking the loops a 271 cannot do without."""
        payer = self.parties.get("source")
        if payer is None:
            raise segment.error("the response has no information source (HL*1**20) loop.")
        stopped_early = any(r.level in ("payer", "receiver") for r in self.rejections)
        receiver = self.parties.get("receiver")
        subscriber = self.members.get("subscriber")
        if not stopped_early and receiver is None:
            raise segment.error("the response has no information receiver (HL*…*21) loop.")
        if not stopped_early and subscriber is None:
            raise segment.error("the response has no subscriber (HL*…*22) loop.")
        dependent = self.members.get("dependent")
        return EligibilityResponse(
            rejections=tuple(self.rejections),
            benefits=tuple(self.benefits),
            payer=payer.freeze(),
            receiver=receiver.freeze() if receiver else None,
            subscriber=subscriber.freeze() if subscriber else None,
            dependent=dependent.freeze() if dependent else None,
            **self.envelope,
        )

    def _party_name(self, segment: Segment) -> None:
        party = self.parties[self.level]
        if party.name_seen:
            raise segment.error("this loop already has its NM1 name segment.")
        party.name_seen = True
        party.name = _full_name(segment)
        party.id = segment.get(9) or None

    def _party_contact(self, segment: Segment) -> None:
        self.parties[self.level].contacts.append(_contact(segment))

    def _party_reference(self, segment: Segment) -> None:
        _reference(segment)

    def _rejection(self, segment: Segment) -> None:
        level = "benefit" if self.loop == "benefit" else "payer" if self.level == "source" else self.level
        rejection = _read_rejection(segment, level)
        self.rejections.append(rejection)
        if level in self.members:
            self.members[level].rejections.append(rejection)

    def _member_name(self, segment: Segment) -> None:
        member = self.members[self.level]
        expected = "IL" if self.level == "subscriber" else "03"
        if member.name_seen:
            raise segment.error(f"the {self.level} loop already has its NM1 name segment.")
        if segment.get(1) != expected:
            raise segment.error(f"the {self.level}'s name segment must be NM1*{expected}, found NM1*{segment.get(1)}.")
        member.name_seen = True
        member.last_name = segment.get(3) or None
        member.first_name = segment.get(4) or None
        member.member_id = segment.get(9) or None

    def _member_trace(self, segment: Segment) -> None:
        if segment.get(1) not in ("1", "2") or not segment.get(2):
            raise segment.error("a TRN needs TRN01 1 (current) or 2 (referenced) and a trace number in TRN02.")
        self.members[self.level].traces.append(TraceNumber(segment.get(1), segment.get(2), segment.get(3) or None))

    def _member_reference(self, segment: Segment) -> None:
        qualifier, value = _reference(segment)
        self.members[self.level].references[qualifier] = value

    def _member_demographics(self, segment: Segment) -> None:
        member = self.members[self.level]
        if segment.get(2):
            if segment.get(1) != "D8":
                raise segment.error(f"DMG01 is {shown(segment.get(1))}; a birth date must be D8 (CCYYMMDD).")
            member.birth_date = _date(segment, 2, segment.get(2))
        member.gender = segment.get(3) or None

    def _member_insured(self, segment: Segment) -> None:
        self.members[self.level].relationship_code = segment.get(2) or None

    def _member_date(self, segment: Segment) -> None:
        qualifier, span = _dated(segment)
        self.members[self.level].dates[qualifier] = span

    def _eligibility(self, segment: Segment) -> None:
        """EB: close the previous benefit and start a new 2110 loop."""
        self._close_benefit()
        self.benefit = _BenefitDraft(_read_eb(segment, self.level, self.delimiters))
        self.loop = "benefit"

    def _benefit_delivery(self, segment: Segment) -> None:
        self.benefit.delivery.append(self.delimiters.element.join((segment.id, *segment.elements)))

    def _benefit_reference(self, segment: Segment) -> None:
        qualifier, value = _reference(segment)
        self.benefit.references[qualifier] = value

    def _benefit_date(self, segment: Segment) -> None:
        qualifier, span = _dated(segment)
        self.benefit.dates[qualifier] = span

    def _benefit_message(self, segment: Segment) -> None:
        if segment.get(1):
            self.benefit.messages.append(segment.get(1))

    def _open_entity_loop(self, segment: Segment) -> None:
        if not segment.get(1):
            raise segment.error("LS01 (loop identifier, normally 2120) is missing.")
        self.open_ls = segment
        self.loop = "entity"

    def _entity_name(self, segment: Segment) -> None:
        if not segment.get(1):
            raise segment.error("NM101 (entity identifier code) is missing.")
        self.benefit.entities.append(Entity(segment.get(1), _full_name(segment), segment.get(9) or None))

    def _entity_contact(self, segment: Segment) -> None:
        if not self.benefit.entities:
            raise segment.error("a PER inside an LS loop must follow the NM1 it belongs to.")
        last = self.benefit.entities[-1]
        self.benefit.entities[-1] = Entity(
            last.entity_code, last.name, last.identifier, (*last.contacts, _contact(segment))
        )

    def _close_entity_loop(self, segment: Segment) -> None:
        if segment.get(1) != self.open_ls.get(1):
            raise segment.error(
                f"LE01 {shown(segment.get(1))} does not match LS01 "
                f"{shown(self.open_ls.get(1))} of segment "
                f"{self.open_ls.number}."
            )
        self.open_ls = None
        self.loop = "after_entity"


_HANDLERS = {
    ("source", "NM1"): _Builder._party_name,
    ("source", "PER"): _Builder._party_contact,
    ("source", "AAA"): _Builder._rejection,
    ("receiver", "NM1"): _Builder._party_name,
    ("receiver", "REF"): _Builder._party_reference,
    ("receiver", "AAA"): _Builder._rejection,
    ("member", "TRN"): _Builder._member_trace,
    ("member", "NM1"): _Builder._member_name,
    ("member", "REF"): _Builder._member_reference,
    ("member", "AAA"): _Builder._rejection,
    ("member", "DMG"): _Builder._member_demographics,
    ("member", "INS"): _Builder._member_insured,
    ("member", "DTP"): _Builder._member_date,
    ("member", "EB"): _Builder._eligibility,
    ("benefit", "EB"): _Builder._eligibility,
    ("benefit", "HSD"): _Builder._benefit_delivery,
    ("benefit", "REF"): _Builder._benefit_reference,
    ("benefit", "DTP"): _Builder._benefit_date,
    ("benefit", "AAA"): _Builder._rejection,
    ("benefit", "MSG"): _Builder._benefit_message,
    ("benefit", "LS"): _Builder._open_entity_loop,
    ("entity", "NM1"): _Builder._entity_name,
    ("entity", "PER"): _Builder._entity_contact,
    ("entity", "LE"): _Builder._close_entity_loop,
    ("after_entity", "EB"): _Builder._eligibility,
}


def _read_eb(segment: Segment, member_level: str, delimiters: Delimiters) -> dict:
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


def _read_rejection(segment: Segment, level: str) -> Rejection:
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


def _date(segment: Segment, position: int, value: str) -> date:
    """A CCYYMMDD date."""
    try:
        if re.fullmatch(r"\d{8}", value):
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        pass
    raise segment.error(f"{segment.id}{position:02d} {shown(value)} is not a date (CCYYMMDD).")


def _timestamp(segment: Segment, date_position: int, time_position: int) -> datetime:
    """BHT04 date and BHT05 time (HHMM, HHMMSS or with fractions) as a naive datetime."""
    day = _date(segment, date_position, segment.get(date_position))
    value = segment.get(time_position)
    match = _TIME.fullmatch(value)
    try:
        if match:
            hour, minute, second = (int(part or 0) for part in match.groups())
            return datetime(day.year, day.month, day.day, hour, minute, second)
    except ValueError:
        pass
    raise segment.error(f"{segment.id}{time_position:02d} {shown(value)} is not a time (HHMM or HHMMSS).")


def _dated(segment: Segment) -> tuple[str, tuple[date, date | None]]:
    """A DTP: qualifier and (start, end), end None for a single D8 date."""
    qualifier, kind, value = segment.get(1), segment.get(2), segment.get(3)
    if not qualifier:
        raise segment.error("DTP01 (date qualifier) is missing.")
    if kind == "D8":
        return qualifier, (_date(segment, 3, value), None)
    if kind == "RD8":
        start, _, end = value.partition("-")
        first, last = _date(segment, 3, start), _date(segment, 3, end)
        if last < first:
            raise segment.error(f"DTP03 {shown(value)} ends before it starts.")
        return qualifier, (first, last)
    raise segment.error(f"DTP02 {shown(kind)} must be D8 (a date) or RD8 (a date range).")


def _reference(segment: Segment) -> tuple[str, str]:
    """A REF: qualifier and identifier, both required."""
    if not segment.get(1) or not segment.get(2):
        raise segment.error("a REF needs a qualifier in REF01 and a value in REF02.")
    return segment.get(1), segment.get(2)


def _full_name(segment: Segment) -> str | None:
    """NM1 name: 'FIRST LAST' for a person (NM102 1), NM103 for an organisation."""
    if segment.get(2) == "1":
        return " ".join(part for part in (segment.get(4), segment.get(3)) if part) or None
    return segment.get(3) or None


def _contact(segment: Segment) -> str:
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
