"""From raw bytes to checked segments: the ISA delimiters, decoding, blank or binary segments,
and tokenizing with pyx12's `X12Reader`, whose envelope findings (SE/GE/IEA counts, control
numbers, trailers) are raised here as X12ParseError. The order and content of the envelope
segments themselves are checked in `loops`."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import pyx12.errors
from pyx12.x12file import X12Reader

from coordinator.rules.errors import shown
from coordinator.x12.codes import INTERCHANGE_VERSION
from coordinator.x12.results import X12ParseError

ISA_LENGTH = 106
_ISA_SEPARATOR_POSITIONS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_TRAILERS = {"ST": "SE", "GS": "GE", "ISA": "IEA"}


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


def decode(data: bytes | str) -> str:
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


def check_segments(text: str, delimiters: Delimiters) -> list[str]:
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


def tokenize(text: str, delimiters: Delimiters, pieces: list[str]) -> Iterator[Segment]:
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
