"""The payer, receiver, member and benefit being read, and the handlers that fill them from the
segments of their loops; `loops.Builder` decides which handler a segment reaches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from coordinator.rules.errors import shown
from coordinator.x12.elements import contact, dated, full_name, read_date, read_eb, read_rejection, reference
from coordinator.x12.envelope import Delimiters, Segment
from coordinator.x12.results import Benefit, Entity, Member, Party, Rejection, TraceNumber


@dataclass
class MemberDraft:
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
class BenefitDraft:
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
class PartyDraft:
    """The payer or receiver being read."""

    started_at: int
    name_seen: bool = False
    name: str | None = None
    id: str | None = None
    contacts: list[str] = field(default_factory=list)

    def freeze(self) -> Party:
        """The finished, immutable Party."""
        return Party(self.name, self.id, tuple(self.contacts))


class DraftHandlers:
    """The segment handlers of `loops.Builder`, which owns the state they read and write."""

    delimiters: Delimiters
    level: str | None
    loop: str
    parties: dict[str, PartyDraft]
    members: dict[str, MemberDraft]
    benefit: BenefitDraft | None
    benefits: list[Benefit]
    rejections: list[Rejection]
    open_ls: Segment | None

    def _close_benefit(self) -> None:
        """Freeze the benefit being read, if any."""
        if self.benefit is not None:
            self.benefits.append(self.benefit.freeze())
            self.benefit = None

    def _party_name(self, segment: Segment) -> None:
        party = self.parties[self.level]
        if party.name_seen:
            raise segment.error("this loop already has its NM1 name segment.")
        party.name_seen = True
        party.name = full_name(segment)
        party.id = segment.get(9) or None

    def _party_contact(self, segment: Segment) -> None:
        self.parties[self.level].contacts.append(contact(segment))

    def _party_reference(self, segment: Segment) -> None:
        reference(segment)

    def _rejection(self, segment: Segment) -> None:
        level = "benefit" if self.loop == "benefit" else "payer" if self.level == "source" else self.level
        rejection = read_rejection(segment, level)
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
        qualifier, value = reference(segment)
        self.members[self.level].references[qualifier] = value

    def _member_demographics(self, segment: Segment) -> None:
        member = self.members[self.level]
        if segment.get(2):
            if segment.get(1) != "D8":
                raise segment.error(f"DMG01 is {shown(segment.get(1))}; a birth date must be D8 (CCYYMMDD).")
            member.birth_date = read_date(segment, 2, segment.get(2))
        member.gender = segment.get(3) or None

    def _member_insured(self, segment: Segment) -> None:
        self.members[self.level].relationship_code = segment.get(2) or None

    def _member_date(self, segment: Segment) -> None:
        qualifier, span = dated(segment)
        self.members[self.level].dates[qualifier] = span

    def _eligibility(self, segment: Segment) -> None:
        """EB: close the previous benefit and start a new 2110 loop."""
        self._close_benefit()
        self.benefit = BenefitDraft(read_eb(segment, self.level, self.delimiters))
        self.loop = "benefit"

    def _benefit_delivery(self, segment: Segment) -> None:
        self.benefit.delivery.append(self.delimiters.element.join((segment.id, *segment.elements)))

    def _benefit_reference(self, segment: Segment) -> None:
        qualifier, value = reference(segment)
        self.benefit.references[qualifier] = value

    def _benefit_date(self, segment: Segment) -> None:
        qualifier, span = dated(segment)
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
        self.benefit.entities.append(Entity(segment.get(1), full_name(segment), segment.get(9) or None))

    def _entity_contact(self, segment: Segment) -> None:
        if not self.benefit.entities:
            raise segment.error("a PER inside an LS loop must follow the NM1 it belongs to.")
        last = self.benefit.entities[-1]
        self.benefit.entities[-1] = Entity(
            last.entity_code, last.name, last.identifier, (*last.contacts, contact(segment))
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


HANDLERS = {
    ("source", "NM1"): DraftHandlers._party_name,
    ("source", "PER"): DraftHandlers._party_contact,
    ("source", "AAA"): DraftHandlers._rejection,
    ("receiver", "NM1"): DraftHandlers._party_name,
    ("receiver", "REF"): DraftHandlers._party_reference,
    ("receiver", "AAA"): DraftHandlers._rejection,
    ("member", "TRN"): DraftHandlers._member_trace,
    ("member", "NM1"): DraftHandlers._member_name,
    ("member", "REF"): DraftHandlers._member_reference,
    ("member", "AAA"): DraftHandlers._rejection,
    ("member", "DMG"): DraftHandlers._member_demographics,
    ("member", "INS"): DraftHandlers._member_insured,
    ("member", "DTP"): DraftHandlers._member_date,
    ("member", "EB"): DraftHandlers._eligibility,
    ("benefit", "EB"): DraftHandlers._eligibility,
    ("benefit", "HSD"): DraftHandlers._benefit_delivery,
    ("benefit", "REF"): DraftHandlers._benefit_reference,
    ("benefit", "DTP"): DraftHandlers._benefit_date,
    ("benefit", "AAA"): DraftHandlers._rejection,
    ("benefit", "MSG"): DraftHandlers._benefit_message,
    ("benefit", "LS"): DraftHandlers._open_entity_loop,
    ("entity", "NM1"): DraftHandlers._entity_name,
    ("entity", "PER"): DraftHandlers._entity_contact,
    ("entity", "LE"): DraftHandlers._close_entity_loop,
    ("after_entity", "EB"): DraftHandlers._eligibility,
}
