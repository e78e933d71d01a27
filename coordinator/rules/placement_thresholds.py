"""The clinic's placement thresholds: settings with documented defaults, shown beside a recommendation.

Sources: DOMAIN.md Part 2 section 2 (COWS bands) and 3.2 (MME thresholds: CDC 2022 names only
50 MME/day, CDC 2016 90; neither is a detox criterion), and Part 1 ("Levels of care").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from coordinator.rules.cows import BANDS, MAX_TOTAL, CowsBand
from coordinator.rules.errors import InvalidValue
from coordinator.rules.medical_flags import DEFAULT_HIGH_MME_THRESHOLD, DEFAULT_OVERDOSE_WINDOW_MONTHS

# Withdrawal severity that sends a person to the partner hospital first: moderately severe or
# severe, i.e. the lowest total of the "moderately severe" band (25) in rules/cows.py.
DEFAULT_DETOX_COWS_SCORE = next(low for band, low, _ in BANDS if band is CowsBand.MODERATELY_SEVERE)
# A long-acting opioid (methadone for pain, extended-release oxycodone/morphine, fentanyl patch)
# at or above this load: the 2016 CDC / common payer threshold, a local setting (DOMAIN.md 3.2).
DEFAULT_HIGH_DOSE_LONG_ACTING_MME = Decimal(90)


@dataclass(frozen=True)
class ThresholdSetting:
    """One clinic setting as shown beside a recommendation: its value, default and source."""

    key: str
    label: str
    value: str
    default: str
    source: str


@dataclass(frozen=True)
class PlacementThresholds:
    """The clinic's detox thresholds; every default is documented with its source below."""

    # MME/day at or above which the opioid load alone sends a person to hospital detox first.
    # Default 200, the program's local cut-off shared with rules/medical_flags.py: CDC 2022
    # names only 50 MME/day (pause and reassess) and CDC 2016 90 (avoid increasing) as points
    # about prescribing, neither as a detox criterion; at 90 most people who arrive on years of
    # daily opioids would be sent to hospital first, against DOMAIN.md's "many can taper at home".
    very_high_mme: Decimal = DEFAULT_HIGH_MME_THRESHOLD
    # MME/day at or above which a long-acting opioid counts as "high-dose" (DOMAIN.md Part 1).
    # Default 90, the 2016 CDC / payer threshold: long half-lives (methadone, patches) make
    # withdrawal longer and harder to manage, so the bar is lower than for the load alone.
    high_dose_long_acting_mme: Decimal = DEFAULT_HIGH_DOSE_LONG_ACTING_MME
    # Lowest COWS total that sends a person to hospital detox first: 25, the start of the
    # "moderately severe" band (Wesson & Ling 2003; rules/cows.py).
    detox_cows_score: int = DEFAULT_DETOX_COWS_SCORE
    # How far back an overdose counts as "recent"; the caller judges it with
    # rules.medical_flags.overdose_is_recent(window_months=...) and passes the answer in the facts.
    recent_overdose_months: int = DEFAULT_OVERDOSE_WINDOW_MONTHS

    def __post_init__(self) -> None:
        for name, what in (("very_high_mme", "very high MME"), ("high_dose_long_acting_mme", "high-dose MME")):
            number = nonnegative_decimal(getattr(self, name), name, f"The {what} threshold")
            if number == 0:
                raise InvalidValue(name, f"The {what} threshold must be more than 0.")
            object.__setattr__(self, name, number)
        _whole(self.detox_cows_score, "detox_cows_score", "The detox COWS score", 1, MAX_TOTAL)
        _whole(self.recent_overdose_months, "recent_overdose_months", "The overdose window", 1, 120)

    @classmethod
    def defaults(cls) -> PlacementThresholds:
        """The documented defaults, for a clinic that has not changed them."""
        return cls()

    def settings(self) -> tuple[ThresholdSetting, ...]:
        """Each threshold with its default and source, in the order to show them."""
        default = type(self).defaults()
        return (
            ThresholdSetting(
                "very_high_mme",
                "Very high opioid load (MME/day)",
                str(self.very_high_mme),
                str(default.very_high_mme),
                "Program's local cut-off; CDC 2022 names only 50 MME/day (reassess), CDC 2016 90",
            ),
            ThresholdSetting(
                "high_dose_long_acting_mme",
                "High-dose long-acting opioid (MME/day)",
                str(self.high_dose_long_acting_mme),
                str(default.high_dose_long_acting_mme),
                "CDC 2016 guideline / common payer threshold (90 MME/day)",
            ),
            ThresholdSetting(
                "detox_cows_score",
                "COWS score for hospital detox",
                str(self.detox_cows_score),
                str(default.detox_cows_score),
                "COWS moderately severe band starts at 25 (Wesson & Ling 2003)",
            ),
            ThresholdSetting(
                "recent_overdose_months",
                "Recent overdose (months)",
                str(self.recent_overdose_months),
                str(default.recent_overdose_months),
                "Program setting",
            ),
        )


def nonnegative_decimal(value: object, name: str, what: str) -> Decimal:
    """A finite number zero or more from a Decimal, int or numeric string; float is refused."""
    try:
        if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
            raise TypeError
        number = Decimal(value)
    except (InvalidOperation, TypeError):
        raise InvalidValue(name, f"{what} must be a number.") from None
    if not number.is_finite() or number < 0:
        raise InvalidValue(name, f"{what} must be zero or more.")
    return number


def _whole(value: object, name: str, what: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValue(name, f"{what} must be a whole number from {low} to {high}.")
