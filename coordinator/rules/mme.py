"""Morphine milligram equivalents per day with the CDC 2022 conversion factors only.

Source: CDC 2022 Clinical Practice Guideline (MMWR 2022;71(RR-3)), DOMAIN.md Part 2, 3.1-3.2.
The 2016/CMS factors (hydromorphone 4, methadone tiers 4/8/10/12, tramadol 0.1) are deliberately
absent. Medication for opioid use disorder is excluded from the total, as CDC and ASAM direct.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType

from coordinator.rules.errors import InvalidValue, MissingValue, RuleError, UnknownKey, raise_collected, shown

MG, MCG, MCG_PER_HR = "mg", "mcg", "mcg/hr"
MAX_DOSES_PER_DAY = 24
# Doses are stored to the thousandth (0.075 mg buprenorphine film); finer is a typo, and a value
# that rounds to 0.000 would break the "dose > 0" rule on the stored row.
DOSE_DECIMAL_PLACES = 3
BUPRENORPHINE_REASON = "buprenorphine is left out of the CDC 2022 MME table (partial agonist)"
MOUD_REASON = "MME thresholds do not apply to medication for opioid use disorder"
NALTREXONE_REASON = "naltrexone is not an opioid agonist (it blocks opioid receptors): no MME"


class Purpose(StrEnum):
    """Why the medicine is taken; only MOUD drugs may be marked for opioid use disorder."""

    PAIN = "pain"
    OUD = "oud"


@dataclass(frozen=True)
class Drug:
    """A catalogue entry; `factor` is None for drugs that never count toward MME."""

    key: str
    name: str
    route: str
    factor: Decimal | None
    units: tuple[str, ...]
    # Absurdity limit per unit for one dose (or patch strength), not a clinical maximum: at least
    # ten times the largest single-unit US strength (noted per drug); catches typos and unit mix-ups.
    dose_limits: Mapping[str, Decimal]
    exclusion_reason: str | None = None
    moud: bool = False


def _drug(key, name, route, factor, limits, reason=None, moud=False) -> Drug:
    limits = MappingProxyType({unit: Decimal(n) for unit, n in limits.items()})
    return Drug(key, name, route, Decimal(factor) if factor else None, tuple(limits), limits, reason, moud)


DRUGS: tuple[Drug, ...] = (
    _drug("codeine", "Codeine", "oral", "0.15", {MG: 1000}),  # largest tablet 60 mg
    _drug(
        "fentanyl_transdermal", "Fentanyl transdermal patch", "transdermal", "2.4", {MCG_PER_HR: 1000}
    ),  # largest patch 100 mcg/hr
    _drug("hydrocodone", "Hydrocodone", "oral", "1", {MG: 1500}),  # largest ER tablet 120 mg
    _drug("hydromorphone", "Hydromorphone", "oral", "5", {MG: 500}),  # largest ER tablet 32 mg
    # One flat factor (CDC 2022 dropped the 2016 dose tiers); excluded when purpose is OUD.
    _drug("methadone", "Methadone", "oral", "4.7", {MG: 1000}, moud=True),  # 40 mg dispersible
    _drug("morphine", "Morphine", "oral", "1", {MG: 2000}),  # largest ER tablet 200 mg
    _drug("oxycodone", "Oxycodone", "oral", "1.5", {MG: 1000}),  # largest ER tablet 80 mg
    _drug("oxymorphone", "Oxymorphone", "oral", "3", {MG: 500}),  # largest ER tablet 40 mg
    _drug("tapentadol", "Tapentadol", "oral", "0.4", {MG: 2500}),  # largest ER tablet 250 mg
    _drug("tramadol", "Tramadol", "oral", "0.2", {MG: 3000}),  # largest ER tablet 300 mg
    # 300 mg monthly injection, 900 mcg buccal film, 20 mcg/hr patch
    _drug(
        "buprenorphine",
        "Buprenorphine (any form)",
        "sublingual, buccal, transdermal or injection",
        None,
        {MG: 3000, MCG: 10000, MCG_PER_HR: 1000},
        BUPRENORPHINE_REASON,
        moud=True,
    ),
    _drug(
        "buprenorphine_naloxone",
        "Buprenorphine/naloxone",
        "sublingual",
        None,
        {MG: 1000},
        BUPRENORPHINE_REASON,
        moud=True,
    ),  # largest film 12 mg buprenorphine
    _drug(
        "naltrexone",
        "Naltrexone (oral or injection)",
        "oral or injection",
        None,
        {MG: 4000},
        NALTREXONE_REASON,
        moud=True,
    ),  # 380 mg monthly injection
)
DRUGS_BY_KEY: dict[str, Drug] = {d.key: d for d in DRUGS}


@dataclass(frozen=True)
class MmeFlag:
    """A dose threshold reached, labelled by its source rather than a red/green verdict."""

    code: str
    threshold: Decimal
    message: str
    source: str


THRESHOLD_FLAGS: tuple[MmeFlag, ...] = (
    MmeFlag(
        "cdc2022_50",
        Decimal(50),
        "CDC 2022: pause and carefully reassess before increasing; offer naloxone",
        "CDC 2022 Clinical Practice Guideline",
    ),
    MmeFlag(
        "cdc2016_90",
        Decimal(90),
        "2016 CDC guideline / common payer threshold",
        "CDC 2016 Guideline for Prescribing Opioids for Chronic Pain (superseded in 2022); "
        "still used by many states and payers",
    ),
)
# The cautions CDC prints with the table; show them wherever the number is shown.
CAUTIONS = (
    "MME estimates overdose risk; never use it to convert one opioid to another.",
    "Methadone (long, variable half-life) and transdermal fentanyl (factor per mcg/hr of patch "
    "strength) need special care.",
)


@dataclass(frozen=True)
class RegimenLine:
    """One medicine as taken; construction normalises it or raises every field problem at once."""

    drug: str
    dose: Decimal
    unit: str
    doses_per_day: int | None = None
    purpose: Purpose = Purpose.PAIN

    def __post_init__(self) -> None:
        for name, value in zip(_LINE_FIELDS, _validate(self), strict=True):
            object.__setattr__(self, name, value)


_LINE_FIELDS = ("drug", "dose", "unit", "doses_per_day", "purpose")


@dataclass(frozen=True)
class MmeLine:
    """A counted line: daily amount (mg/day, or mcg/hr for a patch) x CDC 2022 factor."""

    index: int
    drug: str
    name: str
    daily_dose: Decimal
    daily_dose_unit: str
    factor: Decimal
    mme_per_day: Decimal


@dataclass(frozen=True)
class ExcludedLine:
    """A line left out of the total, with the reason to show."""

    index: int
    drug: str
    name: str
    reason: str


@dataclass(frozen=True)
class MmeResult:
    """Per-line MME, exclusions, the rounded total and the thresholds it reaches."""

    lines: tuple[MmeLine, ...]
    excluded: tuple[ExcludedLine, ...]
    total_mme_per_day: Decimal
    flags: tuple[MmeFlag, ...]
    cautions: tuple[str, ...] = CAUTIONS


def calculate_mme(lines: Iterable[RegimenLine | Mapping[str, object]], *, field_prefix: str = "lines") -> MmeResult:
    """Total MME/day of a regimen; errors in mapping lines name `{prefix}-{i}-{field}`."""
    if isinstance(lines, (str, bytes, Mapping)) or not isinstance(lines, Iterable):
        raise InvalidValue(field_prefix, "Enter the medicines as a list of lines.")
    regimen, problems = [], []
    for i, item in enumerate(lines):
        try:
            if isinstance(item, Mapping):  # whitelisted: extra posted keys are ignored
                item = RegimenLine(**{name: item.get(name) for name in _LINE_FIELDS})
            elif not isinstance(item, RegimenLine):
                raise InvalidValue("drug", f"Medicine line {i + 1} is not a set of fields.")
            regimen.append(item)
        except RuleError as err:
            problems += [type(e)(f"{field_prefix}-{i}-{e.field}", e.message) for e in getattr(err, "problems", (err,))]
    raise_collected(problems)
    counted, excluded, exact_total = [], [], Decimal(0)
    for i, line in enumerate(regimen):
        drug = DRUGS_BY_KEY[line.drug]
        if reason := _exclusion_reason(drug, line.purpose):
            excluded.append(ExcludedLine(i, drug.key, drug.name, reason))
            continue
        patch = line.unit == MCG_PER_HR
        daily = line.dose if patch else line.dose * line.doses_per_day
        exact_total += daily * drug.factor
        counted.append(
            MmeLine(
                i,
                drug.key,
                drug.name,
                daily,
                MCG_PER_HR if patch else "mg/day",
                drug.factor,
                _round(daily * drug.factor),
            )
        )
    # Round once from exact line values; flags use the rounded total so they match the number shown.
    total = _round(exact_total)
    return MmeResult(tuple(counted), tuple(excluded), total, threshold_flags(total))


def threshold_flags(total_mme_per_day: Decimal) -> tuple[MmeFlag, ...]:
    """The dose thresholds a (rounded) MME/day total reaches, e.g. one stored on a record."""
    return tuple(f for f in THRESHOLD_FLAGS if total_mme_per_day >= f.threshold)


def _exclusion_reason(drug: Drug, purpose: Purpose | None) -> str | None:
    moud = MOUD_REASON if purpose == Purpose.OUD and drug.key != "naltrexone" else None
    return "; ".join(r for r in (drug.exclusion_reason, moud) if r) or None


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _text(value: object) -> object:
    return (value.strip() or None) if isinstance(value, str) else value  # blank input -> None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, str)):
        return None
    try:  # str() first so a float such as 0.1 becomes Decimal("0.1"), not its binary expansion.
        number = Decimal(str(value)) + 0  # adding 0 writes "1e2" as 100, not 1E+2
    except ArithmeticError:  # InvalidOperation for "abc", Overflow for "1e9999999"
        return None
    return number if number.is_finite() else None


def _decimal_places(number: Decimal) -> int:
    # From the digit tuple, not quantize(): that raises on values wider than the context precision.
    _, digits, exponent = number.as_tuple()
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:  # 10.500 has one place, not three
        digits, exponent = digits[:-1], exponent + 1
    return max(0, -exponent)


def _validate(line: RegimenLine) -> tuple:
    errs: list[RuleError] = []
    key, unit, purpose = _text(line.drug), _text(line.unit), _text(line.purpose) or Purpose.PAIN
    drug = DRUGS_BY_KEY.get(key) if isinstance(key, str) else None
    if drug is None:
        errs.append(
            MissingValue("drug", "Choose the medicine.")
            if key is None
            else UnknownKey(
                "drug",
                f"Unknown medicine {shown(line.drug)}: no CDC 2022 factor. "
                f"Choose one of: {', '.join(d.name for d in DRUGS)}.",
            )
        )
    if purpose not in tuple(Purpose) or (purpose == Purpose.OUD and drug and not drug.moud):
        errs.append(
            InvalidValue(
                "purpose",
                "Only methadone, buprenorphine and naltrexone can be marked as medication for opioid use disorder.",
            )
        )
    purpose = Purpose(purpose) if purpose in tuple(Purpose) else None
    unit = unit.lower() if isinstance(unit, str) else unit
    if unit is None:
        errs.append(MissingValue("unit", "Choose the unit of the dose."))
    elif drug and unit not in drug.units:
        errs.append(
            InvalidValue("unit", f"{drug.name} is entered in {' or '.join(drug.units)}, not {shown(line.unit)}.")
        )
        unit = None
    raw_dose = _text(line.dose)
    dose = _decimal(raw_dose)
    if dose is None or dose <= 0:
        errs.append(
            MissingValue("dose", "Enter the dose.")
            if raw_dose is None
            else InvalidValue("dose", f"The dose must be a number more than 0, not {shown(line.dose)}.")
        )
    elif drug and unit and dose > drug.dose_limits[unit]:
        errs.append(
            InvalidValue(
                "dose",
                f"{dose} {unit} is not a plausible single dose of {drug.name} "
                f"(limit {drug.dose_limits[unit]} {unit}); check the amount "
                "and the unit.",
            )
        )
    elif _decimal_places(dose) > DOSE_DECIMAL_PLACES:
        errs.append(
            InvalidValue(
                "dose", f"Enter the dose with at most {DOSE_DECIMAL_PLACES} decimal places (for example 0.075)."
            )
        )
    per_day = _text(line.doses_per_day)
    # A long digit string is not a count (and int() refuses more than 4300 digits).
    per_day = int(per_day) if isinstance(per_day, str) and per_day.isdecimal() and len(per_day) <= 6 else per_day
    if unit == MCG_PER_HR:
        if per_day is not None:
            errs.append(
                InvalidValue(
                    "doses_per_day",
                    "Leave doses per day blank for a patch: its "
                    "mcg/hr strength covers the whole day. Add one line per patch.",
                )
            )
    elif per_day is None:
        # Excluded medicines (e.g. a monthly injection) need no daily count.
        if drug and unit and not _exclusion_reason(drug, purpose):
            errs.append(MissingValue("doses_per_day", "Enter how many doses are taken per day."))
    elif isinstance(per_day, bool) or not isinstance(per_day, int) or not 1 <= per_day <= MAX_DOSES_PER_DAY:
        errs.append(
            InvalidValue(
                "doses_per_day",
                f"Doses per day must be a whole number from 1 to {MAX_DOSES_PER_DAY}, not {shown(line.doses_per_day)}.",
            )
        )
    raise_collected(errs)
    return drug.key, dose, unit, per_day, purpose
