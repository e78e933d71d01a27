"""What `parse_271` returns: frozen dataclasses for the parties, members and benefits of a 271,
and X12ParseError, the only exception it raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from coordinator.rules.errors import RuleError


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
