"""An episode of care over time: its level-of-care segments, the moves between them, census and aftercare.

Source: DOMAIN.md Part 1 ("Levels of care": people step down residential -> PHP -> IOP -> virtual
IOP; someone who needs it is detoxed first at a partner hospital, then transferred into the
program; "the aftercare period is two months") and DESIGN.md ("Lifecycles": an episode moves
through levels and ends in discharge with two months of aftercare).

Dates: a segment runs from `start` to `end`, both days included; `end` is None while it goes
on. A move on day D ends the current segment on D - 1 and starts the next on D, so the move's
day belongs to the new level; a discharge on day D ends the last segment on D, so the discharge
day still counts in its level. Every day from admission to discharge is in exactly one segment.
An episode is discharged exactly when its last segment has an end (only a discharge closes it).
A leave of absence is a segment of its own, at the level and program held (the place is kept),
marked `on_leave`; census leaves it out unless asked.
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from coordinator.domain.care import LevelOfCare
from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.errors import InvalidValue, MissingReason, MissingValue, shown

DETOX = LevelOfCare.PARTNER_HOSPITAL_DETOX
RESIDENTIAL, PHP, IOP, VIRTUAL_IOP = LevelOfCare.RESIDENTIAL, LevelOfCare.PHP, LevelOfCare.IOP, LevelOfCare.VIRTUAL_IOP
# Most intensive first: a step up moves left in this order, a step down right.
INTENSITY: tuple[LevelOfCare, ...] = (DETOX, RESIDENTIAL, PHP, IOP, VIRTUAL_IOP)
AFTERCARE_MONTHS = 2
_ONE_DAY = timedelta(days=1)


class MoveKind(LabelledStrEnum):
    """What happens to an episode on a given day."""

    STEP_DOWN = "step_down", "Step down"
    STEP_UP = "step_up", "Step up"
    TRANSFER = "transfer", "Transfer (same level, another program)"
    LEAVE_OF_ABSENCE = "leave_of_absence", "Leave of absence"
    RETURN_FROM_LEAVE = "return_from_leave", "Return from leave"
    DISCHARGE = "discharge", "Discharge"


class DischargeKind(LabelledStrEnum):
    """How an episode ended."""

    PLANNED = "planned", "Planned"
    AGAINST_MEDICAL_ADVICE = "against_medical_advice", "Against medical advice"
    ADMINISTRATIVE = "administrative", "Administrative"
    TRANSFER_OUT = "transfer_out", "Transfer out to another provider"


# The one rule table: from a level, which levels each kind of move may lead to. A transfer, a
# leave and a return keep the level; a discharge leads nowhere (the episode ends). From partner-
# hospital detox a person is transferred into residential, PHP or IOP (never straight to video);
# step-downs go one level at a time (DOMAIN.md's chain); a step up may go to any more intensive
# level, back to the partner hospital included. Leave is not offered from the hospital (the
# hospital is not the program's to grant it). Being on leave allows only a return or a discharge.
FOLLOWS: dict[tuple[LevelOfCare, MoveKind], frozenset[LevelOfCare]] = {
    (DETOX, MoveKind.STEP_DOWN): frozenset({RESIDENTIAL, PHP, IOP}),
    (DETOX, MoveKind.TRANSFER): frozenset({DETOX}),
    (DETOX, MoveKind.DISCHARGE): frozenset(),
    (RESIDENTIAL, MoveKind.STEP_DOWN): frozenset({PHP}),
    (RESIDENTIAL, MoveKind.STEP_UP): frozenset({DETOX}),
    (RESIDENTIAL, MoveKind.TRANSFER): frozenset({RESIDENTIAL}),
    (RESIDENTIAL, MoveKind.LEAVE_OF_ABSENCE): frozenset({RESIDENTIAL}),
    (RESIDENTIAL, MoveKind.RETURN_FROM_LEAVE): frozenset({RESIDENTIAL}),
    (RESIDENTIAL, MoveKind.DISCHARGE): frozenset(),
    (PHP, MoveKind.STEP_DOWN): frozenset({IOP}),
    (PHP, MoveKind.STEP_UP): frozenset({RESIDENTIAL, DETOX}),
    (PHP, MoveKind.TRANSFER): frozenset({PHP}),
    (PHP, MoveKind.LEAVE_OF_ABSENCE): frozenset({PHP}),
    (PHP, MoveKind.RETURN_FROM_LEAVE): frozenset({PHP}),
    (PHP, MoveKind.DISCHARGE): frozenset(),
    (IOP, MoveKind.STEP_DOWN): frozenset({VIRTUAL_IOP}),
    (IOP, MoveKind.STEP_UP): frozenset({PHP, RESIDENTIAL, DETOX}),
    (IOP, MoveKind.TRANSFER): frozenset({IOP}),
    (IOP, MoveKind.LEAVE_OF_ABSENCE): frozenset({IOP}),
    (IOP, MoveKind.RETURN_FROM_LEAVE): frozenset({IOP}),
    (IOP, MoveKind.DISCHARGE): frozenset(),
    (VIRTUAL_IOP, MoveKind.STEP_UP): frozenset({IOP, PHP, RESIDENTIAL, DETOX}),
    (VIRTUAL_IOP, MoveKind.TRANSFER): frozenset({VIRTUAL_IOP}),
    (VIRTUAL_IOP, MoveKind.LEAVE_OF_ABSENCE): frozenset({VIRTUAL_IOP}),
    (VIRTUAL_IOP, MoveKind.RETURN_FROM_LEAVE): frozenset({VIRTUAL_IOP}),
    (VIRTUAL_IOP, MoveKind.DISCHARGE): frozenset(),
}
ON_LEAVE_KINDS = frozenset({MoveKind.RETURN_FROM_LEAVE, MoveKind.DISCHARGE})


@dataclass(frozen=True)
class Segment:
    """Days an episode spent at one level in one program, `start` to `end` inclusive."""

    level: LevelOfCare
    program: Hashable  # the program's id (a partner hospital is a program of level detox)
    start: date
    end: date | None = None  # None while the segment goes on
    on_leave: bool = False
    episode: Hashable = None  # the episode's id, for census over many episodes

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", _level(self.level))
        object.__setattr__(self, "start", _day(self.start, "start", "the start date"))
        if self.end is not None:
            object.__setattr__(self, "end", _day(self.end, "end", "the end date"))
        if self.program is None:
            raise MissingValue("program", "Choose the program.")

    def contains(self, day: date) -> bool:
        """True if `day` is one of this segment's days."""
        return self.start <= day and (self.end is None or day <= self.end)

    def days(self, until: date | None = None) -> int:
        """Number of days in the segment (an open one counted up to `until`, inclusive)."""
        last = self.end if self.end is not None else until
        if last is None:
            raise MissingValue("until", "An open segment needs a day to count up to.")
        return max(0, (last - self.start).days + 1)


@dataclass(frozen=True)
class Move:
    """A proposed move on day `on`; `level`/`program` say where to for steps and transfers."""

    kind: MoveKind
    on: date
    reason: str
    level: LevelOfCare | None = None
    program: Hashable = None
    discharge_kind: DischargeKind | None = None


def admit(level: LevelOfCare | str, program: Hashable, on: date, episode: Hashable = None) -> Segment:
    """The first segment of an episode admitted on `on` (any level, detox included)."""
    return Segment(level=_level(level), program=program, start=on, episode=episode)


def is_discharged(segments: Sequence[Segment]) -> bool:
    """True once the episode's last segment has an end (only a discharge closes it)."""
    return bool(segments) and segments[-1].end is not None


def days_in_level(segments: Sequence[Segment], today: date) -> int:
    """Days at the current level up to `today` (or discharge), counting transfers and leave at that level."""
    today = _day(today, "today", "today's date")
    if not segments:
        return 0
    level = segments[-1].level
    first = len(segments) - 1
    while first > 0 and segments[first - 1].level is level:
        first -= 1
    last = segments[-1].end if segments[-1].end is not None else today
    return max(0, (last - segments[first].start).days + 1)


def allowed_moves(segments: Sequence[Segment]) -> tuple[tuple[MoveKind, frozenset[LevelOfCare]], ...]:
    """What may happen next to the episode, in MoveKind order (empty once discharged)."""
    if not segments or is_discharged(segments):
        return ()
    current = segments[-1]
    kinds = [
        kind
        for kind in MoveKind
        if (current.level, kind) in FOLLOWS
        and (kind in ON_LEAVE_KINDS if current.on_leave else kind is not MoveKind.RETURN_FROM_LEAVE)
    ]
    return tuple((kind, FOLLOWS[(current.level, kind)]) for kind in kinds)


def check_move(segments: Sequence[Segment], move: Move) -> None:
    """Refuse a move the rule table or the dates do not allow, with a message for the form."""
    apply_move(segments, move)


def apply_move(segments: Sequence[Segment], move: Move) -> tuple[Segment, ...]:
    """The episode's segments after `move`: the current one closed and, unless discharged, a new one."""
    if not segments:
        raise InvalidValue("kind", "Admit the patient to a level of care before recording a move.")
    current = segments[-1]
    kind = _kind(move.kind)
    on = _day(move.on, "on", "the date of the move")
    if not isinstance(move.reason, str) or not move.reason.strip():
        raise MissingReason("reason", f"Give a reason for the {kind.label.lower()}.")
    if current.end is not None:
        raise InvalidValue("kind", f"This episode was discharged on {current.end:%d %B %Y}: it cannot move any more.")
    allowed = dict(allowed_moves(segments))
    if kind not in allowed:
        raise InvalidValue("kind", _refusal(current, kind, allowed))
    if kind is MoveKind.DISCHARGE:
        if on < current.start:
            raise InvalidValue(
                "on", f"A discharge cannot be before the current segment began ({current.start:%d %B %Y})."
            )
        if move.discharge_kind is None or DischargeKind.parse(move.discharge_kind) is None:
            raise InvalidValue("discharge_kind", "Choose the kind of discharge.")
        return (*segments[:-1], _replace(current, end=on))
    if on <= current.start:
        raise InvalidValue(
            "on",
            f"A move must be at least one day after the current segment began ({current.start:%d %B %Y}); "
            "to correct that segment, edit it instead.",
        )
    target, program, on_leave = _target(current, kind, move, allowed[kind])
    nxt = Segment(level=target, program=program, start=on, on_leave=on_leave, episode=current.episode)
    return (*segments[:-1], _replace(current, end=on - _ONE_DAY), nxt)


def check_segment(segment: Segment, others: Iterable[Segment], admitted_on: date) -> None:
    """Refuse a segment that ends before it starts, starts before admission or overlaps another."""
    admitted_on = _day(admitted_on, "admitted_on", "the admission date")
    if segment.end is not None and segment.end < segment.start:
        raise InvalidValue(
            "end", f"The segment ends ({segment.end:%d %B %Y}) before it starts ({segment.start:%d %B %Y})."
        )
    if segment.start < admitted_on:
        raise InvalidValue("start", f"The segment starts before the admission ({admitted_on:%d %B %Y}); it cannot.")
    for other in others:
        if other is segment:
            continue
        if _overlaps(segment, other):
            until = f"to {other.end:%d %B %Y}" if other.end is not None else "onward"
            raise InvalidValue(
                "start",
                f"The segment overlaps the {other.level.label.lower()} segment from {other.start:%d %B %Y} {until}.",
            )


def check_episode(segments: Sequence[Segment], admitted_on: date) -> None:
    """Refuse a sequence with gaps, overlaps or days before admission: every day in exactly one segment."""
    if not segments:
        raise MissingValue("segments", "An episode has at least one segment, from the admission date.")
    for index, segment in enumerate(segments):
        check_segment(segment, segments[:index], admitted_on)
    if segments[0].start != admitted_on:
        raise InvalidValue("start", f"The first segment must start on the admission date ({admitted_on:%d %B %Y}).")
    for before, after in zip(segments, segments[1:], strict=False):
        if before.end is None or after.start != before.end + _ONE_DAY:
            raise InvalidValue(
                "start",
                f"The segment from {after.start:%d %B %Y} must start the day after the one before it ends.",
            )


def aftercare_end(discharge_date: date) -> date:
    """Last day of the two-month aftercare period: the same day of the month two months on.

    Aftercare runs from the day after discharge to this day, both included; a discharge on
    31 December ends aftercare on the last day of February (DOMAIN.md Part 1: two months).
    """
    day = _day(discharge_date, "discharge_date", "the discharge date")
    year, month0 = divmod(day.year * 12 + day.month - 1 + AFTERCARE_MONTHS, 12)
    if year > date.max.year:
        raise InvalidValue("discharge_date", "The discharge date is too far in the future.")
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def census_on(
    segments: Iterable[Segment],
    day: date,
    level: LevelOfCare | str | None = None,
    program: Hashable = None,
    *,
    include_on_leave: bool = False,
) -> frozenset[Hashable]:
    """The episodes in a level (and/or program) on `day`, from segments of any number of episodes."""
    day = _day(day, "day", "the day")
    wanted = None if level is None else _level(level)
    found = set()
    for segment in segments:
        if segment.episode is None:
            raise MissingValue("episode", "Census needs each segment's episode.")
        if (
            segment.contains(day)
            and (wanted is None or segment.level is wanted)
            and (program is None or segment.program == program)
            and (include_on_leave or not segment.on_leave)
        ):
            found.add(segment.episode)
    return frozenset(found)


def _target(
    current: Segment, kind: MoveKind, move: Move, levels: frozenset[LevelOfCare]
) -> tuple[LevelOfCare, Hashable, bool]:
    if kind in (MoveKind.LEAVE_OF_ABSENCE, MoveKind.RETURN_FROM_LEAVE):
        # The place is kept: a leave and a return stay at the level and program held.
        if (move.level is not None and _level(move.level) is not current.level) or (
            move.program is not None and move.program != current.program
        ):
            raise InvalidValue("level", f"A {kind.label.lower()} keeps the level and program.")
        return current.level, current.program, kind is MoveKind.LEAVE_OF_ABSENCE
    if move.program is None:
        raise MissingValue("program", "Choose the program to move to.")
    if kind is MoveKind.TRANSFER:
        if move.level is not None and _level(move.level) is not current.level:
            raise InvalidValue("level", "A transfer stays at the same level; use a step up or down to change level.")
        if move.program == current.program:
            raise InvalidValue("program", "A transfer goes to another program; this is the current one.")
        return current.level, move.program, False
    if move.level is None:
        raise MissingValue("level", "Choose the level of care to move to.")
    target = _level(move.level)
    if target not in levels:
        choices = " or ".join(lvl.label for lvl in INTENSITY if lvl in levels)
        raise InvalidValue(
            "level",
            f"A {kind.label.lower()} from {current.level.label.lower()} cannot go to "
            f"{target.label.lower()}; it can go to {choices}.",
        )
    return target, move.program, False


def _refusal(current: Segment, kind: MoveKind, allowed: dict[MoveKind, frozenset[LevelOfCare]]) -> str:
    where = "on leave" if current.on_leave else f"in {current.level.label.lower()}"
    options = ", ".join(k.label.lower() for k in allowed)
    return f"While {where}, a {kind.label.lower()} is not possible; allowed: {options}."


def _replace(segment: Segment, *, end: date) -> Segment:
    return Segment(segment.level, segment.program, segment.start, end, segment.on_leave, segment.episode)


def _overlaps(a: Segment, b: Segment) -> bool:
    return (b.end is None or a.start <= b.end) and (a.end is None or b.start <= a.end)


def _kind(value: object) -> MoveKind:
    kind = MoveKind.parse(value)
    if kind is None:
        raise InvalidValue("kind", f"{shown(value)} is not a kind of move.")
    return kind


def _level(value: object) -> LevelOfCare:
    level = LevelOfCare.parse(value)
    if level is None:
        raise InvalidValue("level", f"{shown(value)} is not a level of care.")
    return level


def _day(value: object, field: str, what: str) -> date:
    # datetime is a date subclass, but comparing the two raises TypeError.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidValue(field, f"Enter {what} as a calendar date.")
    return value
