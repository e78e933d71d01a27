"""A patient's own restriction (discreet flag), raised or lowered on the patient page with a
reason (audited; the reason, who and when are kept on the patient).

The people who may change an inquiry's restriction may change a patient's: administrators,
admissions and case managers (`inquiry_access.EDITORS`) who may open the patient. The guard
(`patient_access.Guard`) restricts a patient while their own flag is set or any inquiry that
admitted them is restricted, so lowering the own flag is refused while such an inquiry is (its
restriction is lifted on the inquiry); and, as for an inquiry, a restriction needs someone
besides administrators to open the record: an assignee of one of those inquiries.
"""

from __future__ import annotations

from coordinator.contracts.base import problem
from coordinator.contracts.care import PatientRestrictionInput
from coordinator.contracts.messages import define
from coordinator.domain.audit import AuditAction
from coordinator.errors import NotPermitted, ValidationFailed
from coordinator.models import Patient, User, utcnow
from coordinator.services import audit, inquiry_access, patient_access

define(
    {
        "patient_restricted_by_inquiry": "The patient stays restricted while inquiry #{inquiry} is: lift that "
        "inquiry's restriction on the inquiry first.",
        "patient_restriction_needs_assignee": "A restricted patient needs an assignee on one of their inquiries: "
        "only they and administrators will be able to open the record.",
        "patient_restriction_unchanged": "The restriction is already as chosen; nothing changed.",
    }
)


def can_change(user: User) -> bool:
    return user.role in inquiry_access.EDITORS


def require_changer(user: User) -> None:
    if not can_change(user):
        raise NotPermitted("Only administrators, admissions and case managers change a restriction.")


def change(actor: User, patient: Patient, data: PatientRestrictionInput) -> None:
    """Set the patient's own flag to `data.restricted` (the caller opened the patient for `actor`)."""
    require_changer(actor)
    if data.restricted == patient.is_restricted:
        raise ValidationFailed([problem("restricted", "patient_restriction_unchanged")])
    guard = patient_access.guard_of(patient)
    if data.restricted and not any(assignee is not None for _, assignee, _ in guard.inquiries):
        raise ValidationFailed([problem("restricted", "patient_restriction_needs_assignee")])
    if not data.restricted:
        still = [inquiry_id for inquiry_id, _, restricted in guard.inquiries if restricted]
        if still:
            raise ValidationFailed([problem("restricted", "patient_restricted_by_inquiry", inquiry=still[-1])])
    was = patient.is_restricted
    patient.is_restricted = data.restricted
    patient.restriction_reason = data.reason
    patient.restriction_changed_by_id, patient.restriction_changed_at = actor.id, utcnow()
    audit.record(
        actor,
        AuditAction.PATIENT_RESTRICTION_CHANGED,
        "patient",
        patient.id,
        detail=f"restricted {str(was).lower()} -> {str(data.restricted).lower()}; reason kept on the patient",
    )
