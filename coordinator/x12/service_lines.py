"""The service lines of a verification, which EB03 service types feed each of them and through
which tier (`LINE_SOURCES`, `tier_of`), `provenance` (the short reading of an EB that notes and
sources quote) and the notes collected while mapping. The rules are described in `mapping`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from coordinator.x12.codes import QUANTITY_QUALIFIERS, TIME_PERIODS, label
from coordinator.x12.results import Benefit

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

TIER_RANK = {SPECIFIC: 0, GENERAL: 1, PLAN: 2}


@dataclass
class Notes:
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
        parts.append(f"{percent(benefit.percent)}%")
    if benefit.quantity is not None:
        unit = label(QUANTITY_QUALIFIERS, benefit.quantity_qualifier) or benefit.quantity_qualifier
        parts.append(f"{benefit.quantity} {unit or ''}".strip())
    parts.append({"Y": "in network", "N": "out of network"}.get(benefit.in_network or ""))
    parts.append({"Y": "authorization required", "N": "no authorization required"}.get(benefit.auth_required or ""))
    return " ".join(part for part in parts if part)


def percent(fraction: Decimal) -> Decimal:
    """EB08 0.2 -> 20; whole percents without a trailing '.0'."""
    value = fraction * 100
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
