"""When an episode of care wants a reminder: the level-of-care review, the expected transfer
from the partner hospital, and discharge planning before an authorization or the planned stay
ends. Pure: the service passes the episode's segments and dates, and schedules what comes out;
the sender asks again just before sending, and a reminder whose key is no longer planned is
resolved (the level changed, a review was recorded, the transfer happened, a date moved).

Keys carry the date they are about, so a moved date cancels the old reminder and plans a new
one, moving it back reopens the old one, and one already sent is never sent twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from coordinator.domain.care import LevelOfCare
from coordinator.domain.reminders import ReminderKind
from coordinator.rules.errors import InvalidValue
from coordinator.rules.level_moves import Segment

# Days between level-of-care reviews, per level (clinic settings; these are the defaults). The
# partner hospital reviews its own patients: its "reminder" is the expected transfer.
DEFAULT_REVIEW_DAYS: dict[LevelOfCare, int] = {
    LevelOfCare.RESIDENTIAL: 7,
    LevelOfCare.PHP: 14,
    LevelOfCare.IOP: 14,
    LevelOfCare.VIRTUAL_IOP: 14,
}
REVIEW_DAYS_MIN, REVIEW_DAYS_MAX = 1, 90


@dataclass(frozen=True)
class AuthorizationEnd:
    """A granted authorization's last covered day, for the level it covers."""

    id: int
    level: LevelOfCare
    end: date


@dataclass(frozen=True)
class EpisodeDates:
    """What decides an episode's reminders."""

    episode: int
    segments: tuple[Segment, ...]  # oldest first; the last is open while the episode is active
    expected_transfer_on: date | None = None  # of the open partner-hospital segment
    last_review_on: date | None = None  # the latest assessment of occasion "review"
    planned_discharge_on: date | None = None
    authorizations: tuple[AuthorizationEnd, ...] = ()


@dataclass(frozen=True)
class Planned:
    kind: ReminderKind
    due_on: date  # the day it goes out (never before today)
    key: str
    authorization_id: int | None = None


def check_review_days(days: object, level: str) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not REVIEW_DAYS_MIN <= days <= REVIEW_DAYS_MAX:
        raise InvalidValue(
            f"review_days_{level}",
            f"The review interval must be a whole number of days from {REVIEW_DAYS_MIN} to {REVIEW_DAYS_MAX}.",
        )
    return days


def level_started_on(segments: Sequence[Segment]) -> date | None:
    """The first day at the current level (transfers and leave at that level continue it)."""
    if not segments:
        return None
    first = len(segments) - 1
    while first > 0 and segments[first - 1].level is segments[-1].level:
        first -= 1
    return segments[first].start


def next_review_on(dates: EpisodeDates, review_days: Mapping[LevelOfCare, int]) -> date | None:
    """The day the current level's review is due: its interval after the later of the level's
    first day and the last review; None when discharged or at a level without reviews."""
    if not dates.segments or dates.segments[-1].end is not None:
        return None
    level = dates.segments[-1].level
    if level not in review_days:
        return None
    start = level_started_on(dates.segments)
    since = max(start, dates.last_review_on) if dates.last_review_on else start
    return since + timedelta(days=review_days[level])


def plan(
    dates: EpisodeDates, review_days: Mapping[LevelOfCare, int], notice_days: int, today: date
) -> tuple[Planned, ...]:
    """Every reminder the episode wants now (none once discharged)."""
    if not dates.segments or dates.segments[-1].end is not None:
        return ()
    current = dates.segments[-1]
    episode = dates.episode
    planned: list[Planned] = []
    review = next_review_on(dates, review_days)
    if review is not None:
        planned.append(Planned(ReminderKind.LEVEL_REVIEW_DUE, max(review, today), f"level-review-{episode}-{review}"))
    expected = dates.expected_transfer_on
    if current.level is LevelOfCare.PARTNER_HOSPITAL_DETOX and expected is not None:
        due = expected + timedelta(days=1)
        planned.append(Planned(ReminderKind.TRANSFER_NOT_RECORDED, max(due, today), f"transfer-{episode}-{expected}"))
    notice = timedelta(days=notice_days)
    stay_end = dates.planned_discharge_on
    if stay_end is not None and stay_end >= today:
        planned.append(
            Planned(
                ReminderKind.DISCHARGE_PLANNING_DUE,
                max(stay_end - notice, today),
                f"discharge-stay-{episode}-{stay_end}",
            )
        )
    for auth in dates.authorizations:
        if auth.level is current.level and auth.end >= today:
            planned.append(
                Planned(
                    ReminderKind.DISCHARGE_PLANNING_DUE,
                    max(auth.end - notice, today),
                    f"discharge-auth-{episode}-{auth.id}-{auth.end}",
                    authorization_id=auth.id,
                )
            )
    return tuple(planned)
