"""The clinic's care settings: the placement thresholds (which facts send a person to
partner-hospital detox first) and the days between level-of-care reviews per level.

Kept as `app_setting` rows an administrator edits on the settings page (each change audited);
a value never set, or one the rules would refuse, reads as its documented default. Changing a
review interval reschedules the review reminders of every active episode.
"""

from __future__ import annotations

from dataclasses import dataclass

from coordinator.contracts.base import problem
from coordinator.contracts.care_settings import CareSettingsInput
from coordinator.contracts.messages import define
from coordinator.contracts.rule_problems import rule_failure
from coordinator.domain.care import LevelOfCare
from coordinator.errors import ValidationFailed
from coordinator.models import User
from coordinator.rules.care_reminders import DEFAULT_REVIEW_DAYS, check_review_days
from coordinator.rules.errors import RuleError
from coordinator.rules.placement_thresholds import PlacementThresholds
from coordinator.services import settings

define(
    {
        "care_setting_long_acting_above_very_high": "The high-dose long-acting threshold cannot be above the "
        "very high opioid load ({very_high} MME/day): a long-acting opioid at that load is already very high.",
    }
)


@dataclass(frozen=True)
class CareSettings:
    thresholds: PlacementThresholds
    review_days: dict[LevelOfCare, int]

    def form_data(self) -> dict[str, int]:
        t = self.thresholds
        data = {
            "very_high_mme": int(t.very_high_mme),
            "high_dose_long_acting_mme": int(t.high_dose_long_acting_mme),
            "detox_cows_score": t.detox_cows_score,
            "recent_overdose_months": t.recent_overdose_months,
        }
        return data | {f"review_days_{level.value}": days for level, days in self.review_days.items()}


def _number(stored: str | None) -> int | None:
    return int(stored) if stored and stored.isascii() and stored.isdecimal() and len(stored) <= 6 else None


def current() -> CareSettings:
    """The settings as stored, each falling back to its default (one query)."""
    stored = settings.get_values([*settings.PLACEMENT_THRESHOLDS.values(), *settings.REVIEW_DAYS.values()])
    defaults = PlacementThresholds.defaults()
    values = {}
    for name, key in settings.PLACEMENT_THRESHOLDS.items():
        values[name] = _number(stored[key])
    try:
        thresholds = PlacementThresholds(**{k: v for k, v in values.items() if v is not None})
    except RuleError:
        thresholds = defaults  # hand-edited rows the rules refuse: the documented defaults
    review_days = dict(DEFAULT_REVIEW_DAYS)
    for level in review_days:
        days = _number(stored[settings.REVIEW_DAYS[level.value]])
        try:
            review_days[level] = check_review_days(days, level.value)
        except RuleError:
            continue
    return CareSettings(thresholds, review_days)


def thresholds() -> PlacementThresholds:
    return current().thresholds


def review_days() -> dict[LevelOfCare, int]:
    return current().review_days


def save(actor: User, data: CareSettingsInput) -> CareSettings:
    """Store what an administrator entered (each changed value audited); the caller commits.
    Refused as a whole, nothing stored, when the rules refuse a value or the two MME thresholds
    contradict each other. Returns the settings now in force."""
    if data.high_dose_long_acting_mme > data.very_high_mme:
        raise ValidationFailed(
            [
                problem(
                    "high_dose_long_acting_mme",
                    "care_setting_long_acting_above_very_high",
                    very_high=data.very_high_mme,
                )
            ]
        )
    try:
        PlacementThresholds(
            very_high_mme=data.very_high_mme,
            high_dose_long_acting_mme=data.high_dose_long_acting_mme,
            detox_cows_score=data.detox_cows_score,
            recent_overdose_months=data.recent_overdose_months,
        )
        for level in DEFAULT_REVIEW_DAYS:
            check_review_days(getattr(data, f"review_days_{level.value}"), level.value)
    except RuleError as err:
        raise rule_failure(err) from None
    before = current().form_data()
    changed_reviews = False
    for name, key in {
        **settings.PLACEMENT_THRESHOLDS,
        **{f"review_days_{k}": v for k, v in settings.REVIEW_DAYS.items()},
    }.items():
        value = getattr(data, name)
        if value != before[name]:
            settings.set_value(actor, key, str(value))
            changed_reviews = changed_reviews or name.startswith("review_days_")
    if changed_reviews:
        from coordinator.services import care_reminders  # noqa: PLC0415 (it reads these settings)

        care_reminders.reschedule_active()
    return current()
