"""Turn a parsed 271 into a draft verification: overall status plus one LineDraft per service line.

A person confirms the draft before it is saved; this module only proposes values and explains,
in `notes`, everything it could not place. Which EB03 service types feed which line
(`LINE_SOURCES`), most specific first:

    line              specific                                   general       plan
    sud_residential   CI                                         AI, AJ, AK    30
    sud_outpatient    CJ, BB                                     AI, AJ, AK    30
    mental_health     MH, CE, CF, CG, CH, A4, A5, A6, A7, A8,    -             30
                      BB, BC, BD, RT
    pharmacy          88                                         -             30

An EB without service types counts as plan level (like 30). Each field of a line is taken from
the most specific tier that reports it, so a CI co-insurance beats a plan-wide one while the
deductible can still come from 30. Within a tier, in-network (EB12 Y) beats unspecified (W, U or
empty); out-of-network (N) figures are never used for a field: when they are all there is, the
field stays empty and a note says so.

Field rules: EB*C deductible and EB*G out-of-pocket by EB02 (IND/EMP individual, FAM family),
EB06 29/33 giving the remaining amount (met = total - remaining), EB06 24 the amount met so far;
EB*B copay with EB06 27/7/36 as per visit/day/admission; EB*A co-insurance as EB08 x 100;
EB*F with EB09 DY/VS/HS and EB10 as the limit; EB01 1-5 covered, 6-8 and I not covered; EB11
Y/N prior authorization; EB*U with its 2120 entity as a carve-out. Status: any AAA rejection ->
needs_information; else any active EB -> verified_active; else any inactive -> inactive; else
(V cannot process, or no status) needs_information.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from coordinator.x12.codes import (
    ACTIVE_CODES,
    INACTIVE_CODES,
    QUANTITY_QUALIFIERS,
    SERVICE_TYPES,
    TIME_PERIODS,
    label,
)
from coordinator.x12.parse271 import Benefit, EligibilityResponse, Member, Rejection

SUD_RESIDENTIAL, SUD_OUTPATIENT = "sud_residential", "sud_outpatient"
MENTAL_HEALTH, PHARMACY = "mental_health", "pharmacy"
SPECIFIC, GENERAL, PLAN = "specific", "general", "plan"
_SUD_GENERAL = ("AI", "AJ", "AK")

LINE_SOURCES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    SUD_RESIDENTIAL: ((SPECIFIC, ("CI",)), (GENERAL, _SUD_GENERAL), (PLAN, ("30",))),
    SUD_OUTPATIENT: ((SPECIFIC, ("CJ", "BB")), (GENERAL, _SUD_GENERAL), (PLAN, ("30",))),
    MENTAL_HEALTH: (
        (SPECIFIC, ("MH", "CE", "CF", "CG", "CH", "A4", "A5", "A6", "A7", "A8", "BB", "BC", "BD", "RT")),
        (PLAN, ("30",)),
    ),
    PHARMACY: ((SPECIFIC, ("88",)), (PLAN, ("30",))),
}
LINE_LABELS = {
    SUD_RESIDENTIAL: "Substance use residential",
    SUD_OUTPATIENT: "Substance use outpatient",
    MENTAL_HEALTH: "Mental health",
    PHARMACY: "Pharmacy",
}

_TIER_RANK = {SPECIFIC: 0, GENERAL: 1, PLAN: 2}
_INDIVIDUAL_LEVELS = ("IND", "EMP")
_REMAINING_PERIODS = ("29", "33")
_YEAR_TO_DATE = "24"
_COPAY_PER = {"27": "visit", "7": "day", "36": "admission"}
_LIMIT_UNITS = {"DY": "days", "VS": "visits", "HS": "hours"}
_MAPPED_CODES = ACTIVE_CODES | INACTIVE_CODES | {"A", "B", "C", "F", "G", "I", "U"}
_NETWORK_RANK = {"Y": 0}
_AMOUNT_NAMES = {
    "deductible_individual": "individual deductible",
    "deductible_family": "family deductible",
    "oop_individual": "individual out-of-pocket maximum",
    "oop_family": "family out-of-pocket maximum",
}


@dataclass(frozen=True)
class LineDraft:
    """Proposed verification values for one service line, with where each came from."""

    covered: bool | None = None
    in_network_only: bool | None = None
    deductible_individual: Decimal | None = None
    deductible_individual_met: Decimal | None = None
    deductible_family: Decimal | None = None
    deductible_family_met: Decimal | None = None
    oop_individual: Decimal | None = None
    oop_individual_met: Decimal | None = None
    oop_family: Decimal | None = None
    oop_family_met: Decimal | None = None
    copay: Decimal | None = None
    copay_per: str | None = None
    coinsurance_percent: Decimal | None = None
    prior_auth_required: bool | None = None
    limit_quantity: int | None = None
    limit_unit: str | None = None
    limit_period: str | None = None
    carve_out: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerificationDraft:
    """The whole proposal: status, plan facts, per-line drafts and what a person should read."""

    status: str
    insurance_type: str | None
    plan_description: str | None
    plan_begin: date | None
    plan_end: date | None
    member_id: str | None
    group_number: str | None
    payer_reference: str | None
    lines: dict[str, LineDraft]
    notes: tuple[str, ...]
    rejections: tuple[str, ...]


@dataclass(frozen=True)
class _Fact:
    """One candidate value for one field of a line, with its precedence and provenance."""

    field: str
    value: object
    rank: int
    benefit: Benefit

    @property
    def network_rank(self) -> int:
        """0 for in-network (Y), 1 for unspecified; out-of-network is filtered out earlier."""
        return _NETWORK_RANK.get(self.benefit.in_network or "", 1)


@dataclass
class _Notes:
    """Notes in the order they arise, each once; a note that several lines share is written
    once with all their names ("Substance use residential, Pharmacy: ...")."""

    items: dict[str, dict[str, None]] = field(default_factory=dict)

    def add(self, text: str, line: str | None = None) -> None:
        """Keep `text`, remembering which line (if any) it is about."""
        lines = self.items.setdefault(text, {})
        if line is not None:
            lines[LINE_LABELS[line]] = None

    def render(self) -> tuple[str, ...]:
        """The notes as sentences, line names first."""
        return tuple(f"{', '.join(lines)}: {text}" if lines else text for text, lines in self.items.items())


def draft_from_271(response: EligibilityResponse) -> VerificationDraft:
    """The verification draft for the patient in `response` (the dependent when there is one)."""
    patient = response.dependent or response.subscriber
    patient_level = "dependent" if response.dependent else "subscriber"
    benefits = [b for b in response.benefits if b.member_level == patient_level]
    notes = _Notes()
    lines = {line: _line(line, benefits, notes) for line in LINE_SOURCES}
    _note_benefits(benefits, notes)
    if response.dependent and len(benefits) < len(response.benefits):
        notes.add(
            f"{len(response.benefits) - len(benefits)} benefit line(s) given for the "
            f"subscriber were not used: the patient is the dependent."
        )
    plan = _plan_benefit(benefits)
    begin, end = _plan_dates(patient, response.subscriber)
    return VerificationDraft(
        status=_status(response, benefits),
        insurance_type=plan.insurance_type if plan else None,
        plan_description=plan.plan_description if plan else None,
        plan_begin=begin,
        plan_end=end,
        member_id=response.subscriber.member_id if response.subscriber else None,
        group_number=_group_number(patient, response.subscriber),
        payer_reference=_payer_reference(patient, response.subscriber),
        lines=lines,
        notes=notes.render(),
        rejections=tuple(_rejection_text(r) for r in response.rejections),
    )


def tier_of(line: str, benefit: Benefit) -> str | None:
    """The most specific tier through which `benefit` feeds `line`, or None if it does not."""
    if not benefit.service_types:
        return PLAN
    for tier, codes in LINE_SOURCES[line]:
        if any(code in codes for code in benefit.service_types):
            return tier
    return None


def provenance(benefit: Benefit) -> str:
    """A short human reading of an EB, e.g. 'EB*C IND 30 calendar year $1500 in network'."""
    parts = [
        f"EB*{benefit.code}",
        benefit.coverage_level,
        "^".join(benefit.service_types) or "(no service type)",
        label(TIME_PERIODS, benefit.time_period) or benefit.time_period,
    ]
    if benefit.amount is not None:
        parts.append(f"${benefit.amount}")
    if benefit.percent is not None:
        parts.append(f"{_percent(benefit.percent)}%")
    if benefit.quantity is not None:
        unit = label(QUANTITY_QUALIFIERS, benefit.quantity_qualifier) or benefit.quantity_qualifier
        parts.append(f"{benefit.quantity} {unit or ''}".strip())
    parts.append({"Y": "in network", "N": "out of network"}.get(benefit.in_network or ""))
    parts.append({"Y": "authorization required", "N": "no authorization required"}.get(benefit.auth_required or ""))
    return " ".join(part for part in parts if part)


def _line(line: str, benefits: list[Benefit], notes: _Notes) -> LineDraft:
    """Collect every fact for `line`, then choose each field by precedence."""
    facts = [
        fact
        for benefit in benefits
        if (tier := tier_of(line, benefit)) is not None
        for fact in _facts(benefit, _TIER_RANK[tier])
    ]
    chosen = _Chooser(line, facts, notes)
    copay = chosen.one("copay")
    limit = chosen.one("limit")
    values = {
        "covered": chosen.covered(),
        "in_network_only": chosen.in_network_only(),
        "copay": copay[0] if copay else None,
        "copay_per": copay[1] if copay else None,
        "coinsurance_percent": chosen.one("coinsurance_percent"),
        "prior_auth_required": chosen.any_true("prior_auth_required"),
        "limit_quantity": limit[0] if limit else None,
        "limit_unit": limit[1] if limit else None,
        "limit_period": limit[2] if limit else None,
        "carve_out": chosen.one("carve_out"),
    }
    for amount in ("deductible_individual", "deductible_family", "oop_individual", "oop_family"):
        values[amount], values[f"{amount}_met"] = chosen.amount_and_met(amount)
    return LineDraft(**values, sources=tuple(chosen.sources))


def _facts(benefit: Benefit, rank: int) -> list[_Fact]:
    """Every field value one EB offers. EBs the mapping does not read offer none, nor do
    procedure-specific ones (EB13): their figures do not describe the whole line."""
    if benefit.procedure:
        return []
    extractor = _EXTRACTORS.get(benefit.code)
    found = extractor(benefit) if extractor else []
    if benefit.auth_required in ("Y", "N"):
        found.append(("prior_auth_required", benefit.auth_required == "Y"))
    if benefit.in_network == "N" and benefit.code in ACTIVE_CODES | {"A", "B", "C", "G"}:
        found.append(("in_network_only", False))
    return [_Fact(name, value, rank, benefit) for name, value in found]


def _status_fact(benefit: Benefit) -> list[tuple[str, object]]:
    """EB01 1-5 covered, 6-8 not."""
    return [("covered", benefit.code in ACTIVE_CODES)]


def _non_covered(benefit: Benefit) -> list[tuple[str, object]]:
    """EB*I: not covered, or, when only out of network, a sign the line is in-network only."""
    if benefit.in_network == "N":
        return [("in_network_only", True)]
    return [("covered", False)]


def _amount_key(benefit: Benefit) -> str | None:
    """'individual:total', 'family:remaining', 'individual:met'..., None when not usable."""
    who = (
        "individual"
        if benefit.coverage_level in _INDIVIDUAL_LEVELS
        else "family"
        if benefit.coverage_level == "FAM"
        else None
    )
    if who is None or benefit.amount is None:
        return None
    if benefit.time_period in _REMAINING_PERIODS:
        return f"{who}:remaining"
    return f"{who}:met" if benefit.time_period == _YEAR_TO_DATE else f"{who}:total"


def _amount_facts(prefix: str) -> Callable[[Benefit], list[tuple[str, object]]]:
    """Deductible (C) or out-of-pocket (G) facts, keyed e.g. 'deductible_individual:total'."""

    def extract(benefit: Benefit) -> list[tuple[str, object]]:
        key = _amount_key(benefit)
        return [(f"{prefix}_{key}", benefit.amount)] if key else []

    return extract


def _copay(benefit: Benefit) -> list[tuple[str, object]]:
    """EB*B: amount and what it is charged per (visit, day, admission)."""
    if benefit.amount is None:
        return []
    return [("copay", (benefit.amount, _COPAY_PER.get(benefit.time_period or "")))]


def _coinsurance(benefit: Benefit) -> list[tuple[str, object]]:
    """EB*A: the patient's share as a percent 0-100."""
    if benefit.percent is None:
        return []
    return [("coinsurance_percent", _percent(benefit.percent))]


def _limit(benefit: Benefit) -> list[tuple[str, object]]:
    """EB*F with a whole number of days, visits or hours per period (not 'remaining')."""
    unit = _LIMIT_UNITS.get(benefit.quantity_qualifier or "")
    quantity = benefit.quantity
    if (
        unit is None
        or quantity is None
        or quantity != quantity.to_integral_value()
        or benefit.time_period in _REMAINING_PERIODS
    ):
        return []
    period = label(TIME_PERIODS, benefit.time_period) or benefit.time_period
    return [("limit", (int(quantity), unit, period))]


def _carve_out(benefit: Benefit) -> list[tuple[str, object]]:
    """EB*U: who to contact instead of the payer, from its 2120 entity."""
    return [("carve_out", f"Contact {_who(benefit)}")]


def _who(benefit: Benefit) -> str:
    """'NAME, phone 888-555-0142' for the EB's first entity."""
    entity = benefit.entity
    if entity is None:
        return "the entity the payer refers to (the response names none)"
    parts = [entity.name or entity.identifier or f"entity {entity.entity_code}", *entity.contacts]
    return ", ".join(parts)


_EXTRACTORS: dict[str, Callable[[Benefit], list[tuple[str, object]]]] = {
    **dict.fromkeys(ACTIVE_CODES | INACTIVE_CODES, _status_fact),
    "I": _non_covered,
    "C": _amount_facts("deductible"),
    "G": _amount_facts("oop"),
    "B": _copay,
    "A": _coinsurance,
    "F": _limit,
    "U": _carve_out,
}


class _Chooser:
    """Applies the precedence rules to the facts of one line and records sources and notes."""

    def __init__(self, line: str, facts: list[_Fact], notes: _Notes) -> None:
        self.line = line
        self.facts = facts
        self.notes = notes
        self.sources: dict[str, None] = {}

    def best(self, name: str) -> list[_Fact]:
        """The usable facts for `name` at the most specific tier, in-network first."""
        candidates = [f for f in self.facts if f.field == name]
        usable = [f for f in candidates if f.benefit.in_network != "N"]
        if not usable:
            for fact in candidates:
                self.notes.add(
                    f"only an out-of-network figure was reported "
                    f"({provenance(fact.benefit)}), so the field is left empty.",
                    self.line,
                )
            return []
        top = min(f.rank for f in usable)
        return sorted((f for f in usable if f.rank == top), key=lambda f: f.network_rank)

    def one(self, name: str) -> object:
        """The first best value; differing values at the same precedence become notes."""
        best = self.best(name)
        if not best:
            return None
        self._used(best[0])
        for other in best[1:]:
            if other.value != best[0].value:
                self.notes.add(
                    f"also reported {provenance(other.benefit)}; using {provenance(best[0].benefit)}.", self.line
                )
        return best[0].value

    def any_true(self, name: str) -> bool | None:
        """True when any best fact says so, False when they all say no, None when silent."""
        best = self.best(name)
        for fact in best:
            self._used(fact)
        return any(f.value for f in best) if best else None

    def covered(self) -> bool | None:
        """Covered if anything at the best tier is active; exceptions inside it become notes."""
        best = self.best("covered")
        if not best:
            return None
        covered = any(f.value for f in best)
        for fact in best:
            if fact.value == covered:
                self._used(fact)
            elif covered:
                self.notes.add(
                    f"{provenance(fact.benefit)} says {fact.benefit.label}, although the rest of the line is covered.",
                    self.line,
                )
        return covered

    def in_network_only(self) -> bool | None:
        """False if out-of-network benefits exist, True if out-of-network is non-covered."""
        facts = [f for f in self.facts if f.field == "in_network_only"]
        for fact in facts:
            self._used(fact)
        if not facts:
            return None
        return all(f.value for f in facts)

    def amount_and_met(self, name: str) -> tuple[Decimal | None, Decimal | None]:
        """A deductible or out-of-pocket total and the amount met (given, or total - left)."""
        total = self.one(f"{name}:total")
        remaining = self.one(f"{name}:remaining")
        met = self.one(f"{name}:met")
        if met is None and total is not None and remaining is not None:
            met = total - remaining
        if remaining is not None and total is None:
            self.notes.add(f"${remaining} of the {_AMOUNT_NAMES[name]} remains, but no total was reported.", self.line)
        return total, met

    def _used(self, fact: _Fact) -> None:
        self.sources[provenance(fact.benefit)] = None


def _note_benefits(benefits: Iterable[Benefit], notes: _Notes) -> None:
    """Sentences for payer messages, carve-outs and every EB the lines could not use."""
    unrelated: dict[str, None] = {}
    for benefit in benefits:
        lines = [line for line in LINE_SOURCES if tier_of(line, benefit) is not None]
        if not lines:
            for code in benefit.service_types:
                unrelated[f"{code} {SERVICE_TYPES.get(code, '(unlisted)')}"] = None
            continue
        for message in benefit.messages:
            notes.add(f"Payer message on {provenance(benefit)}: {message}")
        for text in _benefit_notes(benefit):
            notes.add(text)
    if unrelated:
        notes.add(f"Benefits for other service types were not mapped: {', '.join(unrelated)}.")


def _benefit_notes(benefit: Benefit) -> list[str]:
    """What about one relevant EB a person must read because no field holds it."""
    where = provenance(benefit)
    found = []
    if benefit.code == "U" and benefit.entity is not None:
        found.append(f"Carve-out: {where}; the payer refers these benefits to {_who(benefit)}.")
    if benefit.code not in _MAPPED_CODES:
        entity = f" ({benefit.entity.name})" if benefit.entity and benefit.entity.name else ""
        found.append(f"Not mapped: {where}, {benefit.label}{entity}.")
    if benefit.procedure:
        found.append(f"Not mapped: {where} applies only to procedure {benefit.procedure}.")
    if benefit.code in ("C", "G") and _amount_key(benefit) is None:
        found.append(f"Not mapped: {where} (coverage level or amount not usable).")
    if benefit.code == "F" and not _limit(benefit) and not benefit.messages:
        found.append(f"Not mapped: {where}, a limitation without days, visits or hours.")
    found.extend(f"Not mapped: delivery pattern {pattern} on {where}." for pattern in benefit.delivery)
    return found


def _status(response: EligibilityResponse, benefits: list[Benefit]) -> str:
    """verified_active, inactive or needs_information (see the module docstring)."""
    codes = {benefit.code for benefit in benefits}
    if response.rejections:
        return "needs_information"
    if codes & ACTIVE_CODES:
        return "verified_active"
    if codes & INACTIVE_CODES:
        return "inactive"
    return "needs_information"


def _plan_benefit(benefits: list[Benefit]) -> Benefit | None:
    """The EB that best describes the plan: a status EB with EB04 or EB05, plan level first."""
    status = [
        b for b in benefits if b.code in ACTIVE_CODES | INACTIVE_CODES and (b.insurance_type or b.plan_description)
    ]
    plan_level = [b for b in status if not b.service_types or "30" in b.service_types]
    return (plan_level or status or [None])[0]


def _plan_dates(*members: Member | None) -> tuple[date | None, date | None]:
    """Plan begin/end from DTP 346/347, else a 291 plan range, else eligibility 356/357/307."""
    for member in members:
        if member is None:
            continue
        dates = member.dates
        begin = _first_date(dates, "346") or _first_date(dates, "356")
        end = _first_date(dates, "347") or _first_date(dates, "357")
        for ranged in ("291", "307"):
            if ranged in dates and dates[ranged][1] is not None:
                begin, end = begin or dates[ranged][0], end or dates[ranged][1]
        if begin or end:
            return begin, end
    return None, None


def _first_date(dates: dict[str, tuple[date, date | None]], qualifier: str) -> date | None:
    """The (start) date for `qualifier`, if the member has it."""
    return dates[qualifier][0] if qualifier in dates else None


def _group_number(patient: Member | None, subscriber: Member | None) -> str | None:
    """The patient's own group number, else the subscriber's."""
    for member in (patient, subscriber):
        if member is not None and member.group_number:
            return member.group_number
    return None


def _payer_reference(patient: Member | None, subscriber: Member | None) -> str | None:
    """The payer's own trace (TRN01 = 1, current transaction) for quoting on the phone."""
    for member in (patient, subscriber):
        for trace in member.trace_numbers if member else ():
            if trace.type_code == "1":
                return trace.reference
    return None


def _rejection_text(rejection: Rejection) -> str:
    """'Subscriber: Invalid/Missing Subscriber/Insured ID (AAA 72). Please Correct and
    Resubmit.'"""
    text = f"{rejection.level.capitalize()}: {rejection.reason} (AAA {rejection.code})."
    if rejection.follow_up:
        text += f" {rejection.follow_up}."
    elif rejection.follow_up_code:
        text += f" Follow-up code {rejection.follow_up_code}."
    return text


def _percent(fraction: Decimal) -> Decimal:
    """EB08 0.2 -> 20; whole percents without a trailing '.0'."""
    value = fraction * 100
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
