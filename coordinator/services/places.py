"""Beds and the waitlist of a program (issue 14, item 6), beside the census (services/census.py).

Beds: an episode holds at most one bed and a bed at most one episode at a time (the service
says so in words; two partial unique indexes hold it under races). A bed is freed when its
episode leaves the program (a move elsewhere or the discharge).

The waitlist: entries still waiting, oldest first, their position their rank; a freed bed is
offered to the first in line. Who is on it is shown only to readers who may open that patient
or inquiry; the others see "a patient you cannot see". Messages are defined in census.py.
"""

from __future__ import annotations

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
from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AdmissionStatus
from coordinator.errors import NotFound, ValidationFailed
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
from coordinator.services import audit, census, inquiry_access, patient_access, records, reminders

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
    census.require_manager(actor)
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
            CareSegment.admission_id == admission.id, CareSegment.program_id == program.id, census.covering(on)
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


def waitlist(user: User, program_id: int, *, glass_ids: frozenset[int] | None = None) -> list[census.WaitRow]:
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
        .limit(census.LIST_CAP)
    )
    out = []
    for position, (entry, name, mrn, visible, bed_name) in enumerate(db.session.execute(statement), start=1):
        person = census.Person(True, entry.patient_id, entry.inquiry_id, name, mrn) if visible else census.Person(False)
        out.append(census.WaitRow(entry, position, person, bed_name))
    return out


def add_to_waitlist(actor: User, program: Program, data: WaitlistInput) -> WaitlistEntry:
    """Put a patient or an inquiry on the program's waitlist (last in line); audited."""
    census.require_manager(actor)
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
    if census.occupied(program.id, day) >= program.capacity:
        return False
    return bool(free_bed_ids(program.id)) or not beds_of(program.id)


def offer(actor: User, program: Program, entry_id: int, data: WaitlistOfferInput, today: date) -> WaitlistEntry:
    """Offer a free bed (the first free one unless chosen) to the first in line; audited."""
    census.require_manager(actor)
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
    if census.occupied(program.id, today) >= program.capacity:
        raise ValidationFailed(
            [
                problem(
                    "bed_id",
                    "census_program_full",
                    program=program.name,
                    day=f"{today:%d %B %Y}",
                    occupied=census.occupied(program.id, today),
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
    census.require_manager(actor)
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
