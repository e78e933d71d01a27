"""Medical flags that steer placement toward medically managed detox at a partner hospital first.

Source: DOMAIN.md Part 1 ("Levels of care": high-dose long-acting opioids, a very high MME load,
or cardiac or respiratory complications mean detox first at a partner hospital with intensive
care). The other flags are the program's own screening list. The output is a list of reasons
for the clinician to consider, never a placement decision.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.errors import InvalidValue, MissingValue
from coordinator.rules.scoring import parse_choices

# "Recent" overdose: within this many months before the screening date. A program setting.
DEFAULT_OVERDOSE_WINDOW_MONTHS = 12
# A local, configurable cut-off chosen by the program, NOT a guideline number: CDC 2022 names
# only 50 MME/day (and 2016 named 90) as points to reassess, neither as a detox criterion.
DEFAULT_HIGH_MME_THRESHOLD = Decimal(200)
HOSPITAL_DETOX = "Consider medically managed detox at a partner hospital first."


class MedicalFlag(LabelledStrEnum):
    """Medical history and co-use that change where withdrawal can safely happen."""

    PREGNANCY = "pregnancy", "Pregnant"
    CARDIAC_DISEASE = "cardiac_disease", "Heart disease (e.g. coronary disease, heart failure, arrhythmia)"
    RESPIRATORY_DISEASE = "respiratory_disease", "Lung or breathing disease (e.g. COPD, severe asthma, sleep apnoea)"
    BENZODIAZEPINE_USE = "benzodiazepine_use", "Takes benzodiazepines alongside opioids"
    ALCOHOL_USE = "alcohol_use", "Drinks alcohol alongside opioids"
    COMPLICATED_WITHDRAWAL_HISTORY = "complicated_withdrawal_history", "Past withdrawal with seizures or delirium"
    RECENT_OVERDOSE = "recent_overdose", "Overdose in the last 12 months"


class DetoxAction(StrEnum):
    """What a reason asks the team to arrange before admission."""

    PARTNER_HOSPITAL_DETOX = "partner_hospital_detox"
    OBSTETRIC_COORDINATION = "obstetric_coordination"


@dataclass(frozen=True)
class DetoxReason:
    """One plain-language reason, keyed by the flag (or "high_mme") that raised it."""

    code: str
    action: DetoxAction
    message: str


# The one list of detox-first reasons a medical flag raises, and their wording: the screening
# card (`detox_reasons`) and the placement recommendation (`rules/placement`) both word them
# from here (with `overdose_reason` and `high_mme_reason`), so a reason reads the same wherever
# it shows. What each asks for differs by page: the card says which action (pregnancy:
# obstetric coordination), the recommendation says "detox at the partner hospital first".
FLAG_REASONS: dict[MedicalFlag, str] = {
    MedicalFlag.PREGNANCY: "Pregnancy: coordinate with obstetrics; any withdrawal management only in hospital "
    "with obstetric care (medication for opioid use disorder is usually preferred)",
    MedicalFlag.CARDIAC_DISEASE: "Heart disease: withdrawal raises heart rate and blood pressure",
    MedicalFlag.RESPIRATORY_DISEASE: "Lung or breathing disease: higher risk of dangerous "
    "breathing suppression from opioids and sedating medicines",
    MedicalFlag.BENZODIAZEPINE_USE: "Benzodiazepine co-use: adds to breathing suppression, and "
    "benzodiazepine withdrawal can cause seizures",
    MedicalFlag.ALCOHOL_USE: "Alcohol co-use: adds to breathing suppression, and alcohol "
    "withdrawal can cause seizures or delirium",
    MedicalFlag.COMPLICATED_WITHDRAWAL_HISTORY: "Past withdrawal with seizures or delirium",
}


def overdose_reason(window_months: int) -> str:
    return f"Overdose in the last {window_months} months"


def high_mme_reason(mme: Decimal, limit: Decimal) -> str:
    return (
        f"Very high opioid load: {mme} MME/day, at or above the clinic's threshold of {limit} MME/day "
        "(a local setting, not a guideline number)"
    )


def overdose_is_recent(overdose_on: date, *, today: date, window_months: int = DEFAULT_OVERDOSE_WINDOW_MONTHS) -> bool:
    """True if the overdose date falls within `window_months` before `today` (inclusive)."""
    overdose_on = _as_date(overdose_on, "last_overdose_on", "the date of the last overdose")
    today = _as_date(today, "today", "today's date")
    if isinstance(window_months, bool) or not isinstance(window_months, int) or not 1 <= window_months <= 120:
        raise InvalidValue("overdose_window_months", "The overdose window must be 1 to 120 months.")
    if overdose_on > today:
        raise InvalidValue("last_overdose_on", "The date of the last overdose cannot be in the future.")
    return overdose_on >= _months_before(today, window_months)


def detox_reasons(
    flags: Iterable[str],
    *,
    total_mme: Decimal | int | None = None,
    high_mme_threshold: Decimal | int = DEFAULT_HIGH_MME_THRESHOLD,
    last_overdose_on: date | None = None,
    today: date | None = None,
    overdose_window_months: int = DEFAULT_OVERDOSE_WINDOW_MONTHS,
) -> tuple[DetoxReason, ...]:
    """Reasons to consider partner-hospital detox (or obstetric coordination) before admission."""
    chosen = _parse_flags(flags)
    if last_overdose_on is not None:
        if today is None:
            raise MissingValue("today", "Today's date is needed to judge whether an overdose is recent.")
        if overdose_is_recent(last_overdose_on, today=today, window_months=overdose_window_months):
            chosen.add(MedicalFlag.RECENT_OVERDOSE)
    reasons = []
    for flag in MedicalFlag:
        if flag not in chosen:
            continue
        if flag is MedicalFlag.PREGNANCY:
            reasons.append(DetoxReason(flag.value, DetoxAction.OBSTETRIC_COORDINATION, f"{FLAG_REASONS[flag]}."))
        elif flag is MedicalFlag.RECENT_OVERDOSE:
            reasons.append(_hospital(flag.value, overdose_reason(overdose_window_months)))
        else:
            reasons.append(_hospital(flag.value, FLAG_REASONS[flag]))
    if total_mme is not None:
        mme = _as_decimal(total_mme, "total_mme", "The total MME/day")
        limit = _as_decimal(high_mme_threshold, "high_mme_threshold", "The high-MME threshold")
        if limit == 0:
            raise InvalidValue("high_mme_threshold", "The high-MME threshold must be more than 0.")
        if mme >= limit:
            reasons.append(_hospital("high_mme", high_mme_reason(mme, limit)))
    return tuple(reasons)


def _hospital(code: str, why: str) -> DetoxReason:
    return DetoxReason(code, DetoxAction.PARTNER_HOSPITAL_DETOX, f"{why}. {HOSPITAL_DETOX}")


def _parse_flags(flags: Iterable[str]) -> set[MedicalFlag]:
    return set(parse_choices(flags, MedicalFlag, "flags", "medical flags"))


def _as_date(value: object, field: str, what: str) -> date:
    # datetime is a date subclass, but comparing the two raises TypeError.
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise InvalidValue(field, f"Enter {what} as a calendar date.")
    return value


def _as_decimal(value: object, field: str, what: str) -> Decimal:
    try:
        if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, str)):
            raise TypeError
        number = Decimal(str(value))
    except (InvalidOperation, TypeError):
        raise InvalidValue(field, f"{what} must be a number.") from None
    if not number.is_finite() or number < 0:
        raise InvalidValue(field, f"{what} must be zero or more.")
    return number


def _months_before(day: date, months: int) -> date:
    # Clamp to the month's last day so 31 March minus one month is 28/29 February.
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))
