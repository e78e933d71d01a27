"""Recommended level of care from the six ASAM dimension ratings, and "detox at a partner hospital first".

Sources: DOMAIN.md Part 1 ("Levels of care": high-dose long-acting opioids, a very high MME
load, or cardiac or respiratory complications mean detox first at a partner hospital; residential
fits when home tapers failed, pain derails outpatient progress or the home makes recovery hard),
Part 2 section 1 (ASAM dimensions and levels by edition; each dimension rated 0-4), section 2
(COWS bands) and section 3.2 (MME thresholds). ASAM's own decision rules are not public; the
level rules below are the program's, written as one table and shown to the clinician as
reasons. The output is a recommendation for a clinician to accept or overrule, never a decision.

Dimension numbers mean different things by edition (4th: readiness moved into Dimension 6, and
Dimensions 4 and 5 became substance-use risks and the recovery environment), so the rules work on
what a dimension is about (its "role"), looked up by edition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from coordinator.domain.intake import Substance
from coordinator.rules.asam import FOURTH, LEVELS, THIRD, check_program_level
from coordinator.rules.cows import MAX_TOTAL, cows_band
from coordinator.rules.errors import InvalidValue, UnknownKey, shown
from coordinator.rules.medical_flags import FLAG_REASONS, MedicalFlag, high_mme_reason, overdose_reason
from coordinator.rules.placement_thresholds import (
    PlacementThresholds,
    nonnegative_decimal,
)

RESIDENTIAL, PHP, IOP, VIRTUAL_IOP = "residential", "php", "iop", "virtual_iop"
LEVELS_OF_CARE = (RESIDENTIAL, PHP, IOP, VIRTUAL_IOP)  # most intensive first

# What each dimension is about, whatever its number in an edition.
WITHDRAWAL, BIOMEDICAL, PSYCHIATRIC, READINESS, RELAPSE, ENVIRONMENT = (
    "withdrawal",
    "biomedical",
    "psychiatric",
    "readiness",
    "relapse",
    "environment",
)
DIMENSIONS: dict[str, dict[int, tuple[str, str]]] = {
    THIRD: {
        1: (WITHDRAWAL, "Acute Intoxication and/or Withdrawal Potential"),
        2: (BIOMEDICAL, "Biomedical Conditions and Complications"),
        3: (PSYCHIATRIC, "Emotional, Behavioral, or Cognitive Conditions and Complications"),
        4: (READINESS, "Readiness to Change"),
        5: (RELAPSE, "Relapse, Continued Use, or Continued Problem Potential"),
        6: (ENVIRONMENT, "Recovery/Living Environment"),
    },
    FOURTH: {
        1: (WITHDRAWAL, "Intoxication, Withdrawal, and Addiction Medications"),
        2: (BIOMEDICAL, "Biomedical Conditions"),
        3: (PSYCHIATRIC, "Psychiatric and Cognitive Conditions"),
        4: (RELAPSE, "Substance Use-Related Risks"),
        5: (ENVIRONMENT, "Recovery Environment Interactions"),
        6: (READINESS, "Person-Centered Considerations"),
    },
}
MAX_RATING = 4

# The program's level rules, most intensive level first: (level, dimension role, lowest rating
# that calls for it, why). The recommendation is the first level with a matching rule; every
# matching rule of that level is given as a reason. No match at all means virtual IOP.
LEVEL_RULES: tuple[tuple[str, str, int, str], ...] = (
    (RESIDENTIAL, WITHDRAWAL, 3, "withdrawal needs 24-hour medical monitoring"),
    (RESIDENTIAL, BIOMEDICAL, 3, "medical problems need 24-hour nursing and medical monitoring"),
    (RESIDENTIAL, PSYCHIATRIC, 3, "psychiatric or cognitive problems need 24-hour structure"),
    (RESIDENTIAL, RELAPSE, 3, "continued use is likely without 24-hour structure (e.g. failed home tapers)"),
    (RESIDENTIAL, ENVIRONMENT, 3, "the home makes structured recovery hard"),
    (PHP, WITHDRAWAL, 2, "withdrawal needs daily clinical monitoring"),
    (PHP, BIOMEDICAL, 2, "medical problems need daily medical contact"),
    (PHP, PSYCHIATRIC, 2, "psychiatric problems need daily clinical contact"),
    (PHP, RELAPSE, 2, "relapse risk needs 20 or more hours a week of programme"),
    (PHP, ENVIRONMENT, 2, "the home needs to be balanced by most of the day in programme"),
    (PHP, READINESS, 3, "engagement needs daily motivational work"),
    (IOP, ENVIRONMENT, 1, "some problems at home: meet in person rather than by video"),
    (IOP, READINESS, 2, "ambivalence about treatment: meet in person rather than by video"),
)
VIRTUAL_IOP_REASON = (
    "Every dimension rated 0 or 1 and a supportive home (recovery environment 0): "
    "intensive outpatient hours can be delivered by video."
)
# Residential is 3.7 (medically monitored/managed) when the 24-hour need is medical or
# psychiatric, else 3.5 (clinically managed); DOMAIN.md 1.4 maps the service lines.
MEDICAL_ROLES = (WITHDRAWAL, BIOMEDICAL, PSYCHIATRIC)
ASAM_LEVEL = {PHP: "2.5", IOP: "2.1", VIRTUAL_IOP: "2.1"}

CO_USE_FLAGS = {Substance.BENZODIAZEPINES.value: "benzodiazepine", Substance.ALCOHOL.value: "alcohol"}


@dataclass(frozen=True)
class PlacementFacts:
    """What the recommendation is made from: the six ratings and what intake already knows."""

    ratings: Mapping[int, int]  # ASAM dimension 1..6 -> risk rating 0..4, all six required
    cows_score: int | None = None
    mme_per_day: Decimal | None = None
    long_acting_opioid: bool = False
    medical_flags: frozenset[str] = frozenset()  # rules.medical_flags.MedicalFlag values
    co_use: frozenset[str] = frozenset()  # domain.intake.Substance values, e.g. "benzodiazepines"
    pregnant: bool = False
    prior_complicated_withdrawal: bool = False
    recent_overdose: bool = False


@dataclass(frozen=True)
class Recommendation:
    """The recommended level (in one ASAM edition), whether to detox first and every reason why."""

    level_of_care: str  # "residential", "php", "iop" or "virtual_iop"
    asam_level: str
    edition: str
    detox_first: bool
    detox_reasons: tuple[str, ...]  # one per reason, in DETOX_ORDER
    reasons: tuple[str, ...]  # why this level
    thresholds: PlacementThresholds
    detox_reason_codes: tuple[str, ...] = ()  # the codes of detox_reasons, same order
    not_checked: tuple[str, ...] = field(default=())  # facts not known, so their reasons were not checked


# Stable order of the detox reasons (codes), as listed in the issue.
DETOX_ORDER = (
    "cows",
    "very_high_mme",
    "high_dose_long_acting",
    MedicalFlag.CARDIAC_DISEASE.value,
    MedicalFlag.RESPIRATORY_DISEASE.value,
    "benzodiazepine",
    "alcohol",
    "complicated_withdrawal",
    "pregnancy",
    "recent_overdose",
    "dimension_1_rated_4",
    "dimension_2_rated_4",
)


def dimension_name(edition: str, dimension: int) -> str:
    """The dimension's name in its edition, e.g. (FOURTH, 6) -> "Person-Centered Considerations"."""
    _check_edition(edition)
    if dimension not in DIMENSIONS[edition]:
        raise InvalidValue("dimension", "ASAM dimensions are numbered 1 to 6.")
    return DIMENSIONS[edition][dimension][1]


def recommend(facts: PlacementFacts, edition: str, thresholds: PlacementThresholds | None = None) -> Recommendation:
    """The level of care the rules recommend and whether to detox at the partner hospital first."""
    _check_edition(edition)
    thresholds = thresholds if thresholds is not None else PlacementThresholds.defaults()
    ratings = _ratings(facts.ratings)
    by_role = {DIMENSIONS[edition][n][0]: (n, rating) for n, rating in ratings.items()}
    detox = _detox_reasons(facts, ratings, thresholds)
    level, reasons = _level(by_role, edition)
    if level == RESIDENTIAL:
        medical = any(by_role[role][1] >= 3 for role in MEDICAL_ROLES)
        asam_level = "3.7" if medical else "3.5"
    else:
        asam_level = ASAM_LEVEL[level]
    check_program_level(level, edition, asam_level)  # never a level of the other edition
    if detox:
        reasons = ("Detox at the partner hospital first; this is the level to transfer into afterwards.", *reasons)
    return Recommendation(
        level_of_care=level,
        asam_level=asam_level,
        edition=edition,
        detox_first=bool(detox),
        detox_reasons=tuple(message for _, message in detox),
        reasons=reasons,
        thresholds=thresholds,
        detox_reason_codes=tuple(code for code, _ in detox),
        not_checked=_not_checked(facts),
    )


def _level(by_role: Mapping[str, tuple[int, int]], edition: str) -> tuple[str, tuple[str, ...]]:
    for level in (RESIDENTIAL, PHP, IOP):
        matched = [
            f"Dimension {by_role[role][0]} ({DIMENSIONS[edition][by_role[role][0]][1]}) rated "
            f"{by_role[role][1]}: {why}."
            for rule_level, role, lowest, why in LEVEL_RULES
            if rule_level == level and by_role[role][1] >= lowest
        ]
        if matched:
            return level, tuple(matched)
    return VIRTUAL_IOP, (VIRTUAL_IOP_REASON,)


def _detox_reasons(facts: PlacementFacts, ratings: Mapping[int, int], t: PlacementThresholds) -> list[tuple[str, str]]:
    flags = _medical_flags(facts.medical_flags)
    co_use = _co_use(facts.co_use)
    cows = _cows(facts.cows_score)
    mme = None if facts.mme_per_day is None else nonnegative_decimal(facts.mme_per_day, "mme_per_day", "The MME/day")
    long_acting = _flag(facts.long_acting_opioid, "long_acting_opioid")
    complicated = _flag(facts.prior_complicated_withdrawal, "prior_complicated_withdrawal")
    pregnant = _flag(facts.pregnant, "pregnant")
    overdose = _flag(facts.recent_overdose, "recent_overdose")
    found: dict[str, str] = {}
    if cows is not None and cows >= t.detox_cows_score:
        found["cows"] = (
            f"COWS {cows} ({cows_band(cows).label}): withdrawal at or above the clinic's threshold of "
            f"{t.detox_cows_score}"
        )
    if mme is not None and mme >= t.very_high_mme:
        found["very_high_mme"] = high_mme_reason(mme, t.very_high_mme)
    if mme is not None and long_acting and mme >= t.high_dose_long_acting_mme:
        found["high_dose_long_acting"] = (
            f"High-dose long-acting opioid: {mme} MME/day, at or above the clinic's threshold of {t.high_dose_long_acting_mme}"
        )
    # The reasons a medical flag raises are worded once, in rules/medical_flags (FLAG_REASONS).
    if MedicalFlag.CARDIAC_DISEASE in flags:
        found[MedicalFlag.CARDIAC_DISEASE.value] = FLAG_REASONS[MedicalFlag.CARDIAC_DISEASE]
    if MedicalFlag.RESPIRATORY_DISEASE in flags:
        found[MedicalFlag.RESPIRATORY_DISEASE.value] = FLAG_REASONS[MedicalFlag.RESPIRATORY_DISEASE]
    if MedicalFlag.BENZODIAZEPINE_USE in flags or "benzodiazepine" in co_use:
        found["benzodiazepine"] = FLAG_REASONS[MedicalFlag.BENZODIAZEPINE_USE]
    if MedicalFlag.ALCOHOL_USE in flags or "alcohol" in co_use:
        found["alcohol"] = FLAG_REASONS[MedicalFlag.ALCOHOL_USE]
    if complicated or MedicalFlag.COMPLICATED_WITHDRAWAL_HISTORY in flags:
        found["complicated_withdrawal"] = FLAG_REASONS[MedicalFlag.COMPLICATED_WITHDRAWAL_HISTORY]
    if pregnant or MedicalFlag.PREGNANCY in flags:
        found["pregnancy"] = FLAG_REASONS[MedicalFlag.PREGNANCY]
    if overdose or MedicalFlag.RECENT_OVERDOSE in flags:
        found["recent_overdose"] = overdose_reason(t.recent_overdose_months)
    if ratings[1] == MAX_RATING:
        found["dimension_1_rated_4"] = (
            "ASAM Dimension 1 rated 4: withdrawal needs medically managed intensive inpatient care"
        )
    if ratings[2] == MAX_RATING:
        found["dimension_2_rated_4"] = (
            "ASAM Dimension 2 rated 4: medical problems need medically managed intensive inpatient care"
        )
    return [(code, found[code]) for code in DETOX_ORDER if code in found]


def _not_checked(facts: PlacementFacts) -> tuple[str, ...]:
    missing = []
    if facts.cows_score is None:
        missing.append("No COWS score recorded: withdrawal severity was not checked.")
    if facts.mme_per_day is None:
        missing.append("No MME/day recorded: the opioid load and high-dose long-acting reasons were not checked.")
    return tuple(missing)


def _check_edition(edition: object) -> None:
    if not isinstance(edition, str) or edition not in LEVELS:
        raise InvalidValue("asam_edition", "Choose the ASAM Criteria edition (3rd, 2013 or 4th, 2023).")


def _ratings(ratings: object) -> dict[int, int]:
    if not isinstance(ratings, Mapping):
        raise InvalidValue("ratings", "Rate each of the six ASAM dimensions from 0 to 4.")
    for key in ratings:
        if isinstance(key, bool) or not isinstance(key, int) or not 1 <= key <= 6:
            raise InvalidValue("ratings", f"{shown(key)} is not an ASAM dimension; they are numbered 1 to 6.")
    checked = {}
    for number in range(1, 7):
        if number not in ratings:
            raise InvalidValue(f"dimension_{number}", f"Dimension {number}: rate it from 0 to 4.")
        value = ratings[number]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RATING:
            raise InvalidValue(
                f"dimension_{number}", f"Dimension {number}: {shown(value)} is not a rating; choose 0 to 4."
            )
        checked[number] = value
    return checked


def _cows(score: object) -> int | None:
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= MAX_TOTAL:
        raise InvalidValue("cows_score", f"A COWS total must be a whole number from 0 to {MAX_TOTAL}.")
    return score


def _medical_flags(flags: object) -> set[MedicalFlag]:
    if isinstance(flags, (str, bytes)) or not isinstance(flags, (set, frozenset, list, tuple)):
        raise InvalidValue("medical_flags", "Give the medical flags as a set of options.")
    chosen = {MedicalFlag.parse(flag) for flag in flags}
    if None in chosen:
        unknown = sorted(shown(f) for f in flags if MedicalFlag.parse(f) is None)
        raise UnknownKey("medical_flags", f"Unknown medical flags: {', '.join(unknown[:5])}.")
    return chosen  # type: ignore[return-value]


def _co_use(substances: object) -> set[str]:
    if isinstance(substances, (str, bytes)) or not isinstance(substances, (set, frozenset, list, tuple)):
        raise InvalidValue("co_use", "Give the substances used alongside opioids as a set of options.")
    unknown = sorted(shown(s) for s in substances if Substance.parse(s) is None)
    if unknown:
        raise UnknownKey("co_use", f"Unknown substances: {', '.join(unknown[:5])}.")
    return {CO_USE_FLAGS[s] for s in substances if s in CO_USE_FLAGS}


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(name, "Answer yes or no.")
    return value
