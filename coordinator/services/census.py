"""Capacity, census, beds and the waitlist of a program (issue 14, item 6).

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
from sqlalchemy.exc import IntegrityError

from coordinator.contracts.base import problem
from coordinator.contracts.census import (
    BedAssignmentInput,
    BedInput,
    WaitlistInput,
    WaitlistOfferInput,
    WaitlistOutcomeInput,
)
from coordinator.contracts.messages import define
from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AdmissionStatus, LevelOfCare
from coordinator.errors import NotFound, NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.models import (
    Admission,
    Bed,
    BedAssignment,
    CareSegment,
    Inquiry,
    Patient,
    Program,
    User,
    WaitlistEntry,
)
from coordinator.roles import Role
from coordinator.services import audit, clinical_lead, inquiry_access, patient_access, records, reminders

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


def require_manager(user: User) -> None:
    """Beds and the waitlist are kept by case managers, the clinical lead and administrators."""
    if user.role not in (Role.ADMIN, Role.CASE_MANAGER) and not is_clinical_lead(user):
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
            CareSegment.expected_transfer_on,
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
    beds = [BedRow(bed, bed_of.get(bed.id)) for bed in beds_of(program.id)]
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
        waitlist=waitlist(user, program.id, glass_ids=glass_ids),
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


# --- beds ------------------------------------------------------------------------------------------


def beds_of(program_id: int, *, active_only: bool = True) -> list[Bed]:
    statement = sa.select(Bed).where(Bed.program_id == program_id)
    if active_only:
        statement = statement.where(Bed.is_active.is_(True))
    return list(db.session.scalars(statement.order_by(Bed.name, Bed.id)))


def add_bed(actor: User, program: Program, data: BedInput) -> Bed:
    """A named bed for the program (administrators); the caller commits."""
    clash = db.session.scalar(
        sa.select(Bed.id).where(Bed.program_id == program.id, sa.func.lower(Bed.name) == data.name.lower())
    )
    if clash is not None:
        raise ValidationFailed([problem("name", "bed_name_taken")])
    bed = Bed(program_id=program.id, name=data.name)
    db.session.add(bed)
    db.session.flush()
    audit.record(actor, AuditAction.BED_ADDED, "bed", bed.id)
    return bed


def set_bed_active(actor: User, bed: Bed, active: bool) -> Bed:
    bed.is_active = active
    db.session.flush()
    audit.record(actor, AuditAction.BED_UPDATED, "bed", bed.id, detail="active" if active else "retired")
    return bed


def _holder(bed_id: int) -> BedAssignment | None:
    return db.session.scalar(
        sa.select(BedAssignment).where(BedAssignment.bed_id == bed_id, BedAssignment.ends_on.is_(None))
    )


def assign_bed(actor: User, program: Program, data: BedAssignmentInput, today: date) -> BedAssignment:
    """Put an episode in the program into a free bed from `data.on` (today by default). A bed
    already taken, or a patient with a bed already, is refused with nothing saved."""
    require_manager(actor)
    bed = records.find(Bed, data.bed_id)
    if bed is None or bed.program_id != program.id or not bed.is_active:
        raise ValidationFailed([problem("bed_id", "bed_unknown")])
    on = data.on or today
    admission = records.find(Admission, data.episode_id)
    if admission is None or admission.status is not AdmissionStatus.ACTIVE:
        raise ValidationFailed([problem("episode_id", "bed_episode_not_here")])
    patient_access.require_visible(actor, admission.patient_id, purpose="opened_for_bed")
    db.session.refresh(admission, with_for_update=True)
    segment = db.session.scalar(
        sa.select(CareSegment).where(
            CareSegment.admission_id == admission.id, CareSegment.program_id == program.id, covering(on)
        )
    )
    if segment is None:
        raise ValidationFailed([problem("episode_id", "bed_episode_not_here")])
    taken = _holder(bed.id)
    if taken is not None:
        raise ValidationFailed([problem("bed_id", "bed_taken", bed=bed.name)])
    own = db.session.scalar(
        sa.select(BedAssignment).where(BedAssignment.admission_id == admission.id, BedAssignment.ends_on.is_(None))
    )
    if own is not None:
        other = db.session.get(Bed, own.bed_id)
        raise ValidationFailed([problem("episode_id", "bed_episode_has_bed", bed=other.name)])
    assignment = BedAssignment(bed_id=bed.id, admission_id=admission.id, starts_on=on, assigned_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(assignment)
            db.session.flush()
    except IntegrityError:
        # Someone took the bed between the check and the insert: the unique index says so.
        raise ValidationFailed([problem("bed_id", "bed_taken", bed=bed.name)]) from None
    audit.record(actor, AuditAction.BED_ASSIGNED, "admission", admission.id, detail=f"bed {bed.id}")
    return assignment


def free_bed(actor: User, admission_id: int, last_day: date) -> Bed | None:
    """End the episode's bed on `last_day` (it left the program: moved elsewhere or discharged);
    audited. The caller commits. Returns the bed freed, if any."""
    held = db.session.scalar(
        sa.select(BedAssignment).where(BedAssignment.admission_id == admission_id, BedAssignment.ends_on.is_(None))
    )
    if held is None:
        return None
    held.ends_on = max(last_day, held.starts_on)
    db.session.flush()
    audit.record(actor, AuditAction.BED_FREED, "admission", admission_id, detail=f"bed {held.bed_id}")
    return db.session.get(Bed, held.bed_id)


def leave_program(actor: User, admission_id: int, program_id: int, last_day: date) -> None:
    """The episode left the program after `last_day` (moved elsewhere or discharged): its bed is
    freed, and if someone is first in line without an offer and a place is free, the case
    managers are told (the reminder "a bed is free for the waitlist")."""
    bed = free_bed(actor, admission_id, last_day)
    first = first_waiting_without_offer(program_id)
    if first is None or not _has_room(db.session.get(Program, program_id), last_day + timedelta(days=1)):
        return
    reminders.bed_free_for(first.id, first.inquiry_id, bed.id if bed is not None else f"place-{admission_id}")


# --- the waitlist ----------------------------------------------------------------------------------


def _waiting(program_id: int):
    return sa.and_(WaitlistEntry.program_id == program_id, WaitlistEntry.outcome.is_(None))


def waitlist(user: User, program_id: int, *, glass_ids: frozenset[int] | None = None) -> list[WaitRow]:
    """The entries still waiting, oldest first, with their position (one statement)."""
    if glass_ids is None:
        glass_ids = inquiry_access.open_break_glass_ids(user)
    seen = sa.case(
        (WaitlistEntry.patient_id.is_not(None), patient_access.visible_condition(user, glass_ids)),
        else_=inquiry_access.visible_condition(user, glass_ids),
    )
    statement = (
        sa.select(
            WaitlistEntry,
            sa.func.coalesce(Patient.full_name, Inquiry.patient_name),
            Patient.mrn,
            sa.case((seen, sa.true()), else_=sa.false()),
            Bed.name,
        )
        .outerjoin(Patient, Patient.id == WaitlistEntry.patient_id)
        .outerjoin(Inquiry, Inquiry.id == WaitlistEntry.inquiry_id)
        .outerjoin(Bed, Bed.id == WaitlistEntry.offered_bed_id)
        .where(_waiting(program_id))
        .order_by(WaitlistEntry.added_at, WaitlistEntry.id)
        .limit(LIST_CAP)
    )
    out = []
    for position, (entry, name, mrn, visible, bed_name) in enumerate(db.session.execute(statement), start=1):
        person = Person(True, entry.patient_id, entry.inquiry_id, name, mrn) if visible else Person(False)
        out.append(WaitRow(entry, position, person, bed_name))
    return out


def add_to_waitlist(actor: User, program: Program, data: WaitlistInput) -> WaitlistEntry:
    """Put a patient or an inquiry on the program's waitlist (last in line); audited."""
    require_manager(actor)
    if (data.mrn is None) == (data.inquiry_id is None):
        code = "waitlist_one_person" if data.mrn is not None else "waitlist_person_required"
        raise ValidationFailed([problem("mrn", code)])
    patient_id = None
    if data.mrn is not None:
        patient_id = db.session.scalar(sa.select(Patient.id).where(Patient.mrn == data.mrn.strip().upper()))
        if patient_id is None:
            raise ValidationFailed([problem("mrn", "waitlist_unknown_person")])
        patient_access.require_visible(actor, patient_id, purpose="opened_for_waitlist")
        same = WaitlistEntry.patient_id == patient_id
    else:
        if records.find(Inquiry, data.inquiry_id) is None:
            raise ValidationFailed([problem("inquiry_id", "waitlist_unknown_person")])
        inquiry_access.require_visible(actor, data.inquiry_id)
        same = WaitlistEntry.inquiry_id == data.inquiry_id
    if db.session.scalar(sa.select(WaitlistEntry.id).where(_waiting(program.id), same)) is not None:
        raise ValidationFailed([problem("mrn", "waitlist_already")])
    entry = WaitlistEntry(
        program_id=program.id,
        patient_id=patient_id,
        inquiry_id=data.inquiry_id,
        note=data.note,
        added_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, AuditAction.WAITLIST_ADDED, "waitlist_entry", entry.id)
    return entry


def _entry(program: Program, entry_id: int) -> WaitlistEntry:
    entry = records.load(WaitlistEntry, entry_id)
    if entry.program_id != program.id:
        raise NotFound("No such waitlist entry in this program.")
    if entry.outcome is not None:
        raise ValidationFailed([problem(None, "waitlist_not_waiting")])
    return entry


def free_bed_ids(program_id: int) -> list[int]:
    """Active beds of the program nobody holds now, and nobody was offered still waiting."""
    held = sa.select(BedAssignment.bed_id).where(BedAssignment.ends_on.is_(None))
    offered = sa.select(WaitlistEntry.offered_bed_id).where(
        _waiting(program_id), WaitlistEntry.offered_bed_id.is_not(None)
    )
    return list(
        db.session.scalars(
            sa.select(Bed.id)
            .where(Bed.program_id == program_id, Bed.is_active.is_(True), Bed.id.not_in(held), Bed.id.not_in(offered))
            .order_by(Bed.name, Bed.id)
        )
    )


def _has_room(program: Program, day: date) -> bool:
    """A place to offer on `day`: under capacity and, when the program names its beds, one free."""
    if occupied(program.id, day) >= program.capacity:
        return False
    return bool(free_bed_ids(program.id)) or not beds_of(program.id)


def offer(actor: User, program: Program, entry_id: int, data: WaitlistOfferInput, today: date) -> WaitlistEntry:
    """Offer a free bed (the first free one unless chosen) to the first in line; audited."""
    require_manager(actor)
    db.session.refresh(program, with_for_update=True)  # two offers at once go one after the other
    entry = _entry(program, entry_id)
    first = db.session.scalar(
        sa.select(WaitlistEntry.id)
        .where(_waiting(program.id), WaitlistEntry.offered_on.is_(None))
        .order_by(WaitlistEntry.added_at, WaitlistEntry.id)
        .limit(1)
    )
    if first != entry.id:
        raise ValidationFailed([problem(None, "waitlist_not_first")])
    if occupied(program.id, today) >= program.capacity:
        raise ValidationFailed(
            [
                problem(
                    "bed_id",
                    "census_program_full",
                    program=program.name,
                    day=f"{today:%d %B %Y}",
                    occupied=occupied(program.id, today),
                    capacity=program.capacity,
                )
            ]
        )
    free = free_bed_ids(program.id)
    if data.bed_id is not None:
        if data.bed_id not in free:
            raise ValidationFailed([problem("bed_id", "waitlist_no_free_bed")])
        bed_id = data.bed_id
    elif free:
        bed_id = free[0]
    elif beds_of(program.id):
        raise ValidationFailed([problem("bed_id", "waitlist_no_free_bed")])
    else:
        bed_id = None  # a program without named beds offers a place
    entry.offered_on, entry.offered_bed_id = today, bed_id
    db.session.flush()
    reminders.waitlist_entry_settled(entry.id, "place offered")
    audit.record(actor, AuditAction.WAITLIST_OFFERED, "waitlist_entry", entry.id, detail=f"bed {bed_id}")
    return entry


def close_entry(actor: User, program: Program, entry_id: int, data: WaitlistOutcomeInput, today: date):
    """Record how the wait ended: accepted, declined or withdrawn; audited."""
    require_manager(actor)
    entry = _entry(program, entry_id)
    entry.outcome, entry.outcome_on, entry.outcome_by_id = data.outcome, today, actor.id
    db.session.flush()
    reminders.waitlist_entry_settled(entry.id, f"waitlist entry {data.outcome.label.lower()}")
    audit.record(actor, AuditAction.WAITLIST_CLOSED, "waitlist_entry", entry.id, detail=data.outcome.value)
    return entry


def first_waiting_without_offer(program_id: int) -> WaitlistEntry | None:
    return db.session.scalar(
        sa.select(WaitlistEntry)
        .where(_waiting(program_id), WaitlistEntry.offered_on.is_(None))
        .order_by(WaitlistEntry.added_at, WaitlistEntry.id)
        .limit(1)
    )
