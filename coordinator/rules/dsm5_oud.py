"""DSM-5 opioid use disorder: criteria count, severity and the dependence-versus-disorder signs.

Sources: DOMAIN.md Part 1 (behaviours that separate physical dependence from OUD; tolerance and
withdrawal do not count when opioids are taken as prescribed under medical supervision) and
Part 2 sections 3.3 (severity 2-3 mild, 4-5 moderate, 6+ severe) and 7.3 (DSM-5 to ICD-10-CM
crosswalk: mild -> F11.1x, moderate/severe -> F11.2x). The result supports, and never replaces,
the clinician's diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.errors import InvalidValue
from coordinator.rules.scoring import parse_choices


class OudCriterion(LabelledStrEnum):
    """The 11 DSM-5 opioid use disorder criteria, in DSM order, keyed by stable strings."""

    LARGER_AMOUNTS = "larger_amounts", "Takes opioids in larger amounts or for longer than intended"
    PERSISTENT_DESIRE_TO_CUT_DOWN = (
        "persistent_desire_to_cut_down",
        "Wants to cut down or control use, or has tried and failed",
    )
    TIME_SPENT = "time_spent", "Spends a lot of time getting, using or recovering from opioids"
    CRAVING = "craving", "Craving: a strong desire or urge to use opioids"
    ROLE_FAILURE = "role_failure", "Use keeps getting in the way of duties at work, school or home"
    SOCIAL_PROBLEMS = (
        "social_problems",
        "Keeps using despite relationship or social problems caused or worsened by opioids",
    )
    ACTIVITIES_GIVEN_UP = "activities_given_up", "Has given up or cut back important work, social or leisure activities"
    HAZARDOUS_USE = "hazardous_use", "Uses again and again in physically dangerous situations (e.g. driving)"
    CONTINUED_DESPITE_PROBLEMS = (
        "continued_despite_problems",
        "Keeps using despite knowing of a physical or mental problem opioids cause or worsen",
    )
    TOLERANCE = (
        "tolerance",
        "Tolerance: needs much more for the same effect, or gets much less effect from the same amount",
    )
    WITHDRAWAL = "withdrawal", "Withdrawal: has withdrawal symptoms, or takes opioids to relieve or avoid them"


# DSM-5 does not count these two when the opioid is taken as prescribed under supervision:
# they are the expected physiology of daily opioid therapy, not a disorder.
PHYSIOLOGICAL_CRITERIA = frozenset({OudCriterion.TOLERANCE, OudCriterion.WITHDRAWAL})

SUPERVISION_EXCLUSION_REASON = (
    "Not counted: DSM-5 does not count tolerance or withdrawal when opioids are taken "
    "as prescribed under medical supervision (expected physical dependence)."
)

CLINICIAN_NOTE = (
    "Screening aid only: DSM-5 requires the criteria within a 12-month period and clinically "
    "significant impairment or distress; the diagnosis and code are the clinician's decision."
)


class OudSeverity(LabelledStrEnum):
    """DSM-5 severity from the number of criteria counted."""

    NONE = "none", "Below the diagnostic threshold (0-1 criteria)"
    MILD = "mild", "Mild (2-3 criteria)"
    MODERATE = "moderate", "Moderate (4-5 criteria)"
    SEVERE = "severe", "Severe (6 or more criteria)"


_ICD10_FAMILY = {
    OudSeverity.NONE: None,
    OudSeverity.MILD: "F11.1x",
    OudSeverity.MODERATE: "F11.2x",
    OudSeverity.SEVERE: "F11.2x",
}

_ICD10_NOTE = {
    "F11.1x": "Suggested for the clinician: F11.1x (opioid abuse); the final digits depend on "
    "remission, intoxication and withdrawal (e.g. F11.10 uncomplicated, F11.13 with withdrawal).",
    "F11.2x": "Suggested for the clinician: F11.2x (opioid dependence); the final digits depend on "
    "remission, intoxication and withdrawal (e.g. F11.20 uncomplicated, F11.23 with withdrawal).",
}


@dataclass(frozen=True)
class ExcludedCriterion:
    """A criterion that was reported but not counted, with the reason."""

    criterion: OudCriterion
    reason: str


@dataclass(frozen=True)
class OudAssessment:
    """Result of counting DSM-5 OUD criteria."""

    criteria_counted: tuple[OudCriterion, ...]
    criteria_excluded: tuple[ExcludedCriterion, ...]
    count: int
    severity: OudSeverity
    icd10_family: str | None
    icd10_note: str | None
    clinician_note: str = CLINICIAN_NOTE


def severity_for_count(count: int) -> OudSeverity:
    """Map a number of counted criteria (0-11) to DSM-5 severity."""
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= len(OudCriterion):
        raise InvalidValue("count", f"The number of criteria must be a whole number from 0 to {len(OudCriterion)}.")
    if count >= 6:
        return OudSeverity.SEVERE
    if count >= 4:
        return OudSeverity.MODERATE
    if count >= 2:
        return OudSeverity.MILD
    return OudSeverity.NONE


def assess_oud(criteria_met: Iterable[str], *, taken_as_prescribed_under_supervision: bool) -> OudAssessment:
    """Count the DSM-5 criteria met, apply the supervision exclusion and grade severity."""
    if not isinstance(taken_as_prescribed_under_supervision, bool):
        raise InvalidValue(
            "taken_as_prescribed_under_supervision",
            "Say whether the opioid is taken as prescribed under medical supervision (yes or no).",
        )
    met = parse_choices(criteria_met, OudCriterion, "criteria", "DSM-5 criteria")
    excluded = tuple(
        ExcludedCriterion(c, SUPERVISION_EXCLUSION_REASON)
        for c in met
        if taken_as_prescribed_under_supervision and c in PHYSIOLOGICAL_CRITERIA
    )
    skipped = {e.criterion for e in excluded}
    counted = tuple(c for c in met if c not in skipped)
    severity = severity_for_count(len(counted))
    family = _ICD10_FAMILY[severity]
    return OudAssessment(
        criteria_counted=counted,
        criteria_excluded=excluded,
        count=len(counted),
        severity=severity,
        icd10_family=family,
        icd10_note=_ICD10_NOTE.get(family) if family else None,
    )


class OudBehaviour(LabelledStrEnum):
    """Behaviours that point to a use disorder rather than expected physical dependence."""

    MORE_THAN_PRESCRIBED = "more_than_prescribed", "Takes more than prescribed"
    CRAVINGS_BETWEEN_DOSES = "cravings_between_doses", "Has cravings between doses"
    EARLY_REFILLS = "early_refills", "Runs out early or asks for early refills"
    LOST_PRESCRIPTIONS = "lost_prescriptions", "Reports lost prescriptions"
    MULTIPLE_PRESCRIBERS = "multiple_prescribers", "Gets opioids from several prescribers"
    USE_FOR_MOOD_OR_SLEEP = "use_for_mood_or_sleep", "Uses opioids for mood or sleep rather than pain"
    HIDING_USE = "hiding_use", "Hides use from family"
    CONTINUED_DESPITE_HARM = "continued_despite_harm", "Keeps using despite harm"


def reported_behaviours(reported: Iterable[str]) -> tuple[OudBehaviour, ...]:
    """Return the reported dependence-versus-disorder behaviours in checklist order."""
    return parse_choices(reported, OudBehaviour, "behaviours", "behaviours")
