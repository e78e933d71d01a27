"""Capacity and census of a program (issue 14, item 6); its beds and waitlist are in places.py.

Census is never a counter: the episodes in a program on a day are the level-of-care segments
covering that day (`starts_on <= day` and `ends_on` open or `>= day`, both ends included, the
semantics of `rules/level_moves.census_on`), read through `ix_care_segment_program_dates`. So
"who was in residential on 12 November" is the same query as today's census.

A program is full on a day when the segments covering it (leave included: the place is kept)
reach its capacity; a move or an admission into a full program is refused unless the clinical
lead allows it with a reason (kept on the segment, audited).

Beds: an episode holds at most one bed and a bed at most one episode at a time (the service
says so in words; two partial unique indexes hold it under races). A bed is freed when its
episode leaves the program (a move elsewhere or the discharge).

The waitlist: entries still waiting, oldest first, their position their rank; a freed bed is
offered to the first in line. Who is on it is shown only to readers who may open that patient
or inquiry; the others see "a patient you cannot see".

The board is a fixed number of statements whatever the data (a query-count test holds it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from coordinator.contracts.base import problem
from coordinator.contracts.messages import define
from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AdmissionStatus, LevelOfCare
from coordinator.errors import NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.models import (
    Admission,
    Bed,
    BedAssignment,
    CareSegment,
    Patient,
    Program,
    User,
    WaitlistEntry,
)
from coordinator.roles import Role
from coordinator.services import audit, clinical_lead, inquiry_access, patient_access, places

READERS = frozenset({Role.ADMIN, Role.CASE_MANAGER, Role.CLINICIAN})
ROWS_CAP = 500  # people listed on one board (a program's capacity is at most 10,000)
LIST_CAP = 50  # expected admissions and waitlist entries listed
WEEK = timedelta(days=7)

define(
    {
        "census_program_full": (
            "{program} is full on {day} ({occupied} of {capacity} places taken). Only the clinical lead "
            "may admit over capacity, with a reason."
        ),
        "census_over_capacity_reason": "The program is full: give the reason for going over capacity.",
        "bed_name_taken": "This program already has a bed of that name.",
        "bed_unknown": "Choose one of this program's beds.",
        "bed_taken": "{bed} is already taken by another patient; choose a free bed.",
        "bed_episode_not_here": "That patient is not in this program on that day.",
        "bed_episode_has_bed": "That patient already has a bed ({bed}); free it first.",
        "bed_date_outside": "The bed is taken on a day the patient is in the program: from {start} on.",
        "waitlist_one_person": "Choose either a patient or an inquiry, not both.",
        "waitlist_unknown_person": "Choose a patient or an inquiry you may open.",
        "waitlist_already": "That person is already waiting for this program.",
        "waitlist_not_first": "Offer the bed to the first in line.",
        "waitlist_not_waiting": "This entry is no longer waiting.",
        "waitlist_no_free_bed": "No bed is free to offer.",
    }
)


# --- who ---------------------------------------------------------------------------------------


def is_clinical_lead(user: User) -> bool:
    lead = clinical_lead.current()
    return lead.user.id == user.id if lead.user is not None else user.role == lead.role


def require_reader(user: User) -> None:
    if user.role not in READERS and not is_clinical_lead(user):
        raise NotPermitted("Only case managers, clinicians, the clinical lead and administrators see the census.")


def may_manage(user: User) -> bool:
    """Beds and the waitlist are kept by case managers, the clinical lead and administrators."""
    return user.role in (Role.ADMIN, Role.CASE_MANAGER) or is_clinical_lead(user)


def require_manager(user: User) -> None:
    if not may_manage(user):
        raise NotPermitted("Only case managers, the clinical lead and administrators manage beds and the waitlist.")


# --- census --------------------------------------------------------------------------------------


def covering(day: date):
    """SQL over CareSegment: the segments that include `day` (both ends included)."""
    return sa.and_(CareSegment.starts_on <= day, sa.or_(CareSegment.ends_on.is_(None), CareSegment.ends_on >= day))


def census_ids(day: date, *, level: LevelOfCare | None = None, program_id: int | None = None, include_on_leave=False):
    """The episode ids in a level and/or program on `day`, from the segments (one statement)."""
    statement = sa.select(CareSegment.admission_id).where(covering(day))
    if level is not None:
        statement = statement.where(CareSegment.level_of_care == level)
    if program_id is not None:
        statement = statement.where(CareSegment.program_id == program_id)
    if not include_on_leave:
        statement = statement.where(CareSegment.on_leave.is_(False))
    return frozenset(db.session.scalars(statement))


def occupied(program_id: int, day: date, *, excluding: int | None = None) -> int:
    """Places taken in the program on `day`: segments covering it, leave included (the place is kept)."""
    statement = sa.select(sa.func.count()).where(CareSegment.program_id == program_id, covering(day))
    if excluding is not None:
        statement = statement.where(CareSegment.admission_id != excluding)
    return db.session.scalar(statement)


def check_capacity(actor: User, program: Program, day: date, reason: str | None, *, excluding: int | None = None):
    """Refuse a move or admission into `program` on `day` when it is full, unless the clinical
    lead gives a reason; returns the reason kept (None when there was room)."""
    taken = occupied(program.id, day, excluding=excluding)
    if taken < program.capacity:
        return None
    if not is_clinical_lead(actor):
        raise ValidationFailed(
            [
                problem(
                    "program_id",
                    "census_program_full",
                    program=program.name,
                    day=f"{day:%d %B %Y}",
                    occupied=taken,
                    capacity=program.capacity,
                )
            ]
        )
    if not reason or not reason.strip():
        raise ValidationFailed([problem("over_capacity_reason", "census_over_capacity_reason")])
    return reason.strip()


@dataclass(frozen=True)
class Person:
    """Someone on a board: their name only when the reader may open them."""

    visible: bool
    patient_id: int | None = None
    inquiry_id: int | None = None
    name: str | None = None
    mrn: str | None = None


@dataclass(frozen=True)
class CensusRow:
    episode_id: int
    person: Person
    level: LevelOfCare
    on_leave: bool
    since: date
    bed: str | None
    leaves_on: date | None  # expected transfer out of a partner hospital


@dataclass(frozen=True)
class BedRow:
    bed: Bed
    occupant: CensusRow | None


@dataclass(frozen=True)
class WaitRow:
    entry: WaitlistEntry
    position: int
    person: Person
    offered_bed: str | None


@dataclass
class Board:
    program: Program
    day: date
    rows: list[CensusRow]
    total: int
    beds: list[BedRow]
    expected_admissions: list[tuple[date, Person]]
    expected_discharges: list[CensusRow]
    waitlist: list[WaitRow]
    by_level: dict[LevelOfCare, list[CensusRow]] = field(default_factory=dict)

    @property
    def present(self) -> int:
        return sum(1 for r in self.rows if not r.on_leave)

    @property
    def free_beds(self) -> list[Bed]:
        return [b.bed for b in self.beds if b.occupant is None]

    @property
    def full(self) -> bool:
        return self.total >= self.program.capacity


def _patient_visible(user: User, glass_ids: frozenset[int]):
    return sa.case((patient_access.visible_condition(user, glass_ids), sa.true()), else_=sa.false())


def board(user: User, program: Program, day: date) -> Board:
    """The census board of `program` on `day`: who is in it (by level, with their bed), the
    beds, the admissions expected in the week from `day`, the transfers out expected that
    week and the waitlist. Seven statements whatever the data; the read is audited."""
    require_reader(user)
    glass_ids = inquiry_access.open_break_glass_ids(user)
    visible = _patient_visible(user, glass_ids).label("visible")
    held = sa.and_(
        BedAssignment.admission_id == CareSegment.admission_id,
        BedAssignment.starts_on <= day,
        sa.or_(BedAssignment.ends_on.is_(None), BedAssignment.ends_on >= day),
    )
    statement = (
        sa.select(
            CareSegment.admission_id,
            CareSegment.level_of_care,
            CareSegment.on_leave,
            CareSegment.starts_on,
            # When they are expected to leave: the partner hospital's expected transfer date on a
            # detox segment, otherwise the episode's planned discharge date.
            sa.func.coalesce(CareSegment.expected_transfer_on, Admission.planned_discharge_on),
            Patient.id,
            Patient.full_name,
            Patient.mrn,
            visible,
            Bed.id,
            Bed.name,
        )
        .join(Admission, Admission.id == CareSegment.admission_id)
        .join(Patient, Patient.id == Admission.patient_id)
        .outerjoin(BedAssignment, held)
        .outerjoin(Bed, Bed.id == BedAssignment.bed_id)
        .where(CareSegment.program_id == program.id, covering(day))
        .order_by(CareSegment.level_of_care, sa.desc(visible), Patient.name_key, CareSegment.admission_id)
        .limit(ROWS_CAP)
    )
    rows, bed_of = [], {}
    for (
        episode_id,
        level,
        on_leave,
        since,
        leaves_on,
        patient_id,
        name,
        mrn,
        seen,
        bed_id,
        bed_name,
    ) in db.session.execute(statement):
        person = Person(True, patient_id, None, name, mrn) if seen else Person(False)
        row = CensusRow(episode_id, person, level, on_leave, since, bed_name, leaves_on)
        rows.append(row)
        if bed_id is not None:
            bed_of[bed_id] = row
    total = occupied(program.id, day) if len(rows) >= ROWS_CAP else len(rows)
    beds = [BedRow(bed, bed_of.get(bed.id)) for bed in places.beds_of(program.id)]
    by_level: dict[LevelOfCare, list[CensusRow]] = {}
    for row in rows:
        by_level.setdefault(row.level, []).append(row)
    board = Board(
        program=program,
        day=day,
        rows=rows,
        total=total,
        beds=beds,
        expected_admissions=_expected_admissions(user, glass_ids, program.id, day),
        expected_discharges=[r for r in rows if r.leaves_on is not None and day <= r.leaves_on < day + WEEK],
        waitlist=places.waitlist(user, program.id, glass_ids=glass_ids),
        by_level=by_level,
    )
    audit.record(user, AuditAction.CENSUS_BOARD_VIEWED, "program", program.id, detail=day.isoformat())
    return board


def _expected_admissions(user: User, glass_ids, program_id: int, day: date) -> list[tuple[date, Person]]:
    """Admissions booked into the program that start within the week after `day` (not yet begun)."""
    statement = (
        sa.select(Admission.admit_date, Patient.id, Patient.full_name, Patient.mrn, _patient_visible(user, glass_ids))
        .join(Patient, Patient.id == Admission.patient_id)
        .where(
            Admission.program_id == program_id,
            Admission.status == AdmissionStatus.ACTIVE,
            Admission.admit_date > day,
            Admission.admit_date < day + WEEK,
        )
        .order_by(Admission.admit_date, Admission.id)
        .limit(LIST_CAP)
    )
    return [
        (on, Person(True, pid, None, name, mrn) if seen else Person(False))
        for on, pid, name, mrn, seen in db.session.execute(statement)
    ]


def census_counts(day: date) -> dict[int, int]:
    """Places taken per program id on `day` (leave included), from the segments: one GROUP BY."""
    rows = db.session.execute(
        sa.select(CareSegment.program_id, sa.func.count()).where(covering(day)).group_by(CareSegment.program_id)
    )
    return dict(rows.all())
