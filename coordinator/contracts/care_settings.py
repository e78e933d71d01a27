"""Input contract for the clinic's care settings: the placement thresholds that send a person to
partner-hospital detox first (`rules/placement_thresholds`) and the days between level-of-care
reviews per level (`rules/care_reminders`). Every value is required and bounded here; the rules
check them again when they are used."""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract
from coordinator.contracts.messages import define
from coordinator.rules.care_reminders import REVIEW_DAYS_MAX, REVIEW_DAYS_MIN
from coordinator.rules.cows import MAX_TOTAL

MME_LIMIT = 5000  # MME/day: far past any dose a person lives on; a typo, not a threshold
OVERDOSE_MONTHS_LIMIT = 120

define({"care_setting_required": "Enter the {what}."})


def _whole(what: str, minimum: int, maximum: int):
    return values.whole_number(what=what, minimum=minimum, maximum=maximum, required="care_setting_required")


def _review(level: str):
    return _whole(f"days between {level} reviews", REVIEW_DAYS_MIN, REVIEW_DAYS_MAX)


class CareSettingsInput(Contract):
    """Detox-first thresholds and review intervals, as an administrator enters them."""

    very_high_mme: _whole("very high opioid load (MME/day)", 1, MME_LIMIT)
    high_dose_long_acting_mme: _whole("high-dose long-acting opioid (MME/day)", 1, MME_LIMIT)
    detox_cows_score: _whole("COWS score for hospital detox", 1, MAX_TOTAL)
    recent_overdose_months: _whole("months an overdose counts as recent", 1, OVERDOSE_MONTHS_LIMIT)
    review_days_residential: _review("residential")
    review_days_php: _review("PHP")
    review_days_iop: _review("IOP")
    review_days_virtual_iop: _review("virtual IOP")
