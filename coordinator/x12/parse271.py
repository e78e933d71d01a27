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

The reading is split by layer: `envelope` turns the bytes into checked segments, `loops` walks
the envelope and the HL loops, `drafts` fills in what each loop's segments say, `elements` reads
single elements, and `results` holds what comes out. This module is the entry point and keeps
the names callers import from it.
"""

from __future__ import annotations

from coordinator.x12.envelope import ISA_LENGTH, Delimiters, Segment, check_segments, decode, read_delimiters, tokenize
from coordinator.x12.loops import Builder
from coordinator.x12.results import (
    Benefit,
    EligibilityResponse,
    Entity,
    Member,
    Party,
    Rejection,
    TraceNumber,
    X12ParseError,
)

__all__ = [
    "ISA_LENGTH",
    "Benefit",
    "Delimiters",
    "EligibilityResponse",
    "Entity",
    "Member",
    "Party",
    "Rejection",
    "Segment",
    "TraceNumber",
    "X12ParseError",
    "parse_271",
    "read_delimiters",
]


def parse_271(data: bytes | str) -> EligibilityResponse:
    """Parse one 271; raise X12ParseError (never anything else) for input it cannot read."""
    text = decode(data)
    delimiters = read_delimiters(text)
    pieces = check_segments(text, delimiters)
    builder = Builder(delimiters)
    for segment in tokenize(text, delimiters, pieces):
        builder.add(segment)
    return builder.finish()
