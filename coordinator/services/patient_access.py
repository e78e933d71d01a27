"""Who may open a patient, and everything under them (episodes, assessments, placement, moves).

The same rule as an inquiry's (`inquiry_access`), carried over to the person: a patient is
restricted when their own flag is set or any inquiry that admitted them is restricted; then
only administrators, the assignee of one of those inquiries, or someone holding a clinical
break-the-glass grant on one of them may open it. A refused reader is sent to break the glass
on the patient's latest inquiry (the grant, its reason and its review are the inquiry's).
Every read is audited, every refusal too.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from coordinator.domain.audit import AuditAction
from coordinator.errors import NotFound, NotPermitted, RestrictedRecord
from coordinator.extensions import db
from coordinator.models import Admission, Inquiry, Patient, User
from coordinator.roles import Role
from coordinator.services import audit, inquiry_access, records

READERS = inquiry_access.READERS


@dataclass(frozen=True)
class Guard:
    """What decides who sees a patient: their own flag and the inquiries that admitted them."""

    patient_restricted: bool
    inquiries: tuple[tuple[int, int | None, bool], ...]  # (inquiry id, assignee id, restricted), oldest first

    @property
    def restricted(self) -> bool:
        return self.patient_restricted or any(restricted for _, _, restricted in self.inquiries)

    @property
    def latest_inquiry_id(self) -> int | None:
        return self.inquiries[-1][0] if self.inquiries else None


def guard_of(patient: Patient) -> Guard:
    """The patient's guard (one query)."""
    rows = db.session.execute(
        sa.select(Inquiry.id, Inquiry.assigned_to_id, Inquiry.is_restricted)
        .join(Admission, Admission.inquiry_id == Inquiry.id)
        .where(Admission.patient_id == patient.id)
        .order_by(Admission.id)
    ).all()
    return Guard(patient.is_restricted, tuple((r[0], r[1], r[2]) for r in rows))


def guards_of(patients: list[Patient]) -> dict[int, Guard]:
    """Several patients' guards in one query (e.g. a batch of reminders): patient id -> guard."""
    if not patients:
        return {}
    found: dict[int, list[tuple[int, int | None, bool]]] = {p.id: [] for p in patients}
    for patient_id, inquiry_id, assignee, restricted in db.session.execute(
        sa.select(Admission.patient_id, Inquiry.id, Inquiry.assigned_to_id, Inquiry.is_restricted)
        .join(Admission, Admission.inquiry_id == Inquiry.id)
        .where(Admission.patient_id.in_(found))
        .order_by(Admission.id)
    ):
        found[patient_id].append((inquiry_id, assignee, restricted))
    return {p.id: Guard(p.is_restricted, tuple(found[p.id])) for p in patients}


def can_see(user: User, guard: Guard, glass_ids: frozenset[int]) -> bool:
    """Whether `user` may open the patient `guard` belongs to (`glass_ids`: their clinical grants)."""
    if user.role not in READERS:
        return False
    if not guard.restricted or user.role == Role.ADMIN:
        return True
    return any(assignee == user.id or inquiry_id in glass_ids for inquiry_id, assignee, _ in guard.inquiries)


def _admitted_by():
    admitted_by = sa.select(sa.literal(1)).select_from(Admission).join(Inquiry, Inquiry.id == Admission.inquiry_id)
    return admitted_by.where(Admission.patient_id == Patient.id)


def restricted_inquiry_condition():
    """SQL over Patient: one of the inquiries that admitted them is restricted."""
    return _admitted_by().where(Inquiry.is_restricted).exists()


def visible_condition(user: User, glass_ids: frozenset[int]):
    """SQL over Patient: the patients `user` may open (for candidate lists and anything listing them)."""
    if user.role == Role.ADMIN:
        return sa.true()
    admitted_by = _admitted_by()
    restricted_inquiry = restricted_inquiry_condition()
    opened = admitted_by.where(sa.or_(Inquiry.assigned_to_id == user.id, Inquiry.id.in_(glass_ids or {-1}))).exists()
    return sa.or_(sa.and_(Patient.is_restricted.is_(False), ~restricted_inquiry), opened)


def load(patient_id: int) -> Patient:
    patient = records.find(Patient, patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    return patient


def require_visible(user: User, patient_id: int, *, purpose: str = "viewed") -> Patient:
    """The patient if `user` may open them, the read audited (`AuditAction("patient_" + purpose)`);
    otherwise the refusal is audited and RestrictedRecord sends them to break the glass."""
    patient = load(patient_id)
    if user.role not in READERS:
        raise NotPermitted("Your role does not give access to patients.")
    guard = guard_of(patient)
    if can_see(user, guard, inquiry_access.open_break_glass_ids(user)):
        audit.record(user, AuditAction(f"patient_{purpose}"), "patient", patient.id)
        return patient
    audit.record_refusal(user, AuditAction.RESTRICTED_PATIENT_REFUSED, "patient", patient.id)
    raise RestrictedRecord(
        "This patient is restricted. Break the glass on their record with a reason to open it.",
        area="inquiry",
        record_id=guard.latest_inquiry_id or 0,
    )
