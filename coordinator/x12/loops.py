"""The HL loop state machine: envelope order (ISA GS ST BHT ... SE GE IEA), the HL hierarchy,
which segments each loop allows, and freezing the drafts into an EligibilityResponse. What each
segment adds to a draft is in `drafts`."""

from __future__ import annotations

import re

from coordinator.rules.errors import shown
from coordinator.x12.codes import IMPLEMENTATION_GUIDE, INTERCHANGE_VERSION
from coordinator.x12.drafts import HANDLERS, BenefitDraft, DraftHandlers, MemberDraft, PartyDraft
from coordinator.x12.elements import timestamp
from coordinator.x12.envelope import Delimiters, Segment
from coordinator.x12.results import Benefit, EligibilityResponse, Rejection, X12ParseError

_LEVELS = {"20": "information source", "21": "information receiver", "22": "subscriber", "23": "dependent"}
_PARENT_LEVEL = {"21": "20", "22": "21", "23": "22"}
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


class Builder(DraftHandlers):
    """The loop state machine: `add` each segment in order, then `finish`.

    `level` is the HL loop open ("source", "receiver", "subscriber", "dependent"); `loop` is
    the finer position inside it ("benefit" after an EB, "entity" inside LS ... LE, ...). The
    handlers that fill the drafts are inherited from `DraftHandlers`.
    """

    def __init__(self, delimiters: Delimiters) -> None:
        self.delimiters = delimiters
        self.last_envelope: str | None = None
        self.level: str | None = None
        self.loop = "header"
        self.envelope: dict[str, object] = {}
        self.hl_levels: dict[str, str] = {}
        self.parties: dict[str, PartyDraft] = {}
        self.members: dict[str, MemberDraft] = {}
        self.benefit: BenefitDraft | None = None
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
        self.envelope["created_at"] = timestamp(segment, 4, 5)

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
            self.parties[self.level] = PartyDraft(segment.number)
        else:
            self.members[self.level] = MemberDraft(segment.number)

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
            HANDLERS[(kind, segment.id)](self, segment)

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
