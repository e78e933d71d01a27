"""One service line's LineDraft: the facts each EB offers for its fields (by EB01), the precedence
that chooses among them, and the notes on EBs no field could hold. The rules are described in
`mapping`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from coordinator.x12.codes import ACTIVE_CODES, INACTIVE_CODES, SERVICE_TYPES, TIME_PERIODS, label
from coordinator.x12.results import Benefit
from coordinator.x12.service_lines import LINE_SOURCES, TIER_RANK, Notes, percent, provenance, tier_of

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


def line_draft(line: str, benefits: list[Benefit], notes: Notes) -> LineDraft:
    """Collect every fact for `line`, then choose each field by precedence."""
    facts = [
        fact
        for benefit in benefits
        if (tier := tier_of(line, benefit)) is not None
        for fact in _facts(benefit, TIER_RANK[tier])
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
    return [("coinsurance_percent", percent(benefit.percent))]


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

    def __init__(self, line: str, facts: list[_Fact], notes: Notes) -> None:
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


def note_benefits(benefits: Iterable[Benefit], notes: Notes) -> None:
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
