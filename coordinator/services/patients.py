"""Patients at admission (a new record, or a returning person staff confirmed), their medical
record numbers, and what the patient page shows. Each function flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from coordinator.contracts.base import problem
from coordinator.contracts.messages import define
from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AdmissionStatus, SegmentMove
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Admission, CareSegment, Inquiry, MrnCounter, Patient, Program, User
from coordinator.rules import level_moves
from coordinator.rules.mrn import format_mrn
from coordinator.services import audit, episodes, inquiry_access, intake, patient_access, records

CANDIDATE_LIMIT = 10
NEW_PATIENT = "new"

define(
    {
        "patient_choice_required": "This may be a returning patient: choose the matching record, or "
        "“a new patient” if none of them is this person.",
        "patient_choice_unknown": "Choose one of the records offered, or “a new patient”.",
        "patient_in_care": "This patient is already in an active episode of care; discharge it first.",
    }
)


def next_mrn() -> str:
    """The next medical record number: one atomic increment of the counter row (an upsert, so
    two admissions at once get two numbers on PostgreSQL and SQLite alike)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(MrnCounter)
        .values(id=1, last_value=1)
        .on_conflict_do_update(index_elements=[MrnCounter.id], set_={"last_value": MrnCounter.last_value + 1})
        .returning(MrnCounter.last_value)
    )
    return format_mrn(db.session.execute(statement).scalar_one())


def candidates(user: User, inquiry: Inquiry) -> list[Patient]:
    """Earlier patients who may be this inquiry's person (same name, and same birth date when
    both are known), out of care now, among those `user` may open; at most CANDIDATE_LIMIT."""
    statement = sa.select(Patient).where(Patient.name_key == inquiry.patient_name_key)
    if inquiry.patient_dob is not None:
        statement = statement.where(sa.or_(Patient.dob == inquiry.patient_dob, Patient.dob.is_(None)))
    in_care = sa.select(Admission.id).where(
        Admission.patient_id == Patient.id, Admission.status == AdmissionStatus.ACTIVE
    )
    statement = statement.where(
        ~in_care.exists(), patient_access.visible_condition(user, inquiry_access.open_break_glass_ids(user))
    )
    found = list(db.session.scalars(statement.order_by(Patient.id).limit(CANDIDATE_LIMIT)))
    if found:
        audit.record_listing(user, AuditAction.PATIENT_CANDIDATES_SHOWN, "patient", [p.id for p in found])
    return found


def patient_for_admission(actor: User, inquiry: Inquiry, choice: str | None) -> Patient:
    """The patient an admission belongs to: a new record (`choice` "new", or nothing when no
    earlier record matches) or the returning person staff picked from `candidates`."""
    offered = {str(p.id): p for p in candidates(actor, inquiry)}
    if choice in (None, "") and offered:
        raise ValidationFailed([problem("patient_choice", "patient_choice_required")])
    if choice in (None, "", NEW_PATIENT):
        return _create(actor, inquiry)
    patient = offered.get(choice)
    if patient is None:
        raise ValidationFailed([problem("patient_choice", "patient_choice_unknown")])
    if inquiry.is_restricted and not patient.is_restricted:
        patient.is_restricted = True
    audit.record(actor, AuditAction.PATIENT_REUSED, "patient", patient.id, detail=f"inquiry {inquiry.id}")
    return patient


def _create(actor: User, inquiry: Inquiry) -> Patient:
    patient = Patient(
        mrn=next_mrn(),
        full_name=inquiry.patient_name,
        name_key=intake.normalise_key(inquiry.patient_name) or inquiry.patient_name_key,
        dob=inquiry.patient_dob,
        sex=inquiry.patient_sex,
        is_restricted=inquiry.is_restricted,
        created_by_id=actor.id,
    )
    db.session.add(patient)
    db.session.flush()
    audit.record(actor, AuditAction.PATIENT_CREATED, "patient", patient.id, detail=f"inquiry {inquiry.id}")
    return patient


def open_first_segment(actor: User, admission: Admission, program: Program) -> CareSegment:
    """The episode's first segment: the admitted program's level from the admission date."""
    segment = CareSegment(
        admission_id=admission.id,
        level_of_care=program.level_of_care,
        program_id=program.id,
        move=SegmentMove.ADMISSION,
        starts_on=admission.admit_date,
        created_by_id=actor.id,
    )
    db.session.add(segment)
    return segment


def aftercare_ends_on(admission: Admission) -> date | None:
    """The last day of the two-month aftercare period a discharge opens (None before discharge)."""
    if admission.discharged_on is None:
        return None
    return level_moves.aftercare_end(admission.discharged_on)


# --- the patient page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Episode:
    admission: Admission
    segments: list[CareSegment]  # oldest first

    @property
    def current(self) -> CareSegment | None:
        return next((s for s in reversed(self.segments) if s.ends_on is None), None)

    @property
    def aftercare_ends_on(self) -> date | None:
        return aftercare_ends_on(self.admission)

    def days_in_current(self, today: date) -> int:
        """Days at the current level up to today (transfers and leave at that level count)."""
        return episodes.days_in_level(self.segments, today) if self.segments else 0


def episodes_of(patient: Patient) -> list[Episode]:
    """Every episode of the patient, newest first, each with its segments (two queries whatever
    the number of episodes or segments)."""
    admissions = list(
        db.session.scalars(
            sa.select(Admission)
            .options(joinedload(Admission.program))
            .where(Admission.patient_id == patient.id)
            .order_by(Admission.admit_date.desc(), Admission.id.desc())
        )
    )
    by_admission: dict[int, list[CareSegment]] = {a.id: [] for a in admissions}
    if admissions:
        for segment in db.session.scalars(
            sa.select(CareSegment)
            .options(joinedload(CareSegment.program))
            .where(CareSegment.admission_id.in_(by_admission))
            .order_by(CareSegment.starts_on, CareSegment.id)
        ):
            by_admission[segment.admission_id].append(segment)
    return [Episode(a, by_admission[a.id]) for a in admissions]


def patient_of_admission(admission: Admission) -> Patient:
    return records.load(Patient, admission.patient_id)
